package dev.stagebuild.reconciler;

import dev.stagebuild.kaniko.KanikoResources;
import dev.stagebuild.kaniko.Labels;
import dev.stagebuild.security.Redactor;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStateWaiting;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Reads a pod's status the way a person reading `kubectl describe pod` would. Pure.
 *
 * <p>The step's outcome is the state of the build container (found by name: a service mesh or a
 * secrets agent may inject sidecars, listed before it and still running after it ended), not the
 * pod's phase. A pod lost to eviction, preemption, a drain or a deletion is a disruption, not a
 * failure of the build.
 */
public final class PodInspector {
  /** Waiting reasons a retry does not cure: the pod fails once it has waited longer than allowed. */
  private static final Set<String> PULL_FAILURES = Set.of("ErrImagePull", "ImagePullBackOff",
      "InvalidImageName", "ErrImageNeverPull");
  private static final Set<String> CONFIG_FAILURES = Set.of("CreateContainerConfigError",
      "CreateContainerError", "RunContainerError");
  /** The containers StageBuild renders; anything else in a pod was injected. */
  static final Set<String> BUILD_CONTAINERS = Set.of(KanikoResources.STAGE_CONTAINER,
      KanikoResources.SOURCE_CONTAINER, KanikoResources.CLEANUP_CONTAINER);
  /** Pod status reasons the kubelet or the control plane give a pod they took away. */
  private static final Set<String> DISRUPTION_REASONS = Set.of("Evicted", "Preempting", "NodeLost", "Shutdown",
      "Terminated", "NodeShutdown", "UnexpectedAdmissionError", "NodeAffinity", "OutOfcpu", "OutOfmemory",
      "OutOfpods", "OutOfephemeral-storage");
  /**
   * The kubelet's reason for a container it cannot find any more (its runtime lost it: a node or
   * runtime restart); it reports exit code 137 for it. Not the build's failure: a disruption.
   */
  private static final String CONTAINER_LOST = "ContainerStatusUnknown";
  private static final String GENERIC_EXIT = "Error";
  private static final int TAIL_CHARS = 2000;
  /** Pod-level words, not condition reasons: a disruption re-runs its step and is told in events. */
  private static final String CONTAINER_CREATING = "ContainerCreating";
  private static final String DISRUPTION_TARGET = "DisruptionTarget";
  private static final String POD_DELETED = "PodDeleted";

  private PodInspector() {}

  public static StepState inspect(Pod pod, Instant now, Duration pendingTimeout) {
    return inspect(pod, now, pendingTimeout, null);
  }

  /**
   * @param volumeWarning the latest FailedAttachVolume/FailedMount warning recorded for this pod
   *     (reason and message), or null: why a pod that is scheduled does not start
   */
  public static StepState inspect(Pod pod, Instant now, Duration pendingTimeout, VolumeWarning volumeWarning) {
    StepState state = read(pod, now, pendingTimeout, volumeWarning);
    String phase = pod.getStatus() == null || pod.getStatus().getPhase() == null ? "Pending" : pod.getStatus().getPhase();
    boolean active = pod.getMetadata().getDeletionTimestamp() == null
        && ("Pending".equals(phase) || "Running".equals(phase));
    return state.withPodActive(active).withPinnedNode(KanikoResources.pinnedNode(pod));
  }

