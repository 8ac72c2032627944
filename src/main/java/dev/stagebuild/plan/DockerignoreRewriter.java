package dev.stagebuild.plan;

/**
 * Rewrites the user's {@code .dockerignore} (from the context root) for the shared build context,
 * where the user's files are under {@code src/}: each pattern {@code P} becomes {@code src/P}.
 *
 * <p>It reads patterns the way Docker does: a line starting with {@code #} is a comment, blank lines
 * are skipped, white space around a pattern is trimmed, a leading {@code !} re-includes, and the
 * pattern is cleaned with its leading {@code /} removed (patterns are relative to the context root).
 * A pattern that climbs out of the context, or names the root itself ({@code .}, {@code /}), matches
 * no file in Docker and is dropped.
 *
 * <p>Each pattern is followed by {@code src/P/**}: kaniko matches every file on its own with
 * patternmatcher's deprecated {@code Matches}, which tries the whole path and only one parent
 * prefix as long as the pattern, so {@code **}{@code /node_modules} left the files two or more
 * levels inside a matched directory in the context (and a {@code !} pattern re-included only one
 * level of a directory). BuildKit carries a directory's match down to everything in it
 * ({@code MatchesUsingParentResults}); the added pattern gives kaniko the same answer for the
 * files inside.
 */
public final class DockerignoreRewriter {
  private DockerignoreRewriter() {}

  /** The rewritten file: one pattern a line, ending with a newline; empty when there are none. */
  public static String rewrite(String dockerignore) {
    if (dockerignore == null || dockerignore.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    String text = dockerignore.charAt(0) == '\uFEFF' ? dockerignore.substring(1) : dockerignore;
    for (String line : text.split("\n", -1)) {
      if (line.startsWith("#")) {
        continue;
      }
      // Go's strings.TrimSpace, as BuildKit's reader (Java's strip() keeps U+00A0)
      String pattern = ExcludePatterns.trimSpace(line);
      boolean exclude = pattern.startsWith("!");
      if (exclude) {
        pattern = ExcludePatterns.trimSpace(pattern.substring(1));
      }
      if (pattern.isEmpty()) {
        continue;
      }
      String cleaned = Paths.cleanRelative(pattern);
      if (cleaned == null || cleaned.equals(".")) {
        // outside the context, or the root itself: Docker matches such a pattern against no file,
        // while src (the root's new place) would exclude all of them
        continue;
      }
      cleaned = "src/" + withoutTrailing(cleaned);
      String sign = exclude ? "!" : "";
      out.append(sign).append(cleaned).append('\n');
      if (!cleaned.endsWith("/**")) {
        out.append(sign).append(cleaned).append("/**\n");
      }
    }
    return out.toString();
  }

  /** Docker cleans patterns fully: {@code dir/} and {@code dir/.} are {@code dir}. */
  private static String withoutTrailing(String cleaned) {
    if (cleaned.endsWith("/.")) {
      return cleaned.substring(0, cleaned.length() - 2);
    }
    return cleaned.endsWith("/") ? cleaned.substring(0, cleaned.length() - 1) : cleaned;
  }
}
