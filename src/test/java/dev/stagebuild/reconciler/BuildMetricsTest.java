package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class BuildMetricsTest {
  static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");

  static Pod pod(String created, String phase) {
    return new PodBuilder().withNewMetadata().withName("p").withCreationTimestamp(created).endMetadata()
        .withNewStatus().withPhase(phase).endStatus().build();
  }

  @Test
  void theOldestPendingPodsWaitIsWhatTheStuckAlertReads() {
    assertThat(BuildMetrics.oldestPendingSeconds(Stream.of(pod("2026-12-05T09:00:00Z", "Running"),
        pod("2026-12-05T09:40:00Z", "Pending"), pod("2026-12-05T09:55:00Z", "Pending")), NOW)).isEqualTo(1200);
    assertThat(BuildMetrics.oldestPendingSeconds(Stream.of(pod("2026-12-05T09:00:00Z", "Succeeded")), NOW))
        .isZero();
  }
}
