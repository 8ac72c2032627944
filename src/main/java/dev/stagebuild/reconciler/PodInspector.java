package dev.stagebuild.reconciler;

import dev.stagebuild.kaniko.Labels;
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

/** Reads a pod's status the way a person reading `kubectl describe pod` would. Pure. */
public final class PodInspector {
  /** Waiting reasons a retry does not cure: the pod fails once it has waited longer than allowed. */
  private static final Set<String> PULL_FAILURES = Set.of("ErrImagePull", "ImagePullBackOff",
      "InvalidImageName", "ErrImageNeverPull");
  private static final Set<String> CONFIG_FAILURES = Set.of("CreateContainerConfigError",
      "CreateContainerError", "RunContainerError");
  private static final int TAIL_CHARS = 2000;

  private PodInspector() {}

  public static StepState inspect(Pod pod, Instant now, Duration pendingTimeout) {
    Map<String, String> annotations = Optional.ofNullable(pod.getMetadata().getAnnotations()).orElse(Map.of());
    Map<String, String> labels = Optional.ofNullable(pod.getMetadata().getLabels()).orElse(Map.of());
    String step = annotations.getOrDefault(Labels.STEP_ANNOTATION, labels.get(Labels.STEP));
    int attempt = parseInt(labels.get(Labels.ATTEMPT), 1);
    String name = pod.getMetadata().getName();
    Instant created = Times.parse(pod.getMetadata().getCreationTimestamp());
    PodStatus status = pod.getStatus();
    String phase = status == null || status.getPhase() == null ? "Pending" : status.getPhase();
    String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
    Instant started = status == null ? null : Times.parse(status.getStartTime());
    ContainerStatus container = firstContainer(status);
    ContainerStateTerminated terminated = terminated(container);

    switch (phase) {
      case "Succeeded" -> {
        return new StepState(step, attempt, name, StepPhase.SUCCEEDED, 0, null, null,
            terminated == null ? null : trim(terminated.getMessage()), created, started,
            finishedAt(terminated, now), node);
      }
      case "Failed" -> {
        Integer exit = terminated == null ? null : terminated.getExitCode();
        String reason = failureReason(status, terminated);
        return new StepState(step, attempt, name, StepPhase.FAILED, exit, reason,
            failureMessage(status, terminated, exit), null, created, started, finishedAt(terminated, now), node);
      }
      case "Running" -> {
        return new StepState(step, attempt, name, StepPhase.RUNNING, null, null, null, null, created,
            started, null, node);
      }
      default -> {
        return pending(step, attempt, name, status, container, created, now, pendingTimeout, node);
      }
    }
  }

  private static StepState pending(String step, int attempt, String name, PodStatus status,
      ContainerStatus container, Instant created, Instant now, Duration pendingTimeout, String node) {
    String reason = null;
    String message = null;
    ContainerStateWaiting waiting = container == null || container.getState() == null ? null
        : container.getState().getWaiting();
    if (waiting != null && (PULL_FAILURES.contains(waiting.getReason())
        || CONFIG_FAILURES.contains(waiting.getReason()))) {
      reason = PULL_FAILURES.contains(waiting.getReason()) ? "ImagePullFailed" : waiting.getReason();
      message = waiting.getReason() + ": " + nullToEmpty(waiting.getMessage());
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
        reason, message, null, created, null, overdue ? now : null, node);
  }

  private static String failureReason(PodStatus status, ContainerStateTerminated terminated) {
    if (status != null && "DeadlineExceeded".equals(status.getReason())) {
      return "Timeout";
    }
    if (terminated != null && "OOMKilled".equals(terminated.getReason())) {
      return "OOMKilled";
    }
    if (status != null && "Evicted".equals(status.getReason())) {
      return "Evicted";
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

  static String tail(String text) {
    return text.length() <= TAIL_CHARS ? text : "..." + text.substring(text.length() - TAIL_CHARS);
  }

  private static ContainerStatus firstContainer(PodStatus status) {
    if (status == null || status.getContainerStatuses() == null || status.getContainerStatuses().isEmpty()) {
      return null;
    }
    return status.getContainerStatuses().get(0);
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
