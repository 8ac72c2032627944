package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class ServerSidePercentilesTest {
  /** Registered as JOSDK's MicrometerMetrics registers its reconcile timer. */
  static Timer josdkTimer(MeterRegistry registry, String name) {
    return Timer.builder(name).tag("controller", "stagebuild").publishPercentiles(0.3, 0.5, 0.95)
        .publishPercentileHistogram().register(registry);
  }

  @Test
  void josdksReconcileTimerKeepsItsBucketsButComputesNoPercentiles() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    registry.config().meterFilter(new ServerSidePercentiles());
    Timer reconcile = josdkTimer(registry, "operator.sdk.controllers.execution.reconcile");
    Timer other = josdkTimer(registry, "stagebuild.other");
    for (int i = 1; i <= 100; i++) {
      reconcile.record(Duration.ofMillis(i));
      other.record(Duration.ofMillis(i));
    }
    assertThat(reconcile.takeSnapshot().percentileValues()).isEmpty();
    String scrape = registry.scrape();
    assertThat(scrape).as("what the dashboard's histogram_quantile reads")
        .contains("operator_sdk_controllers_execution_reconcile_seconds_bucket{");
    assertThat(scrape).doesNotContain("operator_sdk_controllers_execution_reconcile_seconds{controller=\"stagebuild\",quantile=");
    assertThat(other.takeSnapshot().percentileValues()).as("other meters as they were").hasSize(3);
  }
}
