package dev.stagebuild.dockerfile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import java.util.function.LongConsumer;

/**
 * The shell patterns of {@code ${V#p}}, {@code ${V%p}} and {@code ${V/p/r}}: {@code *} any text,
 * {@code ?} one character, backslash escapes {@code * ? \}; everything else literal (no bracket
 * expressions, like BuildKit). BuildKit makes them a Go regular expression ({@code ?} is {@code .},
 * {@code *} is {@code .*}), so they work on code points (Go's runes), and neither {@code ?} nor
 * {@code *} matches a line feed. Matched by simulating the automaton over all pattern positions at
 * once, so the cost is linear in the text times the pattern length, never exponential.
 */
final class ShellPattern {
  private static final char STAR = 0;
  private static final char ANY = 1;
  private static final char LITERAL = 2;

  private final char[] kinds;
  private final int[] chars;
  /**
   * The state sets of {@link #match}, made once: a replacement tries a match at every position of
   * a value of up to 256 KiB, and two arrays per try were most of the memory it allocated. A
   * pattern is compiled for one expansion on one thread, so they are never shared.
   */
  private boolean[] current;
  private boolean[] next;

  private ShellPattern(char[] kinds, int[] chars) {
    this.kinds = kinds;
    this.chars = chars;
  }

  static ShellPattern compile(String pattern, Function<String, DockerfileException> error) {
    List<int[]> tokens = new ArrayList<>();
    int n = pattern.length();
    for (int i = 0; i < n; i++) {
      int c = pattern.codePointAt(i);
      if (c == '*') {
        tokens.add(new int[] {STAR, 0});
      } else if (c == '?') {
        tokens.add(new int[] {ANY, 0});
      } else if (c == '\\') {
        char next = i + 1 < n ? pattern.charAt(i + 1) : 0;
        if (next == '}' || next == '/') {
          continue; // the escape belonged to ${...}, not to the pattern
        }
        if (next != '*' && next != '?' && next != '\\') {
          throw error.apply("invalid pattern (" + pattern + ") in substitution: invalid escape");
        }
        tokens.add(new int[] {LITERAL, next});
        i++;
      } else {
        tokens.add(new int[] {LITERAL, c});
        i += Character.charCount(c) - 1;
      }
    }
    char[] kinds = new char[tokens.size()];
    int[] chars = new int[tokens.size()];
    for (int k = 0; k < kinds.length; k++) {
      kinds[k] = (char) tokens.get(k)[0];
      chars[k] = tokens.get(k)[1];
    }
    return new ShellPattern(kinds, chars);
  }

  /** The same pattern read backwards, to match suffixes on a reversed text. */
  ShellPattern reversed() {
    int m = kinds.length;
    char[] k = new char[m];
    int[] c = new int[m];
    for (int i = 0; i < m; i++) {
      k[i] = kinds[m - 1 - i];
      c[i] = chars[m - 1 - i];
    }
    return new ShellPattern(k, c);
  }

  /** End of the longest match of the pattern starting at {@code start}, or -1. */
  int longestMatchAt(String text, int start, LongConsumer budget) {
    return match(text, start, true, budget);
  }

  /** End of the shortest match of the pattern starting at {@code start}, or -1. */
  int shortestMatchAt(String text, int start, LongConsumer budget) {
    return match(text, start, false, budget);
  }

  private int match(String text, int start, boolean longest, LongConsumer budget) {
    int m = kinds.length;
    if (current == null) {
      current = new boolean[m + 1];
      next = new boolean[m + 1];
    }
    boolean[] current = this.current;
    boolean[] next = this.next;
    Arrays.fill(current, false);
    current[0] = true;
    close(current);
    int found = current[m] ? start : -1;
    if (found >= 0 && !longest) {
      return found;
    }
    for (int i = start; i < text.length(); ) {
      budget.accept(m + 1L);
      int c = text.codePointAt(i);
      i += Character.charCount(c);
      boolean any = false;
      Arrays.fill(next, false);
      for (int k = 0; k < m; k++) {
        if (!current[k]) {
          continue;
        }
        if (kinds[k] == STAR) {
          if (c != '\n') { // Go's . does not match a line feed
            next[k] = true;
            any = true;
          }
        } else if (kinds[k] == ANY ? c != '\n' : chars[k] == c) {
          next[k + 1] = true;
          any = true;
        }
      }
      if (!any) {
        break;
      }
      close(next);
      boolean[] t = current;
      current = next;
      next = t;
      if (current[m]) {
        found = i;
        if (!longest) {
          return found;
        }
      }
    }
    return found;
  }

  /** Adds the positions reachable without reading: past any number of stars. */
  private void close(boolean[] states) {
    for (int k = 0; k < kinds.length; k++) {
      if (states[k] && kinds[k] == STAR) {
        states[k + 1] = true;
      }
    }
  }
}
