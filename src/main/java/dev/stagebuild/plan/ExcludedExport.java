package dev.stagebuild.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * What a pod exports for a {@code COPY --from=<its stage> --exclude=...}: the copy's sources as the
 * stage has them, each (each match of a wildcard) without what the patterns exclude relative to
 * it, archived as {@code from/<pod>.exclude-<key>.tar}. The consumer copies from a stand-in stage
 * {@code <pod>.exclude-<key>} holding that archive, with the flags dropped.
 *
 * <p>For a {@code COPY --exclude=...} from the build context, the pod that builds the stage copies
 * the sources from {@code src/} to the context directory {@code exclude/<key>/} (the same paths
 * below it) before the executor runs; the COPY copies from there, without the flags.
 *
 * @param key 12 hex digits of sha256 over the pod, the paths and the patterns: copies that differ in
 *     any of them get archives of their own
 * @param line the first COPY's line, for the pod's messages
 * @param paths absolute cleaned source paths (and globs), in the COPY's order
 * <p>A {@code COPY --parents} with wildcards is such an export too ({@link ParentsCopy}): its paths
 * are the sources with the pivot {@code /./} taken out, each kept with its parent directories as
 * the source has them, and its pivots the directories the COPY then copies the contents of. With
 * {@code **}, its path is the pivot and its patterns prune it to what the sources match.
 *
 * @param key 12 hex digits of sha256 over the pod, the paths, the patterns and the pivots: copies
 *     that differ in any of them get archives of their own
 * @param line the first COPY's line, for the pod's messages
 * @param paths absolute cleaned source paths (and globs), in the COPY's order
 * @param patterns the COPY's effective {@code --exclude} values as written, in order (empty ones,
 *     which BuildKit skips, left out)
 * @param pivots for a {@code COPY --parents}, the absolute cleaned directories the paths are kept
 *     below (the pod makes each, also where no path matches); empty otherwise
 */
public record ExcludedExport(String key, int line, List<String> paths, List<String> patterns,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<String> pivots) {

  public ExcludedExport {
    paths = List.copyOf(paths);
    patterns = List.copyOf(patterns);
    pivots = pivots == null ? List.of() : List.copyOf(pivots);
  }

  public ExcludedExport(String key, int line, List<String> paths, List<String> patterns) {
    this(key, line, paths, patterns, List.of());
  }

  static ExcludedExport of(String pod, int line, List<String> paths, List<String> patterns) {
    return of(pod, line, paths, patterns, List.of());
  }

  static ExcludedExport of(String pod, int line, List<String> paths, List<String> patterns, List<String> pivots) {
    StringBuilder text = new StringBuilder(pod).append('\0');
    paths.forEach(p -> text.append(p).append('\0'));
    text.append('\0');
    patterns.forEach(p -> text.append(ExcludePatterns.parse(p).line()).append('\0'));
    if (!pivots.isEmpty()) {
      // (left out of the text when empty, so that the keys of COPY --exclude stay as they were)
      text.append('\0');
      pivots.forEach(p -> text.append(p).append('\0'));
    }
    return new ExcludedExport(sha256Hex(text.toString()).substring(0, 12), line, paths, patterns, pivots);
  }

  /** The export of a {@code COPY --exclude} from the build context (its key names no pod). */
  static ExcludedExport ofContext(int line, List<String> paths, List<String> patterns) {
    return of("/context", line, paths, patterns);
  }

  /** The export of a {@code COPY --parents} from the build context. */
  static ExcludedExport ofContextParents(int line, ParentsCopy parents) {
    return of("/context", line, parents.paths(), parents.patterns(), parents.pivots());
  }

  /** Where a context export is in the build context: {@code exclude/<key>}. */
  public static String contextDirectory(String key) {
    return CONTEXT_EXPORTS + "/" + key;
  }

  /** The build context's directory of the context exports. */
  public static final String CONTEXT_EXPORTS = "exclude";

  /** The stand-in stage's name in a consumer's Dockerfile. */
  public static String standInName(String pod, String key) {
    return pod + ".exclude-" + key;
  }

  /** The archive in the build context: {@code from/<pod>.exclude-<key>.tar}. */
  public static String archive(String pod, String key) {
    return "from/" + standInName(pod, key) + ".tar";
  }

  /** The patterns as the stage script matches them (see {@link ExcludePatterns#parse}). */
  public List<String> matcherLines() {
    return patterns.stream().map(p -> ExcludePatterns.parse(p).line()).toList();
  }

  private static String sha256Hex(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}
