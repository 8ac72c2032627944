package dev.stagebuild.reconciler;

import dev.stagebuild.api.OutputStatus;
import dev.stagebuild.api.Sizes;
import dev.stagebuild.api.SourceStatus;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildStatus;
import dev.stagebuild.api.StageSettings;
import dev.stagebuild.api.StageStatus;
import dev.stagebuild.api.StepRecord;
import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.kaniko.BuildNames;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.PodPlan;
import dev.stagebuild.plan.SecretMounts;
import dev.stagebuild.plan.StagePlan;
import dev.stagebuild.registry.ImageReference;
import dev.stagebuild.reconciler.BuildDecision.StepStart;
import dev.stagebuild.reconciler.StepLedger.Entry;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The heart of the reconciler, without any I/O: from the StageBuild (its status holds the record of
 * every step), its plan and the states of its pods, decides the status and the next pods. Running
 * it twice on the same inputs gives the same answer.
 */
public final class BuildDecider {
  public static final String SOURCE_STEP = BuildNames.SOURCE_STEP;
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final Duration BLOCKER_RECHECK = Duration.ofSeconds(5);
  private static final Duration JUST_AFTER = Duration.ofMillis(10);
  /** Pods of one step lost to evictions and deletions before the build gives up on the cluster. */
  static final int MAX_DISRUPTIONS = 5;
  /** Source re-runs when what the source pod reported could not be read back. */
  static final int MAX_SOURCE_REREADS = 2;
  /** A stage that outlives its timeoutSeconds by this much is failed by the operator (the kubelet should have). */
  static final Duration STAGE_DEADLINE_GRACE = Duration.ofSeconds(30);
  /**
   * ImageInspected reasons after which the image is not looked up again: answers a new look-up
   * would repeat, and the operator's giving up on a registry it could not ask.
   */
  static final Set<String> FINAL_INSPECTION_REASONS = Set.of("RegistryUnauthorized", "ImageNotFound",
      "RegistryProtocolError", "InvalidSpec", "SecretNotFound", "InvalidSecret", "CABundleNotFound",
      "DigestMismatch", RegistryLookups.ABANDONED);
  static final String CANCELLED = "Cancelled";
  private static final String UNSCHEDULABLE = "Unschedulable";
  /** How much of the last in-progress message a timeout's message repeats. */
  static final int LAST_PROGRESS_CHARS = 1024;

  private final OperatorSettings settings;

  public BuildDecider(OperatorSettings settings) {
    this.settings = settings;
  }

  /**
   * Inputs of one decision.
   *
   * @param steps every pod of the current build (all attempts) as the informer sees it
   * @param inspection the registry's answer about the pushed image, when one has arrived
   * @param refusal a permanent refusal met while acting on the previous decision of this pass
   */
  public record Inputs(StageBuild build, String buildId, PlanOutcome plan, Blocker blocker,
      List<StepState> steps, Inspection inspection, Refusal refusal, Instant now) {
    public Inputs(StageBuild build, String buildId, PlanOutcome plan, Blocker blocker, List<StepState> steps,
        Inspection inspection, Instant now) {
      this(build, buildId, plan, blocker, steps, inspection, null, now);
    }
  }

  public BuildDecision decide(Inputs in) {
    return new Pass(in).run();
  }

  /** One decision's working state. */
  private final class Pass {
    private final Inputs in;
    private final StageBuild sb;
    private final StageBuildStatus old;
    private final StageBuildStatus status = new StageBuildStatus();
    private final long generation;
    private final Map<String, Entry> ledger;
    private final List<StepStart> create = new ArrayList<>();
    private final Map<String, StepRecord> started = new LinkedHashMap<>();
    private final List<String> delete = new ArrayList<>();
    private final List<BuildEvent> events = new ArrayList<>();
    private final Instant start;
    private final int retries;
    private Duration requeue;

    Pass(Inputs in) {
      this.in = in;
      this.sb = in.build();
      StageBuildStatus previous = sb.getStatus();
      boolean sameBuild = previous != null && in.buildId().equals(previous.buildId);
      this.old = sameBuild ? previous : new StageBuildStatus();
      this.generation = Optional.ofNullable(sb.getMetadata().getGeneration()).orElse(1L);
      this.ledger = StepLedger.of(old.steps, in.steps(), in.now());
      Instant oldStart = Times.parse(old.startTime);
      // Not written yet (a fresh StageBuild's first status may be held back): the build started
      // when its first pod was created, not at this pass.
      Instant firstPod = in.steps() == null ? null : in.steps().stream().map(StepState::created)
          .filter(java.util.Objects::nonNull).min(Instant::compareTo).orElse(null);
      this.start = oldStart != null ? oldStart
          : firstPod != null && firstPod.isBefore(in.now()) ? firstPod : in.now();
      this.retries = sb.getSpec().retries == null ? 0 : Math.max(0, sb.getSpec().retries);
      status.buildId = in.buildId();
      status.observedGeneration = generation;
      status.startTime = Times.format(start);
      // Conditions of an earlier build are carried so that lastTransitionTime stays honest.
      status.conditions = previous == null || previous.conditions == null
          ? new ArrayList<>() : new ArrayList<>(previous.conditions);
      if (!sameBuild) {
        // The image look-up belonged to the previous build's image.
        status.conditions = Conditions.remove(status.conditions, Conditions.IMAGE_INSPECTED);
      }
    }

