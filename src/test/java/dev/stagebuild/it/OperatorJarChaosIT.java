package dev.stagebuild.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagebuild.api.LocalObjectRef;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.kaniko.KanikoResources;
import dev.stagebuild.reconciler.Conditions;
import dev.stagebuild.reconciler.OperatorUserAgent;
import dev.stagebuild.testing.Builds;
import dev.stagebuild.testing.MockCluster;
import dev.stagebuild.testing.PodOutcome;
import dev.stagebuild.testing.TestKubelet;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged operator, as users run it, against a cluster at its worst: 429 and 500 answers to 5% of
 * its requests and 410 Gone to 5% of its watches (told from the test's own requests by the operator's
 * User-Agent), two outages of the API server, two nodes, a second scheduler's stray placements, mesh
 * sidecars that never end, evictions, pod GC of finished pods and metadata edits racing its status writes. Every build ends as it should (success with the digest,
 * or a failure with the reason a person can act on), the process stays up, and its log does not
 * repeat itself.
 */
class OperatorJarChaosIT {
  static final String NS = "chaos";
  static final String DIGEST = OperatorJarIT.DIGEST;
  /**
   * The cluster's troubles of {@code HostileOperatorTest}, the second scheduler's stray placements
   * included. (A CI run once had a producer pinned to the node of its evicted first attempt while its
   * sibling, placed astray, ran on the other node with a sidecar that never ends: unschedulable until
   * the build's end. The operator now replaces such a pod on the build's node, and the test scheduler
   * keeps trying a pod it cannot place, as kube-scheduler does, rather than give up after a minute.)
   */
  static final TestKubelet.Chaos KUBELET_CHAOS = TestKubelet.Chaos.HOSTILE;
  /** A log line (digits, names and ids aside) printed more often than this is noise in a CI log. */
  static final int MAX_REPEATS = 40;

