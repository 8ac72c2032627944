package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.api.LocalObjectRef;
import dev.stagebuild.api.Source;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageSettings;
import dev.stagebuild.api.Workspace;
import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.plan.Planner;
import dev.stagebuild.reconciler.BuildDecision.StepStart;
import dev.stagebuild.testing.Builds;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reconciler's decisions, without any cluster. */
class BuildDeciderTest {
  static final Instant T0 = Instant.parse("2026-11-26T10:00:00Z");
  static final String DIGEST = "sha256:" + "0123456789abcdef".repeat(4);
  static final String DIAMOND = """
      FROM busybox AS left
      RUN echo left > /left
      FROM busybox AS right
      RUN echo right > /right
      FROM busybox AS final
      COPY --from=left /left /left
      COPY --from=right /right /right
      """;
  static final OperatorSettings SETTINGS = new OperatorSettings(Duration.ofMinutes(5), Duration.ofMinutes(1),
      Duration.ofSeconds(30), Duration.ofHours(1));

  static final KubernetesSerialization JSON = new KubernetesSerialization();
  final BuildDecider decider = new BuildDecider(SETTINGS);
  StageBuild sb = Builds.inline("app", DIAMOND);
  final List<StepState> steps = new ArrayList<>();

  BuildDecision decide(Instant now) {
    return decide(now, null, null);
  }

  BuildDecision decide(Instant now, Blocker blocker, Inspection inspection) {
    sb.getMetadata().setGeneration(1L);
    var plan = PlanOutcome.of(Planner.plan(sb.getSpec().dockerfile.inline, Map.of(), sb.getSpec().target));
    String observed = sb.getStatus() == null ? null : JSON.asJson(sb.getStatus());
    BuildDecision d = decider.decide(new BuildDecider.Inputs(sb, "1", plan, blocker, List.copyOf(steps),
        inspection, now));
    // The reconciler writes the status when the decided one does not equal the observed one: a
    // decider that changed the observed status in place would hide its own change.
    assertThat(sb.getStatus() == null ? null : JSON.asJson(sb.getStatus())).as("the observed status, after decide")
        .isEqualTo(observed);
    sb.setStatus(d.status());
    return d;
  }

  static StepState state(String step, int attempt, StepPhase phase) {
    return new StepState(step, attempt, "app-1-" + step + (attempt > 1 ? "-r" + attempt : ""), phase,
        phase == StepPhase.FAILED ? Integer.valueOf(1) : phase == StepPhase.SUCCEEDED ? Integer.valueOf(0) : null,
        phase == StepPhase.FAILED ? "StageFailed" : null, phase == StepPhase.FAILED ? "exit code 1: boom" : null,
        null, T0, T0, phase == StepPhase.SUCCEEDED || phase == StepPhase.FAILED ? T0.plusSeconds(5) : null,
        "node-a");
  }

  static String condition(BuildDecision d, String type) {
    var c = Conditions.find(d.status().conditions, type);
    return c == null ? null : c.getStatus() + "/" + c.getReason();
  }

  @Test
  void aBuildWhoseStatusWasNeverWrittenStartedWhenItsFirstPodWasCreated() {
    // The first status of a fresh StageBuild may be held back: its pods exist, its status does not.
    steps.add(state("left", 1, StepPhase.RUNNING));
    BuildDecision d = decide(T0.plusSeconds(4));
    assertThat(d.status().startTime).isEqualTo(Times.format(T0));
  }

  @Test
  void independentStagesStartTogetherAndTheConsumerWaits() {
    sb.getSpec().workspace = new Workspace();
    sb.getSpec().workspace.accessModes = List.of("ReadWriteMany");
    BuildDecision d = decide(T0);
    assertThat(d.createPods()).containsExactly(new StepStart("left", 1), new StepStart("right", 1));
    assertThat(condition(d, "Succeeded")).startsWith("Unknown/");
    assertThat(condition(d, "Ready")).startsWith("False/");
    assertThat(condition(d, "Reconciling")).startsWith("True/");
    // The producers' pods are created by this pass: Pending at once; the consumer waits.
    assertThat(d.status().stages).extracting(s -> s.phase).containsExactly("Pending", "Pending", "Waiting");
    assertThat(d.status().stagesDone).isEqualTo("0/3");
    assertThat(d.finished()).isFalse();
  }

  @Test
  void consumerStartsOnlyWhenEveryProducerSucceeded() {
    steps.add(state("left", 1, StepPhase.SUCCEEDED));
    steps.add(state("right", 1, StepPhase.RUNNING));
    assertThat(decide(T0).createPods()).isEmpty();
    steps.set(1, state("right", 1, StepPhase.SUCCEEDED));
    BuildDecision d = decide(T0.plusSeconds(1));
    assertThat(d.createPods()).containsExactly(new StepStart("final", 1));
    assertThat(d.status().stagesDone).isEqualTo("2/3");
    assertThat(d.events()).extracting(BuildEvent::reason).contains("StageSucceeded");
  }

