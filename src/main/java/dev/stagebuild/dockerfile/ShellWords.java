package dev.stagebuild.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits ENV, LABEL and ARG arguments into words like Docker's parser: white space separates,
 * quotes group (and are kept, to be processed later with the value), the escape character keeps
 * the next character in the word.
 */
final class ShellWords {
  private ShellWords() {}

  private static final int SPACES = 0;
  private static final int WORD = 1;
  private static final int QUOTE = 2;

  static List<String> split(String rest, char escape) {
    List<String> words = new ArrayList<>();
    int phase = SPACES;
    char quote = 0;
    boolean blankOk = false;
    StringBuilder sb = new StringBuilder();
    int n = rest.length();
    for (int pos = 0; pos <= n; pos++) {
      char ch = pos < n ? rest.charAt(pos) : 0;
      if (phase == SPACES) {
        if (pos == n) {
          break;
        }
        if (Chars.isSpace(ch)) {
          continue;
        }
        phase = WORD;
      }
      if (pos == n) {
        if (blankOk || sb.length() > 0) {
          words.add(sb.toString());
        }
        break;
      }
      if (phase == WORD) {
        if (Chars.isSpace(ch)) {
          phase = SPACES;
          if (blankOk || sb.length() > 0) {
            words.add(sb.toString());
          }
          sb.setLength(0);
          blankOk = false;
          continue;
        }
        if (ch == '\'' || ch == '"') {
          quote = ch;
          blankOk = true;
          phase = QUOTE;
        }
        if (ch == escape) {
          if (pos + 1 == n) {
            continue;
          }
          sb.append(ch);
          pos++;
          ch = rest.charAt(pos);
        }
        sb.append(ch);
        continue;
      }
      // QUOTE
      if (ch == quote) {
        phase = WORD;
      }
      if (ch == escape && quote != '\'') {
        if (pos + 1 == n) {
          phase = WORD;
          continue;
        }
        pos++;
        sb.append(ch);
        ch = rest.charAt(pos);
      }
      sb.append(ch);
    }
    return words;
  }
}
