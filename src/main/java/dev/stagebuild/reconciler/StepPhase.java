package dev.stagebuild.reconciler;

/** Where one step (the source pod or a stage pod) stands, derived from its newest pod. */
public enum StepPhase {
  /** No pod yet: waiting for the steps it depends on. */
  WAITING,
  PENDING,
  RUNNING,
  SUCCEEDED,
  /** The attempt failed; another attempt may follow. */
  FAILED,
  /** Pending for longer than allowed, for a reason a retry does not fix (image pull, unschedulable). */
  STUCK,
  /**
   * The pod was lost without a verdict on the build: evicted, preempted, drained, deleted or
   * garbage-collected before its step ended. The step runs again, not counted against retries.
   */
  DISRUPTED
}