    BuildDecision run() {
      if (isFinished(old)) {
        return finishedAlready();
      }
      PlanOutcome plan = in.plan();
      if (plan.known()) {
        stageStatuses(plan.plan());
      } else {
        stageStatuses(null);
      }
      if (Boolean.TRUE.equals(sb.getSpec().cancel)) {
        return fail("Cancelled", "the build was cancelled (spec.cancel: true); set spec.cancel to false to start a"
            + " new build");
      }
      if (in.refusal() != null) {
        return fail(in.refusal().reason(), in.refusal().message());
      }
      if (plan.error() != null) {
        return fail(planReason(plan.error()), plan.error().getMessage());
      }
      Duration timeout = buildTimeout();
      Instant deadline = start.plus(timeout);
      if (!in.now().isBefore(deadline)) {
        return fail("Timeout", "the build did not finish within timeoutSeconds=" + timeout.toSeconds()
            + lastProgress());
      }
      if (in.blocker() != null) {
        Blocker b = in.blocker();
        if (Duration.between(start, in.now()).compareTo(settings.missingObjectGrace()) > 0) {
          return fail(b.reason(), b.message());
        }
        // Rechecked every few seconds, and just after the grace ends, so the build fails when the
        // grace says rather than up to one recheck later.
        requeueWithin(BLOCKER_RECHECK);
        requeueWithin(Duration.between(in.now(), start.plus(settings.missingObjectGrace())).plus(JUST_AFTER));
        return pending(b.reason(), b.message() + " (waiting up to "
            + settings.missingObjectGrace().toSeconds() + "s for it)");
      }
      requeueWithin(Duration.between(in.now(), deadline));

      if (sb.getSpec().source != null) {
        BuildDecision waiting = advanceSource();
        if (waiting != null) {
          return waiting;
        }
      }
      if (!plan.known()) {
        // The source is done but the reconciler had no plan to give: it reads the Dockerfile from the
        // source pod and plans before calling here, so this only happens when that read failed.
        return pending("Planning", "reading the Dockerfile from the source");
      }
      if (plan.plan().usesContext() && sb.getSpec().source == null) {
        return fail("InvalidSpec", "the Dockerfile copies files from the build context, but spec.source is empty: "
            + "set spec.source.git or spec.source.configMap");
      }
      return advanceStages(plan.plan());
    }

    /**
     * What the build was doing when its time ran out (the last in-progress reason and message), so
     * that a timeout after an hour of refusals still names them; empty when not known.
     */
    private String lastProgress() {
      var c = Conditions.find(old.conditions, Conditions.SUCCEEDED);
      if (c == null || !"Unknown".equals(c.getStatus()) || c.getReason() == null) {
        return "";
      }
      return "; it was " + c.getReason() + (c.getMessage() == null || c.getMessage().isBlank() ? ""
          : ": " + dev.stagebuild.Texts.cut(c.getMessage(), LAST_PROGRESS_CHARS, "..."));
    }

    private Duration buildTimeout() {
      return BuildDecider.buildTimeout(sb, settings);
    }

    private BuildDecision advanceSource() {
      Entry e = ledger.get(SOURCE_STEP);
      SourceStatus source = new SourceStatus();
      status.source = source;
      if (e == null) {
        start(SOURCE_STEP, 1, 0, 0);
        source.phase = "Pending";
        return pending("Pending", "fetching the source");
      }
      StepState src = e.state();
      source.podName = src.podName();
      source.phase = phaseName(src.phase());
      switch (src.phase()) {
        case SUCCEEDED -> {
          if (sb.getSpec().source.git != null) {
            source.commit = StepLedger.firstLine(src.terminationMessage());
          }
          String unreadable = in.plan().sourceUnreadable();
          if (unreadable != null && !in.plan().known()) {
            if (e.disruptions() < MAX_SOURCE_REREADS) {
              start(SOURCE_STEP, src.attempt() + 1, e.failures(), e.disruptions() + 1);
              events.add(BuildEvent.warning("SourceRetrying", "what the source pod reported could not be read ("
                  + unreadable + "); fetching the source again"));
              source.phase = "Pending";
              return running("what the source pod reported could not be read; fetching the source again");
            }
            return fail("SourceUnreadable", "the Dockerfile could not be read from the source pod "
                + src.podName() + " after " + (e.disruptions() + 1) + " attempts: " + unreadable);
          }
          return null;
        }
        case FAILED -> {
          if (e.failures() + 1 <= retries) {
            start(SOURCE_STEP, src.attempt() + 1, e.failures() + 1, e.disruptions());
            events.add(BuildEvent.warning("SourceRetrying", "source attempt " + src.attempt() + " failed: "
                + src.message()));
            return running("source attempt " + src.attempt() + " failed, retrying");
          }
          return fail("SourceFailed", "fetching the source failed (pod " + src.podName() + "): " + src.message());
        }
        case DISRUPTED -> {
          BuildDecision gaveUp = rerunDisrupted(e, "the source");
          return gaveUp != null ? gaveUp : running("the source pod was lost (" + src.reason() + "); fetching again");
        }
        case STUCK -> {
          if (pinnedWhereItCannotRun(e)) {
            BuildDecision gaveUp = replaceUnplaceable(e, "the source");
            return gaveUp != null ? gaveUp : pending("Pending", "fetching the source");
          }
          return fail(src.reason(), "the source pod " + src.podName() + " could not start: " + src.message());
        }
        default -> {
          if (src.phase() == StepPhase.PENDING && pinnedWhereItCannotRun(e)) {
            BuildDecision gaveUp = replaceUnplaceable(e, "the source");
            return gaveUp != null ? gaveUp : pending("Pending", "fetching the source");
          }
          if (src.phase() == StepPhase.PENDING && src.reason() != null) {
            requeueWithin(pendingLeft(src));
            return pending(src.reason(), "the source pod waits: " + src.message());
          }
          return src.phase() == StepPhase.RUNNING ? running("fetching the source")
              : pending("Pending", "fetching the source");
        }
      }
    }

