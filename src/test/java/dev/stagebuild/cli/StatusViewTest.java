package dev.stagebuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildStatus;
import dev.stagebuild.api.StageStatus;
import dev.stagebuild.testing.Builds;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** status's page, rendered without a cluster. */
class StatusViewTest {
  static final Instant NOW = Instant.parse("2026-11-26T10:01:00Z");

  static StageBuild build(StageBuildStatus status) {
    StageBuild sb = Builds.inline("hellogo", "FROM alpine\n");
    sb.getMetadata().setNamespace("demo");
    sb.getSpec().output.image = "r/hellogo:0.0.2";
    sb.setStatus(status);
    return sb;
  }

  @Test
  void finishedBuild() {
    assertThat(StatusView.render(build(BuildFixtures.hellogo(true)), NOW)).isEqualTo("""
        Name:        hellogo
        Namespace:   demo
        Image:       r/hellogo:0.0.2
        Build:       1 (generation 1)
        Started:     2026-11-26T10:00:00Z
        Completed:   2026-11-26T10:00:58Z (58s)
        Source:      hellogo-1-source  Succeeded
        Stages done: 2/2

          STAGE    PHASE      ATTEMPTS  POD                START     DURATION  TIMELINE (58s)
          build    Succeeded  1         hellogo-1-build    10:00:03  38s       | #####################        |
          stage-1  Succeeded  1         hellogo-1-stage-1  10:00:42  16s       |                     #########|

        Conditions:
          TYPE       STATUS  REASON     SINCE                 MESSAGE
          Succeeded  True    Succeeded  2026-11-26T10:00:58Z  pushed r/hellogo@sha256:2c2a
          Ready      True    Succeeded  2026-11-26T10:00:58Z  -

        Image:
          Digest:    sha256:2c2ab690
          Ref:       r/hellogo@sha256:2c2ab690
          Size:      9.62MB (9620000 bytes)
        """);
  }

  @Test
  void runningStageReachesNowAndEndsInAnArrow() {
    StageBuildStatus st = BuildFixtures.hellogo(false);
    st.stages = List.of(st.stages.get(0),
        BuildFixtures.stage("stage-1", "Running", "hellogo-1-stage-1", "2026-11-26T10:00:45Z", null));
    String page = StatusView.render(build(st), NOW);
    assertThat(page).contains("Running for: 1m00s\n")
        .contains("  stage-1  Running    1         hellogo-1-stage-1  10:00:45  15s       |"
            + " ".repeat(22) + "#######>|\n")
        .contains("Image:\n  (not pushed yet)\n");
  }

  @Test
  void bar() {
    Instant t0 = Instant.parse("2026-11-26T10:00:00Z");
    Instant t1 = t0.plusSeconds(30);
    assertThat(StatusView.bar(t0, t1, t0, t1, false)).isEqualTo("|" + "#".repeat(30) + "|");
    assertThat(StatusView.bar(t0, t1, t0.plusSeconds(10), t0.plusSeconds(20), false))
        .isEqualTo("|" + " ".repeat(10) + "#".repeat(10) + " ".repeat(10) + "|");
    assertThat(StatusView.bar(t0, t1, t1, t1, false)).as("an instant is one cell").isEqualTo("|" + " ".repeat(29) + "#|");
    assertThat(StatusView.bar(t0, t1, null, null, false)).isEqualTo("|" + " ".repeat(30) + "|");
    assertThat(StatusView.bar(null, t1, t0, t1, false)).isEqualTo("|" + " ".repeat(30) + "|");
  }

  @Test
  void durations() {
    Instant t = Instant.parse("2026-11-26T10:00:00Z");
    assertThat(StatusView.duration(t, t.plusSeconds(59))).isEqualTo("59s");
    assertThat(StatusView.duration(t, t.plusSeconds(125))).isEqualTo("2m05s");
    assertThat(StatusView.duration(t, t.plusSeconds(3 * 3600 + 120))).isEqualTo("3h02m");
  }

  @Test
  void failedStageMessageIsShownAndTerminalEscapesAreDefused() {
    StageBuildStatus st = BuildFixtures.hellogo(false);
    StageStatus failed = BuildFixtures.stage("stage-1", "Failed", "hellogo-1-stage-1", "2026-11-26T10:00:45Z",
        "2026-11-26T10:00:50Z");
    failed.message = "exit code 1; log tail:\n\u001b[31mno such file\u001b[0m";
    st.stages = List.of(st.stages.get(0), failed);
    st.conditions = List.of(BuildFixtures.condition("Succeeded", "False", "StageFailed", "stage stage-1 failed\nmore"));
    String page = StatusView.render(build(st), NOW);
    assertThat(page).contains("  stage-1: exit code 1; log tail:\n    ?[31mno such file?[0m\n")
        .contains("  Succeeded  False   StageFailed  2026-11-26T10:00:58Z  stage stage-1 failed ...\n")
        .doesNotContain("\u001b");
  }

  @Test
  void notYetSeenByTheOperator() {
    String page = StatusView.render(build(null), NOW);
    assertThat(page).contains("Build:       (not started)\n").contains("Stages: (not planned yet)\n")
        .contains("  (none yet: the operator has not seen this StageBuild)\n");
  }
}
