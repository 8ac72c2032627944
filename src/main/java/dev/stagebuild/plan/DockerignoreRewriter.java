package dev.stagebuild.plan;

import dev.stagebuild.Texts;
import dev.stagebuild.dockerfile.DockerfileException;

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
    int lineNumber = 0;
    for (String line : text.split("\n", -1)) {
      lineNumber++;
      if (line.startsWith("#")) {
        continue;
      }
      // ignorefile.ReadAll: Go's strings.TrimSpace (Java's strip() keeps U+00A0), then the pattern
      // after a "!" trimmed and cleaned (filepath.Clean), its root removed
      String pattern = ExcludePatterns.trimSpace(line);
      if (pattern.isEmpty()) {
        continue;
      }
      boolean exclude = pattern.startsWith("!");
      if (exclude) {
        pattern = ExcludePatterns.trimSpace(pattern.substring(1));
      }
      if (!pattern.isEmpty()) {
        pattern = ExcludePatterns.clean(pattern);
        if (pattern.length() > 1 && pattern.charAt(0) == '/') {
          pattern = pattern.substring(1);
        }
      }
      // patternmatcher.New cleans "!" + pattern again ("!/" is "!"), then checks it with filepath.Match
      if (exclude && (pattern.isEmpty() || pattern.equals("/"))) {
        throw refused(lineNumber, "a \"!\" with no pattern after it (\"illegal exclusion pattern\")");
      }
      String syntax = GoMatchSyntax.error(pattern);
      if (syntax != null) {
        throw refused(lineNumber, "pattern \"" + Texts.cut(line.strip(), 60, "...") + "\": " + syntax
            + " (\"syntax error in pattern\")");
      }
      if (pattern.equals(".") || pattern.equals("/") || pattern.equals("..") || pattern.startsWith("../")) {
        // the root itself, or outside the context: Docker matches such a pattern against no file,
        // while src (the root's new place) would exclude all of them
        continue;
      }
      String cleaned = "src/" + pattern;
      String sign = exclude ? "!" : "";
      out.append(sign).append(cleaned).append('\n');
      if (!cleaned.endsWith("/**")) {
        out.append(sign).append(cleaned).append("/**\n");
      }
    }
    return out.toString();
  }

  /**
   * The .dockerignore the pods of this plan install: {@code rewritten}, with the patterns for the
   * context exports when a pod has any ({@link #withContextExports}). A text that has them already
   * (read back from a plan ConfigMap) is returned as it is.
   */
  public static String installed(BuildPlan plan, String rewritten) {
    String text = rewritten == null ? "" : rewritten;
    boolean installed = text.startsWith(CONTEXT_PATTERN) || text.startsWith("!" + CONTEXT_PATTERN)
        || text.contains("\n" + CONTEXT_PATTERN) || text.contains("\n!" + CONTEXT_PATTERN);
    return !installed && plan.pods().stream().anyMatch(p -> !p.contextExcluded().isEmpty())
        ? withContextExports(text) : text;
  }

  private static final String CONTEXT_PATTERN = ExcludedExport.CONTEXT_EXPORTS + "/*/";

  /**
   * A rewritten .dockerignore that holds for the context exports too ({@code exclude/<key>/}, copies
   * of sources under {@code src/} at the same paths; see {@link ExcludedExport}): each pattern
   * {@code src/P} again as {@code exclude/*}{@code /P}. The {@code *} is one path component, so
   * kaniko's matcher (which also tries one parent prefix with as many components as the pattern)
   * answers for {@code exclude/<key>/X} what it answers for {@code src/X}. Appended after the
   * original patterns: no path matches patterns of both kinds, so the order between them is moot.
   */
  public static String withContextExports(String rewritten) {
    if (rewritten.isEmpty()) {
      return rewritten;
    }
    StringBuilder out = new StringBuilder(rewritten.length() * 2 + 16).append(rewritten);
    for (String line : rewritten.split("\n")) {
      boolean reinclude = line.startsWith("!");
      String pattern = reinclude ? line.substring(1) : line;
      if (!pattern.startsWith("src/")) {
        throw new IllegalArgumentException("not a rewritten .dockerignore line: " + line);
      }
      out.append(reinclude ? "!" : "").append(ExcludedExport.CONTEXT_EXPORTS).append("/*/")
          .append(pattern, 4, pattern.length()).append('\n');
    }
    return out.toString();
  }

  /**
   * BuildKit refuses the build; kaniko logs an error for every file it copies and ignores the whole
   * .dockerignore (patternmatcher fails on the pattern, and kaniko takes the failure as "not excluded").
   */
  private static DockerfileException refused(int line, String what) {
    return new DockerfileException(DockerfileException.Kind.INVALID_DOCKERFILE, 0, ".dockerignore, line " + line
        + ": " + what + ", which BuildKit refuses and kaniko would ignore the whole file for; fix or remove the line");
  }
}