    /** Starts a lost step again, or ends the build when the cluster keeps taking its pods away. */
    private BuildDecision rerunDisrupted(Entry e, String what) {
      StepState s = e.state();
      if (e.disruptions() + 1 > MAX_DISRUPTIONS) {
        return fail("Disrupted", what + " lost " + (e.disruptions() + 1) + " pods in a row (last: " + s.podName()
            + ", " + s.message() + ")");
      }
      start(s.step(), s.attempt() + 1, e.failures(), e.disruptions() + 1);
      events.add(BuildEvent.warning("PodDisrupted", what + ": " + s.message() + "; starting attempt "
          + (s.attempt() + 1) + " (not counted against retries)"));
      return null;
    }

    private BuildDecision advanceStages(BuildPlan plan) {
      String failedReason = null;
      String failedMessage = null;
      deleteSupersededPods();
      for (PodPlan pod : plan.pods()) {
        Entry e = ledger.get(stageStep(pod.name()));
        if (e == null) {
          boolean ready = pod.dependsOn().stream().allMatch(d -> phaseOf(stageStep(d)) == StepPhase.SUCCEEDED);
          if (ready) {
            start(stageStep(pod.name()), 1, 0, 0);
            unmappedSecrets(pod);
          }
          continue;
        }
        StepState st = e.state();
        switch (st.phase()) {
          case FAILED -> {
            if (e.failures() + 1 <= retries) {
              start(st.step(), st.attempt() + 1, e.failures() + 1, e.disruptions());
              events.add(BuildEvent.warning("StageRetrying", "stage " + pod.name() + " attempt " + st.attempt()
                  + " failed (" + st.message() + "); starting attempt " + (st.attempt() + 1)));
            } else if (failedReason == null) {
              failedReason = st.reason() == null ? "StageFailed" : st.reason();
              failedMessage = "stage " + pod.name() + " failed (pod " + st.podName() + ", attempt " + st.attempt()
                  + "): " + (st.message() == null ? "exit code " + st.exitCode() : st.message());
            }
          }
          case DISRUPTED -> {
            BuildDecision gaveUp = rerunDisrupted(e, "stage " + pod.name());
            if (gaveUp != null) {
              return gaveUp;
            }
          }
          case PENDING, STUCK -> {
            String home = misplacedFrom(e);
            if (home != null) {
              // Waiting, even past the pending timeout, for a workspace in use on another node is no
              // reason to fail: the step starts again there.
              BuildDecision gaveUp = replaceMisplaced(e, "stage " + pod.name(), home);
              if (gaveUp != null) {
                return gaveUp;
              }
            } else if (pinnedWhereItCannotRun(e)) {
              // Pinned, while nothing held the workspace, to a node that has taken no pods for a
              // while (cordoned for a drain, gone, full): the step starts again without that pin.
              BuildDecision gaveUp = replaceUnplaceable(e, "stage " + pod.name());
              if (gaveUp != null) {
                return gaveUp;
              }
            } else if (st.phase() == StepPhase.STUCK && failedReason == null) {
              failedReason = st.reason();
              failedMessage = "stage " + pod.name() + " could not start (pod " + st.podName() + "): " + st.message();
            } else if (st.phase() == StepPhase.PENDING && st.reason() != null) {
              requeueWithin(pendingLeft(st));
            }
          }
          case RUNNING -> {
            Instant stageDeadline = stageDeadline(pod, st);
            if (stageDeadline != null && !in.now().isBefore(stageDeadline) && failedReason == null) {
              failedReason = "Timeout";
              failedMessage = "stage " + pod.name() + " ran past its timeoutSeconds (pod " + st.podName() + ")";
            } else if (stageDeadline != null) {
              requeueWithin(Duration.between(in.now(), stageDeadline));
            }
          }
          default -> { }
        }
      }
      stageStatuses(plan);
      if (failedReason != null) {
        return fail(failedReason, failedMessage);
      }
      Entry fin = ledger.get(stageStep(plan.finalPod()));
      if (fin != null && fin.state().phase() == StepPhase.SUCCEEDED) {
        return succeed(fin.state());
      }
      long done = status.stages.stream().filter(s -> "Succeeded".equals(s.phase)).count();
      // A pod replaced in this pass waits for nothing any more.
      List<StepState> waitingPods = plan.pods().stream().map(p -> ledger.get(stageStep(p.name())))
          .filter(e -> e != null && e.state().phase() == StepPhase.PENDING && e.state().reason() != null
              && !started.containsKey(e.state().step()))
          .map(Entry::state).toList();
      if (!waitingPods.isEmpty()) {
        return pending(waitingPods.get(0).reason(),
            waitingPods.stream().map(s -> s.step() + ": " + s.message()).collect(Collectors.joining("; ")));
      }
      // Pods this pass creates count as running already: the message stays the same when they
      // appear in the cache, so that is no reason for a status write.
      String runningNames = plan.pods().stream().filter(p -> {
        Entry e = ledger.get(stageStep(p.name()));
        return (e != null && !e.state().terminal()) || (e == null && started.containsKey(stageStep(p.name())));
      }).map(PodPlan::name).collect(Collectors.joining(", "));
      boolean anyStarted = ledger.values().stream()
          .anyMatch(e -> e.state().phase() != StepPhase.PENDING && !SOURCE_STEP.equals(e.state().step()));
      if (!anyStarted) {
        return pending("Pending", "starting pods for " + (runningNames.isEmpty() ? "the first stages" : runningNames));
      }
      return running(done + "/" + status.stages.size() + " stages done"
          + (runningNames.isEmpty() ? "" : "; running: " + runningNames));
    }

