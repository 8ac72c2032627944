package dev.stagebuild.cli;

import static dev.stagebuild.cli.BuildFixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.api.StageBuildStatus;
import dev.stagebuild.api.StageStatus;
import dev.stagebuild.testing.MockCluster;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.http.BasicBuilder;
import io.fabric8.kubernetes.client.http.HttpRequest;
import io.fabric8.kubernetes.client.http.Interceptor;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** logs against the mock API server: plan order, prefixes, one stage, following a build, errors. */
class LogsCommandTest {
  MockCluster cluster;

  @BeforeEach
  void start() {
    cluster = new MockCluster();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  CliRun logs(String... args) {
    return CliRun.of(() -> cluster.server().createClient(), () -> null, prepend("logs", args));
  }

  static String[] prepend(String first, String... rest) {
    List<String> all = new ArrayList<>(List.of(first));
    all.addAll(List.of(rest));
    return all.toArray(String[]::new);
  }

  void hellogoPods() {
    BuildFixtures.pod(cluster, "hellogo-1-source", "Succeeded", "cloned abc\n");
    BuildFixtures.pod(cluster, "hellogo-1-build", "Succeeded", "INFO step 1\nINFO step 2\n");
    BuildFixtures.pod(cluster, "hellogo-1-stage-1", "Succeeded", "INFO pushed\n");
  }

  @Test
  void everyStagesLogInPlanOrderWithItsPrefix() {
    BuildFixtures.create(cluster, "hellogo", BuildFixtures.hellogo(true));
    hellogoPods();
    CliRun r = logs("hellogo", "-n", NS);
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out()).isEqualTo("""
        [source] cloned abc
        [build] INFO step 1
        [build] INFO step 2
        [stage-1] INFO pushed
        """);
  }

  @Test
  void oneStage() {
    BuildFixtures.create(cluster, "hellogo", BuildFixtures.hellogo(true));
    hellogoPods();
    assertThat(logs("hellogo", "--namespace=" + NS, "--stage", "BUILD").out())
        .isEqualTo("[build] INFO step 1\n[build] INFO step 2\n");
    CliRun none = logs("hellogo", "-n", NS, "--stage", "nope");
    assertThat(none.code()).isEqualTo(1);
    assertThat(none.err()).isEqualTo("error: build hellogo has no stage \"nope\"; its stages: build, stage-1\n");
  }

  @Test
  void aChainsStagesShareTheirPodsLog() {
    StageBuildStatus st = BuildFixtures.hellogo(true);
    st.source = null;
    StageStatus base = BuildFixtures.stage("base", "Succeeded", "hellogo-1-build", null, null);
    st.stages = List.of(base, st.stages.get(0), st.stages.get(1));
    BuildFixtures.create(cluster, "hellogo", st);
    hellogoPods();
    assertThat(logs("hellogo", "-n", NS).out()).isEqualTo("""
        [build] INFO step 1
        [build] INFO step 2
        [stage-1] INFO pushed
        """);
    assertThat(logs("hellogo", "-n", NS, "--stage", "base").out()).startsWith("[build] INFO step 1\n");
  }

  @Test
  void aStageWithoutAPodYetIsNotedOnStderr() {
    BuildFixtures.create(cluster, "hellogo", BuildFixtures.hellogo(false));
    hellogoPods();
    CliRun r = logs("hellogo", "-n", NS);
    assertThat(r.code()).isZero();
    assertThat(r.out()).endsWith("[build] INFO step 2\n");
    assertThat(r.err()).isEqualTo("[stage-1] no pod yet (Waiting)\n");
  }

  @Test
  void theNamespaceDefaultsToTheClients() {
    BuildFixtures.create(cluster, "hellogo", BuildFixtures.hellogo(true));
    CliRun r = logs("hellogo");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("error: stagebuild \"hellogo\" not found in namespace \""
        + cluster.server().createClient().getNamespace() + "\"\n");
  }

