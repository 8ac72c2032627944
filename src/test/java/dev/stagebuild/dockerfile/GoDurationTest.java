package dev.stagebuild.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Cases from Go's time.ParseDuration tests and its grammar, [-+]?([0-9]*(\.[0-9]*)?[a-z]+)+. */
class GoDurationTest {
  @Test
  void readsWhatGoReads() {
    assertThat(GoDuration.nanos("0")).isZero();
    assertThat(GoDuration.nanos("-0")).isZero();
    assertThat(GoDuration.nanos("5s")).isEqualTo(5_000_000_000L);
    assertThat(GoDuration.nanos("+5s")).isEqualTo(5_000_000_000L);
    assertThat(GoDuration.nanos("-5s")).isEqualTo(-5_000_000_000L);
    assertThat(GoDuration.nanos("1.5h")).isEqualTo(5_400_000_000_000L);
    assertThat(GoDuration.nanos("1h30m")).isEqualTo(5_400_000_000_000L);
    assertThat(GoDuration.nanos(".5s")).isEqualTo(500_000_000L);
    assertThat(GoDuration.nanos("1.s")).isEqualTo(1_000_000_000L);
    assertThat(GoDuration.nanos("3us")).isEqualTo(GoDuration.nanos("3\u00b5s")).isEqualTo(GoDuration.nanos("3\u03bcs"))
        .isEqualTo(3_000L);
    assertThat(GoDuration.nanos("9223372036854775807ns")).isEqualTo(Long.MAX_VALUE);
    assertThat(GoDuration.nanos("-9223372036854775808ns")).isEqualTo(Long.MIN_VALUE);
  }

  @Test
  void refusesWhatGoRefuses() {
    for (String bad : new String[] {"", "3", "-", "s", ".", ".s", "+.s", "1d", "1.0.0s", "3 s", "9223372036854775808ns",
        "3000000h"}) {
      assertThatThrownBy(() -> GoDuration.nanos(bad)).as(bad).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("time: ");
    }
  }
}