    /**
     * The node a pending pod cannot start beside, or null. On a ReadWriteOnce workspace the pods of a
     * first wave are created together and kept together by their pod affinity (the scheduler counts a
     * pod it has placed but not yet bound); a pod the scheduler placed once the others had ended (it
     * does not see finished pods, so the affinity no longer binds) or a second scheduler placed can
     * land on another node, where the workspace cannot attach while a pod of the build runs elsewhere.
     * A pod not placed yet is misplaced too when it is pinned to another node than that one (pinned
     * while no pod held the workspace, to where an earlier attempt ran): it cannot be scheduled at all
     * while the build's pods run there, and one kept alive by a sidecar runs until the build ends.
     */
    private String misplacedFrom(Entry e) {
      StepState st = e.state();
      String where = st.nodeName() != null ? st.nodeName() : st.pinnedNode();
      if (NodeConstraints.sharedAcrossNodes(sb) || !e.live() || !st.podActive() || where == null) {
        return null;
      }
      String home = homeNode();
      return home != null && !home.equals(where) ? home : null;
    }

    /**
     * A pod that never started and whose step has a later attempt goes, on every pass until it is
     * gone: the pass that replaced it may have ended before its delete (a conflict, an API error).
     */
    private void deleteSupersededPods() {
      for (StepState s : in.steps()) {
        Entry latest = ledger.get(s.step());
        if (s.podActive() && s.phase() == StepPhase.PENDING && latest != null
            && latest.state().attempt() > s.attempt() && !delete.contains(s.podName())) {
          delete.add(s.podName());
        }
      }
    }

    /**
     * A pod pinned to a node the scheduler will not place it on (Unschedulable), while no pod of the
     * build holds the ReadWriteOnce workspace: the pin only followed where an earlier pod ran, and
     * the volume's own node affinity still binds the new pod.
     */
    private boolean pinnedWhereItCannotRun(Entry e) {
      StepState st = e.state();
      if (NodeConstraints.sharedAcrossNodes(sb) || !e.live() || !st.podActive() || st.nodeName() != null
          || st.pinnedNode() == null || !UNSCHEDULABLE.equals(st.reason()) || homeNode() != null) {
        return false;
      }
      // Not at the first refusal (a node full for a moment): after half the pending timeout.
      Duration waited = st.created() == null ? Duration.ZERO : Duration.between(st.created(), in.now());
      Duration due = settings.pendingTimeout().dividedBy(2);
      if (waited.compareTo(due) < 0) {
        requeueWithin(due.minus(waited));
        return false;
      }
      return true;
    }

    /** Nodes a pod of this build was pinned to and could not be placed on: never pinned to again in this pass. */
    private Set<String> unplaceableNodes() {
      return in.steps().stream().filter(s -> s.podActive() && s.nodeName() == null && s.pinnedNode() != null
          && UNSCHEDULABLE.equals(s.reason())).map(StepState::pinnedNode).collect(Collectors.toSet());
    }

    private BuildDecision replaceUnplaceable(Entry e, String what) {
      StepState s = e.state();
      if (e.disruptions() + 1 > MAX_DISRUPTIONS) {
        return fail("Disrupted", what + " lost " + (e.disruptions() + 1) + " pods in a row (last: " + s.podName()
            + ", pinned to " + s.pinnedNode() + ", where it cannot be scheduled: " + s.message() + ")");
      }
      if (!delete.contains(s.podName())) {
        delete.add(s.podName());
      }
      start(s.step(), s.attempt() + 1, e.failures(), e.disruptions() + 1);
      events.add(BuildEvent.warning("PodMisplaced", what + ": pod " + s.podName() + " is pinned to "
          + s.pinnedNode() + ", where it could not be scheduled for " + settings.pendingTimeout().dividedBy(2)
          .toSeconds() + "s (" + s.message() + "), and no pod of the build holds its workspace; starting attempt "
          + (s.attempt() + 1) + " without that node (not counted against retries)"));
      return null;
    }

    /** The misplaced pod goes (it never started) and its step starts again on the build's node. */
    private BuildDecision replaceMisplaced(Entry e, String what, String home) {
      StepState s = e.state();
      if (e.disruptions() + 1 > MAX_DISRUPTIONS) {
        return fail("Disrupted", what + " lost " + (e.disruptions() + 1) + " pods in a row (last: " + s.podName()
            + (s.nodeName() != null ? ", scheduled on " + s.nodeName() : ", pinned to " + s.pinnedNode())
            + " while the build's ReadWriteOnce workspace is in use on " + home + ")");
      }
      if (!delete.contains(s.podName())) {
        delete.add(s.podName());
      }
      start(s.step(), s.attempt() + 1, e.failures(), e.disruptions() + 1);
      events.add(BuildEvent.warning("PodMisplaced", what + ": pod " + s.podName() + (s.nodeName() != null
          ? " was scheduled on " + s.nodeName() : " is pinned to " + s.pinnedNode())
          + ", but the build's ReadWriteOnce workspace is in use on " + home + "; starting attempt "
          + (s.attempt() + 1) + " there (not counted against retries)"));
      return null;
    }

    private Instant stageDeadline(PodPlan pod, StepState st) {
      StageSettings stage = NodeConstraints.settingsFor(sb, pod);
      if (stage == null || stage.timeoutSeconds == null || st.started() == null) {
        return null;
      }
      long seconds = Math.min(Math.max(1, stage.timeoutSeconds), Duration.ofDays(3650).toSeconds());
      return st.started().plusSeconds(seconds).plus(STAGE_DEADLINE_GRACE);
    }

