package dev.stagebuild.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code --exclude} patterns of {@code COPY --from=<stage>}, read as BuildKit reads them, and
 * written in the form the stage pod's script matches them with.
 *
 * <p>BuildKit hands the patterns, unexpanded and in flag order, to fsutil's copy
 * ({@code copy/copy.go}), which matches them with {@code moby/patternmatcher}
 * ({@code MatchesUsingParentResults}) against each path relative to the source being copied (a
 * wildcard source: each match); the source itself is never matched, so a file source is always
 * copied. Per pattern: {@code strings.TrimSpace}, skipped when empty, {@code filepath.Clean}, then a
 * leading {@code !} makes it a re-include (the rest is not cleaned again). The last pattern that
 * matches decides; a path whose parent matched a pattern matches it too, so an excluded directory
 * excludes its contents unless a re-include names some of them.
 *
 * <p>How a pattern matches depends on how patternmatcher compiles it: without {@code *} it is
 * compared as text; ending in {@code /**} after plain text, as a prefix; starting with
 * {@code **} and otherwise plain, as a suffix; else as a regular expression in which {@code *} is
 * {@code [^/]*}, {@code **}{@code /} is {@code (.*\/)?} and a final {@code **} is {@code .*}, and
 * {@code .} does not match a line break. So {@code **} crosses a name with a line break in the
 * first three forms and not in the last: the encoding says which.
 *
 * <p>Accepted: names, {@code *}, and {@code **} as a whole path component (at most
 * {@link #MAX_DOUBLE_STARS} of them), with a leading {@code !}. Refused: {@code ?}, {@code [...]}
 * and {@code \} (patternmatcher matches them per character of UTF-8 text, the script per byte),
 * {@code ^} (an anchor in the regular expression), and patterns that can match nothing (a leading
 * {@code /}, {@code .} or {@code ..} components): those the user surely meant otherwise.
 */
public final class ExcludePatterns {
  /** {@code **} components per pattern: the script tries every split of a path among them. */
  public static final int MAX_DOUBLE_STARS = 2;

  /** A pattern as the script reads it ({@code line}), or why it is refused ({@code refusal}). */
  public record Parsed(String line, String refusal) {}

  private ExcludePatterns() {}

  /**
   * One pattern: null when patternmatcher skips it (empty once trimmed); otherwise the script's line
   * {@code "- <elements>"} (exclude) or {@code "+ <elements>"} (re-include), the elements joined by
   * {@code /}: a name pattern (text and {@code *}) matches one path component; {@code **a} any
   * number of components, {@code **n} any number without a line break, {@code **P} one or more
   * (last only), {@code **N} one or more without a line break (last only).
   */
  public static Parsed parse(String pattern) {
    String p = trimSpace(pattern);
    if (p.isEmpty()) {
      return null;
    }
    p = clean(p);
    boolean reinclude = p.charAt(0) == '!';
    if (reinclude) {
      p = p.substring(1);
      if (p.isEmpty()) {
        return refused("a lone ! is an error in BuildKit (\"illegal exclusion pattern\")");
      }
    }
    for (int k = 0; k < p.length(); k++) {
      char c = p.charAt(k);
      switch (c) {
        case '?', '[', ']', '\\' -> {
          return refused("StageBuild matches only names, * and **; BuildKit matches " + c + " per character"
              + " of UTF-8 text, which the stage pod's script cannot do exactly: write the names out, one"
              + " --exclude each, or use *");
        }
        case '^' -> {
          return refused("^ is an anchor in the regular expression BuildKit makes of a pattern; rename the"
              + " file or match it with *");
        }
        case '\n', '\r', '\0', '\uFFFD' -> {
          return refused("a pattern with a line break, NUL or U+FFFD cannot be handed to the stage pod");
        }
        default -> {
          // any other character is itself
        }
      }
    }
    if (p.startsWith("/")) {
      return refused("BuildKit matches patterns against paths relative to the source, so this one matches"
          + " nothing; write it without the leading /");
    }
    String[] components = p.split("/", -1);
    int doubleStars = 0;
    for (String c : components) {
      if (c.isEmpty() || c.equals(".") || c.equals("..")) {
        return refused("BuildKit matches patterns against paths relative to the source, without . or .."
            + " components, so this one matches nothing; write the path from the source down");
      }
      if (c.equals("**")) {
        doubleStars++;
      } else if (c.contains("**")) {
        return refused("** must be a whole path component (a/**/b, **/x, x/**): patternmatcher reads " + c
            + " in a way that depends on what surrounds it");
      }
    }
    if (doubleStars > MAX_DOUBLE_STARS) {
      return refused("StageBuild matches at most " + MAX_DOUBLE_STARS + " ** per pattern");
    }
    List<String> elements = new ArrayList<>();
    Kind kind = kind(p);
    for (int k = 0; k < components.length; k++) {
      String c = components[k];
      if (!c.equals("**")) {
        elements.add(c);
      } else if (kind == Kind.SUFFIX) {
        elements.add("**a"); // only first: "**" alone, or "**/" then plain text
      } else if (k < components.length - 1) {
        elements.add("**n");
      } else {
        elements.add(kind == Kind.PREFIX ? "**P" : "**N");
      }
    }
    return new Parsed((reinclude ? "+ " : "- ") + String.join("/", elements), null);
  }

  private static Parsed refused(String why) {
    return new Parsed(null, why);
  }

  enum Kind { EXACT, PREFIX, SUFFIX, REGEXP }

  /**
   * patternmatcher's {@code compile}: which kind of match a cleaned pattern (without {@code !}) is,
   * for the characters accepted here. Each {@code **} is a whole component, so it is followed by
   * {@code /} or the end.
   */
  static Kind kind(String p) {
    Kind kind = Kind.EXACT;
    int pos = 0;
    for (int iteration = 0; pos < p.length(); iteration++) {
      char c = p.charAt(pos++);
      if (c != '*') {
        continue; // text, or a character escaped in the expression: the kind stays
      }
      if (pos < p.length() && p.charAt(pos) == '*') {
        pos++;
        if (pos < p.length() && p.charAt(pos) == '/') {
          pos++;
        }
        if (pos == p.length()) {
          kind = kind == Kind.EXACT ? Kind.PREFIX : Kind.REGEXP;
        } else {
          kind = Kind.REGEXP;
        }
        if (iteration == 0) {
          kind = Kind.SUFFIX;
        }
      } else {
        kind = Kind.REGEXP;
      }
    }
    return kind;
  }

  /** Go's {@code filepath.Clean} on Unix. */
  static String clean(String path) {
    boolean rooted = path.startsWith("/");
    List<String> out = new ArrayList<>();
    for (String segment : path.split("/", -1)) {
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (!out.isEmpty() && !out.get(out.size() - 1).equals("..")) {
          out.remove(out.size() - 1);
        } else if (!rooted) {
          out.add("..");
        }
        continue;
      }
      out.add(segment);
    }
    String joined = String.join("/", out);
    if (rooted) {
      return "/" + joined;
    }
    return joined.isEmpty() ? "." : joined;
  }

  /** Go's {@code strings.TrimSpace}: {@code unicode.IsSpace} at both ends. */
  static String trimSpace(String s) {
    int start = 0;
    int end = s.length();
    while (start < end && isGoSpace(s.charAt(start))) {
      start++;
    }
    while (end > start && isGoSpace(s.charAt(end - 1))) {
      end--;
    }
    return s.substring(start, end);
  }

  private static boolean isGoSpace(char c) {
    return switch (c) {
      case '\t', '\n', '\u000B', '\f', '\r', ' ', '\u0085', '\u00A0', '\u1680', '\u2028', '\u2029', '\u202F',
          '\u205F', '\u3000' -> true;
      default -> c >= '\u2000' && c <= '\u200A';
    };
  }
}
