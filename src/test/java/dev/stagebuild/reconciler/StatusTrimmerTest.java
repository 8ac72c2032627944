package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagebuild.api.StageBuildStatus;
import dev.stagebuild.api.StageStatus;
import dev.stagebuild.api.StepRecord;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StatusTrimmerTest {
  private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");

  private static StageBuildStatus status(String stageMessage, String conditionMessage) {
    StageBuildStatus s = new StageBuildStatus();
    s.buildId = "1";
    StageStatus a = new StageStatus();
    a.name = "a";
    a.phase = "Failed";
    a.exitCode = 1;
    a.message = stageMessage;
    StageStatus b = new StageStatus();
    b.name = "b";
    b.phase = "Waiting";
    s.stages = new ArrayList<>(List.of(a, b));
    StepRecord r = new StepRecord();
    r.step = "stage-a";
    r.phase = "Failed";
    r.result = "sha256:" + "0".repeat(64);
    s.steps = new ArrayList<>(List.of(r));
    s.conditions = Conditions.set(List.of(), Conditions.SUCCEEDED, "False", "StageFailed", conditionMessage, 1L, NOW);
    return s;
  }

  @Test
  void levelOneShortensMessagesAndKeepsEverythingElse() {
    StageBuildStatus s = StatusTrimmer.trim(status("exit code 1: " + "E".repeat(2000), "M".repeat(4000)), 1);
    assertThat(s.stages.get(0).message).hasSize(256).startsWith("exit code 1: EEE").endsWith("…");
    assertThat(s.stages.get(1).message).isNull();
    assertThat(s.conditions.get(0).getMessage()).hasSize(1024).endsWith("…");
    assertThat(s.conditions.get(0).getReason()).isEqualTo("StageFailed");
    assertThat(s.stages).extracting(x -> x.name + ":" + x.phase).containsExactly("a:Failed", "b:Waiting");
    assertThat(s.stages.get(0).exitCode).isEqualTo(1);
    assertThat(s.steps).extracting(x -> x.step + ":" + x.phase + ":" + x.result)
        .containsExactly("stage-a:Failed:sha256:" + "0".repeat(64));
  }

  @Test
  void levelTwoDropsStageMessagesAndShortensConditionsFurther() {
    StageBuildStatus s = StatusTrimmer.trim(status("exit code 1: boom", "M".repeat(4000)), 2);
    assertThat(s.stages.get(0).message).isNull();
    assertThat(s.conditions.get(0).getMessage()).hasSize(256);
    assertThat(s.conditions.get(0).getStatus()).isEqualTo("False");
  }

  @Test
  void shortMessagesStayAsTheyAre() {
    StageBuildStatus s = StatusTrimmer.trim(status("exit code 1: boom", "stage a failed"), 1);
    assertThat(s).isEqualTo(status("exit code 1: boom", "stage a failed"));
  }

  @Test
  void aCutNeverSplitsASurrogatePair() {
    String message = "x".repeat(254) + "\uD83D\uDE00" + "y".repeat(10);
    String cut = StatusTrimmer.trim(status(message, "m"), 1).stages.get(0).message;
    assertThat(cut).isEqualTo("x".repeat(254) + "…");
  }

  @Test
  void aStatusWithoutStagesOrConditionsIsTrimmedToo() {
    StageBuildStatus s = new StageBuildStatus();
    assertThat(StatusTrimmer.trim(s, 2)).isEqualTo(new StageBuildStatus());
    assertThatThrownBy(() -> StatusTrimmer.trim(s, 3)).isInstanceOf(IllegalArgumentException.class);
  }
}
