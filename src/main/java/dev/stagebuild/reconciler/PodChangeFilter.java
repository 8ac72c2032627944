package dev.stagebuild.reconciler;

import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnUpdateFilter;
import java.util.List;
import java.util.Objects;

/**
 * Which pod updates start a reconcile: those that change what a decision reads of the pod (phase,
 * the build container's state, an unschedulable pod, a disruption, deletion). A pod changes
 * several times more often than that: the scheduler's binding (a node name, then the kubelet's first
 * status), readiness conditions, restarts of an injected sidecar. Each of those woke a full pass
 * that decided nothing new. The cache is updated either way; the next pass reads it whole.
 */
public class PodChangeFilter implements OnUpdateFilter<Pod> {
  private static final String SCHEDULED = "PodScheduled";
  private static final String DISRUPTION = "DisruptionTarget";

  /** The parts of a pod a decision depends on (the node is read when a pass runs, never waited for). */
  record View(String phase, String reason, boolean deleting, String container, String stuckInit,
      List<String> conditions) {}

  @Override
  public boolean accept(Pod newPod, Pod oldPod) {
    return oldPod == null || !view(oldPod).equals(view(newPod));
  }

  static View view(Pod pod) {
    PodStatus status = pod.getStatus();
    return new View(status == null ? null : status.getPhase(), status == null ? null : status.getReason(),
        pod.getMetadata().getDeletionTimestamp() != null, container(PodInspector.buildContainer(status)),
        stuckInit(status), status == null || status.getConditions() == null ? List.of()
            : status.getConditions().stream().filter(PodChangeFilter::decisive)
                .map(PodChangeFilter::condition).sorted().toList());
  }

  /**
   * A disruption, or a pod the scheduler could not place. The binding sets PodScheduled=True in the
   * same write as the node name: no decision waits for it (the kubelet's first status follows).
   */
  private static boolean decisive(PodCondition c) {
    return DISRUPTION.equals(c.getType()) || (SCHEDULED.equals(c.getType()) && !"True".equals(c.getStatus()));
  }

  private static String condition(PodCondition c) {
    return c.getType() + "=" + c.getStatus() + "/" + c.getReason();
  }

  /** An injected init container that cannot start: the build waits behind it (see PodInspector.pending). */
  private static String stuckInit(PodStatus status) {
    ContainerStatus c = PodInspector.stuckInitContainer(status);
    return c == null ? null : c.getName() + "/" + c.getState().getWaiting().getReason();
  }

  private static String container(ContainerStatus c) {
    if (c == null || c.getState() == null) {
      return null;
    }
    ContainerState s = c.getState();
    if (s.getTerminated() != null) {
      return "terminated/" + s.getTerminated().getExitCode() + "/" + s.getTerminated().getReason() + "/"
          + Objects.hashCode(s.getTerminated().getMessage());
    }
    if (s.getRunning() != null) {
      return "running";
    }
    return s.getWaiting() == null ? null : "waiting/" + s.getWaiting().getReason();
  }
}
