package dev.stagebuild.reconciler;

import dev.stagebuild.api.StageBuildStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Decides whether a changed status is written now or held back a little, so that a build's progress
 * costs a few writes rather than three per pod (each write is a request, a resourceVersion, and an
 * event on every watcher of StageBuilds).
 *
 * <p>Written at once: a new build of an object that has a status, a changed condition (type, status
 * or reason: what {@code kubectl wait}, Argo CD and Flux read), and a build's end. A fresh
 * object's first status is held like progress when it says only that the build is under way. Held for at most
 * {@code interval} after the build's last write: progress alone (a stage running, a step done, a
 * message). Holding is safe because the status is decided again from the cluster on the next pass:
 * nothing decided is lost, it is only written later; what can be lost is {@code status.steps}'s
 * record of a step whose pod vanishes within that window, and that step then runs again.
 *
 * <p>A build that ends with its image pushed waits up to {@code lookupGrace} for the registry's
 * answer (digest and size), so that the end and the size are one write, not two.
 *
 * <p>The memory is per StageBuild uid and bounded: entries older than the interval mean "write
 * now" anyway, so they are dropped when the map grows.
 */
final class StatusPacer {
  static final int MAX_TRACKED = 4096;
  private static final java.util.Set<String> PROGRESS = java.util.Set.of("Pending", "Running");

  private final Duration interval;
  private final Duration lookupGrace;
  private final Map<String, Instant> lastWrite = new ConcurrentHashMap<>();
  private final Map<String, Instant> endSeen = new ConcurrentHashMap<>();
  private final Map<String, Instant> firstSeen = new ConcurrentHashMap<>();

  StatusPacer(Duration interval, Duration lookupGrace) {
    this.interval = interval;
    this.lookupGrace = lookupGrace;
  }

  /**
   * How long to hold the change from {@code before} to {@code after} back, or {@code null} to write
   * it now. {@code lookupPending}: the registry has been asked about the pushed image and has not
   * answered yet.
   */
  Duration hold(String uid, StageBuildStatus before, StageBuildStatus after, boolean lookupPending, Instant now) {
    boolean ends = BuildDecider.isFinished(after) && !BuildDecider.isFinished(before);
    if (ends) {
      if (!lookupPending || lookupGrace.isZero()) {
        return null;
      }
      return left(firstSeen(endSeen, uid, lookupGrace, now), lookupGrace, now);
    }
    boolean fresh = before == null || before.buildId == null; // never written (an empty status is fresh too)
    if (fresh && !BuildDecider.isFinished(after) && progressOnly(after.conditions)) {
      // A fresh StageBuild that is simply under way: a waiter sees no condition yet, which is what it
      // waits for anyway, and a build that ends within the interval is written once. (A new build of
      // an object that has a status is written at once: its old Ready must not be read as the new.)
      return left(firstSeen(firstSeen, uid, interval, now), interval, now);
    }
    if (before == null || !Objects.equals(before.buildId, after.buildId)
        || !Objects.equals(before.observedGeneration, after.observedGeneration)
        || BuildDecider.isFinished(after) || !sameConditions(before.conditions, after.conditions)) {
      return null;
    }
    Instant last = lastWrite.get(uid);
    return last == null ? null : left(last, interval, now);
  }

  /** What is left at {@code now} of {@code window} from {@code since}, or null when nothing is. */
  private static Duration left(Instant since, Duration window, Instant now) {
    Duration left = Duration.between(now, since.plus(window));
    return left.isNegative() || left.isZero() ? null : left;
  }

  /**
   * When {@code uid} was first seen in {@code seen} ({@code now} if it was not), forgetting entries
   * older than {@code window} when the map is full: they would mean "write now" anyway.
   */
  private static Instant firstSeen(Map<String, Instant> seen, String uid, Duration window, Instant now) {
    forgetStale(seen, window, now);
    return seen.computeIfAbsent(uid, k -> now);
  }

  private static void forgetStale(Map<String, Instant> seen, Duration window, Instant now) {
    if (seen.size() >= MAX_TRACKED) {
      Instant stale = now.minus(window);
      seen.values().removeIf(t -> t.isBefore(stale));
    }
  }

  /** Records a write of {@code uid}'s status at {@code now}. */
  void written(String uid, Instant now) {
    endSeen.remove(uid);
    firstSeen.remove(uid);
    forgetStale(lastWrite, interval, now);
    if (lastWrite.size() < MAX_TRACKED) {
      lastWrite.put(uid, now);
    }
  }

  /** Forgets a StageBuild (deleted). */
  int tracked() {
    return lastWrite.size() + endSeen.size() + firstSeen.size();
  }

  /** Whether every condition is the generic in-progress kind (Pending or Running), or there is none. */
  static boolean progressOnly(List<Condition> conditions) {
    return conditions == null || conditions.stream().allMatch(c -> c.getReason() == null
        || PROGRESS.contains(c.getReason()));
  }

  /**
   * Same conditions by type, status and reason (messages and times may differ). The generic
   * in-progress reasons Pending and Running count as one: a build whose pods went from created to
   * running has not changed in any way a waiter acts on. A specific reason (Unschedulable,
   * ImagePullFailed, QuotaExceeded, ...) is a change.
   */
  static boolean sameConditions(List<Condition> a, List<Condition> b) {
    return key(a).equals(key(b));
  }

  private static String key(List<Condition> conditions) {
    if (conditions == null) {
      return "";
    }
    StringBuilder k = new StringBuilder();
    conditions.stream()
        .map(c -> c.getType() + "=" + c.getStatus() + "/" + (PROGRESS.contains(c.getReason()) ? "progress" : c.getReason()))
        .sorted()
        .forEach(s -> k.append(s).append(';'));
    return k.toString();
  }
}
