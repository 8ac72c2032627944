package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** When a build that keeps failing ends: counted as JOSDK counts, and never for the API server's answers. */
class GiveUpTest {

  /** JOSDK's retry info at a failure that has {@code earlier} failed passes before it. */
  private static Optional<RetryInfo> after(int earlier) {
    return Optional.of(new RetryInfo() {
      @Override
      public int getAttemptCount() {
        return earlier;
      }

      @Override
      public boolean isLastAttempt() {
        return false;
      }
    });
  }

  @Test
  void aDefectEndsTheBuildAtItsFifthFailureNotItsSixth() {
    Exception defect = new IllegalStateException("a defect meeting an input");
    assertThat(StageBuildReconciler.failures(Optional.empty())).as("the first failure has no retry info yet").isEqualTo(1);
    assertThat(StageBuildReconciler.failures(after(0))).as("JOSDK's count at the first failure").isEqualTo(1);
    for (int earlier = 0; earlier < StageBuildReconciler.MAX_UNEXPECTED - 1; earlier++) {
      assertThat(StageBuildReconciler.givesUp(defect, StageBuildReconciler.failures(after(earlier))))
          .as("failure %d", earlier + 1).isFalse();
    }
    assertThat(StageBuildReconciler.givesUp(defect, StageBuildReconciler.failures(after(StageBuildReconciler.MAX_UNEXPECTED - 1))))
        .as("failure %d", StageBuildReconciler.MAX_UNEXPECTED).isTrue();
  }

  @Test
  void theApiServersAnswersAreRetriedWithoutLimit() {
    var answer = new KubernetesClientException("etcdserver: request timed out", 500, null);
    int many = StageBuildReconciler.failures(after(1_000));
    assertThat(StageBuildReconciler.givesUp(answer, many)).isFalse();
    assertThat(StageBuildReconciler.givesUp(new RuntimeException("wrapped", answer), many)).isFalse();
    assertThat(StageBuildReconciler.givesUp(new RuntimeException("a defect"), many)).isTrue();
  }

  @Test
  void aRefusalThatWouldBeMetAgainEndsTheBuildLikeADefectButAFullQuotaIsWaitedFor() {
    var forbidden = new KubernetesClientException(new io.fabric8.kubernetes.api.model.StatusBuilder().withCode(403)
        .withReason("Forbidden").withMessage("secrets \"push\" is forbidden: User \"system:serviceaccount:x:op\""
            + " cannot get resource \"secrets\" in the namespace \"demo\"").build());
    assertThat(StageBuildReconciler.givesUp(forbidden, StageBuildReconciler.MAX_REFUSED - 1))
        .as("a RoleBinding applied with the StageBuild has time to arrive").isFalse();
    assertThat(StageBuildReconciler.givesUp(forbidden, StageBuildReconciler.MAX_REFUSED)).isTrue();
    assertThat(StageBuildReconciler.refusal(new RuntimeException("wrapped", forbidden))).isSameAs(forbidden);
    var quota = new KubernetesClientException(new io.fabric8.kubernetes.api.model.StatusBuilder().withCode(403)
        .withReason("Forbidden").withMessage("pods \"a\" is forbidden: exceeded quota: compute").build());
    assertThat(StageBuildReconciler.givesUp(quota, 1_000)).isFalse();
  }
}