    private BuildDecision succeed(StepState fin) {
      String digest = StepLedger.firstLine(fin.terminationMessage());
      if (digest == null || !DIGEST.matcher(digest).matches()) {
        return fail("PushFailed", "the final pod " + fin.podName()
            + " succeeded but did not report an image digest (termination message: "
            + (fin.terminationMessage() == null ? "empty" : "'" + PodInspector.tail(fin.terminationMessage()) + "'")
            + ")");
      }
      Inspection inspection = in.inspection();
      if (inspection != null && inspection.withdrawn()) {
        // The registry does not hold what the pod reported: no digest is reported (the image
        // named is, as for a build whose end was written before the answer came).
        OutputStatus out = new OutputStatus();
        out.image = sb.getSpec().output.image;
        status.output = out;
        status.conditions = Conditions.set(status.conditions, Conditions.IMAGE_INSPECTED, "False",
            inspection.errorReason(), inspection.errorMessage(), generation, in.now());
        return fail(inspection.errorReason(), inspection.errorMessage());
      }
      OutputStatus out = new OutputStatus();
      out.image = sb.getSpec().output.image;
      out.digest = digest;
      out.imageRef = imageRef(out.image, digest);
      status.output = out;
      if (inspection != null) {
        applyInspection(status, inspection);
      }
      status.completionTime = Times.format(Optional.ofNullable(fin.finished()).orElse(in.now()));
      String message = "pushed " + out.imageRef;
      setCondition(Conditions.SUCCEEDED, "True", "Succeeded", message);
      setCondition(Conditions.READY, "True", "Succeeded", message);
      status.conditions = Conditions.remove(Conditions.remove(status.conditions, Conditions.RECONCILING),
          Conditions.STALLED);
      normal("BuildSucceeded", message + (out.sizeText == null ? "" : " (" + out.sizeText + ")"));
      stopActivePods();
      requeue = null;
      requeueForRetention(Times.parse(status.completionTime));
      return decision(true);
    }

    /** A finished build is looked at again when its retention or its TTL runs out. */
    private void requeueForRetention(Instant ended) {
      if (ended == null) {
        return;
      }
      requeueWithin(Duration.between(in.now(), ended.plus(retention(sb.getSpec().podRetentionSeconds,
          settings.podRetention()))));
      if (sb.getSpec().ttlSecondsAfterFinished != null) {
        requeueWithin(Duration.between(in.now(), ended.plus(retention(sb.getSpec().ttlSecondsAfterFinished,
            Duration.ZERO))));
      }
    }

    private BuildDecision fail(String reason, String message) {
      status.completionTime = Times.format(in.now());
      create.clear();
      started.clear();
      stopActivePods();
      setCondition(Conditions.SUCCEEDED, "False", reason, message);
      setCondition(Conditions.READY, "False", reason, message);
      status.conditions = Conditions.remove(status.conditions, Conditions.RECONCILING);
      setCondition(Conditions.STALLED, "True", reason, message);
      events.add(BuildEvent.warning(CANCELLED.equals(reason) ? "BuildCancelled" : "BuildFailed",
          reason + ": " + message));
      requeue = null;
      requeueForRetention(in.now());
      return decision(true);
    }

    /** Every pod of the build that still holds a node goes: pending, stuck, running, or kept alive by a sidecar. */
    private void stopActivePods() {
      for (StepState s : in.steps()) {
        if (s.podActive() && !delete.contains(s.podName())) {
          delete.add(s.podName());
        }
      }
    }

    private BuildDecision pending(String reason, String message) {
      return inProgress(reason, message);
    }

    private BuildDecision running(String message) {
      return inProgress("Running", message);
    }

    private BuildDecision inProgress(String reason, String message) {
      setCondition(Conditions.SUCCEEDED, "Unknown", reason, message);
      setCondition(Conditions.READY, "False", reason, message);
      setCondition(Conditions.RECONCILING, "True", reason, message);
      status.conditions = Conditions.remove(status.conditions, Conditions.STALLED);
      return decision(false);
    }

    private BuildDecision finishedAlready() {
      // A finished build is never re-run; only the look-up of the image size may still be owed, and
      // pods that an interrupted pass left running are stopped.
      // The inputs stay as they are (a pass may decide twice on them): the changes go to a copy.
      StageBuildStatus next = changeable(old);
      Inspection inspection = in.inspection();
      List<BuildEvent> ended = List.of();
      if (owesLookup(next) && inspection != null) {
        if (inspection.withdrawn()) {
          withdraw(next, inspection);
          ended = List.of(BuildEvent.warning("BuildFailed", inspection.errorReason() + ": "
              + inspection.errorMessage()));
        } else {
          applyInspection(next, inspection);
        }
      }
      stopActivePods();
      Instant endTime = Times.parse(old.completionTime);
      if (endTime == null) {
        return new BuildDecision(next, List.of(), List.copyOf(delete), null, ended, true, null);
      }
      // Retention: the pods (and their logs) and the plan go after a while; the status keeps the
      // record of every step. The StageBuild itself goes after spec.ttlSecondsAfterFinished.
      Instant cleanUpAt = endTime.plus(retention(sb.getSpec().podRetentionSeconds, settings.podRetention()));
      boolean cleanUp = next.cleanupTime == null && !in.now().isBefore(cleanUpAt);
      if (cleanUp) {
        in.steps().stream().map(StepState::podName).filter(p -> !delete.contains(p)).forEach(delete::add);
        next.cleanupTime = Times.format(in.now());
      } else if (next.cleanupTime == null) {
        requeueWithin(Duration.between(in.now(), cleanUpAt));
      }
      Long ttl = sb.getSpec().ttlSecondsAfterFinished;
      boolean deleteBuild = false;
      if (ttl != null) {
        Instant expires = endTime.plus(retention(ttl, Duration.ZERO));
        deleteBuild = !in.now().isBefore(expires);
        if (!deleteBuild) {
          requeueWithin(Duration.between(in.now(), expires));
        }
      }
      return new BuildDecision(next, List.of(), List.copyOf(delete), null, ended, true, requeue, cleanUp,
          deleteBuild);
    }

