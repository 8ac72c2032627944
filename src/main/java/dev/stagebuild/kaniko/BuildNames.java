package dev.stagebuild.kaniko;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Deterministic names of the objects of one build. The reconciler is stateless: the same inputs
 * must give the same name forever, so that a restart can never create a second pod for a step.
 */
public final class BuildNames {
  /** The step name of the pod that fetches the source. */
  public static final String SOURCE_STEP = "source";
  /** Pod, PVC and ConfigMap names are kept to a DNS-1123 label (pod hostnames need it). */
  public static final int MAX_NAME = 63;

  private BuildNames() {}

  /**
   * The step of the stage pod that builds plan pod {@code planPod}: its name, except for a stage
   * called {@code source}, which would otherwise share the source pod's name, labels and step
   * annotation. Its step {@code stage:source} cannot be a stage name (they never hold ':'), so its
   * pod name and label value are sanitized and hashed apart from every other step's.
   */
  public static String stageStep(String planPod) {
    return SOURCE_STEP.equals(planPod) ? "stage:" + planPod : planPod;
  }

  /** The plan pod a stage step builds: the inverse of {@link #stageStep}. */
  public static String planPod(String stageStep) {
    return stageStep.startsWith("stage:") ? stageStep.substring("stage:".length()) : stageStep;
  }

  /** The name of the stage pod for plan pod {@code planPod}: {@code podName} of its {@link #stageStep}. */
  public static String stagePodName(String sbName, String buildId, String planPod, int attempt) {
    return podName(sbName, buildId, stageStep(planPod), attempt);
  }

  /** {@code <generation>}, or {@code <generation>-<6 hex of sha256(annotation)>} for a forced rebuild. */
  public static String buildId(long generation, String rebuildAnnotation) {
    if (rebuildAnnotation == null || rebuildAnnotation.isBlank()) {
      return Long.toString(generation);
    }
    return generation + "-" + Hashes.sha256Hex(rebuildAnnotation, 6);
  }

  /**
   * {@code <sb>-<buildId>-<step>}, plus {@code -r<attempt>} for a retry, plus the {@link #unique}
   * suffix.
   */
  public static String podName(String sbName, String buildId, String step, int attempt) {
    int n = Math.max(attempt, 1);
    String base = sbName + "-" + buildId + "-" + step;
    return unique(n > 1 ? base + "-r" + n : base, "pod", sbName, buildId, step, Integer.toString(n));
  }

  public static String pvcName(String sbName, String buildId) {
    return unique(sbName + "-" + buildId + "-workspace", "workspace", sbName, buildId);
  }

  public static String planConfigMapName(String sbName, String buildId) {
    return unique(sbName + "-" + buildId + "-plan", "plan", sbName, buildId);
  }

  // Compiled once: names are derived on every pass (String.replaceAll compiles its pattern per call).
  private static final Pattern NOT_NAME_CHAR = Pattern.compile("[^a-z0-9-]");
  private static final Pattern OUTER_DASHES = Pattern.compile("^-+|-+$");
  private static final Pattern TRAILING_DASHES = Pattern.compile("-+$");

  /**
   * {@code readable} made a DNS-1123 label (shortened if needed) plus {@code -<8 hex>} of the parts
   * joined by NUL. Joined with {@code -} alone, names of different StageBuilds collide ({@code a} +
   * {@code 1} + step {@code b-2-x} and {@code a-1-b} + {@code 2} + {@code x} are both
   * {@code a-1-b-2-x}): one author could then make another's build fail with a name conflict just by
   * naming a stage. The parts cannot hold NUL, so the key is unambiguous. (Names stay predictable;
   * an object pre-created under one is never adopted: see the ownership check in Actuator.)
   */
  static String unique(String readable, String... parts) {
    String suffix = Hashes.sha256Hex(String.join("\0", parts), 8);
    String candidate = OUTER_DASHES.matcher(NOT_NAME_CHAR.matcher(readable.toLowerCase(Locale.ROOT))
        .replaceAll("-")).replaceAll("");
    if (candidate.length() > MAX_NAME - suffix.length() - 1) {
      candidate = candidate.substring(0, MAX_NAME - suffix.length() - 1);
    }
    candidate = TRAILING_DASHES.matcher(candidate).replaceAll("");
    return candidate.isEmpty() ? suffix : candidate + "-" + suffix;
  }
}
