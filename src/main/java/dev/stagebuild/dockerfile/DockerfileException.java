package dev.stagebuild.dockerfile;

import dev.stagebuild.Texts;

/**
 * The one error the parser and the planner raise: what is wrong with the Dockerfile (or with the
 * target or build arguments asked for), with the 1-based line it is on (0 when no line applies).
 */
public class DockerfileException extends RuntimeException {
  /** What kind of mistake: in the Dockerfile itself, or in what the StageBuild asks of it. */
  public enum Kind {
    INVALID_DOCKERFILE, INVALID_SPEC, UNSUPPORTED,
    /**
     * Over one of the budgets of {@code dev.stagebuild.check.Budgets} (expansion size, instruction,
     * stage or pod count, plan size, object sizes): never deferred, always fails the plan. The
     * status reason for it is {@code PlanTooLarge}.
     */
    TOO_LARGE
  }

  private final int line;
  private final Kind kind;
  private final String detail;

  public DockerfileException(Kind kind, int line, String detail) {
    super(line > 0 ? "line " + line + ": " + detail : detail);
    this.kind = kind;
    this.line = line;
    this.detail = detail;
  }

  public DockerfileException(int line, String detail) {
    this(Kind.INVALID_DOCKERFILE, line, detail);
  }

  public int line() {
    return line;
  }

  public Kind kind() {
    return kind;
  }

  /** The message without the line prefix. */
  public String detail() {
    return detail;
  }

  /** A Dockerfile's text as a message shows it: it is untrusted and may be long. */
  public static String abbreviate(String text) {
    return Texts.cut(text, 60, "...");
  }
}
