package dev.stagebuild.plan;

/**
 * Whether Go's {@code filepath.Match} (on Linux) takes a pattern: patternmatcher checks every
 * .dockerignore pattern with it. Go checks the whole pattern, also past a mismatch: a {@code \}
 * needs a character after it, and a character class {@code [...]} needs a closing {@code ]} after at
 * least one character or range, each end of which is a character, {@code \}-escaped or not
 * {@code -} or {@code ]}, with more of the pattern after it.
 */
final class GoMatchSyntax {
  private GoMatchSyntax() {}

  /** Why the pattern is malformed, or null when Go accepts it. */
  static String error(String p) {
    int n = p.length();
    int i = 0;
    while (i < n) {
      char c = p.charAt(i);
      if (c == '[') {
        i++;
        if (i < n && p.charAt(i) == '^') {
          i++;
        }
        int ranges = 0;
        while (true) {
          if (i < n && p.charAt(i) == ']' && ranges > 0) {
            i++;
            break;
          }
          i = rangeEnd(p, i);
          if (i >= 0 && p.charAt(i) == '-') {
            i = rangeEnd(p, i + 1);
          }
          if (i < 0) {
            return "a character class [...] that is empty, not closed, or has a bad range";
          }
          ranges++;
        }
      } else if (c == '\\') {
        if (i + 1 >= n) {
          return "a \\ at the end";
        }
        i += 1 + Character.charCount(p.codePointAt(i + 1));
      } else {
        i++;
      }
    }
    return null;
  }

  /** Go's getEsc: past one end of a range, or -1 when it is malformed (the pattern must go on after it). */
  private static int rangeEnd(String p, int i) {
    int n = p.length();
    if (i >= n || p.charAt(i) == '-' || p.charAt(i) == ']') {
      return -1;
    }
    if (p.charAt(i) == '\\') {
      i++;
      if (i >= n) {
        return -1;
      }
    }
    i += Character.charCount(p.codePointAt(i));
    return i < n ? i : -1;
  }
}
