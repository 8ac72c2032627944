package dev.stagebuild.kaniko;

import dev.stagebuild.Texts;
import dev.stagebuild.dockerfile.DockerfileException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Reads what the source pod printed: the Dockerfile and the .dockerignore, each base64 between
 * {@code stagebuild:<kind>:begin} and {@code stagebuild:<kind>:end} lines, and the commit it wrote
 * to its termination message. Other log lines (git's warnings) are ignored.
 */
public final class SourceLog {
  public static final String DOCKERFILE = "dockerfile";
  public static final String DOCKERIGNORE = "dockerignore";
  private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");

  private SourceLog() {}

  public static SourceOutput parse(String podLog) {
    return new SourceOutput(block(podLog, DOCKERFILE), block(podLog, DOCKERIGNORE), null);
  }

  /** The log's files plus the commit from the pod's termination message (null or blank: no commit). */
  public static SourceOutput parse(String podLog, String terminationMessage) {
    SourceOutput files = parse(podLog);
    return new SourceOutput(files.dockerfile(), files.dockerignore(), commit(terminationMessage));
  }

  /** The commit sha (40 or 64 lower-case hex) the git source pod wrote, or null when there is none. */
  public static String commit(String terminationMessage) {
    if (terminationMessage == null || terminationMessage.isBlank()) {
      return null;
    }
    String commit = terminationMessage.trim();
    if (!COMMIT.matcher(commit).matches()) {
      throw new IllegalArgumentException("the source pod's termination message is not a commit sha: '"
          + Texts.cut(commit, 80, "...") + "'");
    }
    return commit;
  }

  /** The decoded text between the markers of {@code kind}, or null when the log has no such block. */
  static String block(String podLog, String kind) {
    try {
      return blockOrThrow(podLog, kind);
    } catch (IllegalArgumentException e) {
      // a clean refusal the reconciler reports (a status, not an endless reconcile error)
      throw new DockerfileException(DockerfileException.Kind.INVALID_DOCKERFILE, 0, e.getMessage());
    }
  }

  private static String blockOrThrow(String podLog, String kind) {
    String begin = "stagebuild:" + kind + ":begin";
    String end = "stagebuild:" + kind + ":end";
    StringBuilder base64 = null;
    String found = null;
    if (podLog == null) {
      return null;
    }
    for (String raw : podLog.split("\r?\n", -1)) {
      String line = raw.strip();
      if (line.equals(begin)) {
        if (base64 != null || found != null) {
          throw new IllegalArgumentException("source pod log: more than one " + begin + " line");
        }
        base64 = new StringBuilder();
      } else if (line.equals(end)) {
        if (base64 == null) {
          throw new IllegalArgumentException("source pod log: " + end + " without " + begin);
        }
        found = decode(base64.toString(), kind);
        base64 = null;
      } else if (base64 != null) {
        base64.append(line);
      }
    }
    if (base64 != null) {
      throw new IllegalArgumentException("source pod log is truncated: " + begin + " without " + end);
    }
    return found;
  }

  private static String decode(String base64, String kind) {
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("source pod log: the " + kind + " is not valid base64 ("
          + e.getMessage() + ")", e);
    }
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException("the " + kind + " is not UTF-8 text", e);
    }
  }
}
