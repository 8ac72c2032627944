package dev.stagebuild.dockerfile;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Whether docker/go-units' {@code RAMInBytes} (v0.5.0, which BuildKit vendors) reads a size, as
 * BuildKit reads a tmpfs mount's {@code size=}: a number (Go's {@code strconv.ParseFloat}, not
 * negative) ending at the last digit, dot or space, then at most one space, then no suffix,
 * {@code b}, or one of {@code k m g t p} followed by nothing, {@code b} or {@code ib}, in any case.
 * Not modelled: ParseFloat's {@code Inf} and {@code NaN}, which need a space after them (a quoted
 * mount, which the planner refuses anyway).
 */
public final class GoSize {
  private GoSize() {}

  /** Go's decimal floating-point syntax, underscores taken out. */
  private static final Pattern DECIMAL = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
  /** Go's hexadecimal floating-point syntax, underscores taken out: the p exponent is required. */
  private static final Pattern HEX = Pattern.compile("[+-]?0[xX]([0-9a-fA-F]+\\.?[0-9a-fA-F]*|\\.[0-9a-fA-F]+)"
      + "[pP][+-]?\\d+");

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
    String suffix = size.substring(sep + 1);
    if (!number(num)) {
      return false;
    }
    // Go measures and indexes the suffix in bytes: its length before lowering it, its bytes after
    if (suffix.getBytes(StandardCharsets.UTF_8).length > 3) {
      return false;
    }
    byte[] lower = suffix.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8);
    if (lower.length == 0) {
      return true;
    }
    if (lower[0] == 'b') {
      return lower.length == 1;
    }
    if ("kmgtp".indexOf(lower[0]) < 0) {
      return false;
    }
    return lower.length == 1 || (lower.length == 2 && lower[1] == 'b')
        || (lower.length == 3 && lower[1] == 'i' && lower[2] == 'b');
  }

  /** ParseFloat reads it, in range, and it is not below zero ({@code -0} is zero). */
  private static boolean number(String num) {
    if (num.indexOf('_') >= 0 && !underscoresBetweenDigits(num)) {
      return false;
    }
    String plain = num.replace("_", "");
    if (!DECIMAL.matcher(plain).matches() && !HEX.matcher(plain).matches()) {
      return false;
    }
    double d = Double.parseDouble(plain);
    return !Double.isInfinite(d) && d >= 0;
  }

  /**
   * Go's {@code underscoreOK}: each underscore stands between two digits (or after a base prefix
   * and before a digit).
   */
  private static boolean underscoresBetweenDigits(String num) {
    String s = num.startsWith("+") || num.startsWith("-") ? num.substring(1) : num;
    char saw = '^';
    int i = 0;
    boolean hex = false;
    if (s.length() >= 2 && s.charAt(0) == '0' && "bBoOxX".indexOf(s.charAt(1)) >= 0) {
      i = 2;
      saw = '0';
      hex = s.charAt(1) == 'x' || s.charAt(1) == 'X';
    }
    for (; i < s.length(); i++) {
      char c = s.charAt(i);
      if ((c >= '0' && c <= '9') || (hex && "abcdefABCDEF".indexOf(c) >= 0)) {
        saw = '0';
      } else if (c == '_') {
        if (saw != '0') {
          return false;
        }
        saw = '_';
      } else {
        if (saw == '_') {
          return false;
        }
        saw = '!';
      }
    }
    return saw != '_';
  }
}
