package dev.stagebuild.reconciler;

import dev.stagebuild.api.DockerfileSpec;
import dev.stagebuild.api.LocalObjectRef;
import dev.stagebuild.api.Output;
import dev.stagebuild.api.Source;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildSpec;
import dev.stagebuild.api.StageBuildStatus;
import dev.stagebuild.kaniko.BuildNames;
import dev.stagebuild.kaniko.KanikoResources;
import dev.stagebuild.plan.BuildCheck;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.security.SpecValidator;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs made-up builds through the operator's own per-build code (check and plan, render, serialize,
 * inspect pods, decide, pace the status) before the operator starts, touching no cluster. Why: the
 * first builds after a start come all at once, and in the packaged jar's first herd the operator's
 * JIT threads used 4.0 to 7.0 s of CPU against 3.0 to 3.6 s for an operator without this code, the
 * difference spread over Jackson and reflection rather than one hot method (docs/operator.md,
 * Warm-up). Bounded in builds and in time.
 */
final class WarmUp {
  /** A usual multi-stage Dockerfile: two independent stages and a final one that copies from both. */
  static final String DOCKERFILE = """
      # syntax=docker/dockerfile:1
      ARG GO_VERSION=1.22
      FROM golang:${GO_VERSION} AS build
      WORKDIR /src
      COPY go.mod go.sum ./
      RUN go mod download
      COPY . .
      RUN CGO_ENABLED=0 go build -trimpath -o /out/app ./cmd/app
      FROM alpine:3.20 AS certs
      RUN apk add --no-cache ca-certificates
      FROM scratch
      COPY --from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/
      COPY --from=build /out/app /app
      USER 65532:65532
      ENTRYPOINT ["/app"]
      """;
  private static final List<String> SOURCE_KEYS = List.of("go.mod", "go.sum", "main.go");
  private static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);

  private final BuildDecider decider;
  private final KanikoResources resources;
  private final KubernetesSerialization serialization;
  private final Clock clock;

  WarmUp(BuildDecider decider, KanikoResources resources, KubernetesSerialization serialization, Clock clock) {
    this.decider = decider;
    this.resources = resources;
    this.serialization = serialization;
    this.clock = clock;
  }

  /** Runs up to {@code builds} made-up builds, stopping early once {@code budget} has passed; returns how many ran. */
  int run(int builds, Duration budget) {
    Instant end = clock.instant().plus(budget);
    int done = 0;
    while (done < builds && clock.instant().isBefore(end)) {
      build(done++);
    }
    return done;
  }

  /** One build from its first pass to its end, as the informers would show it; returns its last status. */
  StageBuildStatus build(int n) {
    Instant now = clock.instant();
    StageBuild sb = stageBuild("warm-up-" + n, now);
    String buildId = StageBuildReconciler.buildIdOf(sb);
    SpecValidator.validate(sb);
    BuildPlan plan = BuildCheck.plan(sb, DOCKERFILE);
    PlanOutcome outcome = PlanOutcome.of(plan);
    roundTrip(resources.workspace(sb, buildId), PersistentVolumeClaim.class);
    roundTrip(resources.planConfigMap(sb, buildId, plan, null), ConfigMap.class);
    Map<String, Pod> pods = new LinkedHashMap<>();
    StatusPacer pacer = new StatusPacer(Duration.ofSeconds(5), Duration.ofSeconds(2));
    // Each pod (the source's too) ends in three passes after the one that creates it: bounded all the same.
    for (int pass = 0; pass < 4 * (plan.pods().size() + 1) + 2; pass++) {
      List<StepState> steps = new ArrayList<>();
      pods.values().forEach(p -> steps.add(PodInspector.inspect(p, now, Duration.ofMinutes(5))));
      StepLedger.of(sb.getStatus() == null ? null : sb.getStatus().steps, steps, now);
      BuildDecision decision = decider.decide(new BuildDecider.Inputs(sb, buildId, outcome, null, steps, null, now));
      for (var start : decision.createPods()) {
        Pod pod = BuildDecider.SOURCE_STEP.equals(start.step())
            ? resources.sourcePod(sb, buildId, SOURCE_KEYS, start.attempt(), decision.pinnedNode())
            : resources.stagePod(sb, buildId, plan, plan.pod(BuildNames.planPod(start.step())), start.attempt(),
                decision.pinnedNode());
        pod.getMetadata().setUid("uid-" + pod.getMetadata().getName());
        pod.getMetadata().setCreationTimestamp(Times.format(now));
        pods.put(pod.getMetadata().getName(), roundTrip(pod, Pod.class));
      }
      pods.replaceAll((name, pod) -> advanced(pod, now));
      StageBuildStatus before = sb.getStatus();
      StageBuildStatus after = decision.status();
      if (after != null) {
        pacer.hold(sb.getMetadata().getUid(), before, after, false, now);
        sb.setStatus(after);
        sb = roundTrip(sb, StageBuild.class);
      }
      if (decision.finished()) {
        break;
      }
    }
    return sb.getStatus();
  }

  /** The pod's next state, as a kubelet reports it: Pending, Running, then Succeeded. */
  private Pod advanced(Pod pod, Instant now) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    // (the cached pod keeps only its status: PodInspector.essentials)
    String container = phase == null ? pod.getSpec().getContainers().get(0).getName()
        : pod.getStatus().getContainerStatuses().get(0).getName();
    String at = Times.format(now);
    PodStatusBuilder status = new PodStatusBuilder().withStartTime(at);
    if (phase == null) {
      status.withPhase("Pending").addToContainerStatuses(new ContainerStatusBuilder().withName(container)
          .withReady(false).withState(new ContainerStateBuilder().withNewWaiting().withReason("ContainerCreating")
              .endWaiting().build()).build());
    } else if ("Pending".equals(phase)) {
      status.withPhase("Running").addToContainerStatuses(new ContainerStatusBuilder().withName(container)
          .withReady(true).withState(new ContainerStateBuilder().withNewRunning().withStartedAt(at).endRunning()
              .build()).build());
    } else {
      status.withPhase("Succeeded").addToContainerStatuses(new ContainerStatusBuilder().withName(container)
          .withReady(false).withState(new ContainerStateBuilder().withNewTerminated().withExitCode(0)
              .withReason("Completed").withMessage(DIGEST).withStartedAt(at).withFinishedAt(at).endTerminated()
              .build()).build());
    }
    Pod next = new PodBuilder(pod).withStatus(status.build()).build();
    new PodChangeFilter().accept(next, pod);
    return roundTrip(PodInspector.essentials(next), Pod.class);
  }

  private <T extends HasMetadata> T roundTrip(T object, Class<T> type) {
    return serialization.unmarshal(serialization.asJson(object), type);
  }

  private static StageBuild stageBuild(String name, Instant now) {
    StageBuild sb = new StageBuild();
    sb.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("warm-up").withUid("uid-" + name)
        .withGeneration(1L).withCreationTimestamp(Times.format(now)).build());
    sb.setSpec(new StageBuildSpec());
    sb.getSpec().output = new Output();
    sb.getSpec().output.image = "registry.invalid/warm-up/" + name + ":1";
    sb.getSpec().dockerfile = new DockerfileSpec();
    sb.getSpec().dockerfile.inline = DOCKERFILE;
    sb.getSpec().source = new Source();
    sb.getSpec().source.configMap = new LocalObjectRef(name + "-source");
    return sb;
  }
}
