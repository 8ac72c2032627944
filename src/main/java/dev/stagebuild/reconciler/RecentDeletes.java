package dev.stagebuild.reconciler;

import dev.stagebuild.BoundedMaps;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * The uids of objects whose delete the API server has answered lately: accepted, gone already, or
 * refused for good (that one for a while only). A pass works from informer caches, which can still hold an object a moment after
 * an earlier pass deleted it; without this, that pass would send the same delete again, to be
 * answered 404 (or to do nothing to an object already being deleted), and a refused delete would be
 * asked for, and warned of, by every pass. A uid names one object for its whole life, so a delete
 * once answered never needs sending again. Bounded: the oldest uids are forgotten first, and
 * forgetting one costs at most that repeated request.
 */
final class RecentDeletes {
  static final int MAX_TRACKED = 10_000;
  /** A refusal may be lifted (a role fixed, a webhook changed): the delete is asked for again after this. */
  static final Duration REFUSAL_KEPT = Duration.ofMinutes(10);

  /** By uid: when the answer stops counting (Instant.MAX: never). */
  private final Map<String, Instant> uids = BoundedMaps.oldestFirst(MAX_TRACKED);
  private final Clock clock;

  RecentDeletes() {
    this(Clock.systemUTC());
  }

  RecentDeletes(Clock clock) {
    this.clock = clock;
  }

  synchronized boolean answered(String uid) {
    Instant until = uid == null ? null : uids.get(uid);
    if (until == null) {
      return false;
    }
    if (!clock.instant().isBefore(until)) {
      uids.remove(uid);
      return false;
    }
    return true;
  }

  /** The object is gone or going: never asked for again. */
  synchronized void add(String uid) {
    if (uid != null) {
      uids.put(uid, Instant.MAX);
    }
  }

  /** The delete was refused for good, for now: not asked for again for {@link #REFUSAL_KEPT}. */
  synchronized void refused(String uid) {
    if (uid != null) {
      uids.put(uid, clock.instant().plus(REFUSAL_KEPT));
    }
  }

  synchronized int size() {
    return uids.size();
  }
}
