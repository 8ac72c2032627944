package dev.stagebuild.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * Finds here-document markers ({@code <<EOF}, {@code <<-EOF}, {@code 2<<"EOF"}, {@code << EOF})
 * in a RUN, COPY or ADD line the way BuildKit does: the line is split into shell words (quotes and
 * backslash escapes kept raw, so a quoted {@code "<<EOF"} is not a marker) and each word is matched
 * against {@code ^(\d*)<<(-?)\s*([^<]*)$}.
 */
public final class HeredocMarker {
  private HeredocMarker() {}

  /** A marker: the terminator name and how the body is read. */
  public record Marker(String name, int fileDescriptor, boolean chomp, boolean expand) {}

  /** The markers of a line, in order; none when the line does not split into words. */
  static List<Marker> findAll(String line) {
    if (line.indexOf('$') >= 0 && !lexes(line)) {
      return List.of();
    }
    List<Marker> markers = new ArrayList<>();
    for (String word : rawWords(line)) {
      Marker m = parse(word);
      if (m != null) {
        markers.add(m);
      }
    }
    return markers;
  }

  /**
   * Whether BuildKit's lexer reads the line (heredocsFromLine: variables left as written). It ignores
   * the error of a line it cannot read, a shell-only {@code ${VAR^^}} or {@code ${#VAR}}, and finds no
   * here-document in it: kaniko then reads the body's lines as instructions.
   */
  private static boolean lexes(String line) {
    return WordExpander.lexesWithNothingSet(line);
  }

  /** The marker a single word is, or null; used for COPY/ADD sources too. */
  public static Marker parse(String word) {
    int i = 0;
    int n = word.length();
    while (i < n && word.charAt(i) >= '0' && word.charAt(i) <= '9') {
      i++;
    }
    String digits = word.substring(0, i);
    if (!word.startsWith("<<", i)) {
      return null;
    }
    i += 2;
    boolean chomp = i < n && word.charAt(i) == '-';
    if (chomp) {
      i++;
    }
    while (i < n && Chars.isRegexSpace(word.charAt(i))) {
      i++;
    }
    String rest = word.substring(i);
    if (rest.isEmpty() || rest.indexOf('<') >= 0) {
      return null;
    }
    String name = unquote(rest);
    if (name == null || name.isEmpty()) {
      return null;
    }
    int fd = 0;
    if (!digits.isEmpty()) {
      fd = digits.length() > 9 ? Integer.MAX_VALUE : Integer.parseInt(digits);
    }
    boolean expand = rest.indexOf('"') < 0 && rest.indexOf('\'') < 0;
    return new Marker(name, fd, chomp, expand);
  }

  /** Removes quotes and backslash escapes; null when the text is not one shell word. */
  private static String unquote(String s) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    int n = s.length();
    while (i < n) {
      char c = s.charAt(i);
      if (c == '\'') {
        int end = s.indexOf('\'', i + 1);
        if (end < 0) {
          return null;
        }
        out.append(s, i + 1, end);
        i = end + 1;
      } else if (c == '"') {
        int j = i + 1;
        while (j < n && s.charAt(j) != '"') {
          if (s.charAt(j) == '\\' && j + 1 < n && "\"$\\".indexOf(s.charAt(j + 1)) >= 0) {
            j++;
          }
          out.append(s.charAt(j));
          j++;
        }
        if (j >= n) {
          return null;
        }
        i = j + 1;
      } else if (c == '\\') {
        if (i + 1 < n) {
          out.append(s.charAt(i + 1));
        }
        i += 2;
      } else if (Chars.isSpace(c)) {
        return null;
      } else {
        out.append(c);
        i++;
      }
    }
    return out.toString();
  }

  /**
   * Shell words with quotes and escapes kept; {@code <<} takes the blanks after it into its word.
   * An unterminated quote yields no words at all, as in BuildKit (where lexing fails).
   */
  private static List<String> rawWords(String line) {
    List<String> words = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    int n = line.length();
    int i = 0;
    while (i < n) {
      char c = line.charAt(i);
      if (c == '\'') {
        int end = line.indexOf('\'', i + 1);
        if (end < 0) {
          return List.of();
        }
        cur.append(line, i, end + 1);
        i = end + 1;
      } else if (c == '"') {
        int j = i + 1;
        while (j < n && line.charAt(j) != '"') {
          j += line.charAt(j) == '\\' && j + 1 < n ? 2 : 1;
        }
        if (j >= n) {
          return List.of();
        }
        cur.append(line, i, j + 1);
        i = j + 1;
      } else if (c == '\\') {
        cur.append(line, i, Math.min(n, i + 2));
        i += 2;
      } else if (c == '<' && i + 1 < n && line.charAt(i + 1) == '<') {
        cur.append("<<");
        i += 2;
        while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == '\t' || line.charAt(i) == '\r')) {
          cur.append(line.charAt(i));
          i++;
        }
      } else if (Chars.isSpace(c)) {
        if (cur.length() > 0) {
          words.add(cur.toString());
          cur.setLength(0);
        }
        i++;
      } else {
        cur.append(c);
        i++;
      }
    }
    if (cur.length() > 0) {
      words.add(cur.toString());
    }
    return words;
  }
}
