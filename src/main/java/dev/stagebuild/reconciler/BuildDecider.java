package dev.stagebuild.reconciler;

import dev.stagebuild.api.OutputStatus;
import dev.stagebuild.api.Sizes;
import dev.stagebuild.api.SourceStatus;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildStatus;
import dev.stagebuild.api.StageStatus;
import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.kaniko.BuildNames;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.PodPlan;
import dev.stagebuild.plan.StagePlan;
import dev.stagebuild.registry.ImageReference;
import dev.stagebuild.reconciler.BuildDecision.StepStart;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The heart of the reconciler, without any I/O: from the StageBuild, its plan and the states of its
 * pods, decides the status and the next pods. Every pass starts from what the pods say, so running it
 * twice on the same inputs gives the same answer (the reconciler is stateless and idempotent).
 */
public final class BuildDecider {
  public static final String SOURCE_STEP = BuildNames.SOURCE_STEP;
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");
  private static final Duration BLOCKER_RECHECK = Duration.ofSeconds(5);

  private final OperatorSettings settings;

  public BuildDecider(OperatorSettings settings) {
    this.settings = settings;
  }

  /** Inputs of one decision. {@code steps} holds every pod of the current build (all attempts). */
  public record Inputs(StageBuild build, String buildId, PlanOutcome plan, Blocker blocker,
      List<StepState> steps, Inspection inspection, Instant now) {}

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
    private final Map<String, StepState> latest = new HashMap<>();
    private final List<StepStart> create = new ArrayList<>();
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
      for (StepState s : in.steps()) {
        latest.merge(s.step(), s, (a, b) -> a.attempt() >= b.attempt() ? a : b);
      }
      Instant oldStart = Times.parse(old.startTime);
      this.start = oldStart != null ? oldStart : in.now();
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
      if (plan.error() != null) {
        stageStatuses(null);
        return fail(planReason(plan.error()), plan.error().getMessage());
      }
      if (plan.known()) {
        stageStatuses(plan.plan());
      }
      if (in.blocker() != null) {
        Blocker b = in.blocker();
        if (Duration.between(start, in.now()).compareTo(settings.missingObjectGrace()) > 0) {
          return fail(b.reason(), b.message());
        }
        requeueWithin(BLOCKER_RECHECK);
        return pending(b.reason(), b.message() + " (waiting up to "
            + settings.missingObjectGrace().toSeconds() + "s for it)");
      }
      Duration timeout = sb.getSpec().timeoutSeconds == null ? settings.defaultBuildTimeout()
          : Duration.ofSeconds(sb.getSpec().timeoutSeconds);
      Instant deadline = start.plus(timeout);
      if (!in.now().isBefore(deadline)) {
        stageStatuses(plan.plan());
        return fail("Timeout", "the build did not finish within timeoutSeconds=" + timeout.toSeconds());
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

    private BuildDecision advanceSource() {
      StepState src = latest.get(SOURCE_STEP);
      SourceStatus source = new SourceStatus();
      status.source = source;
      if (src != null) {
        source.podName = src.podName();
        source.phase = phaseName(src.phase());
      }
      if (src == null) {
        create.add(new StepStart(SOURCE_STEP, 1));
        source.phase = "Pending";
        return pending("Pending", "fetching the source");
      }
      switch (src.phase()) {
        case SUCCEEDED -> {
          if (sb.getSpec().source.git != null) {
            source.commit = firstLine(src.terminationMessage());
          }
          return null;
        }
        case FAILED -> {
          if (src.attempt() <= retries) {
            create.add(new StepStart(SOURCE_STEP, src.attempt() + 1));
            events.add(BuildEvent.warning("SourceRetrying", "source attempt " + src.attempt() + " failed: "
                + src.message()));
            return running("source attempt " + src.attempt() + " failed, retrying");
          }
          return fail("SourceFailed", "fetching the source failed (pod " + src.podName() + "): " + src.message());
        }
        case STUCK -> {
          return fail(src.reason(), "the source pod " + src.podName() + " could not start: " + src.message());
        }
        default -> {
          if (src.phase() == StepPhase.PENDING && src.reason() != null) {
            requeueWithin(pendingLeft(src));
            return pending(src.reason(), "the source pod waits: " + src.message());
          }
          return src.phase() == StepPhase.RUNNING ? running("fetching the source")
              : pending("Pending", "fetching the source");
        }
      }
    }

    private BuildDecision advanceStages(BuildPlan plan) {
      String failedReason = null;
      String failedMessage = null;
      for (PodPlan pod : plan.pods()) {
        StepState st = latest.get(stageStep(pod.name()));
        if (st == null) {
          boolean ready = pod.dependsOn().stream().allMatch(d -> phaseOf(stageStep(d)) == StepPhase.SUCCEEDED);
          if (ready) {
            create.add(new StepStart(pod.name(), 1));
          }
          continue;
        }
        switch (st.phase()) {
          case FAILED -> {
            if (st.attempt() <= retries) {
              create.add(new StepStart(pod.name(), st.attempt() + 1));
              events.add(BuildEvent.warning("StageRetrying", "stage " + pod.name() + " attempt " + st.attempt()
                  + " failed (" + st.message() + "); starting attempt " + (st.attempt() + 1)));
            } else if (failedReason == null) {
              failedReason = st.reason() == null ? "StageFailed" : st.reason();
              failedMessage = "stage " + pod.name() + " failed (pod " + st.podName() + ", attempt " + st.attempt()
                  + "): " + st.message();
            }
          }
          case STUCK -> {
            if (failedReason == null) {
              failedReason = st.reason();
              failedMessage = "stage " + pod.name() + " could not start (pod " + st.podName() + "): " + st.message();
            }
          }
          case PENDING -> {
            if (st.reason() != null) {
              requeueWithin(pendingLeft(st));
            }
          }
          default -> { }
        }
      }
      stageStatuses(plan);
      if (failedReason != null) {
        create.clear();
        return fail(failedReason, failedMessage);
      }
      StepState fin = latest.get(stageStep(plan.finalPod()));
      if (fin != null && fin.phase() == StepPhase.SUCCEEDED) {
        return succeed(fin);
      }
      long done = status.stages.stream().filter(s -> "Succeeded".equals(s.phase)).count();
      List<String> waiting = plan.pods().stream().map(p -> latest.get(stageStep(p.name())))
          .filter(s -> s != null && s.phase() == StepPhase.PENDING && s.reason() != null)
          .map(s -> s.step() + ": " + s.message()).toList();
      if (!waiting.isEmpty()) {
        return pending(latest.values().stream().filter(s -> s.phase() == StepPhase.PENDING && s.reason() != null)
            .map(StepState::reason).findFirst().orElse("Pending"), String.join("; ", waiting));
      }
      boolean anyStarted = latest.values().stream().anyMatch(s -> s.phase() != StepPhase.PENDING);
      if (!anyStarted) {
        String starting = create.stream().map(StepStart::step).collect(Collectors.joining(", "));
        return pending("Pending", "starting pods for " + (starting.isEmpty() ? "the first stages" : starting));
      }
      String runningNames = plan.pods().stream().filter(p -> {
        StepState s = latest.get(stageStep(p.name()));
        return s != null && !s.terminal();
      }).map(PodPlan::name).collect(Collectors.joining(", "));
      return running(done + "/" + status.stages.size() + " stages done"
          + (runningNames.isEmpty() ? "" : "; running: " + runningNames));
    }

    private BuildDecision succeed(StepState fin) {
      String digest = firstLine(fin.terminationMessage());
      if (digest == null || !DIGEST.matcher(digest).matches()) {
        return fail("PushFailed", "the final pod " + fin.podName()
            + " succeeded but did not report an image digest (termination message: "
            + (fin.terminationMessage() == null ? "empty" : "'" + PodInspector.tail(fin.terminationMessage()) + "'")
            + ")");
      }
      OutputStatus out = new OutputStatus();
      out.image = sb.getSpec().output.image;
      out.digest = digest;
      out.imageRef = imageRef(out.image, digest);
      Inspection inspection = in.inspection();
      status.output = out;
      if (inspection != null) {
        applyInspection(status, inspection);
      }
      requeue = inspection != null && !inspection.ok() ? settings.inspectRetry() : null;
      status.completionTime = Times.format(Optional.ofNullable(fin.finished()).orElse(in.now()));
      String message = "pushed " + out.imageRef;
      setCondition(Conditions.SUCCEEDED, "True", "Succeeded", message);
      setCondition(Conditions.READY, "True", "Succeeded", message);
      status.conditions = Conditions.remove(Conditions.remove(status.conditions, Conditions.RECONCILING),
          Conditions.STALLED);
      events.add(BuildEvent.normal("BuildSucceeded", message
          + (out.sizeText == null ? "" : " (" + out.sizeText + ")")));
      // The build is over; a failed size look-up is retried after inspectRetry.
      return decision(true);
    }

    private BuildDecision fail(String reason, String message) {
      status.completionTime = Times.format(in.now());
      for (StepState s : latest.values()) {
        if (!s.terminal()) {
          delete.add(s.podName());
        }
      }
      create.clear();
      setCondition(Conditions.SUCCEEDED, "False", reason, message);
      setCondition(Conditions.READY, "False", reason, message);
      status.conditions = Conditions.remove(status.conditions, Conditions.RECONCILING);
      setCondition(Conditions.STALLED, "True", reason, message);
      events.add(BuildEvent.warning("BuildFailed", reason + ": " + message));
      requeue = null;
      return decision(true);
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
      // A finished build is never re-run; only the look-up of the image size may still be owed.
      // (The reconciler hands in a copy of the StageBuild, so updating old in place is safe.)
      Inspection inspection = in.inspection();
      boolean owesLookup = old.output != null && old.output.size == null
          && Conditions.isTrue(old.conditions, Conditions.SUCCEEDED);
      if (owesLookup && inspection != null) {
        applyInspection(old, inspection);
        owesLookup = !inspection.ok();
      }
      return new BuildDecision(old, List.of(), List.of(), null, List.of(), true,
          owesLookup ? settings.inspectRetry() : null);
    }

    private void applyInspection(StageBuildStatus target, Inspection inspection) {
      if (inspection.ok()) {
        target.output.size = inspection.size();
        target.output.sizeText = Sizes.shortSize(inspection.size());
        target.output.platforms = inspection.platforms() == null || inspection.platforms().isEmpty()
            ? null : inspection.platforms();
        target.conditions = Conditions.set(target.conditions, Conditions.IMAGE_INSPECTED, "True", "Inspected",
            "size read from the registry", generation, in.now());
      } else {
        target.conditions = Conditions.set(target.conditions, Conditions.IMAGE_INSPECTED, "False",
            inspection.errorReason(), inspection.errorMessage(), generation, in.now());
      }
    }

    private BuildDecision decision(boolean finished) {
      if (status.stages != null) {
        long done = status.stages.stream().filter(s -> "Succeeded".equals(s.phase)).count();
        status.stagesDone = done + "/" + status.stages.size();
      }
      stageEvents();
      String pinned = latest.values().stream().filter(s -> !s.terminal() && s.nodeName() != null)
          .map(StepState::nodeName).findFirst().orElse(null);
      return new BuildDecision(status, List.copyOf(create), List.copyOf(delete), pinned, List.copyOf(events),
          finished, requeue);
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
        StepState st = latest.get(stageStep(stage.pod()));
        StageStatus before = previous.get(stage.name());
        if (st == null) {
          s.phase = before != null && before.podName != null ? "Cancelled" : "Waiting";
          if (before != null) {
            s.podName = before.podName;
            s.attempts = before.attempts;
            s.startTime = before.startTime;
          }
        } else {
          s.podName = st.podName();
          s.attempts = st.attempt();
          s.phase = st.phase() == StepPhase.FAILED && st.attempt() <= retries ? "Retrying" : phaseName(st.phase());
          s.startTime = Times.format(st.started() != null ? st.started() : st.created());
          s.completionTime = st.terminal() ? Times.format(st.finished()) : null;
          s.exitCode = st.exitCode();
          s.message = st.message();
        }
        result.add(s);
      }
      status.stages = result;
    }

