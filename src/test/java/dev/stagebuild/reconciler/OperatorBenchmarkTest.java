package dev.stagebuild.reconciler;

import static dev.stagebuild.testing.Builds.DIAMOND;
import dev.stagebuild.kaniko.BuildNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.kaniko.Labels;
import dev.stagebuild.testing.Builds;
import dev.stagebuild.testing.MockCluster;
import dev.stagebuild.testing.OperatorHarness;
import dev.stagebuild.testing.PodOutcome;
import dev.stagebuild.testing.Stats;
import dev.stagebuild.testing.TestKubelet;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Prints how the operator keeps up with many builds when pods finish at once (numbers, not
 * assertions on time): builds per second, the delay from a producer pod's success to its
 * consumer's creation, and API writes per build against the least a build can take.
 */
class OperatorBenchmarkTest {
  static final int BUILDS = 100;
  static final String NS = "bench";
  static final String DIGEST = "sha256:" + "cd".repeat(32);
  @Test
  void hundredThreeStageBuilds() throws Exception {
    OperatorSettings settings = new OperatorSettings(Duration.ofMinutes(5), Duration.ofMinutes(1),
        Duration.ofMinutes(10), Duration.ofHours(1));
    try (MockCluster cluster = new MockCluster();
        TestKubelet kubelet = new TestKubelet(cluster, pod -> p -> PodOutcome.succeed(
            "stage-2".equals(p.getMetadata().getAnnotations().get(Labels.STEP_ANNOTATION)) ? DIGEST : ""));
        OperatorHarness operator = new OperatorHarness(cluster.client(), settings).start()) {
      cluster.createNamespace(NS);
      cluster.drainRequests();
      Instant start = Instant.now();
      for (int i = 0; i < BUILDS; i++) {
        StageBuild sb = Builds.inline("b" + i, DIAMOND);
        // No registry here: keep the size look-up out of the numbers.
        sb.getSpec().output.image = "127.0.0.1:1/bench/b" + i + ":1";
        cluster.client().resource(sb).inNamespace(NS).create();
      }
      await().atMost(5, TimeUnit.MINUTES).pollInterval(Duration.ofMillis(200)).until(() ->
          cluster.client().resources(StageBuild.class).inNamespace(NS).list().getItems().stream()
              .filter(OperatorTest::isFinished).count() == BUILDS);
      Duration wall = Duration.between(start, Instant.now());
      operator.stop();

      List<Long> handoffMillis = new ArrayList<>();
      for (int i = 0; i < BUILDS; i++) {
        Instant producersDone = later(kubelet.finishedAt(BuildNames.podName("b" + i, "1", "left", 1)), kubelet.finishedAt(BuildNames.podName("b" + i, "1", "right", 1)));
        Instant consumerCreated = kubelet.createdAt(BuildNames.podName("b" + i, "1", "stage-2", 1));
        handoffMillis.add(Duration.between(producersDone, consumerCreated).toMillis());
      }
      handoffMillis.sort(null);

      Map<String, Integer> writes = new TreeMap<>();
      int operatorWrites = 0;
      for (RecordedRequest r : cluster.drainRequests()) {
        String kind = writeKind(r);
        if (kind != null) {
          writes.merge(kind, 1, Integer::sum);
          operatorWrites++;
        }
      }
      // The least a 3-pod build with live per-stage status can take: workspace + plan + 3 pods +
      // workspace release, and status writes for the start plus each stage's Running and Succeeded
      // (a kubelet may report a stage's Pending too). Events come on top.
      int least = 1 + 1 + 3 + 1 + (1 + 3 * 2);
      int events = writes.getOrDefault("POST events", 0);
      System.out.printf("%n[benchmark] operator: %d builds of 3 stages in %d ms: %.1f builds/s%n", BUILDS,
          wall.toMillis(), BUILDS * 1000.0 / wall.toMillis());
      System.out.printf("[benchmark] producer success -> consumer pod created: p50 %d ms, p99 %d ms, max %d ms%n",
          Stats.percentile(handoffMillis, 50), Stats.percentile(handoffMillis, 99), handoffMillis.get(handoffMillis.size() - 1));
      System.out.printf("[benchmark] API writes per build: %.1f (%.1f without events) vs least possible %d; by kind: %s%n",
          operatorWrites / (double) BUILDS, (operatorWrites - events) / (double) BUILDS, least, writes);
      assertThat(handoffMillis).hasSize(BUILDS);
    }
  }

  /** Writes the operator makes (told from the test kubelet's and the test's by their User-Agent). */
  static String writeKind(RecordedRequest r) {
    String method = r.getMethod();
    String path = r.getPath().replaceAll("\\?.*", "");
    if ("GET".equals(method) || !OperatorHarness.USER_AGENT.equals(r.getHeader("User-Agent"))) {
      return null;
    }
    String resource = path.replaceAll(".*/(pods|persistentvolumeclaims|configmaps|events|stagebuilds)(/.*)?$", "$1");
    if (path.endsWith("/status")) {
      resource = "stagebuilds/status";
    }
    return method + " " + resource;
  }

  static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

}