  @Test
  void theSameInputsGiveTheSameDecision() {
    steps.add(state("left", 1, StepPhase.SUCCEEDED));
    sb.getMetadata().setGeneration(1L);
    var plan = PlanOutcome.of(Planner.plan(DIAMOND, Map.of(), null));
    var in = new BuildDecider.Inputs(sb, "1", plan, null, List.copyOf(steps), null, T0);
    BuildDecision first = decider.decide(in);
    BuildDecision second = decider.decide(in);
    assertThat(second.createPods()).isEqualTo(first.createPods()).containsExactly(new StepStart("right", 1));
    assertThat(second.status().conditions).isEqualTo(first.status().conditions);
    assertThat(second.status().steps).usingRecursiveComparison().isEqualTo(first.status().steps);
    assertThat(second.events()).isEqualTo(first.events());
  }

  @Test
  void onAReadWriteOnceWorkspaceTheProducersStartTogetherAndTheConsumerIsPinnedToTheirNode() {
    BuildDecision d = decide(T0);
    assertThat(d.createPods()).as("their pod affinity keeps pods created together on one node")
        .containsExactly(new StepStart("left", 1), new StepStart("right", 1));
    assertThat(d.pinnedNode()).isNull();
    steps.add(state("left", 1, StepPhase.SUCCEEDED));
    steps.add(state("right", 1, StepPhase.SUCCEEDED));
    d = decide(T0.plusSeconds(6));
    assertThat(d.createPods()).containsExactly(new StepStart("final", 1));
    assertThat(d.pinnedNode()).as("the scheduler does not see finished pods: the affinity alone would not hold")
        .isEqualTo("node-a");
  }

  @Test
  void aPodScheduledAwayFromWhereTheWorkspaceIsInUseIsReplacedThere() {
    steps.add(state("left", 1, StepPhase.RUNNING));
    steps.add(new StepState("right", 1, "app-1-right", StepPhase.PENDING, null, "VolumeMultiAttach",
        "FailedAttachVolume: Multi-Attach error for volume", null, T0, null, null, "node-b"));
    BuildDecision d = decide(T0.plusSeconds(2));
    assertThat(d.deletePods()).containsExactly("app-1-right");
    assertThat(d.createPods()).containsExactly(new StepStart("right", 2));
    assertThat(d.pinnedNode()).isEqualTo("node-a");
    assertThat(d.events()).extracting(BuildEvent::reason).contains("PodMisplaced");
    assertThat(d.status().steps).filteredOn(r -> r.step.equals("right")).singleElement()
        .satisfies(r -> {
          assertThat(r.failures).as("not counted against retries").isNull();
          assertThat(r.disruptions).isEqualTo(1);
        });

    // On a ReadWriteMany workspace pods may run on any node.
    sb = Builds.inline("app", DIAMOND);
    sb.getSpec().workspace = new Workspace();
    sb.getSpec().workspace.accessModes = List.of("ReadWriteMany");
    d = decide(T0.plusSeconds(2));
    assertThat(d.deletePods()).isEmpty();
    assertThat(d.createPods()).isEmpty();
  }

  @Test
  void aRetryIsPinnedWhereTheOtherProducerIsAboutToStartNotWhereItsOwnFirstAttemptRan() {
    // left's first attempt ran on node-a and failed; right waits on node-b for the workspace, which
    // it attaches now that left's pod has ended: left's retry must go where right will run
    sb.getSpec().retries = 1;
    steps.add(state("left", 1, StepPhase.FAILED));
    steps.add(pendingOn("right", 1, "node-b", "VolumeMultiAttach"));
    BuildDecision d = decide(T0.plusSeconds(6));
    assertThat(d.createPods()).containsExactly(new StepStart("left", 2));
    assertThat(d.pinnedNode()).isEqualTo("node-b");
  }

  @Test
  void aPodPinnedAwayFromWhereTheWorkspaceIsNowInUseIsReplacedThereNotLeftUnschedulable() {
    // right runs on node-b (placed there while no pod held the workspace); left's second attempt was
    // pinned to node-a, where its evicted first attempt ran: no scheduler can place it while right
    // runs on node-b, and right may run until the build ends (a sidecar keeps it)
    steps.add(pendingOn("left", 2, null, "Unschedulable").withPinnedNode("node-a"));
    steps.add(new StepState("right", 1, "app-1-right", StepPhase.RUNNING, null, null, null, null, T0, T0, null, "node-b"));
    BuildDecision d = decide(T0.plusSeconds(2));
    assertThat(d.deletePods()).containsExactly("app-1-left-r2");
    assertThat(d.createPods()).containsExactly(new StepStart("left", 3));
    assertThat(d.pinnedNode()).isEqualTo("node-b");
    assertThat(d.events()).filteredOn(e -> e.reason().equals("PodMisplaced")).singleElement()
        .satisfies(e -> assertThat(e.message()).contains("is pinned to node-a").contains("in use on node-b"));

    // Pinned to where the build's pods run, it waits as any pending pod does.
    steps.set(0, pendingOn("left", 3, null, "Unschedulable").withPinnedNode("node-b"));
    d = decide(T0.plusSeconds(3));
    assertThat(d.deletePods()).isEmpty();
    assertThat(d.createPods()).isEmpty();
    assertThat(d.events()).extracting(BuildEvent::reason).doesNotContain("PodMisplaced");
  }

