package dev.stagebuild.testing.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class BuildToolsConditionTest {
  @Test
  void runsWhenNothingIsMissing() {
    assertThat(BuildToolsCondition.decide(List.of(), "true").isDisabled()).isFalse();
    assertThat(BuildToolsCondition.decide(List.of(), null).isDisabled()).isFalse();
  }

  @Test
  void skipsWithWhatToInstallOutsideCi() {
    var result = BuildToolsCondition.decide(List.of("buildah", "git"), null);
    assertThat(result.isDisabled()).isTrue();
    assertThat(result.getReason()).hasValueSatisfying(r -> assertThat(r).contains("buildah, git",
        "apt-get install buildah busybox-static docker-registry git"));
    assertThat(BuildToolsCondition.decide(List.of("buildah"), "false").isDisabled()).isTrue();
  }

  @Test
  void failsUnderCi() {
    assertThatThrownBy(() -> BuildToolsCondition.decide(List.of("root (buildah runs as root with vfs storage)"),
        " TRUE "))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("CI=true")
        .hasMessageContaining("must run in CI, not be skipped")
        .hasMessageContaining("root");
  }
}
