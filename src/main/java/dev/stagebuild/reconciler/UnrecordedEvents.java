package dev.stagebuild.reconciler;

import dev.stagebuild.BoundedMaps;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Events of a pass that created pods and then failed to write its status (a conflict with a
 * metadata edit, a 5xx). The pass that decides again sees those pods and would not decide their
 * events again (a PodMisplaced, a StageRetrying): they are recorded with the next status written for
 * the same build instead of being lost. Bounded: forgetting one costs only its events.
 */
final class UnrecordedEvents {
  static final int MAX_TRACKED = 4096;

  /** The events one StageBuild's build still owes. */
  record Held(String buildId, List<BuildEvent> events) {}

  private final Map<String, Held> byUid = BoundedMaps.leastRecentlyUsed(MAX_TRACKED);

  /** The events owed for this build, or null (those of an earlier build are dropped). */
  synchronized Held of(String uid, String buildId) {
    Held held = byUid.get(uid);
    if (held != null && !held.buildId().equals(buildId)) {
      byUid.remove(uid);
      return null;
    }
    return held;
  }

  /**
   * After a pass: one that recorded its events recorded the owed ones too; one that created pods
   * without recording owes its events.
   */
  synchronized void settle(String uid, String buildId, boolean recorded, boolean podsCreated,
      List<BuildEvent> events) {
    if (recorded) {
      byUid.remove(uid);
    } else if (podsCreated && !events.isEmpty()) {
      // Added to what an earlier pass of the build owes (a pass that failed before it decided with them).
      Held held = byUid.get(uid);
      Set<BuildEvent> all = new LinkedHashSet<>();
      if (held != null && held.buildId().equals(buildId)) {
        all.addAll(held.events());
      }
      all.addAll(events);
      byUid.put(uid, new Held(buildId, List.copyOf(all)));
    }
  }

  synchronized int size() {
    return byUid.size();
  }
}