  @Test
  void aPodPinnedToADrainedNodeWhileNothingHoldsTheWorkspaceStartsAgainWithoutThatNode() {
    // The producers ran on node-a, which is then cordoned for a drain; the final stage, pinned to
    // where they ran, cannot be scheduled anywhere: it must not wait out the pending timeout and fail.
    steps.add(state("left", 1, StepPhase.SUCCEEDED));
    steps.add(state("right", 1, StepPhase.SUCCEEDED));
    steps.add(pendingOn("final", 1, null, "Unschedulable").withPinnedNode("node-a"));
    // not at the first refusal (a node may be full for a moment): after half the pending timeout
    Duration due = SETTINGS.pendingTimeout().dividedBy(2);
    BuildDecision early = decide(T0.plusSeconds(6));
    assertThat(early.deletePods()).isEmpty();
    assertThat(early.createPods()).isEmpty();
    assertThat(early.requeueAfter()).isEqualTo(due.minusSeconds(6));
    BuildDecision d = decide(T0.plus(due));
    assertThat(d.deletePods()).containsExactly("app-1-final");
    assertThat(d.createPods()).containsExactly(new StepStart("final", 2));
    assertThat(d.pinnedNode()).as("left to the scheduler and the volume's node affinity").isNull();
    assertThat(d.events()).filteredOn(e -> e.reason().equals("PodMisplaced")).singleElement()
        .satisfies(e -> assertThat(e.message()).contains("is pinned to node-a", "without that node"));
    assertThat(d.status().steps).filteredOn(r -> r.step.equals("final")).singleElement()
        .satisfies(r -> assertThat(r.disruptions).as("counted as a disruption, bounded").isEqualTo(1));
  }

  @Test
  void aSourcePodPinnedToADrainedNodeStartsAgainWithoutThatNode() {
    sb.getSpec().source = new Source();
    sb.getSpec().source.configMap = new LocalObjectRef("src");
    // the first attempt ran on node-a and was evicted; the second, pinned there, cannot be scheduled
    steps.add(new StepState("source", 1, "app-1-source", StepPhase.DISRUPTED, null, "Evicted", "Evicted: drain",
        null, T0, T0, T0.plusSeconds(1), "node-a"));
    steps.add(pendingOn("source", 2, null, "Unschedulable").withPinnedNode("node-a"));
    BuildDecision d = decide(T0.plus(SETTINGS.pendingTimeout()).plusSeconds(1));
    assertThat(condition(d, "Succeeded")).isEqualTo("Unknown/Pending");
    assertThat(d.createPods()).containsExactly(new StepStart("source", 3));
    assertThat(d.pinnedNode()).isNull();
  }

  static StepState pendingOn(String step, int attempt, String node, String reason) {
    return new StepState(step, attempt, "app-1-" + step + (attempt > 1 ? "-r" + attempt : ""), StepPhase.PENDING,
        null, reason, reason == null ? null : reason + ": waiting", null, T0, null, null, node);
  }

  @Test
  void aReplacedPodIsDeletedOnEveryPassUntilItIsGoneAndReplacedOnce() {
    steps.add(state("left", 1, StepPhase.RUNNING));
    steps.add(pendingOn("right", 1, "node-b", "VolumeMultiAttach"));
    BuildDecision replacing = decide(T0.plusSeconds(2));
    assertThat(replacing.createPods()).containsExactly(new StepStart("right", 2));
    assertThat(Conditions.find(replacing.status().conditions, "Succeeded").getMessage())
        .as("the replaced pod waits for nothing").doesNotContain("Multi-Attach");
    // The pass ended before its delete (a conflict, an API error): the next one deletes it again.
    steps.add(pendingOn("right", 2, null, null));
    BuildDecision d = decide(T0.plusSeconds(3));
    assertThat(d.deletePods()).containsExactly("app-1-right");
    assertThat(d.createPods()).isEmpty();
    assertThat(d.events()).extracting(BuildEvent::reason).doesNotContain("PodMisplaced");
    assertThat(Conditions.find(d.status().conditions, "Succeeded").getMessage())
        .as("the replaced pod waits for nothing").doesNotContain("VolumeMultiAttach");
  }

  @Test
  void podsOnTwoNodesWhileNoneHasStartedAreLeftToTheScheduler() {
    steps.add(pendingOn("left", 1, "node-a", null));
    steps.add(pendingOn("right", 1, "node-b", null));
    BuildDecision d = decide(T0.plusSeconds(2));
    assertThat(d.deletePods()).isEmpty();
    assertThat(d.createPods()).isEmpty();
  }

  @Test
  void aPodStuckOnAWorkspaceInUseElsewhereIsReplacedNotFailed() {
    steps.add(state("left", 1, StepPhase.RUNNING));
    steps.add(new StepState("right", 1, "app-1-right", StepPhase.STUCK, null, "VolumeMultiAttach",
        "FailedAttachVolume: Multi-Attach error (pending for more than 300s)", null, T0, null, T0.plusSeconds(301),
        "node-b"));
    BuildDecision d = decide(T0.plusSeconds(301));
    assertThat(condition(d, "Succeeded")).startsWith("Unknown/");
    assertThat(d.createPods()).containsExactly(new StepStart("right", 2));
    assertThat(d.deletePods()).containsExactly("app-1-right");
  }

