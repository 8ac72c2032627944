package dev.stagebuild.reconciler;

import dev.stagebuild.BoundedMaps;
import dev.stagebuild.plan.BuildPlan;
import java.util.Map;

/**
 * Plans by build (StageBuild uid and build id), so that a pass neither re-plans an inline Dockerfile
 * nor reads the plan ConfigMap back: a build's plan never changes. Bounded (least recently used go);
 * a miss costs one read of the plan ConfigMap.
 */
public final class PlanCache {
  static final int DEFAULT_CAPACITY = 1024;

  /** A build's plan and the rewritten .dockerignore that goes with it into the plan ConfigMap. */
  record Entry(BuildPlan plan, String dockerignore) {}

  private final Map<String, Entry> entries;

  public PlanCache() {
    this(DEFAULT_CAPACITY);
  }

  PlanCache(int capacity) {
    entries = BoundedMaps.leastRecentlyUsed(capacity);
  }

  synchronized Entry get(String uid, String buildId) {
    return entries.get(uid + "/" + buildId);
  }

  synchronized void put(String uid, String buildId, Entry entry) {
    entries.put(uid + "/" + buildId, entry);
  }

  /** Forgets every build of this StageBuild but the given one. */
  synchronized void retainOnly(String uid, String buildId) {
    entries.keySet().removeIf(k -> k.startsWith(uid + "/") && !k.equals(uid + "/" + buildId));
  }

  synchronized int size() {
    return entries.size();
  }
}
