package dev.stagebuild.reconciler;

import java.time.Instant;

/**
 * What one pod says about its step.
 *
 * @param reason CamelCase reason when the pod waits or failed (kubelet's reason, e.g. ImagePullBackOff), else null
 * @param message human message: the kubelet's message, or the exit code and the log tail
 * @param terminationMessage the container's termination message (digest, commit) on success
 * @param pinnedNode the node the pod's spec requires (the build's node on a ReadWriteOnce workspace), or null
 */
public record StepState(String step, int attempt, String podName, StepPhase phase, Integer exitCode,
    String reason, String message, String terminationMessage, Instant created, Instant started,
    Instant finished, String nodeName, boolean podActive, String pinnedNode) {

  public StepState(String step, int attempt, String podName, StepPhase phase, Integer exitCode,
      String reason, String message, String terminationMessage, Instant created, Instant started,
      Instant finished, String nodeName, boolean podActive) {
    this(step, attempt, podName, phase, exitCode, reason, message, terminationMessage, created, started, finished,
        nodeName, podActive, null);
  }

  /** A state whose pod still occupies a node exactly when the step has not ended. */
  public StepState(String step, int attempt, String podName, StepPhase phase, Integer exitCode,
      String reason, String message, String terminationMessage, Instant created, Instant started,
      Instant finished, String nodeName) {
    this(step, attempt, podName, phase, exitCode, reason, message, terminationMessage, created, started, finished,
        nodeName, phase != StepPhase.SUCCEEDED && phase != StepPhase.FAILED && phase != StepPhase.DISRUPTED);
  }

  /** This state with the pod's own activity: a sidecar can keep a pod running after its step ended. */
  public StepState withPodActive(boolean active) {
    return new StepState(step, attempt, podName, phase, exitCode, reason, message, terminationMessage, created,
        started, finished, nodeName, active, pinnedNode);
  }

  /** This state with the node the pod's spec requires. */
  public StepState withPinnedNode(String node) {
    return new StepState(step, attempt, podName, phase, exitCode, reason, message, terminationMessage, created,
        started, finished, nodeName, podActive, node);
  }

  public boolean terminal() {
    return phase == StepPhase.SUCCEEDED || phase == StepPhase.FAILED || phase == StepPhase.STUCK
        || phase == StepPhase.DISRUPTED;
  }
}
