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
      String pattern = line.strip();
      boolean exclude = pattern.startsWith("!");
      if (exclude) {
        pattern = pattern.substring(1).strip();
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
      out.append(exclude ? "!" : "").append(cleaned).append('\n');
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