    private void stageEvents() {
      Map<String, String> before = new LinkedHashMap<>();
      if (old.stages != null) {
        old.stages.forEach(s -> before.put(s.name, s.phase));
      }
      for (StageStatus s : status.stages) {
        String was = before.get(s.name);
        if (Objects.equals(was, s.phase)) {
          continue;
        }
        switch (s.phase) {
          case "Running" -> events.add(BuildEvent.normal("StageStarted", "stage " + s.name + " is running in pod "
              + s.podName));
          case "Succeeded" -> events.add(BuildEvent.normal("StageSucceeded", "stage " + s.name + " succeeded"));
          case "Failed" -> events.add(BuildEvent.warning("StageFailed", "stage " + s.name + " failed: "
              + s.message));
          default -> { }
        }
      }
    }

    private void setCondition(String type, String value, String reason, String message) {
      status.conditions = Conditions.set(status.conditions, type, value, reason, message, generation, in.now());
    }

    private StepPhase phaseOf(String step) {
      StepState s = latest.get(step);
      return s == null ? StepPhase.WAITING : s.phase();
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

  /** The step key of a plan pod (a stage named "source" must not be taken for the source pod). */
  static String stageStep(String planPod) {
    return BuildNames.stageStep(planPod);
  }

  static String planReason(DockerfileException e) {
    return e.kind() == DockerfileException.Kind.INVALID_SPEC ? "InvalidSpec" : "InvalidDockerfile";
  }

  static String phaseName(StepPhase phase) {
    return switch (phase) {
      case WAITING -> "Waiting";
      case PENDING -> "Pending";
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
    String line = firstLine(terminationMessage);
    return line != null && DIGEST.matcher(line).matches() ? line : null;
  }

  private static String firstLine(String text) {
    if (text == null) {
      return null;
    }
    String t = text.strip();
    int nl = t.indexOf('\n');
    return nl < 0 ? t : t.substring(0, nl).strip();
  }
}