  @Test
  void nodeSelectorsThatNoSingleNodeSatisfiesAreRefusedOnAReadWriteOnceWorkspace() {
    // refused by the spec check, before any pod (PlanResolver and BuildCheck run it first)
    sb.getSpec().stages = new ArrayList<>(List.of(stageOn("left", "amd64"), stageOn("right", "arm64")));
    assertThat(dev.stagebuild.security.SpecValidator.problems(sb)).singleElement().asString()
        .contains("spec.stages[1].nodeSelector", "kubernetes.io/arch=amd64", "kubernetes.io/arch=arm64",
            "ReadWriteMany");
    sb.getSpec().workspace = new Workspace();
    sb.getSpec().workspace.accessModes = List.of("ReadWriteMany");
    assertThat(dev.stagebuild.security.SpecValidator.problems(sb)).isEmpty();
  }

  static StageSettings stageOn(String stage, String arch) {
    StageSettings s = new StageSettings();
    s.name = stage;
    s.nodeSelector = Map.of("kubernetes.io/arch", arch);
    return s;
  }

  @Test
  void aSourceRunsFirst() {
    sb.getSpec().source = new Source();
    sb.getSpec().source.configMap = new LocalObjectRef("src");
    BuildDecision d = decide(T0);
    assertThat(d.createPods()).containsExactly(new StepStart("source", 1));
    steps.add(state("source", 1, StepPhase.RUNNING));
    assertThat(decide(T0).createPods()).isEmpty();
    steps.set(0, state("source", 1, StepPhase.SUCCEEDED));
    assertThat(decide(T0).createPods()).containsExactly(new StepStart("left", 1), new StepStart("right", 1));
  }

  @Test
  void failedSourceFailsTheBuild() {
    sb.getSpec().source = new Source();
    sb.getSpec().source.configMap = new LocalObjectRef("src");
    steps.add(state("source", 1, StepPhase.FAILED));
    BuildDecision d = decide(T0);
    assertThat(condition(d, "Succeeded")).isEqualTo("False/SourceFailed");
    assertThat(d.createPods()).isEmpty();
  }

  @Test
  void aFailedAttemptIsRetriedWhileRetriesRemainThenFailsTheBuild() {
    sb.getSpec().retries = 1;
    steps.add(state("left", 1, StepPhase.FAILED));
    steps.add(state("right", 1, StepPhase.RUNNING));
    BuildDecision d = decide(T0);
    assertThat(d.createPods()).containsExactly(new StepStart("left", 2));
    assertThat(d.status().stages.get(0).phase).isEqualTo("Retrying");
    assertThat(d.events()).extracting(BuildEvent::reason).contains("StageRetrying");

    steps.add(state("left", 2, StepPhase.FAILED));
    d = decide(T0.plusSeconds(10));
    assertThat(condition(d, "Succeeded")).isEqualTo("False/StageFailed");
    assertThat(condition(d, "Stalled")).isEqualTo("True/StageFailed");
    assertThat(Conditions.find(d.status().conditions, "Reconciling")).isNull();
    assertThat(Conditions.find(d.status().conditions, "Succeeded").getMessage())
        .contains("stage left failed", "attempt 2", "exit code 1: boom");
    assertThat(d.createPods()).isEmpty();
    assertThat(d.deletePods()).containsExactly("app-1-right");
    assertThat(d.finished()).isTrue();
  }

  @Test
  void withTheShippedSettingsOnlyWarningsAreRecordedAsEvents() {
    BuildDecider shipped = new BuildDecider(new OperatorSettings(SETTINGS.pendingTimeout(),
        SETTINGS.missingObjectGrace(), SETTINGS.inspectRetry(), SETTINGS.defaultBuildTimeout(), false,
        OperatorSettings.DEFAULT_POD_RETENTION));
    var plan = PlanOutcome.of(Planner.plan(DIAMOND, Map.of(), null));
    sb.getMetadata().setGeneration(1L);
    List<BuildEvent> recorded = new ArrayList<>();
    // Every transition of a build that succeeds: started, each stage running then done, the end.
    List<List<StepState>> passes = List.of(List.of(),
        List.of(state("left", 1, StepPhase.RUNNING), state("right", 1, StepPhase.RUNNING)),
        List.of(state("left", 1, StepPhase.SUCCEEDED), state("right", 1, StepPhase.SUCCEEDED)),
        List.of(state("left", 1, StepPhase.SUCCEEDED), state("right", 1, StepPhase.SUCCEEDED),
            state("final", 1, StepPhase.RUNNING)),
        List.of(state("left", 1, StepPhase.SUCCEEDED), state("right", 1, StepPhase.SUCCEEDED),
            new StepState("final", 1, "app-1-final", StepPhase.SUCCEEDED, 0, null, null, DIGEST, T0, T0, T0, null)));
    BuildDecision d = null;
    for (int i = 0; i < passes.size(); i++) {
      d = shipped.decide(new BuildDecider.Inputs(sb, "1", plan, null, passes.get(i),
          Inspection.of(1000L, List.of()), T0.plusSeconds(i)));
      sb.setStatus(d.status());
      recorded.addAll(d.events());
    }
    assertThat(condition(d, "Succeeded")).isEqualTo("True/Succeeded");
    assertThat(recorded).as("a build that succeeds records no Normal event: its conditions say it").isEmpty();

    // A stage that fails: its warning and the build's.
    sb.setStatus(null);
    d = shipped.decide(new BuildDecider.Inputs(sb, "1", plan, null, passes.get(1), null, T0));
    sb.setStatus(d.status());
    d = shipped.decide(new BuildDecider.Inputs(sb, "1", plan, null,
        List.of(state("left", 1, StepPhase.FAILED), state("right", 1, StepPhase.RUNNING)), null, T0.plusSeconds(1)));
    assertThat(d.events()).as("the stage's failure, then the build's").extracting(BuildEvent::reason)
        .containsExactly("StageFailed", "BuildFailed");

    // Switched on, the same successful build also says so.
    d = decider.decide(new BuildDecider.Inputs(sb, "1", plan, null, passes.get(passes.size() - 1),
        Inspection.of(1000L, List.of()), T0.plusSeconds(9)));
    assertThat(d.events()).extracting(BuildEvent::reason).contains("BuildSucceeded");
  }

