package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class BuildStartsTest {
  static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");

  @Test
  void aStageBuildReplacesItsBuildAtMostOncePerInterval() {
    BuildStarts starts = new BuildStarts();
    assertThat(starts.admit("a", T0)).isNull();
    assertThat(starts.admit("a", T0.plusMillis(300))).isEqualTo(Duration.ofMillis(700));
    // Another StageBuild is not held back by this one.
    assertThat(starts.admit("b", T0.plusMillis(300))).isNull();
    // A refused start is not recorded: the wait counts from the last start.
    assertThat(starts.admit("a", T0.plusMillis(999))).isEqualTo(Duration.ofMillis(1));
    assertThat(starts.admit("a", T0.plus(BuildStarts.MIN_INTERVAL))).isNull();
    assertThat(starts.admit("a", T0.plus(BuildStarts.MIN_INTERVAL).plusMillis(1))).isNotNull();
  }

  @Test
  void whatItRemembersIsBounded() {
    BuildStarts starts = new BuildStarts();
    for (int i = 0; i < 3 * BuildStarts.MAX_TRACKED; i++) {
      // A second apart in blocks: older entries would admit anyway and are dropped.
      assertThat(starts.admit("sb-" + i, T0.plusSeconds(i / 100))).isNull();
    }
    assertThat(starts.tracked()).isLessThanOrEqualTo(BuildStarts.MAX_TRACKED);
  }
}
