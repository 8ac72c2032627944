package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.Test;

class ApiErrorsTest {
  private static KubernetesClientException answer(int code, String message) {
    return new KubernetesClientException(new StatusBuilder().withCode(code).withMessage(message).build());
  }

  @Test
  void anObjectRefusedForItsSizeIsRefusedForGoodWhateverTheCode() {
    // etcd's limit comes back as 500 (kubernetes#112152), the API server's own as 413, gRPC's too
    for (KubernetesClientException e : new KubernetesClientException[] {answer(500, "etcdserver: request is too large"),
        answer(413, "Request entity too large: limit is 3145728"),
        answer(500, "rpc error: code = ResourceExhausted desc = trying to send message larger than max (3 vs. 2)")}) {
      assertThat(ApiErrors.isTooLarge(e)).as(e.getMessage()).isTrue();
      assertThat(ApiErrors.classify(e)).isEqualTo(ApiErrors.Kind.PERMANENT);
      assertThat(ApiErrors.refusalReason(e)).isEqualTo("PlanTooLarge");
    }
    KubernetesClientException busy = answer(500, "etcdserver: leader changed");
    assertThat(ApiErrors.isTooLarge(busy)).isFalse();
    assertThat(ApiErrors.classify(busy)).isEqualTo(ApiErrors.Kind.TRANSIENT);
  }
}
