package dev.stagebuild.dockerfile;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Map;

/**
 * Go's {@code time.ParseDuration}, which BuildKit applies to HEALTHCHECK's {@code --interval},
 * {@code --timeout}, {@code --start-period} and {@code --start-interval}: a value kaniko would refuse
 * ({@code 30}, without a unit) is refused when the Dockerfile is planned, not when a pod builds it.
 */
final class GoDuration {
  private GoDuration() {}

  private static final Map<String, Long> UNITS = Map.of("ns", 1L, "us", 1_000L, "\u00b5s", 1_000L,
      "\u03bcs", 1_000L, "ms", 1_000_000L, "s", 1_000_000_000L, "m", 60_000_000_000L, "h", 3_600_000_000_000L);
  private static final BigInteger LIMIT = BigInteger.ONE.shiftLeft(63);

  /** The duration in nanoseconds; an {@link IllegalArgumentException} with Go's message when it is not one. */
  static long nanos(String text) {
    String s = text;
    boolean negative = false;
    if (!s.isEmpty() && (s.charAt(0) == '-' || s.charAt(0) == '+')) {
      negative = s.charAt(0) == '-';
      s = s.substring(1);
    }
    if (s.equals("0")) {
      return 0;
    }
    if (s.isEmpty()) {
      throw invalid(text);
    }
    BigDecimal total = BigDecimal.ZERO;
    int i = 0;
    while (i < s.length()) {
      int start = i;
      while (i < s.length() && isDigit(s.charAt(i))) {
        i++;
      }
      boolean pre = i > start;
      String whole = s.substring(start, i);
      String fraction = "";
      if (i < s.length() && s.charAt(i) == '.') {
        int f = ++i;
        while (i < s.length() && isDigit(s.charAt(i))) {
          i++;
        }
        fraction = s.substring(f, i);
      }
      if (!pre && fraction.isEmpty()) {
        throw invalid(text);
      }
      int u = i;
      while (i < s.length() && s.charAt(i) != '.' && !isDigit(s.charAt(i))) {
        i++;
      }
      if (u == i) {
        throw new IllegalArgumentException("time: missing unit in duration \"" + text + "\"");
      }
      Long unit = UNITS.get(s.substring(u, i));
      if (unit == null) {
        throw new IllegalArgumentException("time: unknown unit \"" + s.substring(u, i) + "\" in duration \"" + text + "\"");
      }
      BigDecimal value = new BigDecimal((whole.isEmpty() ? "0" : whole) + (fraction.isEmpty() ? "" : "." + fraction));
      total = total.add(value.multiply(BigDecimal.valueOf(unit)));
      if (total.toBigInteger().compareTo(LIMIT) > 0) {
        throw invalid(text);
      }
    }
    BigInteger n = total.toBigInteger();
    if (!negative && n.compareTo(LIMIT) >= 0) {
      throw invalid(text);
    }
    return negative ? n.negate().longValue() : n.longValue();
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  private static IllegalArgumentException invalid(String text) {
    return new IllegalArgumentException("time: invalid duration \"" + text + "\"");
  }
}