  private static StepState read(Pod pod, Instant now, Duration pendingTimeout, VolumeWarning volumeWarning) {
    String step = step(pod);
    int attempt = attempt(pod);
    String name = pod.getMetadata().getName();
    Instant created = Times.parse(pod.getMetadata().getCreationTimestamp());
    PodStatus status = pod.getStatus();
    String phase = status == null || status.getPhase() == null ? "Pending" : status.getPhase();
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    Instant started = status == null ? null : Times.parse(status.getStartTime());
    ContainerStatus container = buildContainer(status);
    ContainerStateTerminated terminated = terminated(container);
    Instant deletion = Times.parse(pod.getMetadata().getDeletionTimestamp());
    // A container killed because its pod was deleted (a drain, a person) ends after the deletion
    // began; one that failed on its own ended before.
    boolean deleting = deletion != null && (terminated == null || terminated.getFinishedAt() == null
        || !Times.parse(terminated.getFinishedAt()).isBefore(deletion));
    String disruption = disruption(status);
    boolean lost = disruption == null && terminated != null && CONTAINER_LOST.equals(terminated.getReason());
    if (lost) {
      disruption = CONTAINER_LOST;
    }

    if (terminated != null && Integer.valueOf(0).equals(terminated.getExitCode())) {
      // The build container finished its work: what happens to the pod afterwards does not matter.
      return new StepState(step, attempt, name, StepPhase.SUCCEEDED, 0, null, null, trim(terminated.getMessage()),
          created, started, finishedAt(terminated, now), node);
    }
    boolean deadline = status != null && "DeadlineExceeded".equals(status.getReason());
    if (!deadline && (disruption != null || (deleting && !"Succeeded".equals(phase)))) {
      String reason = disruption != null ? disruption : POD_DELETED;
      String message = reason + (lost ? ": " + nullToEmpty(terminated.getMessage())
          : status != null && status.getMessage() != null ? ": " + status.getMessage()
          : deleting ? ": the pod was deleted before its step ended" : "");
      return new StepState(step, attempt, name, StepPhase.DISRUPTED, null, reason, tail(message), null, created,
          started, now, node);
    }
    if (terminated != null || "Failed".equals(phase)) {
      Integer exit = terminated == null ? null : terminated.getExitCode();
      String reason = failureReason(status, terminated);
      ContainerStatus failedInit = terminated == null ? failedInitContainer(status) : null;
      String message = failedInit != null ? initContainerMessage(failedInit)
          : failureMessage(status, terminated, exit);
      return new StepState(step, attempt, name, StepPhase.FAILED, exit, reason, message, null, created, started,
          finishedAt(terminated, now), node);
    }
    if ("Succeeded".equals(phase)) {
      // No status for the build container: nothing to read a result from.
      return new StepState(step, attempt, name, StepPhase.SUCCEEDED, 0, null, null, null, created, started,
          now, node);
    }
    boolean running = container != null && container.getState() != null && container.getState().getRunning() != null;
    if (running || ("Running".equals(phase) && container == null)) {
      return new StepState(step, attempt, name, StepPhase.RUNNING, null, null, null, null, created,
          started, null, node);
    }
    return pending(step, attempt, name, status, container, created, now, pendingTimeout, node, volumeWarning);
  }

  /** The step the pod runs: its annotation (the whole step key), else its label (which may be cut to 63 characters). */
  static String step(Pod pod) {
    Map<String, String> annotations = Optional.ofNullable(pod.getMetadata().getAnnotations()).orElse(Map.of());
    Map<String, String> labels = Optional.ofNullable(pod.getMetadata().getLabels()).orElse(Map.of());
    return annotations.getOrDefault(Labels.STEP_ANNOTATION, labels.get(Labels.STEP));
  }

  /** The attempt of its step the pod is (1 when not labelled). */
  static int attempt(Pod pod) {
    Map<String, String> labels = Optional.ofNullable(pod.getMetadata().getLabels()).orElse(Map.of());
    return parseInt(labels.get(Labels.ATTEMPT), 1);
  }

  /**
   * The part of a pod this class, {@link StepLedger} and the reconciler read, for the pod informer's
   * cache: a stage pod carries its whole stage script (kilobytes) and, on a real API server, its
   * managedFields, none of which a decision reads. Metadata the reconciler matches on (labels,
   * annotations, owner references, uid, timestamps), spec.nodeName, the node affinity (the node a
   * pod is pinned to) and the whole status stay.
   */
  public static Pod essentials(Pod pod) {
    var m = pod.getMetadata();
    var meta = new io.fabric8.kubernetes.api.model.ObjectMetaBuilder()
        .withName(m.getName()).withNamespace(m.getNamespace()).withUid(m.getUid())
        .withResourceVersion(m.getResourceVersion()).withGeneration(m.getGeneration())
        .withCreationTimestamp(m.getCreationTimestamp()).withDeletionTimestamp(m.getDeletionTimestamp())
        .withDeletionGracePeriodSeconds(m.getDeletionGracePeriodSeconds())
        .withLabels(m.getLabels()).withAnnotations(m.getAnnotations())
        .withOwnerReferences(m.getOwnerReferences()).withFinalizers(m.getFinalizers())
        .build();
    var spec = new io.fabric8.kubernetes.api.model.PodSpec();
    spec.setNodeName(pod.getSpec() == null ? null : pod.getSpec().getNodeName());
    // the node the pod is pinned to (KanikoResources.pinnedNode): a decision replaces a pod pinned away from the build's node
    var affinity = pod.getSpec() == null ? null : pod.getSpec().getAffinity();
    if (affinity != null && affinity.getNodeAffinity() != null) {
      spec.setAffinity(new io.fabric8.kubernetes.api.model.AffinityBuilder().withNodeAffinity(affinity.getNodeAffinity()).build());
    }
    Pod reduced = new Pod();
    reduced.setApiVersion(pod.getApiVersion());
    reduced.setKind(pod.getKind());
    reduced.setMetadata(meta);
    reduced.setSpec(spec);
    reduced.setStatus(pod.getStatus());
    return reduced;
  }

