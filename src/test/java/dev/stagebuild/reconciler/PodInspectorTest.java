package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.kaniko.Labels;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Pod status as the kubelet writes it, read back into a step's state. */
class PodInspectorTest {
  static final Instant CREATED = Instant.parse("2026-11-26T10:00:00Z");
  static final Duration BOUND = Duration.ofMinutes(5);

  static PodBuilder pod() {
    return new PodBuilder().withNewMetadata().withName("app-1-build-r2").withCreationTimestamp(CREATED.toString())
        .addToLabels(Labels.ATTEMPT, "2").addToAnnotations(Labels.STEP_ANNOTATION, "build").endMetadata()
        .withNewSpec().withNodeName("node-a").addNewContainer().withName("kaniko").endContainer().endSpec();
  }

  @Test
  void theNodeAPodIsPinnedToIsReadFromTheAffinityTheOperatorRenders() {
    var sb = dev.stagebuild.testing.Builds.inline("app", dev.stagebuild.testing.Builds.DIAMOND);
    var plan = dev.stagebuild.plan.Planner.plan(dev.stagebuild.testing.Builds.DIAMOND, java.util.Map.of(), null);
    var resources = new dev.stagebuild.kaniko.KanikoResources(dev.stagebuild.kaniko.RenderSettings.defaults());
    Pod pinned = resources.stagePod(sb, "1", plan, plan.pod("left"), 2, "node-x");
    assertThat(PodInspector.inspect(pinned, CREATED, BOUND).pinnedNode()).isEqualTo("node-x");
    assertThat(PodInspector.inspect(PodInspector.essentials(pinned), CREATED, BOUND).pinnedNode())
        .as("as the pod informer's store keeps it").isEqualTo("node-x");
    assertThat(PodInspector.essentials(pinned).getSpec().getAffinity().getPodAffinity()).as("not kept").isNull();
    Pod free = resources.stagePod(sb, "1", plan, plan.pod("left"), 1, null);
    assertThat(PodInspector.inspect(free, CREATED, BOUND).pinnedNode()).as("only its pod affinity").isNull();
  }

  @Test
  void failedPodGivesExitCodeAndLogTail() {
    Pod p = pod().withNewStatus().withPhase("Failed").addNewContainerStatus().withName("kaniko").withNewState()
        .withNewTerminated().withExitCode(2).withReason("Error").withMessage("make: *** [all] Error 2\n")
        .withFinishedAt("2026-11-26T10:01:00Z").endTerminated().endState().endContainerStatus().endStatus().build();
    StepState s = PodInspector.inspect(p, CREATED.plusSeconds(70), BOUND);
    assertThat(s.step()).isEqualTo("build");
    assertThat(s.attempt()).isEqualTo(2);
    assertThat(s.phase()).isEqualTo(StepPhase.FAILED);
    assertThat(s.exitCode()).isEqualTo(2);
    assertThat(s.reason()).isEqualTo("StageFailed");
    assertThat(s.message()).isEqualTo("exit code 2: make: *** [all] Error 2");
    assertThat(s.finished()).isEqualTo(Instant.parse("2026-11-26T10:01:00Z"));
  }

  @Test
  void anInjectedInitContainerThatCannotStartHoldsTheBuildAndIsNamedThenFailsItAfterTheBound() {
    // A mesh's init container whose image cannot be pulled: the build container waits (PodInitializing).
    Pod p = pod().withNewStatus().withPhase("Pending").addNewInitContainerStatus().withName("istio-init")
        .withNewState().withNewWaiting().withReason("ImagePullBackOff")
        .withMessage("Back-off pulling image \"mirror.example/proxyv2:1.20\"").endWaiting().endState()
        .endInitContainerStatus().addNewContainerStatus().withName("kaniko").withNewState().withNewWaiting()
        .withReason("PodInitializing").endWaiting().endState().endContainerStatus().endStatus().build();
    StepState waiting = PodInspector.inspect(p, CREATED.plusSeconds(60), BOUND);
    assertThat(waiting.phase()).isEqualTo(StepPhase.PENDING);
    assertThat(waiting.reason()).isEqualTo("ImagePullFailed");
    assertThat(waiting.message()).isEqualTo("init container istio-init (added to the pod by the cluster, not by"
        + " StageBuild): ImagePullBackOff: Back-off pulling image \"mirror.example/proxyv2:1.20\"");
    StepState stuck = PodInspector.inspect(p, CREATED.plus(BOUND).plusSeconds(1), BOUND);
    assertThat(stuck.phase()).isEqualTo(StepPhase.STUCK);
    assertThat(stuck.reason()).isEqualTo("ImagePullFailed");
    assertThat(PodChangeFilter.view(p)).as("the filter wakes a pass for it")
        .isNotEqualTo(PodChangeFilter.view(pod().withNewStatus().withPhase("Pending").addNewContainerStatus()
            .withName("kaniko").withNewState().withNewWaiting().withReason("PodInitializing").endWaiting().endState()
            .endContainerStatus().endStatus().build()));
  }

