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

  @Test
  void answersOfOneKindAreTheSameKindWhateverTheRequestAndTheObject() {
    var conflictA = new KubernetesClientException(new StatusBuilder().withCode(409).withReason("Conflict")
        .withMessage("Operation cannot be fulfilled on stagebuilds \"a\"").build());
    var conflictB = new KubernetesClientException(new StatusBuilder().withCode(409).withReason("Conflict")
        .withMessage("Operation cannot be fulfilled on stagebuilds \"b\"").build());
    var exists = new KubernetesClientException(new StatusBuilder().withCode(409).withReason("AlreadyExists").build());
    assertThat(ApiErrors.kindOfAnswer(conflictA)).isEqualTo(ApiErrors.kindOfAnswer(conflictB)).isEqualTo("HTTP 409 Conflict")
        .isNotEqualTo(ApiErrors.kindOfAnswer(exists));
    var refusedA = new KubernetesClientException("PUT a", new java.io.IOException("x", new java.net.ConnectException("refused a")));
    var refusedB = new KubernetesClientException("GET b", new java.net.ConnectException("refused b"));
    assertThat(ApiErrors.kindOfAnswer(refusedA)).isEqualTo(ApiErrors.kindOfAnswer(refusedB))
        .isEqualTo("no answer java.net.ConnectException");
  }

  @Test
  void aLogLineSaysTheAnswerAndTheRequestWithoutTheClientsDump() {
    KubernetesClientException refused = new KubernetesClientException("Failure executing: POST at:"
        + " https://10.0.0.1:443/api/v1/namespaces/ci/pods. Message: etcdserver: request timed out. Received status:"
        + " Status(apiVersion=v1, code=500, details=null, kind=Status, message=etcdserver: request timed out).", 500,
        new StatusBuilder().withCode(500).withMessage("etcdserver: request timed out").build());
    assertThat(ApiErrors.oneLine(refused)).isEqualTo("HTTP 500: etcdserver: request timed out (POST /api/v1/namespaces/ci/pods)");
    // Fabric8's report of a request without an answer: launderThrowable(OperationInfo, cause)
    var operation = new io.fabric8.kubernetes.client.OperationInfo() {
      public String getKind() {
        return "Pod";
      }

      public String getName() {
        return null;
      }

      public String getNamespace() {
        return "ci";
      }

      public String getOperationType() {
        return "list";
      }

      public io.fabric8.kubernetes.client.OperationInfo forOperationType(String type) {
        return this;
      }

      public String getGroup() {
        return "";
      }

      public String getPlural() {
        return "pods";
      }
    };
    // (it throws what it makes)
    KubernetesClientException noAnswer = org.assertj.core.api.Assertions.catchThrowableOfType(
        KubernetesClientException.class,
        () -> KubernetesClientException.launderThrowable(operation, new java.io.IOException("Connection refused")));
    assertThat(ApiErrors.isNoAnswer(noAnswer)).isTrue();
    assertThat(ApiErrors.oneLine(noAnswer)).isEqualTo("no answer from the API server (pods in ci): Connection refused");
    // the client refusing to send a request is not about the API server: no line, a stack trace
    KubernetesClientException clientSide = new KubernetesClientException("namespace cannot be null");
    assertThat(ApiErrors.isNoAnswer(clientSide)).isFalse();
    assertThat(ApiErrors.oneLine(clientSide)).isNull();
  }
}
