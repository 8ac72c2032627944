package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.kaniko.KanikoResources;
import dev.stagebuild.kaniko.RenderSettings;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;

class WarmUpTest {
  final WarmUp warmUp = new WarmUp(new BuildDecider(OperatorSettings.defaults()),
      new KanikoResources(RenderSettings.defaults()), new KubernetesSerialization(), Clock.systemUTC());

  @Test
  void aMadeUpBuildRunsEveryStageAndEndsPushed() {
    var status = warmUp.build(0);
    assertThat(status.stagesDone).isEqualTo("3/3");
    assertThat(status.output.digest).startsWith("sha256:");
    assertThat(status.conditions).anySatisfy(c -> {
      assertThat(c.getType()).isEqualTo(Conditions.READY);
      assertThat(c.getStatus()).isEqualTo("True");
    });
  }

  @Test
  void itStopsAtItsBudget() {
    Clock stopped = Clock.fixed(Instant.parse("2026-12-06T10:00:00Z"), ZoneOffset.UTC);
    var none = new WarmUp(new BuildDecider(OperatorSettings.defaults()), new KanikoResources(RenderSettings.defaults()),
        new KubernetesSerialization(), stopped);
    assertThat(none.run(10, Duration.ZERO)).isZero();
    assertThat(warmUp.run(3, Duration.ofMinutes(1))).isEqualTo(3);
  }
}