  @Test
  void aFinishedBuildIsNeverRunAgain() {
    steps.add(state("left", 1, StepPhase.FAILED));
    decide(T0);
    steps.clear();
    BuildDecision d = decide(T0.plusSeconds(60));
    assertThat(d.createPods()).isEmpty();
    assertThat(condition(d, "Succeeded")).isEqualTo("False/StageFailed");
  }

  @Test
  void theBuildTimesOutAndStopsItsPods() {
    sb.getSpec().timeoutSeconds = 60L;
    steps.add(state("left", 1, StepPhase.RUNNING));
    BuildDecision first = decide(T0);
    assertThat(first.requeueAfter()).isEqualTo(Duration.ofSeconds(60));
    BuildDecision d = decide(T0.plusSeconds(61));
    assertThat(condition(d, "Succeeded")).isEqualTo("False/Timeout");
    assertThat(d.deletePods()).containsExactly("app-1-left");
  }

  @Test
  void aTimeoutSaysWhatTheBuildWasWaitingFor() {
    sb.getSpec().timeoutSeconds = 60L;
    decide(T0, new Blocker("SecretNotFound", "secret push-creds not found"), null);
    BuildDecision d = decide(T0.plusSeconds(61));
    assertThat(Conditions.find(d.status().conditions, "Succeeded").getMessage())
        .isEqualTo("the build did not finish within timeoutSeconds=60; it was SecretNotFound: secret push-creds not"
            + " found (waiting up to " + SETTINGS.missingObjectGrace().toSeconds() + "s for it)");
  }

  @Test
  void aPodPendingForAReasonIsReportedThenFailedAfterTheBound() {
    StepState pulling = new StepState("left", 1, "app-1-left", StepPhase.PENDING, null, "ImagePullFailed",
        "ImagePullBackOff: Back-off pulling image", null, T0, null, null, null);
    steps.add(pulling);
    BuildDecision d = decide(T0.plusSeconds(30));
    assertThat(condition(d, "Succeeded")).isEqualTo("Unknown/ImagePullFailed");
    assertThat(d.requeueAfter()).isLessThanOrEqualTo(Duration.ofSeconds(271));
    steps.set(0, new StepState("left", 1, "app-1-left", StepPhase.STUCK, null, "ImagePullFailed",
        "ImagePullBackOff: Back-off pulling image (pending for more than 300s)", null, T0, null, T0, null));
    d = decide(T0.plusSeconds(301));
    assertThat(condition(d, "Succeeded")).isEqualTo("False/ImagePullFailed");
  }

  @Test
  void aMissingSecretIsWaitedForThenFailsTheBuild() {
    Blocker missing = new Blocker("SecretNotFound", "Secret regcred does not exist");
    BuildDecision d = decide(T0, missing, null);
    assertThat(condition(d, "Succeeded")).isEqualTo("Unknown/SecretNotFound");
    assertThat(d.createPods()).isEmpty();
    assertThat(d.requeueAfter()).isEqualTo(Duration.ofSeconds(5));
    // the last recheck comes just after the grace, not up to five seconds later
    d = decide(T0.plusSeconds(58), missing, null);
    assertThat(d.requeueAfter()).isEqualTo(Duration.ofMillis(2010));
    d = decide(T0.plusSeconds(60), missing, null);
    assertThat(condition(d, "Succeeded")).isEqualTo("Unknown/SecretNotFound");
    assertThat(d.requeueAfter()).isEqualTo(Duration.ofMillis(10));
    d = decide(T0.plusMillis(60_010), missing, null);
    assertThat(condition(d, "Succeeded")).isEqualTo("False/SecretNotFound");
  }

  @Test
  void anInvalidDockerfileFailsAtOnce() {
    sb.getMetadata().setGeneration(1L);
    BuildDecision d = decider.decide(new BuildDecider.Inputs(sb, "1",
        PlanOutcome.failed(new DockerfileException(3, "COPY needs a source and a destination")), null, List.of(),
        null, T0));
    assertThat(condition(d, "Succeeded")).isEqualTo("False/InvalidDockerfile");
    assertThat(Conditions.find(d.status().conditions, "Succeeded").getMessage()).startsWith("line 3:");
  }