  /** A FailedAttachVolume or FailedMount warning (the kubelet and the attach/detach controller record them as events). */
  public record VolumeWarning(String reason, String message) {
    /** Multi-Attach is the signature of a ReadWriteOnce volume already attached on another node. */
    String conditionReason() {
      return message != null && message.contains("Multi-Attach") ? "VolumeMultiAttach" : "VolumeMountFailed";
    }
  }

  private static String disruption(PodStatus status) {
    if (status == null) {
      return null;
    }
    PodCondition target = condition(status, DISRUPTION_TARGET);
    if (target != null && "True".equals(target.getStatus())) {
      return target.getReason() == null ? DISRUPTION_TARGET : target.getReason();
    }
    return status.getReason() != null && DISRUPTION_REASONS.contains(status.getReason()) ? status.getReason() : null;
  }

  private static StepState pending(String step, int attempt, String name, PodStatus status,
      ContainerStatus container, Instant created, Instant now, Duration pendingTimeout, String node,
      VolumeWarning volumeWarning) {
    String reason = null;
    String message = null;
    ContainerStateWaiting waiting = container == null || container.getState() == null ? null
        : container.getState().getWaiting();
    ContainerStatus stuckInit = stuckInitContainer(status);
    if (waiting != null && cannotStart(waiting.getReason())) {
      reason = startFailureReason(waiting.getReason());
      message = waiting.getReason() + ": " + nullToEmpty(waiting.getMessage());
    } else if (stuckInit != null) {
      // The build container waits behind an init container that cannot start (PodInitializing).
      String why = stuckInit.getState().getWaiting().getReason();
      reason = startFailureReason(why);
      message = initContainerMessage(stuckInit);
    } else if (volumeWarning != null && node != null) {
      reason = volumeWarning.conditionReason();
      message = volumeWarning.reason() + ": " + nullToEmpty(volumeWarning.message());
    } else {
      PodCondition scheduled = condition(status, "PodScheduled");
      if (scheduled != null && "False".equals(scheduled.getStatus())
          && "Unschedulable".equals(scheduled.getReason())) {
        reason = "Unschedulable";
        message = "Unschedulable: " + nullToEmpty(scheduled.getMessage());
      }
    }
    boolean overdue = reason != null && created != null
        && Duration.between(created, now).compareTo(pendingTimeout) > 0;
    if (overdue) {
      message = message + " (pending for more than " + pendingTimeout.toSeconds() + "s)";
    }
    return new StepState(step, attempt, name, overdue ? StepPhase.STUCK : StepPhase.PENDING, null,
        reason, message == null ? null : tail(message), null, created, null, overdue ? now : null, node);
  }

