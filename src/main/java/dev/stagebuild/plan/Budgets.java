package dev.stagebuild.plan;

import dev.stagebuild.dockerfile.Dockerfile;
import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.dockerfile.Instruction;
import dev.stagebuild.dockerfile.WordExpander;

/**
 * The limits a build must stay within, each defined once. The planner checks the Dockerfile's
 * (text, instructions, stages, variable expansion), {@link BuildCheck} the plan's and the
 * objects' (pods, waves, plan ConfigMap, annotations, timeouts): {@code plan -o text|json|yaml}
 * and the operator all go through {@link BuildCheck#plan}, so they refuse the same inputs.
 *
 * <p>A budget that is exceeded is a {@link DockerfileException} of kind
 * {@link DockerfileException.Kind#TOO_LARGE} (status reason {@code PlanTooLarge}).
 */
public final class Budgets {
  /** Characters of the Dockerfile text (the plan ConfigMap, under 1 MiB, repeats it at least once). */
  public static final int MAX_DOCKERFILE_CHARS = 1024 * 1024;
  /** Instructions in the Dockerfile (ONBUILD triggers included). */
  public static final int MAX_INSTRUCTIONS = 10_000;
  /** Stages in the Dockerfile. */
  public static final int MAX_STAGES = 500;
  /** Characters of a stage name (they go into pod annotations, ConfigMap keys and file names). */
  public static final int MAX_STAGE_NAME = 128;
  /** One word's expansion; see {@link WordExpander#MAX_WORD_CHARS}. */
  public static final int MAX_EXPANSION_CHARS = WordExpander.MAX_WORD_CHARS;
  /** Pods of one build (stage pods; the source pod comes on top). */
  public static final int MAX_PODS = 200;
  /** Pods that may start at the same time (one wave of the plan). */
  public static final int MAX_PODS_PER_WAVE = 100;
  /** The API server refuses a ConfigMap over 1 MiB. */
  public static final int MAX_CONFIGMAP_BYTES = 1024 * 1024;
  /** The source's .dockerignore, rewritten: it joins the plan ConfigMap once the source is fetched. */
  public static final int MAX_DOCKERIGNORE_BYTES = 64 * 1024;
  /** The plan ConfigMap without the .dockerignore: room is kept for the largest one. */
  public static final int MAX_PLAN_BYTES = MAX_CONFIGMAP_BYTES - MAX_DOCKERIGNORE_BYTES;
  /** The API server's limit on an object's annotations together (keys and values). */
  public static final int MAX_ANNOTATION_BYTES = 256 * 1024;
  /** Build and stage time limits: 30 days (seconds; far from any overflow in milliseconds). */
  public static final long MAX_TIMEOUT_SECONDS = 30L * 24 * 3600;
  /** A path or name of the spec (dockerfile.path, contextDir, revision). */
  public static final int MAX_PATH_CHARS = 4096;
  /**
   * A stage's working directory as WORKDIR joins it, before cleaning: Linux's PATH_MAX, past which
   * kaniko could not create it. Without it, chained relative WORKDIRs grew a path each stage kept a
   * copy of, out of the planner's memory.
   */
  public static final int MAX_WORKDIR_CHARS = 4096;
  /**
   * {@code --exclude} flags of one {@code COPY}: the stage pod matches every exported
   * path against each of them in its shell script.
   */
  public static final int MAX_EXCLUDE_PATTERNS = 64;
  /** Characters of one {@code --exclude} pattern. */
  public static final int MAX_EXCLUDE_PATTERN_CHARS = 1024;
  /**
   * Copies one pod makes for {@code COPY --exclude} (from its stage and from the build context):
   * each is another walk of a tree in its shell script, and another copy of it on the workspace.
   */
  public static final int MAX_EXCLUDE_EXPORTS_PER_POD = 64;
  /**
   * Sources of a {@code COPY --parents} without wildcards, which become a COPY each: each is a layer
   * of kaniko's image where BuildKit makes one, and overlay file systems stack a bounded number.
   */
  public static final int MAX_PARENTS_COPIES = 64;
  /**
   * Ports the EXPOSE instructions of a Dockerfile give together: BuildKit exposes each port of a
   * range, and the planner writes each one out for kaniko (a whole range, 0-65535, is 65,536).
   */
  public static final int MAX_EXPOSED_PORTS = 65_536;
  /** The inline YAML the CLI reads (a StageBuild over this could not be stored in etcd anyway). */
  public static final int MAX_YAML_BYTES = 3 * 1024 * 1024;

  private Budgets() {}

  static DockerfileException tooLarge(int line, String detail) {
    return new DockerfileException(DockerfileException.Kind.TOO_LARGE, line, detail);
  }

  /** Before parsing: the text itself. */
  static void checkDockerfileText(String dockerfile) {
    if (dockerfile == null) {
      throw new DockerfileException(DockerfileException.Kind.INVALID_SPEC, 0, "there is no Dockerfile text");
    }
    if (dockerfile.length() > MAX_DOCKERFILE_CHARS) {
      throw tooLarge(0, "the Dockerfile has " + dockerfile.length() + " characters, over the limit of "
          + MAX_DOCKERFILE_CHARS);
    }
    if (dockerfile.indexOf('\0') >= 0) {
      int line = (int) dockerfile.substring(0, dockerfile.indexOf('\0')).chars().filter(c -> c == '\n').count() + 1;
      throw new DockerfileException(line, "the Dockerfile holds a NUL character: it is not a text file");
    }
    if (dockerfile.indexOf('\uFFFD') >= 0) {
      // what a decoder leaves for bytes that are not UTF-8
      int at = dockerfile.indexOf('\uFFFD');
      int line = (int) dockerfile.substring(0, at).chars().filter(c -> c == '\n').count() + 1;
      throw new DockerfileException(line, "the Dockerfile is not valid UTF-8 text");
    }
  }

  /** After parsing, before any expansion: instruction and stage counts, stage names. */
  static void checkParsed(Dockerfile parsed) {
    int instructions = 0;
    int stages = 0;
    for (Instruction i : parsed.instructions()) {
      instructions++;
      if (instructions > MAX_INSTRUCTIONS) {
        throw tooLarge(i.line(), "the Dockerfile has more than " + MAX_INSTRUCTIONS + " instructions");
      }
      if (i.is("FROM")) {
        stages++;
        if (stages > MAX_STAGES) {
          throw tooLarge(i.line(), "the Dockerfile has more than " + MAX_STAGES + " stages");
        }
        if (i.args().size() == 3 && i.args().get(2).length() > MAX_STAGE_NAME) {
          throw tooLarge(i.line(), "stage name of " + i.args().get(2).length()
              + " characters, over the limit of " + MAX_STAGE_NAME);
        }
      }
    }
  }
}