  @Test
  void successReportsTheDigestAndSizeAndKeepsTransitionTimes() {
    steps.add(state("left", 1, StepPhase.SUCCEEDED));
    steps.add(state("right", 1, StepPhase.SUCCEEDED));
    steps.add(new StepState("final", 1, "app-1-final", StepPhase.RUNNING, null, null, null, null, T0, T0, null,
        "node-a"));
    BuildDecision running = decide(T0);
    String readyFalseSince = Conditions.find(running.status().conditions, "Ready").getLastTransitionTime();
    decide(T0.plusSeconds(5));
    assertThat(Conditions.find(sb.getStatus().conditions, "Ready").getLastTransitionTime()).isEqualTo(readyFalseSince);

    steps.set(2, new StepState("final", 1, "app-1-final", StepPhase.SUCCEEDED, 0, null, null, DIGEST + "\n", T0, T0,
        T0.plusSeconds(9), "node-a"));
    BuildDecision d = decide(T0.plusSeconds(10), null, Inspection.of(9_620_000L, List.of()));
    assertThat(condition(d, "Succeeded")).isEqualTo("True/Succeeded");
    assertThat(condition(d, "Ready")).isEqualTo("True/Succeeded");
    assertThat(condition(d, "ImageInspected")).isEqualTo("True/Inspected");
    assertThat(Conditions.find(d.status().conditions, "Reconciling")).isNull();
    assertThat(d.status().output.digest).isEqualTo(DIGEST);
    assertThat(d.status().output.imageRef).isEqualTo("registry.example.com/test/app@" + DIGEST);
    assertThat(d.status().output.size).isEqualTo(9_620_000L);
    assertThat(d.status().output.sizeText).isEqualTo("9.62MB");
    assertThat(d.status().stagesDone).isEqualTo("3/3");
    assertThat(d.finished()).isTrue();
    assertThat(d.requeueAfter()).as("the end of the pods' retention").isEqualTo(OperatorSettings.DEFAULT_POD_RETENTION.minusSeconds(1));
  }

  @Test
  void aStagePodMountingAnUnmappedSecretIdIsWarnedAboutOnceWhenItStarts() {
    sb = Builds.inline("app", "FROM alpine AS a\nRUN --mount=type=secret,id=npm --mount=type=secret,id=git x\n"
        + "FROM alpine\nCOPY --from=a /x /x\n");
    sb.getSpec().secrets = List.of(new dev.stagebuild.api.BuildSecret("git", "creds", "token"));
    BuildDecision d = decide(T0);
    assertThat(d.createPods()).extracting(BuildDecision.StepStart::step).containsExactly("a");
    assertThat(d.events()).filteredOn(e -> e.reason().equals("SecretNotMapped")).extracting(BuildEvent::message)
        .containsExactly("stage a mounts the secret id npm, which spec.secrets does not map: those RUN steps run"
            + " without it, as BuildKit and kaniko run them; map the id in spec.secrets, or add required to the"
            + " mount to make this an error");
    steps.add(state("a", 1, StepPhase.RUNNING));
    assertThat(decide(T0.plusSeconds(5)).events()).extracting(BuildEvent::reason).doesNotContain("SecretNotMapped");
  }

  @Test
  void aFailedPodsMessageIsOnItsTargetStageOnly() {
    // A pod builds a chain of stages; its message (up to 2,000 characters of what its RUN wrote)
    // copied to each stage of the chain made 500 stages' status over the API server's object limit.
    sb = Builds.inline("app", "FROM busybox AS a\nRUN x\nFROM a AS b\nRUN y\nFROM b AS c\nRUN false\n"
        + "FROM scratch AS fin\nCOPY --from=c /x /x\n");
    steps.add(new StepState("c", 1, "app-1-c", StepPhase.FAILED, 1, "StageFailed", "exit code 1: " + "E".repeat(1990),
        null, T0, T0, T0.plusSeconds(5), "node-a"));
    BuildDecision d = decide(T0.plusSeconds(6));
    assertThat(d.status().stages).extracting(st -> st.name + ":" + st.phase + ":" + (st.message == null ? null
        : st.message.length())).containsExactly("a:Failed:null", "b:Failed:null", "c:Failed:2003", "fin:Waiting:null");
    // the events of the chain's other stages name the pod instead of saying "null"
    assertThat(d.events()).filteredOn(e -> e.reason().equals("StageFailed")).extracting(BuildEvent::message)
        .containsExactly("stage a failed in pod app-1-c", "stage b failed in pod app-1-c",
            "stage c failed: exit code 1: " + "E".repeat(1990));
  }

  @Test
  void aStageThatIsNotTheFinalOneReportsNoResult() {
    // Any RUN can write /dev/termination-log; stage.sh overwrites it only in the final pod.
    steps.add(new StepState("left", 1, "app-1-left", StepPhase.SUCCEEDED, 0, null, null,
        DIGEST.replace('0', 'f') + "\n", T0, T0, T0.plusSeconds(3), "node-a"));
    steps.add(new StepState("right", 1, "app-1-right", StepPhase.SUCCEEDED, 0, null, null,
        "\u001b]0;pwned\u0007 " + "x".repeat(4000), T0, T0, T0.plusSeconds(3), "node-a"));
    steps.add(new StepState("final", 1, "app-1-final", StepPhase.SUCCEEDED, 0, null, null, DIGEST + "\n", T0, T0,
        T0.plusSeconds(9), "node-a"));
    BuildDecision d = decide(T0.plusSeconds(10), null, Inspection.of(1L, List.of()));
    assertThat(d.status().steps).extracting(r -> r.step + "=" + r.result)
        .containsExactly("left=null", "right=null", "final=" + DIGEST);
  }

