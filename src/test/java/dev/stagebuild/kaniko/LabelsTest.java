package dev.stagebuild.kaniko;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class LabelsTest {
  static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");

  @Test
  void buildLabels() {
    var labels = Labels.forBuild(Fixtures.sb("hellogo"), "2");
    assertThat(labels).containsExactly(
        org.assertj.core.api.Assertions.entry("app.kubernetes.io/managed-by", "stagebuild"),
        org.assertj.core.api.Assertions.entry("stagebuild.dev/build", "hellogo"),
        org.assertj.core.api.Assertions.entry("stagebuild.dev/build-id", "2"));
  }

  @Test
  void stepLabels() {
    var labels = Labels.forStep(Fixtures.sb("hellogo"), "2-abcdef", "build", 3);
    assertThat(labels)
        .containsEntry(Labels.MANAGED_BY, "stagebuild")
        .containsEntry(Labels.BUILD, "hellogo")
        .containsEntry(Labels.BUILD_ID, "2-abcdef")
        .containsEntry(Labels.STEP, "build")
        .containsEntry(Labels.ATTEMPT, "3")
        .hasSize(5);
  }

  @Test
  void validStageNamesAreKept() {
    // Dots and underscores are fine in a label value, as long as the ends are alphanumeric.
    assertThat(Labels.forStep(Fixtures.sb("a"), "1", "build.tools_v2", 1)).containsEntry(Labels.STEP, "build.tools_v2");
  }

  @Test
  void invalidStepValuesAreSanitizedAndHashed() {
    String value = Labels.forStep(Fixtures.sb("a"), "1", "build-", 1).get(Labels.STEP);
    assertThat(value).matches(LABEL_VALUE).hasSizeLessThanOrEqualTo(63)
        .isEqualTo("build-" + Hashes.sha256Hex("build-", 8));
    assertThat(Labels.labelValue("x".repeat(64))).hasSize(63).matches(LABEL_VALUE);
  }

  @Test
  void longBuildNamesAreShortened() {
    String name = "team.example." + "n".repeat(100);
    String value = Labels.buildLabelValue(name);
    assertThat(value).hasSizeLessThanOrEqualTo(63).matches(LABEL_VALUE)
        .endsWith(Hashes.sha256Hex(name, 8)).startsWith("team.example.nnn");
    assertThat(Labels.buildLabelValue(name)).isEqualTo(value);
    assertThat(Labels.buildLabelValue("team.example.app")).isEqualTo("team.example.app");
  }
}
