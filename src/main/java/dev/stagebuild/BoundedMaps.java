package dev.stagebuild;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Maps that drop their eldest entry past a size: what the operator remembers per StageBuild, per
 * registry or per event must not grow with what users create. Not thread-safe, as LinkedHashMap.
 */
public final class BoundedMaps {
  private BoundedMaps() {}

  /** At most {@code max} entries; the least recently read or written goes first. */
  public static <K, V> Map<K, V> leastRecentlyUsed(int max) {
    return bounded(max, true);
  }

  /** At most {@code max} entries; the one put first goes first (reads do not keep an entry). */
  public static <K, V> Map<K, V> oldestFirst(int max) {
    return bounded(max, false);
  }

  private static <K, V> Map<K, V> bounded(int max, boolean accessOrder) {
    if (max < 1) {
      throw new IllegalArgumentException("max must be 1 or more");
    }
    return new LinkedHashMap<>(16, 0.75f, accessOrder) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > max;
      }
    };
  }
}
