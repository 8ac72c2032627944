package dev.stagebuild;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class BoundedMapsTest {
  @Test
  void leastRecentlyUsedKeepsWhatWasReadLately() {
    Map<String, Integer> m = BoundedMaps.leastRecentlyUsed(2);
    m.put("a", 1);
    m.put("b", 2);
    m.get("a");
    m.put("c", 3);
    assertThat(m).containsOnlyKeys("a", "c");
  }

  @Test
  void oldestFirstDropsThePutFirstEvenWhenItWasRead() {
    Map<String, Integer> m = BoundedMaps.oldestFirst(2);
    m.put("a", 1);
    m.put("b", 2);
    m.get("a");
    m.put("c", 3);
    assertThat(m).containsOnlyKeys("b", "c");
  }

  @Test
  void neverHoldsMoreThanItsBound() {
    Map<Integer, Integer> m = BoundedMaps.leastRecentlyUsed(100);
    for (int i = 0; i < 10_000; i++) {
      m.put(i, i);
    }
    assertThat(m).hasSize(100).containsKey(9_999).doesNotContainKey(9_899);
  }

  @Test
  void aBoundBelowOneIsRefused() {
    assertThatThrownBy(() -> BoundedMaps.oldestFirst(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
