package dev.stagebuild.dockerfile;

/** Character classes the way Docker's Go parser uses them. */
public final class Chars {
  private Chars() {}

  /** Go's {@code unicode.IsSpace}. */
  public static boolean isSpace(char c) {
    switch (c) {
      case ' ', '\t', '\n', '\u000B', '\f', '\r', '\u0085', '\u00A0':
        return true;
      default:
        return c > 0xFF && Character.isSpaceChar(c);
    }
  }

  /** The separator class {@code [\t\v\f\r ]} Docker splits FROM and COPY arguments on. */
  static boolean isSeparator(char c) {
    return c == ' ' || c == '\t' || c == '\u000B' || c == '\f' || c == '\r';
  }

  /** Go regexp's {@code \s}: ASCII whitespace. */
  static boolean isRegexSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r';
  }

  static int skipSpaces(String s, int from, int to) {
    int i = from;
    while (i < to && isSpace(s.charAt(i))) {
      i++;
    }
    return i;
  }

  static int trimEnd(String s, int from, int to) {
    int i = to;
    while (i > from && isSpace(s.charAt(i - 1))) {
      i--;
    }
    return i;
  }
}
