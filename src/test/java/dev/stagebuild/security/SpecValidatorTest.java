package dev.stagebuild.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageSettings;
import dev.stagebuild.testing.Builds;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecValidatorTest {
  private static StageSettings stage(String name) {
    StageSettings s = new StageSettings();
    s.name = name;
    return s;
  }

  @Test
  void twoSettingsForOneStageAreRefusedAsKanikoLowerCasesNames() {
    // İ (U+0130) lowers to i as Go lowers it: both entries name stage "image", the second would be ignored
    StageBuild sb = Builds.inline("dup", "FROM alpine AS image\nRUN true\n");
    sb.getSpec().stages = List.of(stage("\u0130mage"), stage("image"));
    assertThat(SpecValidator.problems(sb)).containsExactly(
        "spec.stages[1].name: \"image\" is also spec.stages[0] (stage names are case-insensitive)");
    sb.getSpec().stages = List.of(stage("IMAGE"), stage("other"));
    assertThat(SpecValidator.problems(sb)).isEmpty();
  }
}