  @Test
  void missingBuildOrPodIsAOneLineError() {
    CliRun missing = logs("nope", "-n", NS);
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).isEqualTo("error: stagebuild \"nope\" not found in namespace \"demo\"\n");
    BuildFixtures.create(cluster, "hellogo", BuildFixtures.hellogo(true));
    BuildFixtures.pod(cluster, "hellogo-1-source", "Succeeded", "cloned abc\n");
    BuildFixtures.pod(cluster, "hellogo-1-stage-1", "Succeeded", "INFO pushed\n");
    CliRun r = logs("hellogo", "-n", NS);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("error: pod hellogo-1-build of stage build not found in namespace demo\n");
    assertThat(r.out()).isEqualTo("[source] cloned abc\n[stage-1] INFO pushed\n");
  }

  @Test
  void unreachableClusterIsAOneLineError() {
    CliRun r = CliRun.of(() -> new KubernetesClientBuilder().withConfig(new ConfigBuilder()
        .withMasterUrl("http://127.0.0.1:1").withRequestRetryBackoffLimit(0).build()).build(), () -> null,
        "logs", "x", "-n", NS);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: cannot reach the Kubernetes API server at http://127.0.0.1:1")
        .contains("looked for an in-cluster service account").doesNotContain("\tat ");
    assertThat(r.err().lines()).hasSize(1);
  }

  @Test
  void followPrintsStagesAsTheyStartAndEndsWithTheBuild() throws Exception {
    BuildFixtures.create(cluster, "hellogo", BuildFixtures.hellogo(false));
    BuildFixtures.pod(cluster, "hellogo-1-source", "Succeeded", "cloned abc\n");
    BuildFixtures.pod(cluster, "hellogo-1-build", "Succeeded", "INFO step 1\n");
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CompletableFuture<Integer> follow = CompletableFuture.supplyAsync(() -> LogsCommand.run(
        List.of("hellogo", "-n", NS, "-f"), () -> cluster.server().createClient(),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        Duration.ofMillis(50)));
    // the second stage's pod starts later; the command waits for it
    org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS)
        .until(() -> out.toString(StandardCharsets.UTF_8).contains("[build] INFO step 1"));
    Thread.sleep(300);
    assertThat(follow).isNotDone();
    BuildFixtures.pod(cluster, "hellogo-1-stage-1", "Running", "INFO pushing\nINFO pushed\n");
    StageBuildStatus running = BuildFixtures.hellogo(false);
    running.stages = List.of(running.stages.get(0),
        BuildFixtures.stage("stage-1", "Running", "hellogo-1-stage-1", "2026-11-26T10:00:42Z", null));
    BuildFixtures.setStatus(cluster, "hellogo", running);
    org.awaitility.Awaitility.await().atMost(10, TimeUnit.SECONDS)
        .until(() -> out.toString(StandardCharsets.UTF_8).contains("[stage-1] INFO pushed"));
    Thread.sleep(300);
    assertThat(follow).as("the build has not ended").isNotDone();
    BuildFixtures.setStatus(cluster, "hellogo", BuildFixtures.hellogo(true));
    assertThat(follow.get(10, TimeUnit.SECONDS)).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).isEqualTo("""
        [source] cloned abc
        [build] INFO step 1
        [stage-1] INFO pushing
        [stage-1] INFO pushed
        """);
    assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
  }

  @Test
  void followInterleavesStagesThatRunAtTheSameTime() throws Exception {
    StageBuildStatus st = BuildFixtures.hellogo(false);
    st.source = null;
    st.stages = List.of(
        BuildFixtures.stage("slow", "Running", "p-slow", "2026-11-26T10:00:03Z", null),
        BuildFixtures.stage("fast", "Running", "p-fast", "2026-11-26T10:00:03Z", null));
    BuildFixtures.create(cluster, "par", st);
    BuildFixtures.pod(cluster, "p-fast", "Running", "fast line\n");
    BuildFixtures.pod(cluster, "p-slow", "Running", "slow line\n");
    // the slow stage comes first in plan order, and its log's request takes 2 s to leave
    Interceptor slow = new Interceptor() {
      @Override
      public void before(BasicBuilder builder, HttpRequest request, RequestTags tags) {
        if (request.uri().getPath().endsWith("/pods/p-slow/log")) {
          try {
            Thread.sleep(2000);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        }
      }
    };
    CompletableFuture<CliRun> follow = CompletableFuture.supplyAsync(() -> CliRun.of(
        () -> new KubernetesClientBuilder().withConfig(cluster.client().getConfiguration())
            .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("slow", slow)).build(),
        () -> null, "logs", "par", "-n", NS, "-f"));
    // the slow stage's log request reached the server, after the 2 s the interceptor holds it
    awaitRequest(path -> path.endsWith("/pods/p-slow/log") || path.contains("/pods/p-slow/log?"));
    StageBuildStatus end = BuildFixtures.hellogo(true);
    end.source = null;
    end.stages = st.stages;
    BuildFixtures.setStatus(cluster, "par", end);
    CliRun r = follow.get(15, TimeUnit.SECONDS);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).as("the fast stage is not held back by the slow one")
        .isEqualTo("[fast] fast line\n[slow] slow line\n");
  }

  @Test
  void followStopsWhenANewBuildReplacesIt() throws Exception {
    BuildFixtures.create(cluster, "hellogo", BuildFixtures.hellogo(false));
    hellogoPods();
    CompletableFuture<CliRun> follow = CompletableFuture.supplyAsync(() -> logs("hellogo", "-n", NS, "-f"));
    // following build 1: it asked for a log of its pods
    awaitRequest(path -> path.contains("/log"));
    StageBuildStatus next = BuildFixtures.hellogo(false);
    next.buildId = "2";
    BuildFixtures.setStatus(cluster, "hellogo", next);
    CliRun r = follow.get(15, TimeUnit.SECONDS);
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.err()).isEqualTo("build 1 of hellogo was replaced by build 2\n");
  }

  /** Waits until the mock API server has received a request whose path (query included) matches. */
  private void awaitRequest(java.util.function.Predicate<String> path) {
    List<String> seen = new ArrayList<>();
    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> {
      cluster.drainRequests().forEach(r -> seen.add(r.getPath()));
      return seen.stream().anyMatch(path);
    });
  }
}
