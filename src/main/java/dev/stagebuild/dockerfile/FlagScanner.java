package dev.stagebuild.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the {@code --flag} words at the start of an instruction's arguments the way Docker does:
 * words are separated by white space, quotes group, the escape character escapes the next
 * character, and the first word that does not start with {@code --} (or a bare {@code --}) ends
 * the flags.
 */
final class FlagScanner {
  private FlagScanner() {}

  record Word(String text, Span span) {}

  /** The flag words, and the logical index where the arguments start. */
  record Result(List<Word> words, int argsStart) {}

  private static final int SPACES = 0;
  private static final int WORD = 1;
  private static final int QUOTE = 2;

  static Result scan(String line, int from, int to, char escape) {
    List<Word> words = new ArrayList<>();
    int phase = SPACES;
    StringBuilder word = new StringBuilder();
    char quote = 0;
    boolean blankOk = false;
    int wordStart = from;
    for (int pos = from; pos <= to; pos++) {
      char ch = pos < to ? line.charAt(pos) : 0;
      if (phase == SPACES) {
        if (pos == to) {
          break;
        }
        if (Chars.isSpace(ch)) {
          continue;
        }
        if (ch != '-' || pos + 1 == to || line.charAt(pos + 1) != '-') {
          return new Result(words, pos);
        }
        phase = WORD;
        wordStart = pos;
      }
      if (pos == to) {
        if (!word.toString().equals("--") && (blankOk || word.length() > 0)) {
          words.add(new Word(word.toString(), new Span(wordStart, pos)));
        }
        break;
      }
      if (phase == WORD) {
        if (Chars.isSpace(ch)) {
          phase = SPACES;
          if (word.toString().equals("--")) {
            return new Result(words, pos);
          }
          if (blankOk || word.length() > 0) {
            words.add(new Word(word.toString(), new Span(wordStart, pos)));
          }
          word.setLength(0);
          blankOk = false;
          continue;
        }
        if (ch == '\'' || ch == '"') {
          quote = ch;
          blankOk = true;
          phase = QUOTE;
          continue;
        }
        if (ch == escape) {
          if (pos + 1 == to) {
            continue;
          }
          pos++;
          ch = line.charAt(pos);
        }
        word.append(ch);
        continue;
      }
      // phase == QUOTE
      if (ch == quote) {
        phase = WORD;
        continue;
      }
      if (ch == escape) {
        if (pos + 1 == to) {
          phase = WORD;
          continue;
        }
        pos++;
        ch = line.charAt(pos);
      }
      word.append(ch);
    }
    return new Result(words, to);
  }
}
