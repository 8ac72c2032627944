package dev.stagebuild.registry;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Function;

/**
 * A small thread-safe cache with a bound on both its size and its entries' age. The registry a
 * StageBuild names is its author's choice, so whatever the client remembers per registry, realm or
 * CA bundle must not grow with the number of StageBuilds: past {@code maxEntries} the least
 * recently used entry goes, and no entry is returned past its own expiry (at most {@code maxAge}
 * after it was put).
 */
final class BoundedCache<K, V> {
  private record Slot<V>(V value, Instant expires) {}

  private final int maxEntries;
  private final Duration maxAge;
  private final Clock clock;
  private final LinkedHashMap<K, Slot<V>> map;

  BoundedCache(int maxEntries, Duration maxAge, Clock clock) {
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries must be 1 or more");
    }
    if (maxAge.isNegative() || maxAge.isZero()) {
      throw new IllegalArgumentException("maxAge must be positive");
    }
    this.maxEntries = maxEntries;
    this.maxAge = maxAge;
    this.clock = Objects.requireNonNull(clock, "clock");
    this.map = new LinkedHashMap<>(16, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, Slot<V>> eldest) {
        return size() > BoundedCache.this.maxEntries;
      }
    };
  }

  /** The value, or null when there is none or it has expired. */
  synchronized V get(K key) {
    Slot<V> slot = map.get(key);
    if (slot == null) {
      return null;
    }
    if (!clock.instant().isBefore(slot.expires)) {
      map.remove(key);
      return null;
    }
    return slot.value;
  }

  /** Puts a value for at most {@code maxAge}. */
  synchronized void put(K key, V value) {
    put(key, value, null);
  }

  /** Puts a value until {@code expires}, or {@code maxAge} from now if that is sooner (or expires is null). */
  synchronized void put(K key, V value, Instant expires) {
    Instant now = clock.instant();
    Instant latest = now.plus(maxAge);
    Instant until = expires == null || expires.isAfter(latest) ? latest : expires;
    if (!now.isBefore(until)) {
      map.remove(key);
      return;
    }
    evictExpired(now);
    map.put(key, new Slot<>(value, until));
  }

  /** The cached value, or a new one from {@code load} (not cached when it is null). */
  V computeIfAbsent(K key, Function<K, V> load) {
    V v = get(key);
    if (v != null) {
      return v;
    }
    V fresh = load.apply(key);
    if (fresh == null) {
      return null;
    }
    synchronized (this) {
      V raced = get(key);
      if (raced != null) {
        return raced;
      }
      put(key, fresh);
      return fresh;
    }
  }

  synchronized void remove(K key) {
    map.remove(key);
  }

  synchronized boolean containsKey(K key) {
    return get(key) != null;
  }

  synchronized void clear() {
    map.clear();
  }

  /** The number of entries held, expired ones included until they are next looked at. */
  synchronized int size() {
    return map.size();
  }

  private void evictExpired(Instant now) {
    for (Iterator<Slot<V>> it = map.values().iterator(); it.hasNext(); ) {
      if (!now.isBefore(it.next().expires)) {
        it.remove();
      }
    }
  }
}
