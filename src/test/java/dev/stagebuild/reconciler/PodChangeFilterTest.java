package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import org.junit.jupiter.api.Test;

/** Pod updates that wake the reconciler, from the sequence a real cluster writes for one pod. */
class PodChangeFilterTest {
  final PodChangeFilter filter = new PodChangeFilter();

  static PodBuilder created() {
    return new PodBuilder().withNewMetadata().withName("app-1-build").endMetadata()
        .withNewSpec().addNewContainer().withName("istio-proxy").endContainer().addNewContainer().withName("kaniko")
        .endContainer().endSpec();
  }

  static Pod bound() {
    return created().editSpec().withNodeName("node-a").endSpec().withNewStatus().withPhase("Pending")
        .addNewCondition().withType("PodScheduled").withStatus("True").endCondition().endStatus().build();
  }

  static Pod creating() {
    return new PodBuilder(bound()).editStatus().addNewCondition().withType("Initialized").withStatus("True")
        .endCondition().addNewContainerStatus().withName("kaniko").withNewState().withNewWaiting()
        .withReason("ContainerCreating").endWaiting().endState().endContainerStatus().endStatus().build();
  }

  static Pod running() {
    return new PodBuilder(creating()).editStatus().withPhase("Running").withContainerStatuses()
        .addNewContainerStatus().withName("kaniko").withNewState().withNewRunning().withStartedAt("2026-12-05T10:00:00Z")
        .endRunning().endState().endContainerStatus().endStatus().build();
  }

  static Pod ready() {
    return new PodBuilder(running()).editStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
        .addNewCondition().withType("ContainersReady").withStatus("True").endCondition().endStatus().build();
  }

  static Pod buildContainerDone() {
    // An injected sidecar keeps the pod Running; the build container's end is what counts.
    return new PodBuilder(ready()).editStatus().withContainerStatuses().addNewContainerStatus().withName("kaniko")
        .withNewState().withNewTerminated().withExitCode(0).withReason("Completed").withMessage("sha256:abc")
        .endTerminated().endState().endContainerStatus().addNewContainerStatus().withName("istio-proxy")
        .withNewState().withNewRunning().endRunning().endState().endContainerStatus().endStatus().build();
  }

  @Test
  void updatesThatChangeNothingADecisionReadsAreDropped() {
    Pod unscheduled = created().withNewStatus().withPhase("Pending").endStatus().build();
    assertThat(filter.accept(bound(), unscheduled)).as("the binding (node, PodScheduled=True): the kubelet's"
        + " first status follows").isFalse();
    assertThat(filter.accept(ready(), running())).as("readiness conditions").isFalse();
    Pod sidecarRestarted = new PodBuilder(buildContainerDone()).editStatus().editLastContainerStatus()
        .withRestartCount(3).endContainerStatus().endStatus().build();
    assertThat(filter.accept(sidecarRestarted, buildContainerDone())).as("an injected sidecar's restarts").isFalse();
  }

  @Test
  void updatesADecisionDependsOnWakeTheReconciler() {
    assertThat(filter.accept(creating(), bound())).as("the kubelet's first status").isTrue();
    assertThat(filter.accept(running(), creating())).as("the container started").isTrue();
    assertThat(filter.accept(buildContainerDone(), ready())).as("the build container ended").isTrue();
    Pod succeeded = new PodBuilder(buildContainerDone()).editStatus().withPhase("Succeeded").endStatus().build();
    assertThat(filter.accept(succeeded, buildContainerDone())).as("the phase").isTrue();
    Pod pullFailing = new PodBuilder(creating()).editStatus().editLastContainerStatus().editState().editWaiting()
        .withReason("ImagePullBackOff").endWaiting().endState().endContainerStatus().endStatus().build();
    assertThat(filter.accept(pullFailing, creating())).as("a waiting reason").isTrue();
    Pod unschedulable = created().withNewStatus().withPhase("Pending").addNewCondition().withType("PodScheduled")
        .withStatus("False").withReason("Unschedulable").endCondition().endStatus().build();
    assertThat(filter.accept(unschedulable, created().withNewStatus().withPhase("Pending").endStatus().build()))
        .as("the scheduler's verdict").isTrue();
    assertThat(filter.accept(bound(), unschedulable)).as("placed after all").isTrue();
    Pod evicting = new PodBuilder(running()).editStatus().addNewCondition().withType("DisruptionTarget")
        .withStatus("True").withReason("EvictionByEvictionAPI").endCondition().endStatus().build();
    assertThat(filter.accept(evicting, running())).as("a disruption").isTrue();
    Pod deleting = new PodBuilder(running()).editMetadata().withDeletionTimestamp("2026-12-05T10:01:00Z")
        .endMetadata().build();
    assertThat(filter.accept(deleting, running())).as("a deletion").isTrue();
  }
}
