package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.testing.Builds;
import dev.stagebuild.testing.MockCluster;
import dev.stagebuild.testing.OperatorHarness;
import dev.stagebuild.testing.PodOutcome;
import dev.stagebuild.testing.TestKubelet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * An API server that fails every request while many builds are in flight: each build's failed pass
 * is retried and its status says why, and the log says it once a minute for each kind of answer,
 * with how many were held back, rather than once for each build.
 */
class OutageLogTest {
  static final String NS = "outage";
  static final int BUILDS = 30;

  @Test
  void anOutageMetByEveryBuildInFlightIsAFewLinesNotOneABuild() throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        String m = r.getMessage();
        if (m != null && m.startsWith("reconcile failed")) {
          lines.add(m);
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger logger = Logger.getLogger(StageBuildReconciler.class.getName());
    logger.addHandler(capture);
    try (MockCluster cluster = new MockCluster();
        TestKubelet kubelet = new TestKubelet(cluster, pod -> p -> PodOutcome.succeed(
            p.getSpec().getContainers().get(0).getArgs().stream().anyMatch(a -> a.startsWith("--destination="))
                ? OperatorTest.DIGEST : ""));
        OperatorHarness operator = new OperatorHarness(cluster.client(), OperatorTest.FAST)) {
      cluster.createNamespace(NS);
      operator.start();
      // every request of the operator's answered 429 or 500 (two kinds of answer), and its new watches 410
      cluster.dispatcher().failRequests(OperatorHarness.USER_AGENT, 1, 1);
      for (int i = 0; i < BUILDS; i++) {
        cluster.client().resource(Builds.inline("b-" + i, Builds.DIAMOND)).inNamespace(NS).create();
      }
      await().atMost(30, TimeUnit.SECONDS).until(() -> cluster.dispatcher().injectedFailures() >= 2L * BUILDS);
      Thread.sleep(2000);
      cluster.dispatcher().failRequests(OperatorHarness.USER_AGENT, 0, 0);
      await().atMost(2, TimeUnit.MINUTES).pollInterval(250, TimeUnit.MILLISECONDS).until(() -> cluster.client()
          .resources(StageBuild.class).inNamespace(NS).list().getItems().stream()
          .filter(sb -> sb.getStatus() != null && sb.getStatus().output != null
              && OperatorTest.DIGEST.equals(sb.getStatus().output.digest)).count() == BUILDS);
      System.out.printf("[outage-log] %d failed requests injected, %d lines logged: %s%n",
          cluster.dispatcher().injectedFailures(), lines.size(), lines);
      // kinds: 429, 500, and (rarely) a connection the mock closes; each once within the minute (the
      // request each line names aside)
      List<String> kinds = lines.stream().map(l -> l.replaceAll(" \\((GET|POST|PUT|PATCH|DELETE) [^)]*\\)", "")).toList();
      assertThat(kinds).as("one line for each kind of answer: " + lines).doesNotHaveDuplicates().isNotEmpty()
          .hasSizeLessThan(BUILDS / 5);
      assertThat(lines).allMatch(l -> l.startsWith("reconcile failed (attempt 1), will retry: "), "each build's first failure");
    } finally {
      logger.removeHandler(capture);
    }
  }
}
