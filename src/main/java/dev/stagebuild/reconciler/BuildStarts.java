package dev.stagebuild.reconciler;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How often one StageBuild may replace its build with a new one (a new generation, a new rebuild
 * annotation): at most once per {@link #MIN_INTERVAL}. A StageBuild edited in a loop otherwise
 * stops and starts pods, a workspace and a plan once per edit, on the operator that serves every
 * namespace; the edits made in between are merged, because the build that starts is that of the
 * StageBuild as it is then. Its passes are not limited: JOSDK runs one at a time per StageBuild and
 * merges the events that arrive meanwhile, and a wide build's pods need them.
 *
 * <p>Bounded: past {@link #MAX_TRACKED} StageBuilds, entries older than the interval (which would
 * admit anyway) are dropped.
 */
final class BuildStarts {
  static final Duration MIN_INTERVAL = Duration.ofSeconds(1);
  static final int MAX_TRACKED = 4096;

  private final Map<String, Instant> lastStart = new ConcurrentHashMap<>();

  /**
   * Whether StageBuild {@code uid} may replace its build at {@code now}: null when it may (the start
   * is recorded), else how long until it may.
   */
  synchronized Duration admit(String uid, Instant now) {
    Instant last = lastStart.get(uid);
    if (last != null) {
      Duration left = Duration.between(now, last.plus(MIN_INTERVAL));
      if (left.compareTo(Duration.ZERO) > 0) {
        return left;
      }
    }
    if (lastStart.size() >= MAX_TRACKED) {
      Instant stale = now.minus(MIN_INTERVAL);
      lastStart.values().removeIf(t -> !t.isAfter(stale));
    }
    if (lastStart.size() < MAX_TRACKED) {
      lastStart.put(uid, now);
    }
    return null;
  }

  int tracked() {
    return lastStart.size();
  }
}