  /** True when the pod is scheduled but its build container has not started: volumes are attached and mounted then. */
  /**
   * Whether {@code pod} writes nothing any more: it ended (phase Succeeded or Failed), or its
   * StageBuild container did and only an injected sidecar keeps it running.
   */
  public static boolean ended(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase) || terminated(buildContainer(pod.getStatus())) != null;
  }

  /**
   * How a one-shot pod of StageBuild's (the workspace cleanup) ended: {@code Succeeded} or
   * {@code Failed} by its own container's exit code (an injected sidecar may keep the pod Running),
   * else by the pod's phase; null while it runs.
   */
  public static String outcome(Pod pod) {
    ContainerStateTerminated t = terminated(buildContainer(pod.getStatus()));
    if (t != null && t.getExitCode() != null) {
      return t.getExitCode() == 0 ? "Succeeded" : "Failed";
    }
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase) ? phase : null;
  }

  public static boolean waitsForVolumes(Pod pod) {
    if (pod.getSpec() == null || pod.getSpec().getNodeName() == null || pod.getStatus() == null
        || !"Pending".equals(pod.getStatus().getPhase())) {
      return false;
    }
    ContainerStatus c = buildContainer(pod.getStatus());
    ContainerStateWaiting waiting = c == null || c.getState() == null ? null : c.getState().getWaiting();
    return c == null || (waiting != null && CONTAINER_CREATING.equals(waiting.getReason()));
  }

  private static String failureReason(PodStatus status, ContainerStateTerminated terminated) {
    if (status != null && "DeadlineExceeded".equals(status.getReason())) {
      return "Timeout";
    }
    if (terminated != null && "OOMKilled".equals(terminated.getReason())) {
      return "OOMKilled";
    }
    return "StageFailed";
  }

  private static String failureMessage(PodStatus status, ContainerStateTerminated terminated, Integer exit) {
    StringBuilder text = new StringBuilder();
    if (status != null && "DeadlineExceeded".equals(status.getReason())) {
      text.append("the stage ran past its timeoutSeconds");
    } else if (exit != null) {
      text.append("exit code ").append(exit);
      if (terminated.getReason() != null && !"Error".equals(terminated.getReason())) {
        text.append(" (").append(terminated.getReason()).append(')');
      }
    } else if (status != null && status.getReason() != null) {
      text.append(status.getReason());
    } else {
      text.append("the pod failed");
    }
    String detail = terminated != null && terminated.getMessage() != null ? terminated.getMessage()
        : status == null ? null : status.getMessage();
    if (detail != null && !detail.isBlank()) {
      text.append(": ").append(tail(detail.strip()));
    }
    return text.toString();
  }

  /** The end of a log or message, with credentials masked: it goes to status, events and the operator's log. */
  static String tail(String text) {
    String end = text.length() <= TAIL_CHARS ? text : "..." + text.substring(text.length() - TAIL_CHARS);
    return Redactor.redact(end);
  }

  /**
   * The first init container that cannot start: its image cannot be pulled or its configuration
   * fails (a missing Secret). StageBuild renders no init container, so it was injected (a mesh, a
   * secrets agent); the build waits behind it.
   */
  static ContainerStatus stuckInitContainer(PodStatus status) {
    if (status == null || status.getInitContainerStatuses() == null) {
      return null;
    }
    return status.getInitContainerStatuses().stream().filter(c -> c.getState() != null
        && c.getState().getWaiting() != null && cannotStart(c.getState().getWaiting().getReason()))
        .findFirst().orElse(null);
  }

  /** A container waiting for this kubelet reason will not start by itself: its image or its configuration. */
  private static boolean cannotStart(String waitingReason) {
    return PULL_FAILURES.contains(waitingReason) || CONFIG_FAILURES.contains(waitingReason);
  }

  /** The step's reason for such a wait: one word for the pull failures, the kubelet's own otherwise. */
  private static String startFailureReason(String waitingReason) {
    return PULL_FAILURES.contains(waitingReason) ? "ImagePullFailed" : waitingReason;
  }

  /** The first init container that ended with an exit code other than 0 (the pod failed before the build ran). */
  private static ContainerStatus failedInitContainer(PodStatus status) {
    if (status == null || status.getInitContainerStatuses() == null) {
      return null;
    }
    return status.getInitContainerStatuses().stream().filter(c -> {
      ContainerStateTerminated t = terminated(c);
      return t != null && t.getExitCode() != null && t.getExitCode() != 0;
    }).findFirst().orElse(null);
  }

  private static String initContainerMessage(ContainerStatus init) {
    String what = "init container " + init.getName() + " (added to the pod by the cluster, not by StageBuild)";
    ContainerStateWaiting waiting = init.getState() == null ? null : init.getState().getWaiting();
    if (waiting != null) {
      return tail(what + ": " + waiting.getReason() + ": " + nullToEmpty(waiting.getMessage()));
    }
    ContainerStateTerminated t = terminated(init);
    // the kubelet's word for any non-zero exit says nothing more than the code
    String kubeletWord = t.getReason() == null || GENERIC_EXIT.equals(t.getReason()) ? "" : " (" + t.getReason() + ")";
    String detail = t.getMessage() == null || t.getMessage().isBlank() ? "" : ": " + t.getMessage().strip();
    return tail(what + " exited with code " + t.getExitCode() + kubeletWord + detail + "; the build did not run");
  }

  /** The status of the container StageBuild put in the pod, wherever an injector placed it in the list. */
  static ContainerStatus buildContainer(PodStatus status) {
    if (status == null || status.getContainerStatuses() == null) {
      return null;
    }
    return status.getContainerStatuses().stream().filter(c -> BUILD_CONTAINERS.contains(c.getName()))
        .findFirst().orElse(null);
  }

  private static ContainerStateTerminated terminated(ContainerStatus container) {
    if (container == null) {
      return null;
    }
    ContainerState state = container.getState();
    if (state != null && state.getTerminated() != null) {
      return state.getTerminated();
    }
    return container.getLastState() == null ? null : container.getLastState().getTerminated();
  }

  private static PodCondition condition(PodStatus status, String type) {
    List<PodCondition> conditions = status == null ? null : status.getConditions();
    if (conditions == null) {
      return null;
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  private static Instant finishedAt(ContainerStateTerminated terminated, Instant now) {
    Instant finished = terminated == null ? null : Times.parse(terminated.getFinishedAt());
    return finished == null ? now : finished;
  }

  private static String trim(String text) {
    return text == null ? null : text.strip();
  }

  private static String nullToEmpty(String text) {
    return text == null ? "" : text;
  }

  private static int parseInt(String text, int fallback) {
    try {
      return text == null ? fallback : Integer.parseInt(text);
    } catch (NumberFormatException e) {
      return fallback;
    }
  }
}
