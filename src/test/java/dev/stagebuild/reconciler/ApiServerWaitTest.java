package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagebuild.testing.MutableClock;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.junit.jupiter.api.Test;

class ApiServerWaitTest {
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T00:00:00Z"));
  private final List<Duration> sleeps = new ArrayList<>();
  private final ApiServerWait wait = new ApiServerWait(clock, d -> {
    sleeps.add(d);
    clock.advance(d);
  });

  private static KubernetesClientException answer(int code, String message) {
    return new KubernetesClientException(new StatusBuilder().withCode(code).withMessage(message).build());
  }

  /** A probe that fails with these answers, in order, then passes; counts its runs. */
  private static final class Answers implements ApiServerWait.Probe {
    final Deque<KubernetesClientException> failures;
    int runs;

    Answers(KubernetesClientException... failures) {
      this.failures = new ArrayDeque<>(List.of(failures));
    }

    @Override
    public void run() {
      runs++;
      if (!failures.isEmpty()) {
        throw failures.poll();
      }
    }
  }

  @Test
  void anApiServerThatAnswersAtOnceIsNotWaitedFor() throws Exception {
    Answers probe = new Answers();
    wait.await(probe, null);
    assertThat(probe.runs).isOne();
    assertThat(sleeps).isEmpty();
  }

  @Test
  void anOutageIsWaitedOutWithABackOffThatStopsGrowingAtThirtySeconds() throws Exception {
    List<KubernetesClientException> outage = new ArrayList<>();
    for (int i = 0; i < 9; i++) {
      outage.add(switch (i % 4) {
        case 0 -> answer(500, "etcdserver: request timed out");
        case 1 -> answer(429, "the server has received too many requests");
        case 2 -> new KubernetesClientException("Connection was closed", new IOException("Connection was closed"));
        default -> answer(503, "the server is currently unable to handle the request");
      });
    }
    Answers probe = new Answers(outage.toArray(KubernetesClientException[]::new));
    wait.await(probe, null);
    assertThat(probe.runs).isEqualTo(10);
    assertThat(sleeps).extracting(Duration::toSeconds).containsExactly(1L, 2L, 4L, 8L, 16L, 30L, 30L, 30L, 30L);
  }

  @Test
  void aFailureOfTheFirstTryIsWaitedForBeforeTheListsAreSentAgain() throws Exception {
    Answers probe = new Answers();
    wait.await(probe, answer(503, "the server is currently unable to handle the request"));
    assertThat(probe.runs).as("not sent again at once").isOne();
    assertThat(sleeps).extracting(Duration::toSeconds).containsExactly(1L);
  }

  @Test
  void aRefusalOfTheFirstTryEndsTheStartWithoutAnotherTry() {
    Answers probe = new Answers();
    assertThatThrownBy(() -> wait.await(probe, answer(403, "pods is forbidden")))
        .isInstanceOf(ApiServerWait.Refused.class);
    assertThat(probe.runs).isZero();
    assertThat(sleeps).isEmpty();
  }

  @Test
  void aCrdNotServedAfterAMinuteEndsTheStartSayingWhatToInstall() {
    KubernetesClientException notFound = answer(404, "the server could not find the requested resource");
    Answers probe = new Answers(notFound, notFound, notFound, notFound, notFound, notFound, notFound, notFound);
    assertThatThrownBy(() -> wait.await(probe, null)).isInstanceOf(ApiServerWait.Refused.class)
        .hasMessageContaining("HTTP 404: the server could not find the requested resource")
        .hasMessageContaining("kubectl apply -f deploy/crds/");
    // 1 + 2 + 4 + 8 + 16 + 30 s: the try at 61 s is the last
    assertThat(probe.runs).isEqualTo(7);
  }

  @Test
  void aCrdAppliedWithTheOperatorIsWaitedFor() throws Exception {
    KubernetesClientException notFound = answer(404, "the server could not find the requested resource");
    Answers probe = new Answers(notFound, notFound);
    wait.await(probe, null);
    assertThat(probe.runs).isEqualTo(3);
  }

  @Test
  void aForbiddenListEndsTheStartAtOnceSayingWhatToGrant() {
    Answers probe = new Answers(answer(500, "etcdserver: leader changed"),
        answer(403, "pods is forbidden: User \"system:serviceaccount:x:y\" cannot list resource \"pods\""));
    assertThatThrownBy(() -> wait.await(probe, null)).isInstanceOf(ApiServerWait.Refused.class)
        .hasMessageContaining("cannot list resource \"pods\"")
        .hasMessageContaining("ClusterRole of deploy/manifests");
    assertThat(probe.runs).isEqualTo(2);
  }

  @Test
  void aRefusedAccessCheckOfTheLeaseSaysWhatLeaderElectionNeeds() {
    var forbidden = new KubernetesClientException("Failure executing: POST at: https://10.0.0.1:443/apis/"
        + "authorization.k8s.io/v1/selfsubjectrulesreviews. Message: forbidden.", 403,
        new StatusBuilder().withCode(403).withMessage("selfsubjectrulesreviews.authorization.k8s.io is forbidden").build());
    assertThatThrownBy(() -> wait.await(new Answers(), forbidden)).isInstanceOf(ApiServerWait.Refused.class)
        .hasMessageContaining("leader-election Lease").hasMessageContaining("system:basic-user")
        .hasMessageNotContaining("ClusterRole of deploy/manifests");
    var busy = new KubernetesClientException("Failure executing: POST at: https://10.0.0.1:443/apis/"
        + "authorization.k8s.io/v1/selfsubjectrulesreviews. Message: etcdserver: leader changed.", 500,
        new StatusBuilder().withCode(500).withMessage("etcdserver: leader changed").build());
    Answers probe = new Answers();
    try {
      wait.await(probe, busy);
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
    assertThat(probe.runs).as("a 500 is waited out").isOne();
  }

  @Test
  void aStopWhileWaitingEndsTheWait() {
    ApiServerWait stopped = new ApiServerWait(clock, d -> {
      throw new InterruptedException("stopped");
    });
    assertThatThrownBy(() -> stopped.await(new Answers(answer(500, "down")), null)).isInstanceOf(InterruptedException.class);
  }

  @Test
  void aRequestTheClientWillNotSendEndsTheStartAtOnce() {
    // e.g. the current namespace watched with no namespace in the kubeconfig: no outage to wait out
    Answers probe = new Answers(new KubernetesClientException("namespace cannot be null"));
    assertThatThrownBy(() -> wait.await(probe, null)).isInstanceOf(ApiServerWait.Refused.class)
        .hasMessageContaining("namespace cannot be null");
    assertThat(sleeps).isEmpty();
  }
}
