package dev.stagebuild.reconciler;

import dev.stagebuild.BoundedMaps;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Replaced builds whose directory of a shared workspace claim is still to be removed, by
 * StageBuild uid. Their pods are being stopped when the next build starts; the cleanup pod waits
 * for them, and once they are gone nothing in the cluster would remember the old build's id: this
 * does, in memory (an operator restart forgets, and that directory stays). Bounded.
 */
final class WorkspaceCleanups {
  /** Cleanup pods tried per build before giving up (the failed pods' logs say why). */
  static final int MAX_ATTEMPTS = 3;
  static final int MAX_TRACKED = 10_000;

  /** Least recently used first: a full map forgets the StageBuild not seen for longest (likely deleted). */
  private final Map<String, Set<String>> pending = BoundedMaps.leastRecentlyUsed(MAX_TRACKED);

  private final Map<String, Boolean> givenUp = BoundedMaps.leastRecentlyUsed(MAX_TRACKED);

  /** True the first time a build's cleanup is given up (so that it is logged once). */
  synchronized boolean firstGiveUp(String uid, String buildId) {
    return givenUp.put(uid + "/" + buildId, Boolean.TRUE) == null;
  }

  synchronized boolean givenUp(String uid, String buildId) {
    return givenUp.containsKey(uid + "/" + buildId);
  }

  synchronized void add(String uid, String buildId) {
    pending.computeIfAbsent(uid, k -> new LinkedHashSet<>()).add(buildId);
  }

  synchronized Set<String> of(String uid) {
    Set<String> s = pending.get(uid);
    return s == null ? Set.of() : Set.copyOf(s);
  }

  synchronized void done(String uid, String buildId) {
    Set<String> s = pending.get(uid);
    if (s != null) {
      s.remove(buildId);
      if (s.isEmpty()) {
        pending.remove(uid);
      }
    }
  }

  synchronized int size() {
    return pending.size();
  }
}
