package dev.stagebuild.reconciler;

import dev.stagebuild.api.StepRecord;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where each step of a build stands, from two sources: the step records in the status (durable: they
 * outlive pods) and the pods the informer sees (fresh). A finished step recorded in the status stays
 * finished whatever happens to its pod; a pod that vanished before its step ended is a disruption.
 * Pure.
 */
final class StepLedger {
  /**
   * One step's latest attempt.
   *
   * @param state the attempt's state (from its pod, or rebuilt from the record when the pod is gone)
   * @param failures earlier attempts that failed with an exit code
   * @param disruptions earlier attempts lost to eviction, preemption or deletion
   * @param live the state comes from a pod that exists
   */
  record Entry(StepState state, int failures, int disruptions, boolean live) {}

  /** The disruption of a pod that is gone (an event word, not a condition reason). */
  private static final String VANISHED = "PodDeleted";

  private StepLedger() {}

  static Map<String, Entry> of(List<StepRecord> records, List<StepState> pods, Instant now) {
    Map<String, StepRecord> byStep = new HashMap<>();
    if (records != null) {
      records.forEach(r -> byStep.put(r.step, r));
    }
    Map<String, StepState> latest = new HashMap<>();
    for (StepState s : pods) {
      latest.merge(s.step(), s, (a, b) -> a.attempt() >= b.attempt() ? a : b);
    }
    Map<String, Entry> result = new HashMap<>();
    for (var e : byStep.entrySet()) {
      StepRecord r = e.getValue();
      StepState pod = latest.get(e.getKey());
      int attempt = r.attempt == null ? 1 : r.attempt;
      int failures = r.failures == null ? 0 : r.failures;
      int disruptions = r.disruptions == null ? 0 : r.disruptions;
      if ("Succeeded".equals(r.phase) || (pod == null && "Failed".equals(r.phase))) {
        result.put(e.getKey(), new Entry(fromRecord(r, attempt, pod), failures, disruptions, pod != null
            && pod.attempt() == attempt));
      } else if (pod != null && pod.attempt() >= attempt) {
        if (pod.attempt() > attempt) {
          // The status write that recorded this attempt was lost: the record's attempt ended somehow.
          StepState previous = pods.stream().filter(p -> p.step().equals(r.step) && p.attempt() == attempt)
              .findFirst().orElse(null);
          if (previous != null && previous.phase() == StepPhase.FAILED) {
            failures++;
          } else {
            disruptions++;
          }
        }
        result.put(e.getKey(), new Entry(pod, failures, disruptions, true));
      } else {
        // The record says the attempt had not ended, and its pod is gone: deleted, drained or collected.
        StepState vanished = new StepState(r.step, attempt, r.podName, StepPhase.DISRUPTED, null, VANISHED,
            "pod " + r.podName + " was deleted before its step ended", null, null, Times.parse(r.startTime), now,
            r.nodeName, false);
        result.put(e.getKey(), new Entry(vanished, failures, disruptions, false));
      }
    }
    for (var e : latest.entrySet()) {
      if (!result.containsKey(e.getKey())) {
        // No record yet (its status write was lost, or a status from before records): earlier failed
        // attempts that are still around count against the retries.
        StepState pod = e.getValue();
        int failures = (int) pods.stream().filter(p -> p.step().equals(pod.step()) && p.attempt() < pod.attempt()
            && p.phase() == StepPhase.FAILED).count();
        int disruptions = Math.max(0, pod.attempt() - 1 - failures);
        result.put(e.getKey(), new Entry(pod, failures, disruptions, true));
      }
    }
    return result;
  }

  private static StepState fromRecord(StepRecord r, int attempt, StepState pod) {
    StepPhase phase = "Succeeded".equals(r.phase) ? StepPhase.SUCCEEDED : StepPhase.FAILED;
    boolean podActive = pod != null && pod.attempt() == attempt && pod.podActive();
    return new StepState(r.step, attempt, r.podName, phase, r.exitCode, phase == StepPhase.FAILED ? "StageFailed" : null,
        null, r.result, null, Times.parse(r.startTime), Times.parse(r.completionTime), r.nodeName, podActive);
  }

  /** The record of an entry, for the status. */
  static StepRecord record(Entry e) {
    StepState s = e.state();
    StepRecord r = new StepRecord();
    r.step = s.step();
    r.attempt = s.attempt();
    r.failures = e.failures() == 0 ? null : e.failures();
    r.disruptions = e.disruptions() == 0 ? null : e.disruptions();
    r.podName = s.podName();
    r.phase = switch (s.phase()) {
      case SUCCEEDED -> "Succeeded";
      case FAILED, STUCK -> "Failed";
      case RUNNING -> "Running";
      default -> "Pending";
    };
    r.exitCode = s.exitCode();
    r.result = s.phase() == StepPhase.SUCCEEDED ? firstLine(s.terminationMessage()) : null;
    // A pending pod's node is in the pod; recording it would cost a status write of its own
    // (scheduling is a pod event of its own). It is recorded once the pod runs or ends.
    r.nodeName = s.phase() == StepPhase.PENDING ? null : s.nodeName();
    r.startTime = Times.format(s.started());
    r.completionTime = s.phase() == StepPhase.SUCCEEDED || s.phase() == StepPhase.FAILED
        ? Times.format(s.finished()) : null;
    return r;
  }

  /** The record of a pod about to be created. */
  static StepRecord started(String step, int attempt, String podName, int failures, int disruptions) {
    StepRecord r = new StepRecord();
    r.step = step;
    r.attempt = attempt;
    r.failures = failures == 0 ? null : failures;
    r.disruptions = disruptions == 0 ? null : disruptions;
    r.podName = podName;
    r.phase = "Pending";
    return r;
  }

  static String firstLine(String text) {
    if (text == null) {
      return null;
    }
    String t = text.strip();
    int nl = t.indexOf('\n');
    String line = nl < 0 ? t : t.substring(0, nl).strip();
    return line.isEmpty() ? null : line;
  }
}
