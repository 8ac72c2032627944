package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RepeatGateTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00.250Z"));
  private final RepeatGate gate = new RepeatGate(clock, Duration.ofMinutes(1));

  @Test
  void theFirstOfAKindPassesTheRestOfItsWindowAreCountedAndTheNextSaysHowMany() {
    assertThat(gate.admit("HTTP 500")).isEqualTo(RepeatGate.Verdict.PASSED);
    for (int i = 0; i < 40; i++) {
      clock.advance(Duration.ofSeconds(1));
      assertThat(gate.admit("HTTP 500").passes()).isFalse();
    }
    assertThat(gate.admit("HTTP 429").passes()).as("another kind has its own window").isTrue();
    clock.advance(Duration.ofSeconds(20));
    assertThat(gate.admit("HTTP 500"))
        .isEqualTo(new RepeatGate.Verdict(true, " (40 more like it since 2026-12-06T10:00:00Z not logged)"));
    clock.advance(Duration.ofMinutes(5));
    assertThat(gate.admit("HTTP 500")).as("none held back since").isEqualTo(RepeatGate.Verdict.PASSED);
  }

  @Test
  void manyKindsStartItAfreshRatherThanGrowWithoutBound() {
    for (int i = 0; i < RepeatGate.MAX_KINDS; i++) {
      assertThat(gate.admit("kind " + i).passes()).isTrue();
    }
    assertThat(gate.admit("kind 0").passes()).isFalse();
    assertThat(gate.admit("one kind too many").passes()).isTrue();
    assertThat(gate.admit("kind 0").passes()).as("forgotten").isTrue();
  }
}
