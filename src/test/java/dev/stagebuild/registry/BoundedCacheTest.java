package dev.stagebuild.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BoundedCacheTest {
  final MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));

  @Test
  void theLeastRecentlyUsedEntryGoesPastTheSizeBound() {
    BoundedCache<String, Integer> cache = new BoundedCache<>(3, Duration.ofHours(1), clock);
    cache.put("a", 1);
    cache.put("b", 2);
    cache.put("c", 3);
    assertThat(cache.get("a")).isEqualTo(1); // a is now the most recent
    cache.put("d", 4);
    assertThat(cache.size()).isEqualTo(3);
    assertThat(cache.get("b")).isNull();
    assertThat(cache.get("a")).isEqualTo(1);
    for (int i = 0; i < 10_000; i++) {
      cache.put("k" + i, i);
    }
    assertThat(cache.size()).isEqualTo(3);
  }

  @Test
  void noEntryOutlivesItsAgeOrItsOwnExpiry() {
    BoundedCache<String, Integer> cache = new BoundedCache<>(10, Duration.ofMinutes(10), clock);
    cache.put("aged", 1);
    cache.put("short", 2, clock.instant().plusSeconds(30));
    cache.put("long", 3, clock.instant().plus(Duration.ofDays(365)));
    cache.put("expired", 4, clock.instant().minusSeconds(1));
    assertThat(cache.get("expired")).isNull();
    clock.advance(Duration.ofSeconds(31));
    assertThat(cache.get("short")).isNull();
    assertThat(cache.get("long")).isEqualTo(3);
    clock.advance(Duration.ofMinutes(10));
    assertThat(cache.get("aged")).isNull();
    assertThat(cache.get("long")).as("capped at the cache's age").isNull();
    cache.put("new", 5);
    assertThat(cache.size()).as("a put drops what has expired").isEqualTo(1);
  }

  @Test
  void computeIfAbsentLoadsOnce() {
    BoundedCache<String, String> cache = new BoundedCache<>(2, Duration.ofMinutes(1), clock);
    int[] loads = {0};
    assertThat(cache.computeIfAbsent("x", k -> k + ++loads[0])).isEqualTo("x1");
    assertThat(cache.computeIfAbsent("x", k -> k + ++loads[0])).isEqualTo("x1");
    assertThat(cache.computeIfAbsent("y", k -> null)).isNull();
    assertThat(cache.containsKey("y")).isFalse();
  }
}
