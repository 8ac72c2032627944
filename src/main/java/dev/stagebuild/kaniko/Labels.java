package dev.stagebuild.kaniko;

import dev.stagebuild.api.StageBuild;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/** The labels and annotations that tie an object to its build, and that the reconciler selects on. */
public final class Labels {
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "stagebuild";
  /** The StageBuild's name (hashed-shortened when it is not a valid label value). */
  public static final String BUILD = "stagebuild.dev/build";
  public static final String BUILD_ID = "stagebuild.dev/build-id";
  /** {@code source} or the plan pod name, made a valid label value. */
  public static final String STEP = "stagebuild.dev/step";
  public static final String ATTEMPT = "stagebuild.dev/attempt";
  /** The step name as it is, unsanitized (an annotation: label values are too restricted). */
  public static final String STEP_ANNOTATION = "stagebuild.dev/step";
  /** Comma-separated names of the stages a pod builds, root of the chain first. */
  public static final String STAGES_ANNOTATION = "stagebuild.dev/stages";

  /** On stage pods: the plan pod (the key of its files in the plan ConfigMap) it builds. */
  public static final String POD_ANNOTATION = "stagebuild.dev/pod";

  static final int MAX_VALUE = 63;

  private Labels() {}

  public static Map<String, String> forBuild(StageBuild sb, String buildId) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(MANAGED_BY, MANAGED_BY_VALUE);
    labels.put(BUILD, buildLabelValue(sb.getMetadata().getName()));
    labels.put(BUILD_ID, labelValue(buildId));
    return labels;
  }

  public static Map<String, String> forStep(StageBuild sb, String buildId, String step, int attempt) {
    Map<String, String> labels = forBuild(sb, buildId);
    labels.put(STEP, labelValue(step));
    labels.put(ATTEMPT, Integer.toString(attempt));
    return labels;
  }

  /** A StageBuild name is a DNS subdomain (up to 253 characters); a label value holds 63. */
  public static String buildLabelValue(String sbName) {
    return labelValue(sbName);
  }

  private static final Pattern NOT_LABEL_CHAR = Pattern.compile("[^-_.A-Za-z0-9]");
  private static final Pattern OUTER_NON_ALNUM = Pattern.compile("^[^A-Za-z0-9]+|[^A-Za-z0-9]+$");

  /**
   * Makes {@code original} a valid label value: {@code [A-Za-z0-9]} at both ends, {@code [-_.A-Za-z0-9]}
   * inside, at most 63 characters, hashed when changed.
   */
  static String labelValue(String original) {
    String candidate = OUTER_NON_ALNUM.matcher(NOT_LABEL_CHAR.matcher(original).replaceAll("-")).replaceAll("");
    return Hashes.fit(original, candidate, MAX_VALUE);
  }
}
