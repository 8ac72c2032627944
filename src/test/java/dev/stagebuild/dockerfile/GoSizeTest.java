package dev.stagebuild.dockerfile;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** go-units' RAMInBytes (size.go), as BuildKit reads a tmpfs mount's size=. */
class GoSizeTest {
  @ParameterizedTest
  @ValueSource(strings = {"0", "64", "64m", "64M", "64mb", "64MiB", "1.5g", "1.5 GB", "10 ", "1e3", "1e3k", ".5k",
      "5.k", "+1k", "-0", "1kb", "100b", "100B", "2p", "0x1p4", "0x1p4k", "64 m", "1_000", "1_024k", "1e1_0",
      "0x_1p4", "1\u212A"})
  void readsWhatGoUnitsReads(String size) {
    assertThat(GoSize.parses(size)).as(size).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "m", "64x", "64mm", "64mib1", "64kB2", "64bb", "64mibs", "-1", "-1k", " 64", "64m ",
      "64  m", "1e400", "inf", "0x10", "1__0", "_1", "1_", "1_.5", "64 KiB ", "1..2", "abc", "64i", "64ib",
      "1\u212Ab", "0b101"})
  void refusesWhatGoUnitsRefuses(String size) {
    assertThat(GoSize.parses(size)).as(size).isFalse();
  }
}