  @Test
  void aNewBuildStartsFreshButKeepsTransitionTimesHonest() {
    steps.add(state("left", 1, StepPhase.SUCCEEDED));
    steps.add(state("right", 1, StepPhase.SUCCEEDED));
    steps.add(new StepState("final", 1, "app-1-final", StepPhase.SUCCEEDED, 0, null, null, DIGEST, T0, T0, T0, null));
    decide(T0, null, Inspection.of(1234, List.of()));
    steps.clear();
    sb.getMetadata().setGeneration(2L);
    BuildDecision d = decider.decide(new BuildDecider.Inputs(sb, "2",
        PlanOutcome.of(Planner.plan(DIAMOND, Map.of(), null)), null, List.of(), null, T0.plusSeconds(100)));
    assertThat(d.status().buildId).isEqualTo("2");
    assertThat(d.status().startTime).isEqualTo("2026-11-26T10:01:40Z");
    assertThat(d.status().output).isNull();
    assertThat(Conditions.find(d.status().conditions, "ImageInspected")).isNull();
    assertThat(condition(d, "Succeeded")).isEqualTo("Unknown/Pending");
    assertThat(Conditions.find(d.status().conditions, "Succeeded").getLastTransitionTime())
        .isEqualTo("2026-11-26T10:01:40Z");
    assertThat(d.status().steps).extracting(r -> r.step + ":" + r.phase)
        .containsExactly("left:Pending", "right:Pending");
    assertThat(d.createPods()).containsExactly(new StepStart("left", 1), new StepStart("right", 1));
  }

  @Test
  void aFinalPodWithoutDigestFailsThePush() {
    steps.add(state("left", 1, StepPhase.SUCCEEDED));
    steps.add(state("right", 1, StepPhase.SUCCEEDED));
    steps.add(new StepState("final", 1, "app-1-final", StepPhase.SUCCEEDED, 0, null, null, "", T0, T0, T0, null));
    assertThat(condition(decide(T0), "Succeeded")).isEqualTo("False/PushFailed");
  }

  @Test
  void aFailedSizeLookUpIsRetriedWithoutFailingTheBuild() {
    steps.add(state("left", 1, StepPhase.SUCCEEDED));
    steps.add(state("right", 1, StepPhase.SUCCEEDED));
    steps.add(new StepState("final", 1, "app-1-final", StepPhase.SUCCEEDED, 0, null, null, DIGEST, T0, T0, T0, null));
    BuildDecision d = decide(T0, null, Inspection.failed("RegistryUnreachable", "connection refused"));
    assertThat(condition(d, "Succeeded")).isEqualTo("True/Succeeded");
    assertThat(condition(d, "ImageInspected")).isEqualTo("False/RegistryUnreachable");
    assertThat(BuildDecider.owesLookup(d.status())).as("an unreachable registry is asked again").isTrue();
    d = decide(T0.plusSeconds(30), null, Inspection.of(1234, List.of()));
    assertThat(condition(d, "ImageInspected")).isEqualTo("True/Inspected");
    assertThat(d.status().output.size).isEqualTo(1234L);
    assertThat(BuildDecider.owesLookup(d.status())).isFalse();
    assertThat(d.requeueAfter()).as("only the end of the pods' retention is owed").isEqualTo(
        OperatorSettings.DEFAULT_POD_RETENTION.minusSeconds(30));
  }

  @Test
  void aFinishedBuildKeepsItsPodsForItsRetentionThenDeletesThemAndTheStageBuildAfterItsTtl() {
    sb.getSpec().podRetentionSeconds = 60L;
    sb.getSpec().ttlSecondsAfterFinished = 600L;
    steps.add(state("left", 1, StepPhase.SUCCEEDED));
    steps.add(state("right", 1, StepPhase.SUCCEEDED));
    steps.add(new StepState("final", 1, "app-1-final", StepPhase.SUCCEEDED, 0, null, null, DIGEST, T0, T0, T0, null));
    BuildDecision d = decide(T0, null, Inspection.of(1, List.of()));
    assertThat(d.requeueAfter()).isEqualTo(Duration.ofSeconds(60));
    d = decide(T0.plusSeconds(30));
    assertThat(d.cleanUp()).isFalse();
    assertThat(d.deletePods()).isEmpty();
    assertThat(d.requeueAfter()).isEqualTo(Duration.ofSeconds(30));
    d = decide(T0.plusSeconds(61));
    assertThat(d.cleanUp()).isTrue();
    assertThat(d.deletePods()).containsExactlyInAnyOrder("app-1-left", "app-1-right", "app-1-final");
    assertThat(d.status().cleanupTime).isEqualTo("2026-11-26T10:01:01Z");
    assertThat(d.deleteStageBuild()).isFalse();
    d = decide(T0.plusSeconds(62));
    assertThat(d.cleanUp()).as("once").isFalse();
    assertThat(decide(T0.plusSeconds(600)).deleteStageBuild()).isTrue();
  }

