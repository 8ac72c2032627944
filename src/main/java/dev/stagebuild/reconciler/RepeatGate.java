package dev.stagebuild.reconciler;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.Map;

/**
 * Lets one log line of a kind through per window and counts the others, so that one cause met by
 * many builds or retried for an hour (an API server outage) is logged as a few lines that say how
 * often it happened, not hundreds. The first line of a kind always passes. Bounded: past
 * {@link #MAX_KINDS} kinds it starts afresh, which at worst lets a few repeats through.
 */
final class RepeatGate {
  static final int MAX_KINDS = 256;

  private record Seen(Instant passed, long dropped) {}

  /** What {@link #admit} decided: whether the line passes, and the note it carries. */
  record Verdict(boolean passes, String note) {
    static final Verdict DROPPED = new Verdict(false, "");
    static final Verdict PASSED = new Verdict(true, "");
  }

  private final Clock clock;
  private final Duration window;
  private final Map<String, Seen> kinds = new HashMap<>();

  RepeatGate(Clock clock, Duration window) {
    this.clock = clock;
    this.window = window;
  }

  /**
   * Dropped when a line of this kind passed less than a window ago; otherwise it passes, noting how
   * many of its kind were dropped since the last one passed (none for the first).
   */
  synchronized Verdict admit(String kind) {
    Instant now = clock.instant();
    Seen seen = kinds.get(kind);
    if (seen != null && now.isBefore(seen.passed().plus(window))) {
      kinds.put(kind, new Seen(seen.passed(), seen.dropped() + 1));
      return Verdict.DROPPED;
    }
    if (seen == null && kinds.size() >= MAX_KINDS) {
      kinds.clear();
    }
    kinds.put(kind, new Seen(now, 0));
    return seen == null || seen.dropped() == 0 ? Verdict.PASSED
        : new Verdict(true, " (" + seen.dropped() + " more like it since " + seen.passed().truncatedTo(ChronoUnit.SECONDS) + " not logged)");
  }
}
