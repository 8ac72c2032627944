package dev.stagebuild.reconciler;

import dev.stagebuild.api.StageBuildStatus;
import dev.stagebuild.api.StageStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.Collectors;

/**
 * Prometheus metrics, derived from status transitions the reconciler writes (so they count each
 * transition once per operator that wrote it, the leader).
 */
public class BuildMetrics {
  private final MeterRegistry registry;
  private final Counter podsCreated;

  public BuildMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.podsCreated = Counter.builder("stagebuild_pods_created").description("Pods the operator created")
        .register(registry);
  }

  /**
   * Publishes the number of the operator's pods that are pending or running, read from the pod
   * informer's cache whenever Prometheus scrapes.
   */
  void watchPods(Supplier<Stream<Pod>> pods) {
    Gauge.builder("stagebuild_pods_active", pods, p -> p.get().filter(BuildMetrics::active).count())
        .description("The operator's pods that are Pending or Running").strongReference(true).register(registry);
    Gauge.builder("stagebuild_pods_pending_oldest_seconds", pods, p -> oldestPendingSeconds(p.get(), Instant.now()))
        .description("How long the operator's oldest Pending pod has waited (0: none waits), for alerts on builds"
            + " that cannot start").strongReference(true).register(registry);
  }

  static double oldestPendingSeconds(Stream<Pod> pods, Instant now) {
    return pods.filter(p -> p.getStatus() == null || p.getStatus().getPhase() == null
            || "Pending".equals(p.getStatus().getPhase()))
        .map(p -> Times.parse(p.getMetadata().getCreationTimestamp())).filter(Objects::nonNull)
        .mapToDouble(t -> Math.max(0, Duration.between(t, now).toSeconds())).max().orElse(0);
  }

  private static boolean active(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return phase == null || "Pending".equals(phase) || "Running".equals(phase);
  }

  void podStarted() {
    podsCreated.increment();
  }

  /**
   * Events not recorded (a courtesy): the queue was full, the API server refused, the client was
   * closed, or they failed otherwise.
   */
  void watchDroppedEvents(EventRecorder events) {
    FunctionCounter.builder("stagebuild_events_dropped", events, EventRecorder::dropped)
        .description("Kubernetes Events the operator could not record").register(registry);
  }

  void statusWritten(StageBuildStatus before, StageBuildStatus after) {
    String wasResult = result(before);
    String result = result(after);
    boolean sameBuild = before != null && Objects.equals(before.buildId, after.buildId);
    if (result != null && !(sameBuild && result.equals(wasResult))) {
      Condition c = Conditions.find(after.conditions, Conditions.SUCCEEDED);
      Counter.builder("stagebuild_builds").description("Builds that ended, by result and reason")
          .tag("result", result).tag("reason", c.getReason() == null ? "" : c.getReason())
          .register(registry).increment();
      record("stagebuild_build_duration", "Time from a build's start to its end",
          after.startTime, after.completionTime, Map.of("result", result));
    }
    Map<String, StageStatus> old = before == null || !sameBuild || before.stages == null ? Map.of()
        : before.stages.stream().collect(Collectors.toMap(s -> s.name, Function.identity(), (a, b) -> a));
    for (StageStatus s : after.stages) {
      StageStatus was = old.get(s.name);
      boolean ended = "Succeeded".equals(s.phase) || "Failed".equals(s.phase);
      if (ended && (was == null || !Objects.equals(was.phase, s.phase))) {
        record("stagebuild_stage_duration", "Time a stage's pod ran", s.startTime, s.completionTime,
            Map.of("result", s.phase));
      }
    }
  }

  private void record(String name, String description, String from, String to, Map<String, String> tags) {
    Instant a = Times.parse(from);
    Instant b = Times.parse(to);
    if (a == null || b == null || b.isBefore(a)) {
      return;
    }
    Timer.Builder t = Timer.builder(name).description(description).publishPercentileHistogram();
    tags.forEach(t::tag);
    t.register(registry).record(Duration.between(a, b));
  }

  private static String result(StageBuildStatus s) {
    if (s == null) {
      return null;
    }
    Condition c = Conditions.find(s.conditions, Conditions.SUCCEEDED);
    if (c == null || "Unknown".equals(c.getStatus())) {
      return null;
    }
    return "True".equals(c.getStatus()) ? "succeeded" : "failed";
  }
}
