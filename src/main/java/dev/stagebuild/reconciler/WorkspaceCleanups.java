package dev.stagebuild.reconciler;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

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

  private final Map<String, Set<String>> pending = new ConcurrentHashMap<>();

  void add(String uid, String buildId) {
    if (pending.size() >= MAX_TRACKED) {
      return;
    }
    pending.computeIfAbsent(uid, k -> ConcurrentHashMap.newKeySet()).add(buildId);
  }

  Set<String> of(String uid) {
    Set<String> s = pending.get(uid);
    return s == null ? Set.of() : Set.copyOf(s);
  }

  void done(String uid, String buildId) {
    pending.computeIfPresent(uid, (k, s) -> {
      s.remove(buildId);
      return s.isEmpty() ? null : s;
    });
  }
}