    /**
     * The registry contradicts the digest a succeeded build reported: the build ends as failed
     * after all, and the digest (with what was read for it) leaves the status.
     */
    private void withdraw(StageBuildStatus target, Inspection inspection) {
      String reason = inspection.errorReason();
      String message = inspection.errorMessage();
      target.output.digest = null;
      target.output.imageRef = null;
      target.output.size = null;
      target.output.sizeText = null;
      target.output.platforms = null;
      List<Condition> c = target.conditions;
      c = Conditions.set(c, Conditions.IMAGE_INSPECTED, "False", reason, message, generation, in.now());
      c = Conditions.set(c, Conditions.SUCCEEDED, "False", reason, message, generation, in.now());
      c = Conditions.set(c, Conditions.READY, "False", reason, message, generation, in.now());
      c = Conditions.remove(c, Conditions.RECONCILING);
      c = Conditions.set(c, Conditions.STALLED, "True", reason, message, generation, in.now());
      target.conditions = c;
    }

    /** A copy of a status that this pass may change: the fields a finished build's pass sets are its own. */
    private StageBuildStatus changeable(StageBuildStatus s) {
      StageBuildStatus c = new StageBuildStatus();
      c.observedGeneration = s.observedGeneration;
      c.buildId = s.buildId;
      c.conditions = s.conditions == null ? new ArrayList<>() : new ArrayList<>(s.conditions);
      c.startTime = s.startTime;
      c.completionTime = s.completionTime;
      c.cleanupTime = s.cleanupTime;
      c.stagesDone = s.stagesDone;
      c.source = s.source;
      c.stages = s.stages;
      c.steps = s.steps;
      if (s.output != null) {
        OutputStatus o = new OutputStatus();
        o.image = s.output.image;
        o.digest = s.output.digest;
        o.imageRef = s.output.imageRef;
        o.size = s.output.size;
        o.sizeText = s.output.sizeText;
        o.platforms = s.output.platforms;
        c.output = o;
      }
      return c;
    }

    private Duration retention(Long seconds, Duration fallback) {
      return seconds == null ? fallback : Duration.ofSeconds(Math.min(Math.max(0, seconds), 31_536_000L));
    }

    private void applyInspection(StageBuildStatus target, Inspection inspection) {
      if (inspection.ok()) {
        target.output.size = inspection.size();
        target.output.sizeText = Sizes.shortSize(inspection.size());
        target.output.platforms = inspection.platforms() == null || inspection.platforms().isEmpty()
            ? null : inspection.platforms();
        if (inspection.tagMoved()) {
          target.conditions = Conditions.set(target.conditions, Conditions.IMAGE_INSPECTED, "True", "TagMoved",
              inspection.tagMovedMessage(), generation, in.now());
        } else {
          target.conditions = Conditions.set(target.conditions, Conditions.IMAGE_INSPECTED, "True", "Inspected",
              "the tag resolves to the pushed digest; size read from the registry", generation, in.now());
        }
      } else {
        target.conditions = Conditions.set(target.conditions, Conditions.IMAGE_INSPECTED, "False",
            inspection.errorReason(), inspection.errorMessage(), generation, in.now());
      }
    }

    private BuildDecision decision(boolean finished) {
      if (in.plan().known()) {
        // Again, now that the pods this pass starts are final (held back, or none after a failure).
        stageStatuses(in.plan().plan());
      }
      if (status.stages != null) {
        long done = status.stages.stream().filter(s -> "Succeeded".equals(s.phase)).count();
        status.stagesDone = done + "/" + status.stages.size();
      }
      status.steps = records();
      stageEvents();
      return new BuildDecision(status, List.copyOf(create), List.copyOf(delete), finished ? null : pinnedNode(),
          List.copyOf(events), finished, requeue);
    }

    /** Whether the step's termination message is a result: the source's commit, the final pod's digest. */
    private boolean reportsResult(StepRecord r) {
      if (SOURCE_STEP.equals(r.step)) {
        return true;
      }
      if (in.plan().known()) {
        return r.step.equals(stageStep(in.plan().plan().finalPod()));
      }
      // no plan to tell the final pod by (a record read back after the plan is gone): a digest only
      return digestIn(r.result) != null;
    }

    private List<StepRecord> records() {
      Map<String, StepRecord> byStep = new LinkedHashMap<>();
      ledger.values().stream().sorted((a, b) -> a.state().step().compareTo(b.state().step()))
          .forEach(e -> {
            if (e.state().phase() != StepPhase.DISRUPTED) {
              StepRecord r = StepLedger.record(e);
              if (r.result != null && !reportsResult(r)) {
                // any RUN can write /dev/termination-log: only the source pod's commit and the final
                // pod's digest (stage.sh writes it last) are results
                r.result = null;
              }
              byStep.put(e.state().step(), r);
            } else if (old.steps != null) {
              old.steps.stream().filter(r -> r.step.equals(e.state().step())).findFirst()
                  .ifPresent(r -> byStep.put(r.step, r));
            }
          });
      byStep.putAll(started);
      // Source first, then the stages in the order the plan ran them.
      List<StepRecord> result = new ArrayList<>();
      StepRecord source = byStep.remove(SOURCE_STEP);
      if (source != null) {
        result.add(source);
      }
      List<String> order = in.plan().known()
          ? in.plan().plan().pods().stream().map(p -> stageStep(p.name())).toList() : List.of();
      order.stream().map(byStep::remove).filter(Objects::nonNull).forEach(result::add);
      result.addAll(byStep.values());
      return result;
    }

