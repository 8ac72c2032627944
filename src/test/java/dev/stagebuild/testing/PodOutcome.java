package dev.stagebuild.testing;

/**
 * How a pod ends on the test kubelet.
 *
 * @param phase Succeeded, Failed, or Pending (stays pending with a waiting reason)
 * @param exitCode the container's exit code (Succeeded: 0)
 * @param terminationMessage what the container wrote to its termination log, or (on failure) its log tail
 * @param waitingReason for Pending: the container's waiting reason (e.g. ImagePullBackOff) or Unschedulable
 * @param log the pod's log, served on the pods/log endpoint (null: none)
 */
public record PodOutcome(String phase, int exitCode, String terminationMessage, String waitingReason, String log) {
  public static PodOutcome succeed(String terminationMessage) {
    return new PodOutcome("Succeeded", 0, terminationMessage, null, null);
  }

  public static PodOutcome succeedWithLog(String terminationMessage, String log) {
    return new PodOutcome("Succeeded", 0, terminationMessage, null, log);
  }

  public static PodOutcome fail(int exitCode, String logTail) {
    return new PodOutcome("Failed", exitCode, logTail, null, logTail);
  }

  public static PodOutcome stuck(String waitingReason) {
    return new PodOutcome("Pending", 0, null, waitingReason, null);
  }
}
