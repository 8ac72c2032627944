package dev.stagebuild.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.reconciler.Conditions;
import dev.stagebuild.reconciler.LeaderElection;
import dev.stagebuild.testing.Builds;
import dev.stagebuild.testing.ClusterDispatcher;
import dev.stagebuild.testing.MockCluster;
import dev.stagebuild.testing.TestKubelet;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.fabric8.mockwebserver.http.MockResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged operator with leader election on, as deploy/manifests runs it, started while the API
 * server answers 500 to its check of its access to the Lease (JOSDK's SelfSubjectRulesReview, made
 * once at start, whose failure ends JOSDK's start): it waits that out like its first lists, then
 * takes the Lease and ends a build.
 */
class OperatorJarLeaderElectionIT {
  static final String NS = "elected";
  static final String LEASE_NS = "stagebuild-system";
  static final int FAILED_REVIEWS = 3;

  @Test
  void packagedOperatorWaitsOutAFailingAccessCheckOfItsLease(@TempDir Path dir) throws Exception {
    assertThat(OperatorJarIT.JAR).as("run mvn package first").exists();
    try (MockCluster cluster = new MockCluster(); TestKubelet kubelet = OperatorJarIT.pushingKubelet(cluster)) {
      cluster.createNamespace(NS);
      cluster.createNamespace(LEASE_NS);
      // The mock stores a review rather than answering it: the answers an API server gives, in turn.
      for (int i = 0; i < FAILED_REVIEWS; i++) {
        cluster.dispatcher().respondOnce(OperatorJarLeaderElectionIT::review,
            ClusterDispatcher.refusal(500, "InternalError", "etcdserver: leader changed"));
      }
      for (int i = 0; i < 10; i++) {
        cluster.dispatcher().respondOnce(OperatorJarLeaderElectionIT::review, new MockResponse().setResponseCode(201)
            .setBody(Serialization.asJson(new SelfSubjectRulesReviewBuilder().withNewSpec().withNamespace(LEASE_NS)
                .endSpec().withNewStatus().withIncomplete(false).addNewResourceRule()
                .withApiGroups("coordination.k8s.io").withResources("leases").withVerbs("*")
                .endResourceRule().endStatus().build())));
      }
      Path log = dir.resolve("operator.log");
      int httpPort = PackagedJarBenchmarkIT.freePort();
      Process operator = OperatorJarIT.startOperator(dir, cluster, log, httpPort, Map.of(
          "STAGEBUILD_LEADER_ELECTION_ENABLED", "true", "STAGEBUILD_LEADER_ELECTION_NAMESPACE", LEASE_NS,
          "STAGEBUILD_INSPECT_RETRY", "1h"));
      try {
        await().atMost(90, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250)).until(() -> !operator.isAlive()
            || OperatorJarChaosIT.health(httpPort, "ready") == 200);
        assertThat(operator.isAlive()).as("the operator outlived the failed access checks").isTrue();
        assertThat(cluster.dispatcher().pendingOnce()).as("every failing answer was given").isLessThanOrEqualTo(10);
        cluster.client().resource(Builds.inline("after-election", Builds.DIAMOND)).inNamespace(NS).create();
        await().atMost(90, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250)).until(() -> {
          StageBuild sb = cluster.client().resources(StageBuild.class).inNamespace(NS).withName("after-election").get();
          var c = sb == null || sb.getStatus() == null ? null : Conditions.find(sb.getStatus().conditions, Conditions.SUCCEEDED);
          return c != null && "True".equals(c.getStatus());
        });
        assertThat(cluster.client().leases().inNamespace(LEASE_NS).withName(LeaderElection.LEASE_NAME).get())
            .as("the Lease it holds").isNotNull();
        // SIGTERM, as the kubelet stops a pod: JOSDK's own exit on stopping to lead deadlocked this
        // shutdown, and the process lived on until killed
        operator.destroy();
        assertThat(operator.waitFor(30, TimeUnit.SECONDS)).as("the operator ended on SIGTERM").isTrue();
      } catch (RuntimeException | AssertionError e) {
        throw new AssertionError("operator log:\n" + OperatorJarIT.tail(log), e);
      } finally {
        operator.destroyForcibly();
        operator.waitFor(20, TimeUnit.SECONDS);
      }
    }
  }

  private static boolean review(io.fabric8.mockwebserver.http.RecordedRequest r) {
    return "POST".equals(r.getMethod()) && r.getPath().startsWith("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews");
  }
}
