package dev.stagebuild.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SizesTest {
  @Test
  void likeDocker() {
    assertThat(Sizes.shortSize(0)).isEqualTo("0B");
    assertThat(Sizes.shortSize(512)).isEqualTo("512B");
    assertThat(Sizes.shortSize(999)).isEqualTo("999B");
    assertThat(Sizes.shortSize(1000)).isEqualTo("1kB");
    assertThat(Sizes.shortSize(1234)).isEqualTo("1.23kB");
    assertThat(Sizes.shortSize(9_620_000)).isEqualTo("9.62MB");
    assertThat(Sizes.shortSize(9_624_999)).isEqualTo("9.62MB");
    assertThat(Sizes.shortSize(851_000_000)).isEqualTo("851MB");
    assertThat(Sizes.shortSize(1_500_000_000L)).isEqualTo("1.5GB");
    assertThat(Sizes.shortSize(Long.MAX_VALUE)).isEqualTo("9.22EB");
  }

  @Test
  void roundingUpToTheNextUnitNeverPrintsAnExponent() {
    assertThat(Sizes.shortSize(999_999)).isEqualTo("1MB");
    assertThat(Sizes.shortSize(999_499)).isEqualTo("999kB");
  }

  @Test
  void negativeIsAnError() {
    assertThatThrownBy(() -> Sizes.shortSize(-1)).isInstanceOf(IllegalArgumentException.class);
  }
}
