package dev.stagebuild.api;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/** Sizes for people, the way docker prints them. */
public final class Sizes {
  private static final String[] UNITS = {"B", "kB", "MB", "GB", "TB", "PB", "EB"};
  private static final BigDecimal THOUSAND = BigDecimal.valueOf(1000);
  private static final MathContext THREE_DIGITS = new MathContext(3, RoundingMode.HALF_EVEN);

  private Sizes() {}

  /**
   * Decimal units and three significant digits, like docker's HumanSize: 9620000 is "9.62MB",
   * 851000000 "851MB", 512 "512B". Unlike docker it never prints an exponent (999999 is "1MB").
   */
  public static String shortSize(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("negative size " + bytes);
    }
    BigDecimal size = BigDecimal.valueOf(bytes);
    int unit = 0;
    while (size.compareTo(THOUSAND) >= 0 && unit < UNITS.length - 1) {
      size = size.divide(THOUSAND);
      unit++;
    }
    BigDecimal rounded = size.round(THREE_DIGITS);
    if (rounded.compareTo(THOUSAND) >= 0 && unit < UNITS.length - 1) {
      rounded = rounded.divide(THOUSAND).round(THREE_DIGITS);
      unit++;
    }
    return rounded.stripTrailingZeros().toPlainString() + UNITS[unit];
  }
}
