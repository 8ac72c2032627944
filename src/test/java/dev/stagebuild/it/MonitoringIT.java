package dev.stagebuild.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.deploy.MonitoringQueries;
import dev.stagebuild.reconciler.Conditions;
import dev.stagebuild.testing.Builds;
import dev.stagebuild.testing.MockCluster;
import dev.stagebuild.testing.PodOutcome;
import dev.stagebuild.testing.TestKubelet;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboards and alerts of deploy/monitoring use only metric names that the packaged operator
 * serves on /q/metrics once it has run builds (one that succeeds, one that fails, one whose
 * reconcile fails).
 */
class MonitoringIT {
  static final String DIGEST = "sha256:" + "cd".repeat(32);

  @Test
  void everyMetricOfTheDashboardAndAlertsIsServed(@TempDir Path dir) throws Exception {
    Set<String> used = MonitoringQueries.metricNames();
    assertThat(used).isNotEmpty();
    try (MockCluster cluster = new MockCluster();
        TestKubelet kubelet = new TestKubelet(cluster, pod -> p -> {
          boolean pushes = p.getSpec().getContainers().get(0).getArgs().stream().anyMatch(a -> a.startsWith("--destination="));
          if (p.getMetadata().getName().startsWith("bad-")) {
            return PodOutcome.fail(1, "boom");
          }
          return PodOutcome.succeed(pushes ? DIGEST : "");
        })) {
      cluster.createNamespace("demo");
      cluster.createNamespace("broken");
      // A namespace where the API server fails to create workspaces (a transient error, retried):
      // reconciles fail, so the operator's reconcile-error metrics exist too.
      cluster.server().expect().post().withPath("/api/v1/namespaces/broken/persistentvolumeclaims")
          .andReturn(500, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
              + "\"message\":\"etcdserver: request timed out\",\"reason\":\"InternalError\",\"code\":500}").always();
      int port;
      try (ServerSocket s = new ServerSocket(0)) {
        port = s.getLocalPort();
      }
      Path log = dir.resolve("operator.log");
      ProcessBuilder pb = new ProcessBuilder(OperatorJarIT.javaBin(), "-jar", OperatorJarIT.JAR.toString(), "operator")
          .redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("KUBECONFIG", OperatorJarIT.kubeconfig(dir, cluster).toString());
      pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
      Process operator = pb.start();
      try {
        for (String name : new String[] {"good", "bad-one"}) {
          StageBuild sb = Builds.inline(name, "FROM alpine AS build\nRUN true\nFROM alpine\nCOPY --from=build /x /x\n");
          sb.getMetadata().setNamespace("demo");
          cluster.client().resource(sb).inNamespace("demo").create();
        }
        StageBuild refused = Builds.inline("refused", "FROM alpine\nRUN true\n");
        refused.getMetadata().setNamespace("broken");
        cluster.client().resource(refused).inNamespace("broken").create();
        await().atMost(90, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250))
            .until(() -> cluster.client().resources(StageBuild.class).inNamespace("broken").withName("refused").get(),
                s -> s.getStatus() != null && s.getStatus().conditions.stream()
                    .anyMatch(c -> "ReconcileError".equals(c.getReason())));
        for (String name : new String[] {"good", "bad-one"}) {
          await().atMost(90, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250))
              .until(() -> cluster.client().resources(StageBuild.class).inNamespace("demo").withName(name).get(),
                  s -> s.getStatus() != null && !"Unknown".equals(statusOf(s)));
        }
        String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + port + "/q/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
        Set<String> served = new TreeSet<>();
        metrics.lines().filter(l -> !l.startsWith("#") && !l.isBlank())
            .forEach(l -> served.add(l.split("[{ ]", 2)[0]));
        Files.writeString(Path.of("target/served-metrics.txt"), String.join("\n", served) + "\n");
        assertThat(served).as("served by the operator (also in target/served-metrics.txt)").containsAll(used);
        // JOSDK's series are per controller, never per StageBuild (a build farm's cardinality)
        assertThat(metrics.lines().filter(l -> l.startsWith("operator_sdk_")).toList())
            .isNotEmpty().noneMatch(l -> l.contains("resource_name=") || l.contains("\"good\"") || l.contains("\"bad-one\""));
        // The reconcile timer as buckets only: no percentiles computed in the process (ServerSidePercentiles)
        assertThat(metrics.lines().filter(l -> l.startsWith("operator_sdk_controllers_execution_reconcile_seconds")))
            .anyMatch(l -> l.contains("_bucket{")).noneMatch(l -> l.contains("quantile="));
      } catch (RuntimeException | AssertionError e) {
        throw new AssertionError("operator log:\n" + OperatorJarIT.tail(log), e);
      } finally {
        operator.destroy();
        operator.waitFor(20, TimeUnit.SECONDS);
      }
    }
  }

  private static String statusOf(StageBuild s) {
    var c = Conditions.find(s.getStatus().conditions, Conditions.SUCCEEDED);
    return c == null ? "Unknown" : c.getStatus();
  }
}
