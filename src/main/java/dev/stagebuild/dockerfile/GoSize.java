package dev.stagebuild.dockerfile;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether docker/go-units' {@code RAMInBytes} reads a size, as BuildKit reads a tmpfs mount's
 * {@code size=}: a number (Go's {@code strconv.ParseFloat}, not negative) ending at the last digit,
 * dot or space, then at most one space, then no suffix, {@code b}, or one of {@code k m g t p}
 * followed by nothing, {@code b} or {@code ib}, in any case.
 */
public final class GoSize {
  private GoSize() {}

  /** Go's decimal floating-point syntax (no underscores: Go allows them only after a base prefix). */
  private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  /** Go's hexadecimal floating-point syntax: the p exponent is required. */
  private static final Pattern HEX = Pattern.compile("[+-]?0[xX](_?[0-9a-fA-F]+(_[0-9a-fA-F]+)*\\.?"
      + "([0-9a-fA-F]+(_[0-9a-fA-F]+)*)?|\\.[0-9a-fA-F]+(_[0-9a-fA-F]+)*)[pP][+-]?\\d+(_\\d+)*");

  public static boolean parses(String size) {
    int sep = -1;
    for (int i = size.length() - 1; i >= 0; i--) {
      char c = size.charAt(i);
      if ((c >= '0' && c <= '9') || c == '.' || c == ' ') {
        sep = i;
        break;
      }
    }
    if (sep < 0) {
      return false;
    }
    String num = size.charAt(sep) == ' ' ? size.substring(0, sep) : size.substring(0, sep + 1);
    String suffix = size.substring(sep + 1).toLowerCase(Locale.ROOT);
    if (!number(num)) {
      return false;
    }
    if (suffix.isEmpty() || suffix.equals("b")) {
      return true;
    }
    if (suffix.length() > 3 || "kmgtp".indexOf(suffix.charAt(0)) < 0) {
      return false;
    }
    return suffix.length() == 1 || suffix.substring(1).equals(suffix.length() == 2 ? "b" : "ib");
  }

  /** ParseFloat reads it, in range, and it is not below zero ({@code -0} is zero). */
  private static boolean number(String num) {
    if (DECIMAL.matcher(num).matches()) {
      double d = Double.parseDouble(num);
      return !Double.isInfinite(d) && (d >= 0);
    }
    if (HEX.matcher(num).matches()) {
      double d = Double.parseDouble(num.replace("_", ""));
      return !Double.isInfinite(d) && d >= 0;
    }
    return false;
  }
}
