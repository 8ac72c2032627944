package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildStatus;
import dev.stagebuild.testing.Builds;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** After a conflict, which fresh objects get the same decision written again, and which are decided again. */
class DecidedAlikeTest {
  private final StageBuild decidedFrom = build();

  private static StageBuild build() {
    StageBuild sb = Builds.inline("b", "FROM alpine\nRUN true\n");
    sb.getMetadata().setGeneration(3L);
    sb.getMetadata().setResourceVersion("10");
    sb.getMetadata().setUid("u");
    sb.setStatus(new StageBuildStatus());
    sb.getStatus().buildId = "3";
    sb.getStatus().stagesDone = "0/1";
    return sb;
  }

  private StageBuild fresh(Consumer<StageBuild> change) {
    StageBuild copy = Serialization.clone(decidedFrom);
    copy.getMetadata().setResourceVersion("11");
    change.accept(copy);
    return copy;
  }

  @Test
  void aLabelOrAnotherControllersAnnotationDoesNotChangeTheDecision() {
    assertThat(StageBuildReconciler.decidedAlike(decidedFrom, fresh(sb -> {
      sb.getMetadata().setLabels(Map.of("team", "a"));
      sb.getMetadata().setAnnotations(Map.of("argocd.argoproj.io/tracking-id", "x"));
    }))).isTrue();
  }

  @Test
  void anotherStatusSpecRebuildOrDeletionIsDecidedAgain() {
    assertThat(StageBuildReconciler.decidedAlike(decidedFrom, fresh(sb -> sb.getStatus().stagesDone = "1/1"))).isFalse();
    assertThat(StageBuildReconciler.decidedAlike(decidedFrom, fresh(sb -> sb.getMetadata().setGeneration(4L)))).isFalse();
    assertThat(StageBuildReconciler.decidedAlike(decidedFrom, fresh(sb -> sb.getMetadata()
        .setAnnotations(Map.of(StageBuild.REBUILD_ANNOTATION, "again"))))).isFalse();
    assertThat(StageBuildReconciler.decidedAlike(decidedFrom, fresh(sb -> sb.getMetadata()
        .setDeletionTimestamp("2026-12-07T00:00:00Z")))).isFalse();
  }
}