  @Test
  void packagedOperatorEndsEveryBuildRightUnderAHostileApiServer(@TempDir Path dir) throws Exception {
    assertThat(OperatorJarIT.JAR).as("run mvn package first").exists();
    Map<String, String> expected = new LinkedHashMap<>();
    try (MockCluster cluster = new MockCluster();
        TestKubelet kubelet = new TestKubelet(cluster, pod -> p -> outcome(p), KUBELET_CHAOS)) {
      cluster.createNamespace(NS);
      double rate = Double.parseDouble(System.getProperty("jarChaos.failureRate", "0.05"));
      // The operator starts during an outage: every request and watch of its fails (an API server
      // restarting behind its load balancer); then 5% of them, with the cluster's other troubles.
      cluster.dispatcher().failRequests(OperatorUserAgent.PRODUCT + "/", 1, 1);
      Path log = dir.resolve("operator.log");
      int httpPort = PackagedJarBenchmarkIT.freePort();
      // The missing Secret's grace, short enough for a test; the registry (none here) is asked again after an hour.
      Process operator = OperatorJarIT.startOperator(dir, cluster, log, httpPort,
          Map.of("STAGEBUILD_MISSING_OBJECT_GRACE", "10s", "STAGEBUILD_INSPECT_RETRY", "1h"));
      ScheduledExecutorService editor = Executors.newSingleThreadScheduledExecutor();
      AtomicInteger edits = new AtomicInteger();
      try {
        for (int i = 0; i < 12; i++) {
          create(cluster, Builds.inline("diamond-" + i, Builds.DIAMOND), expected, "Succeeded");
        }
        for (int i = 0; i < 3; i++) {
          create(cluster, Builds.inline("fails-" + i, Builds.DIAMOND), expected, "StageFailed");
        }
        create(cluster, Builds.inline("unparsable", "FROM busybox AS a\nCOPY --from=a\n"), expected, "InvalidDockerfile");
        StageBuild noSecret = Builds.inline("no-secret", Builds.DIAMOND);
        noSecret.getSpec().output.pushSecretRef = new LocalObjectRef("not-there");
        create(cluster, noSecret, expected, "SecretNotFound");
        // Other controllers and people touch metadata between the operator's read and its status write.
        editor.scheduleWithFixedDelay(() -> touchAll(cluster, edits), 150, 150, TimeUnit.MILLISECONDS);
        // While the API server fails it, the process stays up, alive and not ready.
        long outageEnds = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Long.getLong("jarChaos.outageMs", 20000));
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250))
            .until(() -> health(httpPort, "live") == 200);
        assertThat(operator.isAlive()).isTrue();
        assertThat(health(httpPort, "ready")).as("not ready while the API server fails").isEqualTo(503);
        Thread.sleep(Math.max(0, TimeUnit.NANOSECONDS.toMillis(outageEnds - System.nanoTime())));
        assertThat(operator.isAlive()).as("the operator outlived the outage").isTrue();
        cluster.dispatcher().failRequests(OperatorUserAgent.PRODUCT + "/", rate, rate);
        await().atMost(60, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250))
            .until(() -> health(httpPort, "ready") == 200);
        // A second outage while builds run, after the first ends: every new request and watch of the
        // operator fails (the mock keeps the watches already open); meanwhile more builds are created
        // (GitOps does not wait for the operator).
        await().atMost(2, TimeUnit.MINUTES).pollInterval(Duration.ofMillis(250)).until(() -> cluster.client()
            .resources(StageBuild.class).inNamespace(NS).list().getItems().stream().anyMatch(OperatorJarChaosIT::ended));
        cluster.dispatcher().failRequests(OperatorUserAgent.PRODUCT + "/", 1, 1);
        for (int i = 0; i < 4; i++) {
          create(cluster, Builds.inline("during-outage-" + i, Builds.DIAMOND), expected, "Succeeded");
        }
        Thread.sleep(10_000);
        assertThat(operator.isAlive()).as("the operator outlived the second outage").isTrue();
        cluster.dispatcher().failRequests(OperatorUserAgent.PRODUCT + "/", rate, rate);

        Map<String, Condition> ended = new HashMap<>();
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        while (ended.size() < expected.size() && System.nanoTime() < deadline) {
          assertThat(operator.isAlive()).as("the operator process is up; log:\n" + OperatorJarIT.tail(log)).isTrue();
          for (StageBuild sb : cluster.client().resources(StageBuild.class).inNamespace(NS).list().getItems()) {
            if (ended(sb)) {
              Condition c = Conditions.find(sb.getStatus().conditions, Conditions.SUCCEEDED);
              ended.put(sb.getMetadata().getName(), c);
              if ("True".equals(c.getStatus())) {
                assertThat(sb.getStatus().output.digest).as(sb.getMetadata().getName()).isEqualTo(DIGEST);
              }
            }
          }
          Thread.sleep(500);
        }
        editor.shutdownNow();
        Map<String, String> reasons = ended.entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().getReason()));
        assertThat(reasons).as("every build ended, each with its reason; the others:\n"
            + unfinished(cluster, kubelet, expected.keySet(), reasons.keySet())).containsExactlyInAnyOrderEntriesOf(expected);
        assertThat(ended.get("fails-0").getMessage()).as("the failed stage's log tail").contains("boom");
        assertThat(ended.get("unparsable").getMessage()).contains("line 2");
        assertThat(ended.get("no-secret").getMessage()).contains("not-there");
        assertThat(cluster.dispatcher().injectedFailures()).as("the API server failed the operator's own requests")
            .isPositive();
        assertThat(operator.isAlive()).isTrue();
        var misplaced = cluster.client().v1().events().inNamespace(NS).list().getItems().stream()
            .filter(ev -> "PodMisplaced".equals(ev.getReason())).map(ev -> ev.getMessage()).toList();
        System.out.println("[jar-chaos] " + kubelet.chaosReport() + " metadata-edits=" + edits.get()
            + " injected-api-failures=" + cluster.dispatcher().injectedFailures() + " pods-misplaced=" + misplaced.size()
            + " (pinned away: " + misplaced.stream().filter(m -> m.contains(" is pinned to ")).count() + ")"
            + " most repeated warnings: "
            + mostRepeated(Files.readAllLines(log)));
        assertThat(mostRepeated(Files.readAllLines(log))).as("the operator's log does not repeat a line").allSatisfy(
            (line, count) -> assertThat(count).as(line).isLessThanOrEqualTo(MAX_REPEATS));
      } catch (RuntimeException | AssertionError e) {
        throw new AssertionError("operator log (all of it in target/jar-chaos-operator.log):\n" + OperatorJarIT.tail(log), e);
      } finally {
        editor.shutdownNow();
        operator.destroy();
        operator.waitFor(20, TimeUnit.SECONDS);
        // the whole log, for after the run (the temporary directory goes)
        Files.copy(log, Path.of("target", "jar-chaos-operator.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  /** The HTTP status of the operator's health endpoint ({@code live} or {@code ready}), 0 when it does not answer. */
  static int health(int port, String which) {
    try {
      var client = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
      return client.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + port + "/q/health/" + which)).timeout(Duration.ofSeconds(5)).build(),
          java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (java.io.IOException e) {
      return 0;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** What a build that did not end was waiting for: its status and its pods as the API server and the kubelet have them. */
  private static String unfinished(MockCluster cluster, TestKubelet kubelet, java.util.Set<String> all,
      java.util.Set<String> ended) {
    StringBuilder b = new StringBuilder();
    for (String name : all) {
      if (ended.contains(name)) {
        continue;
      }
      StageBuild sb = cluster.client().resources(StageBuild.class).inNamespace(NS).withName(name).get();
      b.append(name).append(": status ").append(sb == null ? "(gone)" : cluster.client().getKubernetesSerialization()
          .asJson(sb.getStatus())).append('\n');
      for (var pod : cluster.client().pods().inNamespace(NS).withLabel(dev.stagebuild.kaniko.Labels.BUILD, name).list()
          .getItems()) {
        var affinity = pod.getSpec().getAffinity();
        b.append("  pod ").append(pod.getMetadata().getName()).append(" node=").append(pod.getSpec().getNodeName())
            .append(" kubelet-node=").append(kubelet.nodeOf(pod.getMetadata().getName()))
            .append(" deleting=").append(pod.getMetadata().getDeletionTimestamp() != null)
            .append(" nodeAffinity=").append(affinity == null || affinity.getNodeAffinity() == null ? "none"
                : cluster.client().getKubernetesSerialization().asJson(affinity.getNodeAffinity()))
            .append(" status=").append(cluster.client().getKubernetesSerialization().asJson(pod.getStatus())).append('\n');
      }
    }
    return b.toString();
  }

  private static boolean ended(StageBuild sb) {
    Condition c = sb.getStatus() == null ? null : Conditions.find(sb.getStatus().conditions, Conditions.SUCCEEDED);
    return c != null && !"Unknown".equals(c.getStatus());
  }

  private static void create(MockCluster cluster, StageBuild sb, Map<String, String> expected, String reason) {
    cluster.client().resource(sb).inNamespace(NS).create();
    expected.put(sb.getMetadata().getName(), reason);
  }

  /** The final pod reports the digest, as kaniko's --digest-file does; a producer of a fails-* build fails. */
  private static PodOutcome outcome(io.fabric8.kubernetes.api.model.Pod p) {
    // the build container, not the mesh's sidecar listed before it
    boolean pushes = p.getSpec().getContainers().stream()
        .filter(c -> KanikoResources.STAGE_CONTAINER.equals(c.getName()))
        .anyMatch(c -> c.getArgs().stream().anyMatch(a -> a.startsWith("--destination=")));
    if (p.getMetadata().getName().startsWith("fails-") && !pushes) {
      return PodOutcome.fail(1, "RUN echo left > /left\nboom");
    }
    return PodOutcome.succeed(pushes ? DIGEST : "");
  }

  private static void touchAll(MockCluster cluster, AtomicInteger edits) {
    try {
      for (StageBuild sb : cluster.client().resources(StageBuild.class).inNamespace(NS).list().getItems()) {
        cluster.client().resources(StageBuild.class).inNamespace(NS).withName(sb.getMetadata().getName()).edit(b -> {
          Map<String, String> labels = b.getMetadata().getLabels() == null ? new HashMap<>()
              : new HashMap<>(b.getMetadata().getLabels());
          labels.put("chaos.example/touched", Integer.toString(edits.incrementAndGet()));
          b.getMetadata().setLabels(labels);
          return b;
        });
      }
    } catch (KubernetesClientException ignored) {
      // a conflict with the operator: next round
    }
  }

  private static final Pattern VARYING = Pattern.compile(
      "^\\S+ \\S+ |\\[[^\\]]*/[^\\]]*\\]|[0-9a-f]{8}-[0-9a-f-]{27}|\\d+");

  /** The log's lines, with time stamps, object names, uids and numbers taken out, counted; the five most frequent. */
  static Map<String, Long> mostRepeated(List<String> lines) {
    return lines.stream().filter(l -> l.contains(" WARN ") || l.contains(" ERROR "))
        .map(l -> VARYING.matcher(l).replaceAll("#"))
        .collect(Collectors.groupingBy(l -> l, Collectors.counting()))
        .entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(5)
        .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a, LinkedHashMap::new));
  }
}
