package dev.stagebuild.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.reconciler.Conditions;
import dev.stagebuild.testing.Builds;
import dev.stagebuild.testing.MockCluster;
import dev.stagebuild.testing.TestKubelet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged operator while its API server restarts: the server's process goes away (every
 * connection and watch dropped, new ones refused) for {@link #DOWN}, then comes back on the same
 * address with what it stored. The operator stays up and alive meanwhile, sees builds created after
 * the restart and ends them, and its log holds a few of the client's retry lines, not one for
 * each retry of each informer. The client's reconnect interval is set to a tenth of its default
 * (100 ms), so that its back-off reaches its cap (32 intervals) within the test, as in the first
 * minutes of a real outage: the 40 s here are some 7 minutes of retries at the default.
 */
class OperatorJarApiServerRestartIT {
  static final String NS = "restart";
  static final Duration DOWN = Duration.ofSeconds(40);
  /** The client's lines the operator logs while the server is down, at most (one per kind per 5 minutes). */
  static final int MAX_CLIENT_LINES = 4;

  @Test
  void packagedOperatorRidesOutARestartOfItsApiServer(@TempDir Path dir) throws Exception {
    assertThat(OperatorJarIT.JAR).as("run mvn package first").exists();
    try (MockCluster cluster = new MockCluster(); TestKubelet kubelet = OperatorJarIT.pushingKubelet(cluster)) {
      cluster.createNamespace(NS);
      Path log = dir.resolve("operator.log");
      int httpPort = PackagedJarBenchmarkIT.freePort();
      Map<String, String> env = new HashMap<>(Map.of("QUARKUS_KUBERNETES_CLIENT_WATCH_RECONNECT_INTERVAL", "PT0.1S",
          "STAGEBUILD_INSPECT_RETRY", "1h"));
      System.getProperty("jarRestart.env", "").lines().filter(l -> l.contains("="))
          .forEach(l -> env.put(l.substring(0, l.indexOf('=')), l.substring(l.indexOf('=') + 1)));
      Process operator = OperatorJarIT.startOperator(dir, cluster, log, httpPort, env);
      try {
        await().atMost(90, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250))
            .until(() -> OperatorJarChaosIT.health(httpPort, "ready") == 200);
        create(cluster, "before");
        awaitSucceeded(cluster, List.of("before"));

        int linesBefore = Files.readAllLines(log).size();
        cluster.stopServer();
        long end = System.nanoTime() + DOWN.toNanos();
        while (System.nanoTime() < end) {
          assertThat(operator.isAlive()).as("the operator outlived the API server's absence").isTrue();
          Thread.sleep(1000);
        }
        assertThat(OperatorJarChaosIT.health(httpPort, "live")).as("alive while the API server is away").isEqualTo(200);
        List<String> all = Files.readAllLines(log);
        List<String> during = all.subList(linesBefore, all.size());
        cluster.restartServer();

        create(cluster, "after-1");
        create(cluster, "after-2");
        awaitSucceeded(cluster, List.of("after-1", "after-2"));
        List<String> clientLines = during.stream().filter(l -> l.contains("[io.fab.")).toList();
        System.out.printf("[jar-restart] %d lines logged while the API server was away, %d of them the client's"
            + " (stack traces aside):%n%s%n", during.size(), clientLines.size(), String.join("\n", clientLines));
        assertThat(clientLines).as("the client's retry lines while the API server was away").hasSizeLessThanOrEqualTo(MAX_CLIENT_LINES);
      } catch (RuntimeException | AssertionError e) {
        throw new AssertionError("operator log:\n" + OperatorJarIT.tail(log), e);
      } finally {
        operator.destroy();
        operator.waitFor(20, TimeUnit.SECONDS);
        Files.copy(log, Path.of("target", "jar-restart-operator.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private static void create(MockCluster cluster, String name) {
    cluster.client().resource(Builds.inline(name, Builds.DIAMOND)).inNamespace(NS).create();
  }

  private static void awaitSucceeded(MockCluster cluster, List<String> names) {
    await().atMost(90, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250)).until(() -> names.stream().allMatch(n -> {
      StageBuild sb = cluster.client().resources(StageBuild.class).inNamespace(NS).withName(n).get();
      var c = sb == null || sb.getStatus() == null ? null : Conditions.find(sb.getStatus().conditions, Conditions.SUCCEEDED);
      return c != null && "True".equals(c.getStatus()) && OperatorJarIT.DIGEST.equals(sb.getStatus().output.digest);
    }));
  }
}