  @Test
  void aPodWhoseInjectedInitContainerFailedNamesItNotTheBuild() {
    Pod p = pod().withNewStatus().withPhase("Failed").addNewInitContainerStatus().withName("vault-agent-init")
        .withNewState().withNewTerminated().withExitCode(1).withReason("Error")
        .withMessage("permission denied: role \"builds\" not found\n").endTerminated().endState()
        .endInitContainerStatus().addNewContainerStatus().withName("kaniko").withNewState().withNewWaiting()
        .withReason("PodInitializing").endWaiting().endState().endContainerStatus().endStatus().build();
    StepState s = PodInspector.inspect(p, CREATED.plusSeconds(60), BOUND);
    assertThat(s.phase()).isEqualTo(StepPhase.FAILED);
    assertThat(s.message()).isEqualTo("init container vault-agent-init (added to the pod by the cluster, not by"
        + " StageBuild) exited with code 1: permission denied: role \"builds\" not found; the build did not run");
  }

  @Test
  void aContainerTheKubeletLostIsADisruptionNotTheStagesFailure() {
    // As the kubelet writes it when the runtime no longer knows the container (kubelet_pods.go).
    Pod p = pod().withNewStatus().withPhase("Failed").addNewContainerStatus().withName("kaniko").withNewState()
        .withNewTerminated().withExitCode(137).withReason("ContainerStatusUnknown")
        .withMessage("The container could not be located when the pod was terminated").endTerminated().endState()
        .endContainerStatus().endStatus().build();
    StepState s = PodInspector.inspect(p, CREATED.plusSeconds(70), BOUND);
    assertThat(s.phase()).isEqualTo(StepPhase.DISRUPTED);
    assertThat(s.reason()).isEqualTo("ContainerStatusUnknown");
    assertThat(s.message()).isEqualTo("ContainerStatusUnknown: The container could not be located when the pod was"
        + " terminated");
  }

  @Test
  void oomKilledAndDeadlineAreNamed() {
    Pod oom = pod().withNewStatus().withPhase("Failed").addNewContainerStatus().withName("kaniko").withNewState()
        .withNewTerminated().withExitCode(137).withReason("OOMKilled").endTerminated().endState()
        .endContainerStatus().endStatus().build();
    assertThat(PodInspector.inspect(oom, CREATED, BOUND).reason()).isEqualTo("OOMKilled");
    assertThat(PodInspector.inspect(oom, CREATED, BOUND).message()).startsWith("exit code 137 (OOMKilled)");
    Pod late = pod().withNewStatus().withPhase("Failed").withReason("DeadlineExceeded")
        .withMessage("Pod was active on the node longer than the specified deadline").endStatus().build();
    assertThat(PodInspector.inspect(late, CREATED, BOUND).reason()).isEqualTo("Timeout");
  }

  @Test
  void imagePullBackOffIsPendingUntilTheBoundThenStuck() {
    Pod p = pod().withNewStatus().withPhase("Pending").addNewContainerStatus().withName("kaniko").withNewState()
        .withNewWaiting().withReason("ImagePullBackOff").withMessage("Back-off pulling image \"x\"").endWaiting()
        .endState().endContainerStatus().endStatus().build();
    StepState early = PodInspector.inspect(p, CREATED.plusSeconds(10), BOUND);
    assertThat(early.phase()).isEqualTo(StepPhase.PENDING);
    assertThat(early.reason()).isEqualTo("ImagePullFailed");
    assertThat(early.message()).contains("ImagePullBackOff", "Back-off pulling image");
    assertThat(PodInspector.inspect(p, CREATED.plusSeconds(301), BOUND).phase()).isEqualTo(StepPhase.STUCK);
  }

  @Test
  void unschedulableIsReportedWithTheSchedulersMessage() {
    Pod p = pod().withNewStatus().withPhase("Pending").addNewCondition().withType("PodScheduled").withStatus("False")
        .withReason("Unschedulable").withMessage("0/3 nodes are available: 3 Insufficient cpu.").endCondition()
        .endStatus().build();
    StepState s = PodInspector.inspect(p, CREATED.plusSeconds(1), BOUND);
    assertThat(s.reason()).isEqualTo("Unschedulable");
    assertThat(s.message()).contains("Insufficient cpu");
  }

  @Test
  void succeededPodGivesItsTerminationMessage() {
    Pod p = pod().withNewStatus().withPhase("Succeeded").addNewContainerStatus().withName("kaniko").withNewState()
        .withNewTerminated().withExitCode(0).withMessage("sha256:abc\n").endTerminated().endState()
        .endContainerStatus().endStatus().build();
    StepState s = PodInspector.inspect(p, CREATED, BOUND);
    assertThat(s.phase()).isEqualTo(StepPhase.SUCCEEDED);
    assertThat(s.terminationMessage()).isEqualTo("sha256:abc");
  }

  @Test
  void aPodWithoutStatusIsPending() {
    assertThat(PodInspector.inspect(pod().build(), CREATED, BOUND).phase()).isEqualTo(StepPhase.PENDING);
  }
}