  @Test
  void aFinishedBuildsDecisionLeavesItsInputsAlone() {
    sb.getSpec().podRetentionSeconds = 60L;
    steps.add(state("left", 1, StepPhase.SUCCEEDED));
    steps.add(state("right", 1, StepPhase.SUCCEEDED));
    steps.add(new StepState("final", 1, "app-1-final", StepPhase.SUCCEEDED, 0, null, null, DIGEST, T0, T0, T0, null));
    decide(T0);
    var in = new BuildDecider.Inputs(sb, "1", PlanOutcome.awaitingSource(), null, List.copyOf(steps),
        Inspection.of(5, List.of()), T0.plusSeconds(61));
    BuildDecision first = decider.decide(in);
    BuildDecision second = decider.decide(in);
    assertThat(first.cleanUp()).isTrue();
    assertThat(second.cleanUp()).as("the first decision did not write into the status it was given").isTrue();
    assertThat(sb.getStatus().cleanupTime).isNull();
    assertThat(sb.getStatus().output.size).isNull();
    assertThat(second.status().output.size).isEqualTo(5L);
  }

  @Test
  void anAnswerThatWillNotChangeEndsTheLookUps() {
    steps.add(state("left", 1, StepPhase.SUCCEEDED));
    steps.add(state("right", 1, StepPhase.SUCCEEDED));
    steps.add(new StepState("final", 1, "app-1-final", StepPhase.SUCCEEDED, 0, null, null, DIGEST, T0, T0, T0, null));
    BuildDecision d = decide(T0, null, Inspection.failed("RegistryUnauthorized", "401"));
    assertThat(condition(d, "ImageInspected")).isEqualTo("False/RegistryUnauthorized");
    assertThat(BuildDecider.owesLookup(d.status())).isFalse();
  }

  void finalPodPushed() {
    steps.add(state("left", 1, StepPhase.SUCCEEDED));
    steps.add(state("right", 1, StepPhase.SUCCEEDED));
    steps.add(new StepState("final", 1, "app-1-final", StepPhase.SUCCEEDED, 0, null, null, DIGEST, T0, T0, T0, null));
  }

  @Test
  void aDigestTheRegistryDoesNotHoldWithdrawsTheSucceededBuild() {
    finalPodPushed();
    BuildDecision d = decide(T0);
    assertThat(condition(d, "Succeeded")).isEqualTo("True/Succeeded");
    assertThat(BuildDecider.owesLookup(d.status())).isTrue();

    d = decide(T0.plusSeconds(1), null, Inspection.withdrawn("DigestMismatch", "the tag resolves elsewhere"));
    for (String type : List.of("Succeeded", "Ready", "ImageInspected")) {
      assertThat(condition(d, type)).as(type).isEqualTo("False/DigestMismatch");
    }
    assertThat(condition(d, "Stalled")).isEqualTo("True/DigestMismatch");
    assertThat(Conditions.find(d.status().conditions, "Succeeded").getMessage()).isEqualTo("the tag resolves elsewhere");
    assertThat(d.status().output.digest).as("never reported as the image's digest").isNull();
    assertThat(d.status().output.imageRef).isNull();
    assertThat(d.status().output.image).isEqualTo(sb.getSpec().output.image);
    assertThat(d.events()).containsExactly(BuildEvent.warning("BuildFailed",
        "DigestMismatch: the tag resolves elsewhere"));
    assertThat(BuildDecider.owesLookup(d.status())).isFalse();
    assertThat(d.finished()).isTrue();

    d = decide(T0.plusSeconds(2));
    assertThat(condition(d, "Succeeded")).isEqualTo("False/DigestMismatch");
    assertThat(d.events()).isEmpty();
  }

  @Test
  void aWithdrawingAnswerInTheSucceedingPassFailsTheBuildWithoutADigest() {
    finalPodPushed();
    BuildDecision d = decide(T0, null, Inspection.withdrawn("ImageNotFound", "neither tag nor digest"));
    assertThat(condition(d, "Succeeded")).isEqualTo("False/ImageNotFound");
    assertThat(condition(d, "ImageInspected")).isEqualTo("False/ImageNotFound");
    // the image named, no digest: as when the end was written before the answer came
    assertThat(d.status().output.image).isNotNull();
    assertThat(d.status().output.digest).isNull();
    assertThat(d.status().output.imageRef).isNull();
  }

  @Test
  void aMovedTagKeepsTheReportedDigestAndSaysSo() {
    finalPodPushed();
    BuildDecision d = decide(T0, null, Inspection.tagMoved(5, List.of(), "the tag now resolves to sha256:b"));
    assertThat(condition(d, "Succeeded")).isEqualTo("True/Succeeded");
    assertThat(condition(d, "ImageInspected")).isEqualTo("True/TagMoved");
    assertThat(Conditions.find(d.status().conditions, "ImageInspected").getMessage())
        .isEqualTo("the tag now resolves to sha256:b");
    assertThat(d.status().output.digest).isEqualTo(DIGEST);
    assertThat(d.status().output.size).isEqualTo(5L);
  }
}
