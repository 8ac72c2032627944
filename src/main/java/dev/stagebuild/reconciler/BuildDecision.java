package dev.stagebuild.reconciler;

import dev.stagebuild.api.StageBuildStatus;
import java.time.Duration;
import java.util.List;

/**
 * What one reconcile pass does: the status to show, the pods to create and delete, the events to
 * record, and when to look again.
 *
 * @param createPods steps to start, each with its attempt number ("source" or a plan pod name)
 * @param deletePods names of this build's pods to delete (the build ended while they ran)
 * @param pinnedNode node of a running pod of this build, for co-location on a ReadWriteOnce workspace
 * @param finished the build has ended (its workspace can be released)
 * @param requeueAfter when to reconcile again even without an event (null: only on events)
 * @param cleanUp the finished build's retention is over: its plan ConfigMap goes too (its pods are in deletePods)
 * @param deleteStageBuild spec.ttlSecondsAfterFinished is over: the StageBuild itself goes
 */
public record BuildDecision(StageBuildStatus status, List<StepStart> createPods, List<String> deletePods,
    String pinnedNode, List<BuildEvent> events, boolean finished, Duration requeueAfter, boolean cleanUp,
    boolean deleteStageBuild) {

  public BuildDecision(StageBuildStatus status, List<StepStart> createPods, List<String> deletePods,
      String pinnedNode, List<BuildEvent> events, boolean finished, Duration requeueAfter) {
    this(status, createPods, deletePods, pinnedNode, events, finished, requeueAfter, false, false);
  }

  /** This decision with another status to write and one more event (or none) to record once it is written. */
  BuildDecision withStatus(StageBuildStatus other, BuildEvent event) {
    List<BuildEvent> all = new java.util.ArrayList<>(events);
    if (event != null) {
      all.add(event);
    }
    return new BuildDecision(other, createPods, deletePods, pinnedNode, List.copyOf(all), finished, requeueAfter,
        cleanUp, deleteStageBuild);
  }

  /**
   * This decision with the events of an earlier pass first (that pass started pods, and its status
   * write failed); an event this pass decides again is recorded once.
   */
  BuildDecision withEarlierEvents(List<BuildEvent> earlier) {
    java.util.LinkedHashSet<BuildEvent> all = new java.util.LinkedHashSet<>(earlier);
    all.addAll(events);
    return new BuildDecision(status, createPods, deletePods, pinnedNode, List.copyOf(all), finished, requeueAfter,
        cleanUp, deleteStageBuild);
  }

  /** A pod to create for a step ("source", or a stage step: see {@code BuildNames.stageStep}). */
  public record StepStart(String step, int attempt) {}
}
