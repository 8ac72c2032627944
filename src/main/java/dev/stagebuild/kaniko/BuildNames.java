package dev.stagebuild.kaniko;

import java.util.Locale;

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

  /** {@code <sb>-<buildId>-<step>}, plus {@code -r<attempt>} for a retry. */
  public static String podName(String sbName, String buildId, String step, int attempt) {
    String base = sbName + "-" + buildId + "-" + step;
    return dnsLabel(attempt > 1 ? base + "-r" + attempt : base);
  }

  public static String pvcName(String sbName, String buildId) {
    return dnsLabel(sbName + "-" + buildId + "-workspace");
  }

  public static String planConfigMapName(String sbName, String buildId) {
    return dnsLabel(sbName + "-" + buildId + "-plan");
  }

  /**
   * Makes {@code original} a DNS-1123 label: lower case, other characters as {@code -}, no
   * leading or trailing {@code -}; when that changed anything or it is too long, a hash of the
   * original keeps it unique.
   */
  static String dnsLabel(String original) {
    String candidate = original.toLowerCase(Locale.ROOT)
        .replaceAll("[^a-z0-9-]", "-")
        .replaceAll("^-+|-+$", "");
    return Hashes.fit(original, candidate, MAX_NAME);
  }
}
