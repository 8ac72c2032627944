package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class PodAddFilterTest {
  static final Instant STARTED = Instant.parse("2026-12-05T10:00:00Z");
  final PodAddFilter filter = new PodAddFilter(STARTED);

  static Pod createdAt(String time) {
    return new PodBuilder().withNewMetadata().withName("p").withCreationTimestamp(time).endMetadata().build();
  }

  @Test
  void podsOfTheInformersFirstListAreNotEventsButLaterOnesAre() {
    assertThat(filter.accept(createdAt("2026-12-04T10:00:00Z"))).as("listed at start: the first pass reads it")
        .isFalse();
    assertThat(filter.accept(createdAt("2026-12-05T10:00:05Z"))).as("created since").isTrue();
    assertThat(filter.accept(createdAt("2026-12-05T09:59:57Z"))).as("within the clock skew allowed").isTrue();
    assertThat(filter.accept(createdAt("2026-12-05T09:59:50Z"))).as("listed at start").isFalse();
    assertThat(filter.accept(createdAt(null))).as("no creation time: an event").isTrue();
  }
}