    /**
     * The node every later pod of a ReadWriteOnce build must use: where the workspace is in use (a
     * pod of the build started there and still holds it), else where a pod of the build is scheduled
     * and about to start (it attaches the workspace as soon as it is free: a pod pinned elsewhere
     * could not be placed while it runs), else where the source ran, else where one of its pods was
     * scheduled.
     */
    private String pinnedNode() {
      if (NodeConstraints.sharedAcrossNodes(sb)) {
        return null;
      }
      String home = homeNode();
      if (home != null) {
        return home;
      }
      String next = ledger.values().stream().filter(Entry::live).map(Entry::state)
          .filter(s -> s.podActive() && s.nodeName() != null && s.phase() == StepPhase.PENDING)
          .sorted(Comparator.comparing((StepState s) -> s.created() == null ? Instant.MAX : s.created())
              .thenComparing(StepState::step))
          .map(StepState::nodeName).findFirst().orElse(null);
      if (next != null) {
        return next;
      }
      Set<String> unplaceable = unplaceableNodes();
      Entry source = ledger.get(SOURCE_STEP);
      if (source != null && source.state().nodeName() != null && !unplaceable.contains(source.state().nodeName())) {
        return source.state().nodeName();
      }
      return ledger.values().stream().map(Entry::state)
          .filter(s -> s.nodeName() != null && !unplaceable.contains(s.nodeName()))
          .sorted((a, b) -> a.step().compareTo(b.step())).map(StepState::nodeName).findFirst().orElse(null);
    }

    /**
     * The node of the build's earliest-started pod that holds the workspace, or null: one running,
     * or one whose build container ended while a sidecar keeps the pod (and its volumes) alive.
     */
    private String homeNode() {
      return ledger.values().stream().filter(Entry::live).map(Entry::state)
          .filter(s -> s.podActive() && s.nodeName() != null && (s.phase() == StepPhase.RUNNING
              || s.phase() == StepPhase.SUCCEEDED || s.phase() == StepPhase.FAILED))
          .sorted(Comparator.comparing((StepState s) -> s.started() == null ? Instant.MAX : s.started())
              .thenComparing(StepState::step))
          .map(StepState::nodeName).findFirst().orElse(null);
    }

    /**
     * A warning when the stage's pod mounts secret ids spec.secrets does not map: kaniko skips such a
     * mount (as BuildKit does, without required), so a misspelled id would pass unnoticed.
     */
    private void unmappedSecrets(PodPlan pod) {
      if (!pod.dockerfile().contains("secret")) {
        return; // no secret mount: spare the parse
      }
      Set<String> ids = new TreeSet<>(SecretMounts.ids(pod.dockerfile()));
      if (sb.getSpec().secrets != null) {
        sb.getSpec().secrets.forEach(s -> {
          if (s != null && s.id != null) {
            ids.remove(s.id);
          }
        });
      }
      if (!ids.isEmpty()) {
        events.add(BuildEvent.warning("SecretNotMapped", "stage " + pod.name() + " mounts the secret "
            + (ids.size() == 1 ? "id " : "ids ") + String.join(", ", ids) + ", which spec.secrets does not map: those"
            + " RUN steps run without it, as BuildKit and kaniko run them; map the id in spec.secrets, or add"
            + " required to the mount to make this an error"));
      }
    }

    private void start(String step, int attempt, int failures, int disruptions) {
      // The step key, not the plan pod's name: a stage called "source" is step "stage:source".
      create.add(new StepStart(step, attempt));
      String name = BuildNames.podName(sb.getMetadata().getName(), in.buildId(), step, attempt);
      started.put(step, StepLedger.started(step, attempt, name, failures, disruptions));
    }

    private void stageStatuses(BuildPlan plan) {
      if (plan == null) {
        status.stages = old.stages == null ? new ArrayList<>() : old.stages;
        return;
      }
      Map<String, StageStatus> previous = old.stages == null ? Map.of()
          : old.stages.stream().collect(Collectors.toMap(s -> s.name, s -> s, (a, b) -> a));
      List<StageStatus> result = new ArrayList<>();
      for (StagePlan stage : plan.stages()) {
        StageStatus s = new StageStatus();
        s.name = stage.name();
        s.dependsOn = new ArrayList<>(stage.dependsOn());
        Entry e = ledger.get(stageStep(stage.pod()));
        StepRecord next = started.get(stageStep(stage.pod()));
        StageStatus before = previous.get(stage.name());
        if (e == null && next != null) {
          // Its pod is created by this pass: shown as the next pass will read it from the pod, so
          // that the pod's appearing in the cache is no reason for another status write.
          s.phase = "Pending";
          s.podName = next.podName;
          s.attempts = next.attempt;
          s.startTime = Times.format(in.now());
        } else if (e == null) {
          s.phase = before != null && before.podName != null ? "Cancelled" : "Waiting";
          if (before != null) {
            s.podName = before.podName;
            s.attempts = before.attempts;
            s.startTime = before.startTime;
          }
        } else {
          StepState st = e.state();
          s.podName = st.podName();
          s.attempts = st.attempt();
          s.phase = next != null ? "Retrying" : phaseName(st.phase());
          s.startTime = Times.format(st.started() != null ? st.started() : st.created());
          if (st.started() == null && next == null && before != null && before.startTime != null
              && Objects.equals(before.podName, st.podName())) {
            // Not started yet: the time the operator created the pod stays (it is within a second
            // of the pod's creationTimestamp; rewriting it would be a status write for nothing).
            s.startTime = before.startTime;
          }
          s.completionTime = st.terminal() && st.phase() != StepPhase.DISRUPTED ? Times.format(st.finished()) : null;
          s.exitCode = st.exitCode();
          // The pod's message (up to 2,000 characters a RUN chose) once, on the stage it targets: on
          // every stage of its chain, 500 stages made a status over the API server's object limit.
          s.message = stage.name().equals(stage.pod()) ? st.message() : null;
        }
        result.add(s);
      }
      status.stages = result;
    }

