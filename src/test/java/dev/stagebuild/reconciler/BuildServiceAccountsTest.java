package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagebuild.testing.ClusterDispatcher;
import dev.stagebuild.testing.MockCluster;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BuildServiceAccountsTest {
  static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");
  final MockCluster cluster = new MockCluster();

  @AfterEach
  void close() {
    cluster.close();
  }

  @Test
  void aMissingAccountIsCreatedWithoutTokenAutomount() {
    new BuildServiceAccounts("stagebuild-build").ensure(cluster.client(), "demo", T0);
    var sa = cluster.client().serviceAccounts().inNamespace("demo").withName("stagebuild-build").get();
    assertThat(sa).isNotNull();
    assertThat(sa.getAutomountServiceAccountToken()).isFalse();
    assertThat(sa.getMetadata().getOwnerReferences()).as("shared by every build of the namespace").isEmpty();
  }

  @Test
  void anAccountAnAdminPreparedIsUsedAsItIs() {
    cluster.client().serviceAccounts().inNamespace("demo").resource(new ServiceAccountBuilder().withNewMetadata()
        .withName("stagebuild-build").endMetadata().addNewImagePullSecret("mirror").build()).create();
    new BuildServiceAccounts("stagebuild-build").ensure(cluster.client(), "demo", T0);
    var sa = cluster.client().serviceAccounts().inNamespace("demo").withName("stagebuild-build").get();
    assertThat(sa.getImagePullSecrets()).extracting(r -> r.getName()).containsExactly("mirror");
    assertThat(sa.getAutomountServiceAccountToken()).isNull();
  }

  @Test
  void aNamespaceIsCheckedOncePerInterval() {
    BuildServiceAccounts accounts = new BuildServiceAccounts("stagebuild-build");
    accounts.ensure(cluster.client(), "demo", T0);
    cluster.client().serviceAccounts().inNamespace("demo").withName("stagebuild-build").delete();
    accounts.ensure(cluster.client(), "demo", T0.plusSeconds(60));
    assertThat(cluster.client().serviceAccounts().inNamespace("demo").withName("stagebuild-build").get()).isNull();
    accounts.ensure(cluster.client(), "demo", T0.plus(BuildServiceAccounts.RECHECK));
    assertThat(cluster.client().serviceAccounts().inNamespace("demo").withName("stagebuild-build").get()).isNotNull();
  }

  /** The first GET of the account is answered with this refusal, 300 ms late: the herd meets it under way. */
  private void answerTheFirstGetLate(int code, String reason, String message) {
    cluster.dispatcher().respondOnce(r -> "GET".equals(r.getMethod()) && r.getPath().contains("/serviceaccounts/"),
        ClusterDispatcher.refusal(code, reason, message).setBodyDelay(Duration.ofMillis(300)));
  }

  @Test
  void aHerdOfPassesInOneNamespaceAsksOnceAndCreatesOnce() throws Exception {
    // The first GET answers late: without coalescing, every other pass finds no account meanwhile
    // and posts one of its own (one created, the rest refused as existing).
    answerTheFirstGetLate(404, "NotFound", "serviceaccounts \"stagebuild-build\" not found");
    List<Throwable> failures = herd(new BuildServiceAccounts("stagebuild-build"), cluster.client(), 8);
    assertThat(failures).isEmpty();
    assertThat(cluster.dispatcher().pendingOnce()).as("the late GET was served").isZero();
    assertThat(cluster.dispatcher().count(cluster.client().getConfiguration().getUserAgent(), "POST", "/serviceaccounts"))
        .isEqualTo(1);
    assertThat(cluster.client().serviceAccounts().inNamespace("demo").withName("stagebuild-build").get()).isNotNull();
  }

  @Test
  void aHerdSharesTheTransientErrorOfTheOneCheckUnderWay() throws Exception {
    // The first GET fails late. Passes queued behind it one at a time would each make a GET of their
    // own (on an API server that does not answer: one timeout per pass, in a row); they share its error.
    answerTheFirstGetLate(503, "ServiceUnavailable", "the server is currently unable to handle the request");
    try (var noRetries = noRetries()) {
      List<Throwable> failures = herd(new BuildServiceAccounts("stagebuild-build"), noRetries, 8);
      assertThat(failures).hasSize(8).allSatisfy(f -> assertThat(f).isInstanceOf(KubernetesClientException.class));
    }
    assertThat(cluster.dispatcher().count(cluster.client().getConfiguration().getUserAgent(), "POST", "/serviceaccounts"))
        .as("no pass went on to create it").isZero();
  }

  /** Runs {@code passes} ensure calls at once in namespace demo; returns what they threw. */
  private static List<Throwable> herd(BuildServiceAccounts accounts, KubernetesClient client, int passes)
      throws Exception {
    var start = new CountDownLatch(1);
    var pool = Executors.newFixedThreadPool(passes);
    try {
      var done = new ArrayList<Future<?>>();
      for (int i = 0; i < passes; i++) {
        done.add(pool.submit(() -> {
          start.await();
          accounts.ensure(client, "demo", T0);
          return null;
        }));
      }
      start.countDown();
      List<Throwable> failures = new ArrayList<>();
      for (var f : done) {
        try {
          f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
          failures.add(e.getCause());
        }
      }
      return failures;
    } finally {
      pool.shutdownNow();
    }
  }

  private KubernetesClient noRetries() {
    return new io.fabric8.kubernetes.client.KubernetesClientBuilder().withConfig(
        new io.fabric8.kubernetes.client.ConfigBuilder(cluster.client().getConfiguration())
            .withRequestRetryBackoffLimit(0).build()).build();
  }

  @Test
  void aRefusedCreateDoesNotStopTheBuildButATransientErrorIsTriedAgain() {
    cluster.dispatcher().respondOnce(r -> "POST".equals(r.getMethod()) && r.getPath().endsWith("/serviceaccounts"),
        ClusterDispatcher.refusal(403, "Forbidden", "serviceaccounts is forbidden: User \"system:serviceaccount:"
            + "stagebuild-system:stagebuild-operator\" cannot create resource \"serviceaccounts\""));
    new BuildServiceAccounts("stagebuild-build").ensure(cluster.client(), "demo", T0);

    cluster.dispatcher().respondOnce(r -> r.getPath().contains("/serviceaccounts"),
        ClusterDispatcher.refusal(500, "InternalError", "etcdserver: request timed out"));
    // (a client without the Fabric8 retries the operator also turns down to one)
    try (var noRetries = noRetries()) {
      assertThatThrownBy(() -> new BuildServiceAccounts("stagebuild-build").ensure(noRetries, "other", T0))
          .isInstanceOf(KubernetesClientException.class);
    }
  }

  @Test
  void theNamespacesDefaultAccountNeedsNothing() {
    new BuildServiceAccounts(null).ensure(cluster.client(), "demo", T0);
    assertThat(cluster.client().serviceAccounts().inNamespace("demo").list().getItems()).isEmpty();
  }
}