    /** A stage's transitions as events: its failure always (a warning), the rest with normal events on. */
    private void stageEvents() {
      if (status.stages == null) {
        return;
      }
      Map<String, String> before = new LinkedHashMap<>();
      if (old.stages != null) {
        old.stages.forEach(s -> before.put(s.name, s.phase));
      }
      // Recorded before the build's own events of this pass (a stage fails, then the build).
      List<BuildEvent> buildEvents = new ArrayList<>(events);
      events.clear();
      for (StageStatus s : status.stages) {
        String was = before.get(s.name);
        if (Objects.equals(was, s.phase)) {
          continue;
        }
        switch (s.phase) {
          case "Running" -> normal("StageStarted", "stage " + s.name + " is running in pod " + s.podName);
          case "Succeeded" -> normal("StageSucceeded", "stage " + s.name + " succeeded");
          // the pod's message is on the stage it targets only (the others of its chain have none)
          case "Failed" -> events.add(BuildEvent.warning("StageFailed", "stage " + s.name + " failed"
              + (s.message != null ? ": " + s.message : " in pod " + s.podName)));
          default -> { }
        }
      }
      events.addAll(buildEvents);
    }

    /**
     * A Normal event, when they are on: off by default, since each is another object per build in the
     * API server (one that a build farm piles up) saying what the status and conditions say.
     */
    private void normal(String reason, String message) {
      if (settings.normalEvents()) {
        events.add(BuildEvent.normal(reason, message));
      }
    }

    private void setCondition(String type, String value, String reason, String message) {
      status.conditions = Conditions.set(status.conditions, type, value, reason, message, generation, in.now());
    }

    private StepPhase phaseOf(String step) {
      Entry e = ledger.get(step);
      return e == null ? StepPhase.WAITING : e.state().phase();
    }

    private Duration pendingLeft(StepState s) {
      Instant until = s.created() == null ? in.now() : s.created().plus(settings.pendingTimeout());
      Duration left = Duration.between(in.now(), until);
      return left.isNegative() ? Duration.ofSeconds(1) : left.plusSeconds(1);
    }

    private void requeueWithin(Duration d) {
      if (requeue == null || d.compareTo(requeue) < 0) {
        requeue = d.isNegative() ? Duration.ZERO : d;
      }
    }
  }

  static boolean isFinished(StageBuildStatus status) {
    if (status == null || status.buildId == null) {
      return false;
    }
    Condition c = Conditions.find(status.conditions, Conditions.SUCCEEDED);
    return c != null && !"Unknown".equals(c.getStatus());
  }

  /** A succeeded build whose image size has not been read, and whose registry has not given a final no. */
  static boolean owesLookup(StageBuildStatus status) {
    if (status == null || status.output == null || status.output.size != null
        || !Conditions.isTrue(status.conditions, Conditions.SUCCEEDED)) {
      return false;
    }
    Condition inspected = Conditions.find(status.conditions, Conditions.IMAGE_INSPECTED);
    return inspected == null || !FINAL_INSPECTION_REASONS.contains(inspected.getReason());
  }

  /** The step key of a plan pod (a stage named "source" must not be taken for the source pod). */
  static String stageStep(String planPod) {
    return BuildNames.stageStep(planPod);
  }

  /** The build's spec.timeoutSeconds, or the operator's default. */
  static Duration buildTimeout(StageBuild sb, OperatorSettings settings) {
    Long seconds = sb.getSpec().timeoutSeconds;
    // Bounded so that start + timeout cannot overflow whatever a spec says.
    return seconds == null ? settings.defaultBuildTimeout()
        : Duration.ofSeconds(Math.min(Math.max(1, seconds), Duration.ofDays(3650).toSeconds()));
  }

  static String planReason(DockerfileException e) {
    return switch (e.kind()) {
      case INVALID_SPEC -> "InvalidSpec";
      case TOO_LARGE -> "PlanTooLarge";
      default -> "InvalidDockerfile";
    };
  }

  static String phaseName(StepPhase phase) {
    return switch (phase) {
      case WAITING -> "Waiting";
      case PENDING, DISRUPTED -> "Pending";
      case RUNNING -> "Running";
      case SUCCEEDED -> "Succeeded";
      case FAILED, STUCK -> "Failed";
    };
  }

  static String imageRef(String image, String digest) {
    try {
      return ImageReference.parse(image).withDigest(digest).toString();
    } catch (RuntimeException e) {
      return image + "@" + digest;
    }
  }

  /** The digest a final pod reported, or null when its termination message holds none. */
  static String digestIn(String terminationMessage) {
    String line = StepLedger.firstLine(terminationMessage);
    return line != null && DIGEST.matcher(line).matches() ? line : null;
  }

}
