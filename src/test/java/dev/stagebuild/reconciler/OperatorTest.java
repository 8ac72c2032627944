package dev.stagebuild.reconciler;

import dev.stagebuild.kaniko.BuildNames;
import dev.stagebuild.kaniko.KanikoResources;
import static dev.stagebuild.testing.Builds.DIAMOND;
import static dev.stagebuild.testing.Builds.stageBuild;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagebuild.api.BuildArg;
import dev.stagebuild.api.CaBundleRef;
import dev.stagebuild.api.DockerfileSpec;
import dev.stagebuild.api.GitSource;
import dev.stagebuild.api.LocalObjectRef;
import dev.stagebuild.api.Source;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageStatus;
import dev.stagebuild.deploy.Rbac;
import dev.stagebuild.deploy.RbacTest;
import dev.stagebuild.deploy.RequestAttributes;
import dev.stagebuild.kaniko.Labels;
import dev.stagebuild.registry.testing.LocalRegistry;
import dev.stagebuild.registry.testing.RequiresLocalRegistry;
import dev.stagebuild.registry.testing.TestCertificates;
import dev.stagebuild.registry.testing.TestImages;
import dev.stagebuild.registry.testing.TestImages.PushedImage;
import dev.stagebuild.testing.Builds;
import dev.stagebuild.testing.ClusterDispatcher;
import dev.stagebuild.testing.MockCluster;
import dev.stagebuild.testing.OperatorHarness;
import dev.stagebuild.testing.PodBehavior;
import dev.stagebuild.testing.PodOutcome;
import dev.stagebuild.testing.TestKubelet;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The operator against the Fabric8 mock API server (CRUD mode) with a test kubelet that moves pods
 * through their phases.
 */
class OperatorTest {
  static final String NS = "demo";
  static final String DIGEST = "sha256:" + "2c2ab690cadf84cbf0f03d87effea87b1ff7726db0a4c3aabfbd18c3656975a4";
  static final OperatorSettings FAST = new OperatorSettings(Duration.ofSeconds(3), Duration.ofSeconds(2),
      Duration.ofSeconds(2), Duration.ofMinutes(5));

  MockCluster cluster;
  KubernetesClient client;
  OperatorHarness operator;
  TestKubelet kubelet;
  final Map<String, PodBehavior> behaviors = new ConcurrentHashMap<>();
  PodBehavior fallback = pod -> PodOutcome.succeed(isFinal(pod) ? DIGEST : "");

  /** How unkind the test cluster is; {@link HostileOperatorTest} runs every test here against the worst. */
  TestKubelet.Chaos chaos() {
    return TestKubelet.Chaos.CALM;
  }

  boolean hostile() {
    return chaos() != TestKubelet.Chaos.CALM;
  }

  @BeforeEach
  void start() {
    cluster = new MockCluster();
    client = cluster.client();
    cluster.createNamespace(NS);
    kubelet = new TestKubelet(cluster, pod -> behaviors.getOrDefault(step(pod), fallback), chaos());
    operator = new OperatorHarness(client, FAST).start();
    startChaos();
  }

  /** Hostile mode: the API server fails some of the operator's requests and people edit metadata. */
  void startChaos() {}

  void stopChaos() {}

  /** Every request the operator made in these tests, for the RBAC check. */
  static final List<RequestAttributes> OPERATOR_REQUESTS = new CopyOnWriteArrayList<>();

  static final AtomicInteger TESTS_RUN = new AtomicInteger();

  /** Per test class: StageBuilds, the operator's requests (watches left out) and its writes. */
  static final Map<String, java.util.concurrent.atomic.AtomicLongArray> REQUEST_COUNTS = new ConcurrentHashMap<>();

  @AfterAll
  static void printRequestsPerBuild() {
    REQUEST_COUNTS.forEach((mode, c) -> System.out.printf("[requests] %s: %d StageBuilds, %.1f API requests and"
        + " %.1f writes per StageBuild (informer lists included)%n", mode, c.get(0),
        c.get(1) / (double) Math.max(1, c.get(0)), c.get(2) / (double) Math.max(1, c.get(0))));
    REQUEST_COUNTS.clear();
  }

  @AfterEach
  void stop() {
    TESTS_RUN.incrementAndGet();
    stopChaos();
    operator.close();
    kubelet.close();
    var all = operatorRequests();
    long builds = client.resources(StageBuild.class).inNamespace(NS).list().getItems().size();
    REQUEST_COUNTS.computeIfAbsent(getClass().getSimpleName(), k -> new java.util.concurrent.atomic.AtomicLongArray(3));
    var counts = REQUEST_COUNTS.get(getClass().getSimpleName());
    counts.addAndGet(0, builds);
    counts.addAndGet(1, all.stream().filter(r -> !r.getPath().contains("watch=true")).count());
    counts.addAndGet(2, all.stream().filter(r -> !"GET".equals(r.getMethod())).count());
    cluster.close();
  }

  /**
   * The committed RBAC allows every request the operator made in these tests, and every rule it
   * grants was used (here, or by leader election, which these tests do not run).
   */
  @AfterAll
  static void theCommittedRbacAllowsWhatTheOperatorDidAndNoMore() {
    // Only a run of the whole class exercises every rule.
    long tests = Arrays.stream(OperatorTest.class.getDeclaredMethods()).filter(m -> m.isAnnotationPresent(Test.class))
        .count();
    boolean wholeClass = TESTS_RUN.get() == tests;
    Rbac rbac = Rbac.fromManifests();
    List<String> denied = OPERATOR_REQUESTS.stream().filter(a -> !rbac.allows(a)).map(RequestAttributes::toString)
        .distinct().toList();
    assertThat(denied).as("requests the ClusterRole does not allow").isEmpty();
    List<RequestAttributes> used = new ArrayList<>(OPERATOR_REQUESTS);
    RbacTest.LEADER_ELECTION_REQUESTS.forEach(r -> used.add(RequestAttributes.of(r.split(" ", 2)[0], r.split(" ", 2)[1])));
    List<String> unused = RbacTest.unusedGrants(rbac, used);
    System.out.println("[rbac] " + OPERATOR_REQUESTS.size() + " operator requests recorded; rules never used: "
        + (unused.isEmpty() ? "none" : unused));
    if (wholeClass) {
      assertThat(unused).as("rules the operator never used").isEmpty();
    }
  }

  @Test
  @RequiresLocalRegistry
  void seedHellogoFromConfigMapBuildsSourceThenBuildThenFinalWithTheRegistrysSize() throws Exception {
    try (LocalRegistry registry = LocalRegistry.builder().basicAuth("eriksf", "s3cret").start()) {
      // What the final pod "pushed": a real image in a real registry; its size is what this test uploaded.
      PushedImage pushed = TestImages.on(registry).push("eriksf/hellogo", "0.0.2",
          TestImages.image().randomLayers(4096, 1024).cmd("/usr/local/bin/hello"));
      fallback = pod -> PodOutcome.succeed(isFinal(pod) ? pushed.digest() : "");
      client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("regcred")
          .endMetadata().withType("kubernetes.io/dockerconfigjson")
          .addToData(".dockerconfigjson", Base64.getEncoder().encodeToString(registry.dockerConfigJson()))
          .build()).create();
      client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("hellogo-src")
          .endMetadata()
          .addToData("app.go", Files.readString(Path.of("src/test/resources/seed/hellogo-app.go")))
          .addToData("Dockerfile.ms", Files.readString(Path.of("src/test/resources/seed/hellogo-Dockerfile.ms")))
          .build()).create();
      StageBuild sb = stageBuild("hellogo", registry.image("eriksf/hellogo:0.0.2"));
      sb.getSpec().output.pushSecretRef = new LocalObjectRef("regcred");
      sb.getSpec().output.insecure = true;
      sb.getSpec().source = new Source();
      sb.getSpec().source.configMap = new LocalObjectRef("hellogo-src");
      sb.getSpec().dockerfile = new DockerfileSpec();
      sb.getSpec().dockerfile.path = "Dockerfile.ms";
      create(sb);

      StageBuild done = awaitInspected("hellogo");
      assertThat(condition(done, "Succeeded")).as(message(done)).isEqualTo("True");
      assertThat(condition(done, "Ready")).isEqualTo("True");
      assertThat(done.getStatus().output.digest).isEqualTo(pushed.digest());
      assertThat(done.getStatus().output.imageRef).isEqualTo(registry.host() + "/eriksf/hellogo@" + pushed.digest());
      assertThat(done.getStatus().output.size).isEqualTo(pushed.expectedSize());
      assertThat(condition(done, "ImageInspected")).isEqualTo("True");
      assertThat(done.getStatus().stages).extracting(s -> s.name).containsExactly("build", "stage-1");
      assertThat(done.getStatus().stages).allMatch(s -> "Succeeded".equals(s.phase));
      assertThat(done.getStatus().stages.get(1).dependsOn).containsExactly("build");
      assertThat(done.getStatus().stagesDone).isEqualTo("2/2");
      assertThat(done.getStatus().observedGeneration).isEqualTo(1L);
      assertThat(startedSteps("hellogo-1")).containsExactly("source", "build", "stage-1");
      assertOnePodPerAttempt(done);
      assertThat(done.getStatus().completionTime).isNotNull();
      // The workspace is released when the build ends; the pods stay for kubectl logs.
      await().atMost(5, TimeUnit.SECONDS).until(() -> client.persistentVolumeClaims().inNamespace(NS)
          .withName(BuildNames.pvcName("hellogo", "1")).get() == null);
      if (!hostile()) {
        assertThat(client.pods().inNamespace(NS).list().getItems()).hasSize(3);
      }
      await().atMost(5, TimeUnit.SECONDS).untilAsserted(() ->
          // (StageStarted only when a pass saw the stage running: the test kubelet is quick)
          assertThat(events("hellogo")).contains("StageSucceeded", "BuildSucceeded"));
      var meters = operator.meters();
      assertThat(meters.get("stagebuild_builds").tag("result", "succeeded").counter().count()).isEqualTo(1.0);
      assertThat(meters.get("stagebuild_pods_created").counter().count())
          .isEqualTo((double) kubelet.startedPods().size());
      assertThat(meters.get("stagebuild_build_duration").timer().count()).isEqualTo(1);
      assertThat(meters.get("stagebuild_pods_active").gauge().value()).isZero();
      assertThat(meters.find("stagebuild_events_dropped").functionCounter()).isNotNull();
    }
  }

  @Test
  void gitSourceDockerfileIsReadFromTheSourcePodsLogAndTheCommitReported() {
    String commit = "5f1c0d2e9a7b3c4d5e6f708192a3b4c5d6e7f809";
    String dockerfile = "FROM python:3.9.17-bookworm as poetry\nWORKDIR /calculate_pi\nCOPY pyproject.toml ./\n"
        + "RUN poetry build\nFROM python:3.9.17-bookworm\nCOPY --from=poetry /calculate_pi/dist/*.whl ./\n";
    String log = "stagebuild:dockerfile:begin\n"
        + Base64.getMimeEncoder().encodeToString(dockerfile.getBytes(StandardCharsets.UTF_8)) + "\n"
        + "stagebuild:dockerfile:end\nstagebuild:dockerignore:begin\n"
        + Base64.getEncoder().encodeToString("*.md\n".getBytes(StandardCharsets.UTF_8)) + "\n"
        + "stagebuild:dockerignore:end\n";
    behaviors.put("source", pod -> PodOutcome.succeedWithLog(commit, log));
    StageBuild sb = stageBuild("calculate-pi", "registry.example.com/eriksf/calculate_pi:0.1.0");
    sb.getSpec().source = new Source();
    sb.getSpec().source.git = new GitSource();
    sb.getSpec().source.git.url = "https://github.com/eriksf/calculate-pi.git";
    sb.getSpec().source.git.revision = "main";
    create(sb);
    StageBuild done = awaitFinished("calculate-pi");
    assertThat(condition(done, "Succeeded")).as(message(done)).isEqualTo("True");
    assertThat(done.getStatus().source.commit).isEqualTo(commit);
    assertThat(done.getStatus().stages).extracting(s -> s.name).containsExactly("poetry", "stage-1");
    var plan = client.configMaps().inNamespace(NS).withName(BuildNames.planConfigMapName("calculate-pi", "1")).get();
    assertThat(plan.getData().get("poetry.exports")).isEqualTo("/calculate_pi/dist/*.whl\n");
    assertThat(plan.getData().get("dockerignore")).contains("src/*.md");
    assertThat(plan.getData().get("poetry.Dockerfile")).contains("COPY src/pyproject.toml ./");
    assertThat(operatorRequests().stream().filter(r -> r.getPath().contains("/log")).count())
        .as("the source pod's log is read once").isEqualTo(1);
  }

  /** Stages left and right each succeed only once the other has started too. */
  void leftAndRightMeet() {
    CountDownLatch both = new CountDownLatch(2);
    PodBehavior meetTheOther = pod -> {
      both.countDown();
      return both.await(20, TimeUnit.SECONDS) ? PodOutcome.succeed("")
          : PodOutcome.fail(1, "the other independent stage never started");
    };
    behaviors.put("left", meetTheOther);
    behaviors.put("right", meetTheOther);
  }

  @Test
  void independentStagesOfADiamondRunAtTheSameTime() {
    leftAndRightMeet();
    create(inline("diamond", DIAMOND));
    StageBuild done = awaitFinished("diamond");
    assertThat(condition(done, "Succeeded")).as(message(done)).isEqualTo("True");
    assertThat(startedSteps("diamond-1")).containsExactlyInAnyOrder("left", "right", "stage-2");
    assertThat(startedSteps("diamond-1").get(2)).isEqualTo("stage-2");
    assertOnePodPerAttempt(done);
  }

  /** This test's cluster has two nodes (and the sidecars of the hostile one), nothing else unkind. */
  void onTwoNodes() {
    kubelet.close();
    kubelet = new TestKubelet(cluster, pod -> behaviors.getOrDefault(step(pod), fallback),
        new TestKubelet.Chaos(true, chaos().sidecars(), 0, 0, 0));
  }

  @Test
  void aReadWriteOnceDiamondsProducersAreCreatedTogetherAndTheirAffinityKeepsThemOnOneNode() {
    onTwoNodes();
    leftAndRightMeet();
    create(inline("together", DIAMOND));
    StageBuild done = awaitFinished("together");
    assertThat(condition(done, "Succeeded")).as(message(done)).isEqualTo("True");
    String left = BuildNames.podName("together", "1", "left", 1);
    String right = BuildNames.podName("together", "1", "right", 1);
    String fin = recorded(done, "stage-2").podName;
    for (String producer : List.of(left, right)) {
      assertThat(kubelet.pod(producer).getSpec().getAffinity().getNodeAffinity())
          .as(producer + " was created before any pod of the build had a node").isNull();
    }
    assertThat(kubelet.nodeOf(right)).isEqualTo(kubelet.nodeOf(left));
    assertThat(kubelet.pod(fin).getSpec().getAffinity().getNodeAffinity())
        .as("the scheduler does not see finished pods: the consumer is pinned").isNotNull();
    assertThat(kubelet.nodeOf(fin)).isEqualTo(kubelet.nodeOf(left));
    assertOnePodPerAttempt(done);
  }

  @Test
  void aProducerPlacedWhereTheWorkspaceCannotAttachIsStartedAgainWhereItIsInUse() {
    onTwoNodes();
    // Whichever producer is placed second goes to the other node, as a second scheduler might put it.
    kubelet.placeElsewhere(pod -> Set.of("left", "right").contains(step(pod)));
    // The producer that runs holds the workspace until the other one's next attempt has started.
    PodBehavior holdOn = pod -> {
      long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (System.nanoTime() < until && kubelet.startedPods().stream().noneMatch(n -> n.contains("-r2-"))) {
        Thread.sleep(20);
      }
      return PodOutcome.succeed("");
    };
    behaviors.put("left", holdOn);
    behaviors.put("right", holdOn);
    create(inline("elsewhere", DIAMOND));
    StageBuild done = awaitFinished("elsewhere");
    assertThat(condition(done, "Succeeded")).as(message(done)).isEqualTo("True");
    assertThat(events("elsewhere")).contains("PodMisplaced");
    var replaced = done.getStatus().steps.stream().filter(r -> Integer.valueOf(2).equals(r.attempt)).toList();
    assertThat(replaced).singleElement().satisfies(r -> {
      assertThat(r.disruptions).isEqualTo(1);
      assertThat(r.failures).as("not counted against retries").isNull();
    });
    String other = replaced.get(0).step.equals("left") ? "right" : "left";
    assertThat(kubelet.nodeOf(replaced.get(0).podName))
        .isEqualTo(kubelet.nodeOf(BuildNames.podName("elsewhere", "1", other, 1)));
  }

  @Test
  void failingStageIsRetriedThenFailsTheBuildWithExitCodeAndLogTail() {
    behaviors.put("build", pod -> PodOutcome.fail(2, "compiling...\nmain.go:3: undefined: fmt.Printn\nmake: *** [all] Error 2"));
    StageBuild sb = inline("broken", """
        FROM golang:1.21 AS build
        RUN make
        FROM alpine:3.18.3
        COPY --from=build /out/app /app
        """);
    sb.getSpec().retries = 1;
    create(sb);
    StageBuild done = awaitFinished("broken");
    assertThat(condition(done, "Succeeded")).isEqualTo("False");
    assertThat(reason(done, "Succeeded")).isEqualTo("StageFailed");
    assertThat(message(done)).contains("stage build failed", "attempt 2", "exit code 2", "undefined: fmt.Printn");
    assertThat(condition(done, "Stalled")).isEqualTo("True");
    StageStatus build = done.getStatus().stages.get(0);
    assertThat(build.phase).isEqualTo("Failed");
    assertThat(build.attempts).isEqualTo(2);
    assertThat(build.exitCode).isEqualTo(2);
    assertThat(done.getStatus().stages.get(1).phase).isEqualTo("Waiting");
    sleep(1500);
    assertThat(recorded(done, "build").failures).as("the failed retry is the second failure").isEqualTo(1);
    assertOnePodPerAttempt(done);
    if (!hostile()) {
      assertThat(podNames()).containsExactlyInAnyOrder(BuildNames.podName("broken", "1", "build", 1), BuildNames.podName("broken", "1", "build", 2));
    }
  }

  @Test
  void aStatusTheApiServerRefusesAsTooLargeIsWrittenWithShorterMessages() {
    // etcd keeps an object up to 1.5 MiB, spec and status together; here the StageBuild's limit is
    // lowered so that four failed stages' messages (1,900 characters each) do not fit.
    cluster.dispatcher().maxObjectBytes("stagebuilds", 9_000);
    String log = "E".repeat(1900);
    for (String stage : List.of("a", "b", "c", "d")) {
      behaviors.put(stage, pod -> PodOutcome.fail(1, log));
    }
    // e runs until it is deleted: the build's end always has a pod to delete (the refused deletes
    // below), however fast the four others fail
    behaviors.put("e", pod -> null);
    StageBuild sb = inline("large", """
        FROM alpine AS a
        RUN false
        FROM alpine AS b
        RUN false
        FROM alpine AS c
        RUN false
        FROM alpine AS d
        RUN false
        FROM alpine AS e
        RUN sleep infinity
        FROM alpine
        COPY --from=a /x /a
        COPY --from=b /x /b
        COPY --from=c /x /c
        COPY --from=d /x /d
        COPY --from=e /x /e
        """);
    sb.getSpec().retries = 0;
    // The first deletion of a failed pod fails (and the client's one retry of it): the pass that
    // wrote the trimmed status ends in an error, and JOSDK's retry decides again from the same pods.
    for (int i = 0; i < 2; i++) {
      cluster.dispatcher().respondOnce(r -> "DELETE".equals(r.getMethod()) && r.getPath().contains("/pods/large-1-"),
          ClusterDispatcher.refusal(503, "ServiceUnavailable", "the server is currently unable to handle the request"));
    }
    create(sb);
    StageBuild done = awaitFinished("large");
    assertThat(reason(done, "Succeeded")).isEqualTo("StageFailed");
    assertThat(done.getStatus().stages).filteredOn(s -> s.phase.equals("Failed")).isNotEmpty()
        .allSatisfy(s -> assertThat(s.message).hasSizeLessThanOrEqualTo(256).startsWith("exit code 1"));
    assertThat(message(done)).hasSizeLessThanOrEqualTo(1024).contains("failed");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events("large")).contains("StatusTrimmed"));
    // That pass decided the whole status again from the pods; it was trimmed from the start as the
    // refused one had been, equal to what is stored, so not sent: one write refused in all (its
    // request and the client's one retry of a 500).
    // the failing deletes were made (so a pass failed after its write), and JOSDK's retry has run
    await().atMost(Duration.ofSeconds(10)).until(() -> cluster.dispatcher().pendingOnce() == 0);
    sleep(3000); // JOSDK's first retry comes after 1 s
    assertThat(reason(get("large"), "Succeeded")).isEqualTo("StageFailed");
    if (!hostile()) { // where metadata edits race every write, conflicts are the test's own
      assertThat(cluster.dispatcher().tooLargeRefusals()).isEqualTo(2);
      // The failed pass's error is not reported over the ending it wrote (from the object it started with).
      assertThat(cluster.dispatcher().staleWrites()).isZero();
    }
  }

  @Test
  void restartedOperatorPicksUpTheBuildWithoutASecondPodForAnyStep() {
    CountDownLatch release = new CountDownLatch(1);
    behaviors.put("build", pod -> release.await(30, TimeUnit.SECONDS) ? PodOutcome.succeed("")
        : PodOutcome.fail(1, "never released"));
    create(inline("restart", """
        FROM golang:1.21 AS build
        RUN go build -o /app .
        FROM alpine:3.18.3
        COPY --from=build /app /app
        """));
    await().atMost(10, TimeUnit.SECONDS).until(() -> podNames().contains(BuildNames.podName("restart", "1", "build", 1)));
    operator.stop();
    operator = new OperatorHarness(client, FAST).start();
    sleep(1000);
    release.countDown();
    StageBuild done = awaitFinished("restart");
    assertThat(condition(done, "Succeeded")).isEqualTo("True");
    assertThat(startedSteps("restart-1")).containsExactly("build", "stage-1");
    assertOnePodPerAttempt(done);
  }

  @Test
  void specChangeMidBuildDeletesTheOldPodsAndStartsANewBuild() {
    CountDownLatch release = new CountDownLatch(1);
    behaviors.put("build", pod -> {
      if (pod.getMetadata().getName().startsWith("change-1-")) {
        release.await(30, TimeUnit.SECONDS);
        return null; // stays running until the operator deletes it
      }
      return PodOutcome.succeed("");
    });
    StageBuild sb = inline("change", """
        ARG VERSION=1
        FROM golang:1.21 AS build
        ARG VERSION
        RUN echo $VERSION > /v
        FROM alpine:3.18.3
        COPY --from=build /v /v
        """);
    create(sb);
    await().atMost(10, TimeUnit.SECONDS).until(() -> podNames().contains(BuildNames.podName("change", "1", "build", 1)));
    edit("change", current -> current.getSpec().buildArgs = List.of(new BuildArg("VERSION", "2")));
    StageBuild done = await().atMost(30, TimeUnit.SECONDS).until(() -> get("change"),
        s -> s.getStatus() != null && "2".equals(s.getStatus().buildId) && isFinished(s));
    release.countDown();
    assertThat(condition(done, "Succeeded")).isEqualTo("True");
    assertThat(done.getStatus().observedGeneration).isEqualTo(2L);
    assertThat(startedSteps("change-2")).containsExactly("build", "stage-1");
    await().atMost(10, TimeUnit.SECONDS).until(() -> podNames().stream().noneMatch(n -> n.startsWith("change-1-")));
    Pod build = kubelet.pod(BuildNames.podName("change", "2", "build", 1));
    assertThat(main(build).getArgs()).contains("--build-arg=VERSION=2");
  }

  @Test
  void aNewBuildWhoseFirstPassFailsDoesNotInheritThePreviousBuildsSteps() {
    create(inline("inherit", "FROM alpine:3.18.3\nRUN true\n"));
    awaitFinished("inherit");
    // The new build's first pod creates fail (and the client's one retry): the error status is the
    // first write that names the new build.
    for (int i = 0; i < 2; i++) {
      cluster.dispatcher().respondOnce(r -> "POST".equals(r.getMethod()) && r.getPath().endsWith("/pods")
          && OperatorHarness.USER_AGENT.equals(r.getHeader("User-Agent")),
          ClusterDispatcher.refusal(503, "ServiceUnavailable", "the server is currently unable to handle the request"));
    }
    edit("inherit", sb -> sb.getMetadata().setAnnotations(Map.of(StageBuild.REBUILD_ANNOTATION, "again")));
    String second = BuildNames.buildId(1, "again");
    StageBuild done = await().atMost(20, TimeUnit.SECONDS).until(() -> get("inherit"),
        s -> second.equals(s.getStatus().buildId) && isFinished(s));
    assertThat(condition(done, "Succeeded")).isEqualTo("True");
    // built again, not finished with the first build's steps and digest
    assertThat(cluster.dispatcher().pendingOnce()).isZero(); // the first pass did fail
    assertThat(startedSteps("inherit-" + second)).containsExactly("stage-0");
    assertThat(done.getStatus().steps).allSatisfy(r -> assertThat(r.podName).contains("inherit-" + second + "-"));
  }

  @Test
  void rebuildAnnotationStartsAFreshBuildOfTheSameSpec() {
    create(inline("again", "FROM alpine:3.18.3\nRUN true\n"));
    awaitFinished("again");
    edit("again", sb -> sb.getMetadata().setAnnotations(Map.of(StageBuild.REBUILD_ANNOTATION, "2026-11-26T10:00")));
    StageBuild done = await().atMost(20, TimeUnit.SECONDS).until(() -> get("again"),
        s -> s.getStatus().buildId.startsWith("1-") && isFinished(s));
    assertThat(condition(done, "Succeeded")).isEqualTo("True");
    assertThat(startedSteps(done.getMetadata().getName() + "-" + done.getStatus().buildId)).containsExactly("stage-0");
    await().atMost(10, TimeUnit.SECONDS).until(() -> podNames().stream()
        .allMatch(n -> n.startsWith("again-" + done.getStatus().buildId + "-")));
  }

  @Test
  void aStageBuildEditedInALoopReplacesItsBuildAtMostOnceASecond() throws Exception {
    // One author's loop of edits must not make the operator that serves everyone stop and start a
    // build per edit: the edits of a second are merged into the next build.
    create(inline("loop", "FROM alpine:3.18.3\nRUN true\n"));
    awaitFinished("loop");
    operatorRequests();
    long start = System.nanoTime();
    int edits = 200;
    for (int i = 0; i < edits; i++) {
      String value = "edit-" + i;
      edit("loop", sb -> sb.getMetadata().setAnnotations(Map.of(StageBuild.REBUILD_ANNOTATION, value)));
      Thread.sleep(10);
    }
    double editing = (System.nanoTime() - start) / 1e9;
    String last = BuildNames.buildId(1, "edit-" + (edits - 1));
    StageBuild done = await().atMost(30, TimeUnit.SECONDS).until(() -> get("loop"),
        s -> last.equals(s.getStatus().buildId) && isFinished(s));
    // Every build started in this time, up to the last one's end, one a second at most.
    double seconds = (System.nanoTime() - start) / 1e9;
    assertThat(condition(done, "Succeeded")).isEqualTo("True");
    // Each build started creates its plan ConfigMap, named after the build (a create retried after
    // a conflict or a failed request names the same one).
    long started = operatorRequests().stream()
        .filter(r -> "POST".equals(r.getMethod()) && r.getPath().contains("/configmaps"))
        .count() - cluster.dispatcher().repeatedConfigMapCreates();
    long allowed = (long) Math.ceil(seconds * 1000 / BuildStarts.MIN_INTERVAL.toMillis()) + 2;
    System.out.printf("[rate] %d edits in %.1f s, last build ended after %.1f s: %d builds started (at most %d"
        + " allowed)%n", edits, editing, seconds, started, allowed);
    assertThat(started).isLessThanOrEqualTo(allowed);
  }

  @Test
  void badInputEndsInAConditionAPersonCanActOnAndOtherBuildsGoOn() {
    create(inline("nofrom", "RUN echo hi\n"));
    StageBuild target = inline("badtarget", "FROM alpine AS build\nFROM alpine\n");
    target.getSpec().target = "tset";
    create(target);
    // a later stage is fine (as in BuildKit), a cycle is not
    StageBuild unknownStage = inline("unknownstage",
        "FROM alpine AS a\nCOPY --from=later /app /app\nFROM alpine AS later\nCOPY --from=a /x /x\n");
    create(unknownStage);
    StageBuild secret = inline("nosecret", "FROM alpine\n");
    secret.getSpec().output.pushSecretRef = new LocalObjectRef("regcred");
    create(secret);
    create(inline("fine", "FROM alpine\nRUN true\n"));

    assertThat(reason(awaitFinished("nofrom"), "Succeeded")).isEqualTo("InvalidDockerfile");
    assertThat(message(get("nofrom"))).containsIgnoringCase("FROM");
    StageBuild bad = awaitFinished("badtarget");
    assertThat(reason(bad, "Succeeded")).isEqualTo("InvalidSpec");
    assertThat(message(bad)).contains("tset", "build");
    StageBuild unknown = awaitFinished("unknownstage");
    assertThat(reason(unknown, "Succeeded")).isEqualTo("InvalidDockerfile");
    assertThat(message(unknown)).contains("line 2");
    StageBuild noSecret = awaitFinished("nosecret");
    assertThat(reason(noSecret, "Succeeded")).isEqualTo("SecretNotFound");
    assertThat(message(noSecret)).contains("regcred", NS);
    assertThat(condition(awaitFinished("fine"), "Succeeded")).isEqualTo("True");
    assertThat(startedSteps("fine-1")).containsExactly("stage-0");
    assertThat(kubelet.startedPods()).allMatch(n -> n.startsWith("fine-1-"));
  }

  @Test
  void aDockerignoreOverItsBudgetFailsTheBuildBeforeAnythingRuns() {
    client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("bigignore-src")
        .endMetadata().addToData("Dockerfile", "FROM alpine\nCOPY . /app\n")
        .addToData(".dockerignore", "pattern-number-x\n".repeat(2_400)).build()).create();
    StageBuild sb = inline("bigignore", "FROM alpine\n");
    sb.getSpec().dockerfile = new DockerfileSpec();
    sb.getSpec().source = new Source();
    sb.getSpec().source.configMap = new LocalObjectRef("bigignore-src");
    create(sb);
    StageBuild done = awaitFinished("bigignore");
    assertThat(reason(done, "Succeeded")).isEqualTo("PlanTooLarge");
    assertThat(message(done)).contains(".dockerignore", "65536");
    assertThat(podNames()).noneMatch(n -> n.startsWith("bigignore-"));
  }

  @Test
  void aMissingBuildSecretWaitsAndFailsLikeThePushSecret() {
    StageBuild sb = inline("nobuildsecret", "FROM alpine\nRUN --mount=type=secret,id=tok make\n");
    sb.getSpec().secrets = List.of(new dev.stagebuild.api.BuildSecret("tok", "npm-creds", "token"));
    create(sb);
    StageBuild unmapped = inline("unmapped", "FROM alpine\nRUN --mount=type=secret,id=tok,required make\n");
    create(unmapped);
    // without required an unmapped id is skipped, as BuildKit and kaniko skip it
    create(inline("optional", "FROM alpine\nRUN --mount=type=secret,id=tok make\n"));
    StageBuild done = awaitFinished("nobuildsecret");
    assertThat(reason(done, "Succeeded")).isEqualTo("SecretNotFound");
    assertThat(message(done)).contains("npm-creds", "spec.secrets[0]", NS);
    StageBuild invalid = awaitFinished("unmapped");
    assertThat(reason(invalid, "Succeeded")).isEqualTo("InvalidSpec");
    assertThat(message(invalid)).contains("line 2", "id tok");
    assertThat(podNames()).noneMatch(n -> n.startsWith("nobuildsecret-") || n.startsWith("unmapped-"));
    assertThat(condition(awaitFinished("optional"), "Succeeded")).isEqualTo("True");
    // ... and said, since a misspelled id would pass unnoticed
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events("optional")).contains("SecretNotMapped"));
    assertThat(events("nobuildsecret")).doesNotContain("SecretNotMapped");
  }

  @Test
  void aMissingPullSecretIsWaitedForThenFailsTheBuildBeforeAnyPod() {
    StageBuild sb = inline("nopull-secret", "FROM private.example.com/base:1\nRUN true\n");
    sb.getSpec().pullSecretRef = new LocalObjectRef("pullcred");
    create(sb);
    StageBuild done = awaitFinished("nopull-secret");
    assertThat(reason(done, "Succeeded")).isEqualTo("SecretNotFound");
    assertThat(message(done)).contains("pullcred", "spec.pullSecretRef");
    assertThat(kubelet.startedPods()).isEmpty();
  }

  @Test
  void aMissingCaBundleIsWaitedForThenFailsTheBuildBeforeAnyPod() {
    StageBuild sb = inline("noca", "FROM alpine\nRUN true\n");
    sb.getSpec().output.caBundleRef = new CaBundleRef("registry-ca", null);
    create(sb);
    await().atMost(5, TimeUnit.SECONDS).until(() -> "CABundleNotFound".equals(reason(get("noca"), "Succeeded")));
    StageBuild done = awaitFinished("noca");
    assertThat(reason(done, "Succeeded")).isEqualTo("CABundleNotFound");
    assertThat(message(done)).contains("registry-ca", "spec.output.caBundleRef", "kubectl create configmap");
    assertThat(kubelet.startedPods()).isEmpty();
  }

  @Test
  void aCaBundleThatIsNotPemFailsTheBuildAsInvalidSpec() {
    client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("bad-ca")
        .endMetadata().addToData("bundle.pem", "-----BEGIN CERTIFICATE-----\nnot base64!\n-----END CERTIFICATE-----\n")
        .build()).create();
    StageBuild sb = inline("badca", "FROM alpine\nRUN true\n");
    sb.getSpec().output.caBundleRef = new CaBundleRef("bad-ca", "bundle.pem");
    create(sb);
    StageBuild done = awaitFinished("badca");
    assertThat(reason(done, "Succeeded")).isEqualTo("InvalidSpec");
    assertThat(message(done)).contains("bundle.pem", "bad-ca", "spec.output.caBundleRef", "not valid base64");
    assertThat(kubelet.startedPods()).isEmpty();
  }

  @Test
  @RequiresLocalRegistry
  void aRegistryWithACertificateFromAPrivateAuthorityIsReadWithTheCaBundle() {
    TestCertificates.KeyAndCertificate authority = TestCertificates.authority("Example Corp CA");
    try (LocalRegistry registry = LocalRegistry.builder().tls(authority).start()) {
      PushedImage pushed = TestImages.on(registry).push("demo/private-ca", "1", TestImages.image().randomLayers(77));
      fallback = pod -> PodOutcome.succeed(isFinal(pod) ? pushed.digest() : "");
      client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName("corp-ca")
          .endMetadata().addToData("ca.crt", authority.certificatePem()).build()).create();
      StageBuild sb = inline("privateca", "FROM alpine\nRUN true\n");
      sb.getSpec().output.image = registry.image("demo/private-ca:1");
      sb.getSpec().output.caBundleRef = new CaBundleRef("corp-ca", null);
      create(sb);
      StageBuild done = awaitInspected("privateca");
      assertThat(condition(done, "Succeeded")).as(message(done)).isEqualTo("True");
      assertThat(reason(done, "ImageInspected")).as(conditionMessage(done, "ImageInspected")).isEqualTo("Inspected");
      assertThat(done.getStatus().output.size).isEqualTo(pushed.expectedSize());
      // As the kubelet saw it: the operator deletes a pod a sidecar keeps running once the build ended.
      Pod pod = kubelet.pod(kubelet.startedPods().stream().filter(n -> n.startsWith("privateca-1-")).findFirst()
          .orElseThrow());
      assertThat(main(pod).getArgs()).contains("--registry-certificate=" + registry.host() + "=/kaniko/stagebuild/ca/ca.crt");
    }
  }

  @Test
  @RequiresLocalRegistry
  void aReportedDigestTheRegistryContradictsIsWithdrawn() {
    try (LocalRegistry registry = LocalRegistry.start()) {
      PushedImage other = TestImages.on(registry).push("demo/contradicted", "1", TestImages.image().randomLayers(5));
      // the final pod reports DIGEST, which the registry never received
      StageBuild sb = inline("contradicted", "FROM alpine\nRUN true\n");
      sb.getSpec().output.image = registry.image("demo/contradicted:1");
      sb.getSpec().output.insecure = true;
      create(sb);
      StageBuild done = awaitInspected("contradicted");
      assertThat(reason(done, "Succeeded")).isEqualTo("DigestMismatch");
      assertThat(condition(done, "Ready")).isEqualTo("False");
      assertThat(condition(done, "Stalled")).isEqualTo("True");
      assertThat(message(done)).contains(DIGEST, other.digest(), "withdrawn");
      assertThat(done.getStatus().output.digest).isNull();
      assertThat(done.getStatus().output.imageRef).isNull();
    }
  }

  @Test
  void aBuildArgsSecretMustExistAndHoldItsKey() {
    StageBuild sb = inline("argsecret", "FROM alpine\nARG NPM_TOKEN\nRUN test -n \"$NPM_TOKEN\"\n");
    dev.stagebuild.api.BuildArg arg = new dev.stagebuild.api.BuildArg("NPM_TOKEN", null);
    arg.valueFrom = new dev.stagebuild.api.BuildArgSource("npm", "token");
    sb.getSpec().buildArgs = List.of(arg);
    create(sb);
    StageBuild done = awaitFinished("argsecret");
    assertThat(reason(done, "Succeeded")).isEqualTo("SecretNotFound");
    assertThat(message(done)).contains("Secret npm", "spec.buildArgs[0]", "NPM_TOKEN");
    assertThat(podNames()).noneMatch(n -> n.startsWith("argsecret-"));
  }

  @Test
  void secretCreatedWithinTheGraceLetsTheBuildRun() {
    // A grace the Secret surely lands in, on a busy machine too (FAST's 2 s would leave this test
    // about a second and a half to create it).
    operator.stop();
    operator = new OperatorHarness(client, new OperatorSettings(FAST.pendingTimeout(), Duration.ofSeconds(10),
        FAST.inspectRetry(), FAST.defaultBuildTimeout())).start();
    StageBuild sb = inline("latesecret", "FROM alpine\n");
    sb.getSpec().output.pushSecretRef = new LocalObjectRef("regcred");
    create(sb);
    await().atMost(5, TimeUnit.SECONDS).until(() -> "SecretNotFound".equals(reason(get("latesecret"), "Succeeded")));
    assertThat(condition(get("latesecret"), "Succeeded")).isEqualTo("Unknown");
    String config = "{\"auths\":{\"registry.example.com\":{\"auth\":\""
        + Base64.getEncoder().encodeToString("u:p".getBytes(StandardCharsets.UTF_8)) + "\"}}}";
    client.secrets().inNamespace(NS).resource(new SecretBuilder().withNewMetadata().withName("regcred").endMetadata()
        .withType("kubernetes.io/dockerconfigjson")
        .addToData(".dockerconfigjson", Base64.getEncoder().encodeToString(config.getBytes(StandardCharsets.UTF_8)))
        .build()).create();
    assertThat(condition(awaitFinished("latesecret"), "Succeeded")).isEqualTo("True");
  }

  @Test
  void unreachableRegistryIsReportedOnTheImageInspectedCondition() {
    StageBuild sb = inline("noregistry", "FROM alpine\n");
    sb.getSpec().output.image = "127.0.0.1:1/demo/app:1";
    sb.getSpec().output.insecure = true;
    create(sb);
    StageBuild done = awaitInspected("noregistry");
    assertThat(condition(done, "Succeeded")).isEqualTo("True");
    assertThat(condition(done, "ImageInspected")).isEqualTo("False");
    assertThat(reason(done, "ImageInspected")).isEqualTo("RegistryUnreachable");
    assertThat(conditionMessage(done, "ImageInspected")).contains("127.0.0.1:1", DIGEST);
    assertThat(done.getStatus().output.size).isNull();
  }

  @Test
  void imagePullFailureFailsTheStageAfterThePendingBound() {
    behaviors.put("stage-0", pod -> PodOutcome.stuck("ImagePullBackOff"));
    create(inline("nopull", "FROM alpine:does-not-exist\n"));
    StageBuild done = awaitFinished("nopull");
    assertThat(reason(done, "Succeeded")).isEqualTo("ImagePullFailed");
    assertThat(message(done)).contains("ImagePullBackOff");
  }

  @Test
  void aRefusedPodCreationIsReportedWhileTheOperatorRetries() {
    cluster.server().expect().post().withPath("/api/v1/namespaces/" + NS + "/pods")
        .andReturn(403, new StatusBuilder().withCode(403).withReason("Forbidden")
            .withMessage("pods \"quota-1-stage-0\" is forbidden: exceeded quota: compute, requested: cpu=2").build())
        .always();
    create(inline("quota", "FROM alpine\nRUN true\n"));
    StageBuild sb = await().atMost(20, TimeUnit.SECONDS).until(() -> get("quota"),
        s -> "QuotaExceeded".equals(reason(s, "Succeeded")));
    assertThat(condition(sb, "Succeeded")).isEqualTo("Unknown");
    assertThat(message(sb)).contains("exceeded quota");
  }

  // --- the operator on real Kubernetes semantics (issue 8)

  @Test
  void aPodRefusedByPodSecurityAdmissionEndsTheBuildAtOnceWithForbidden() {
    cluster.dispatcher().admission(pod -> ClusterDispatcher.refusal(403, "Forbidden", "pods \""
        + pod.getMetadata().getName() + "\" is forbidden: violates PodSecurity \"restricted:latest\": "
        + "allowPrivilegeEscalation != false (container \"kaniko\" must set "
        + "securityContext.allowPrivilegeEscalation=false), runAsNonRoot != true (pod or container \"kaniko\" must "
        + "set securityContext.runAsNonRoot=true)"));
    StageBuild sb = inline("restricted", "FROM alpine\nRUN true\n");
    sb.getSpec().timeoutSeconds = 600L;
    create(sb);
    StageBuild done = await().atMost(10, TimeUnit.SECONDS).until(() -> get("restricted"), OperatorTest::isFinished);
    assertThat(reason(done, "Succeeded")).isEqualTo("Forbidden");
    assertThat(message(done)).contains("violates PodSecurity", BuildNames.podName("restricted", "1", "stage-0", 1));
    assertThat(condition(done, "Stalled")).isEqualTo("True");
  }

  @Test
  void theBuildDeadlineHoldsWhileTheApiServerFailsEveryCreate() {
    cluster.dispatcher().admission(pod -> ClusterDispatcher.refusal(500, "InternalError",
        "etcdserver: leader changed"));
    StageBuild sb = inline("outage", "FROM alpine\nRUN true\n");
    sb.getSpec().timeoutSeconds = 3L;
    create(sb);
    StageBuild done = await().atMost(20, TimeUnit.SECONDS).until(() -> get("outage"), OperatorTest::isFinished);
    assertThat(reason(done, "Succeeded")).isEqualTo("Timeout");
  }

  @Test
  void theBuildDeadlineHoldsWhileAReadTheDecisionNeedsKeepsFailing() {
    // The source pod's node cannot be reached: the API server answers its log with 500, every time.
    behaviors.put("source", pod -> PodOutcome.succeedWithLog("5f1c0d2e9a7b3c4d5e6f708192a3b4c5d6e7f809", "whatever"));
    for (int i = 0; i < 1_000; i++) {
      cluster.dispatcher().respondOnce(r -> "GET".equals(r.getMethod()) && r.getPath().contains("/log"),
          ClusterDispatcher.refusal(500, "InternalError", "Get \"https://10.0.0.5:10250/containerLogs\": dial tcp"
              + " 10.0.0.5:10250: connect: no route to host"));
    }
    StageBuild sb = dev.stagebuild.testing.Builds.stageBuild("nolog", "registry.example.com/app:1");
    sb.getSpec().source = new dev.stagebuild.api.Source();
    sb.getSpec().source.git = new dev.stagebuild.api.GitSource();
    sb.getSpec().source.git.url = "https://example.com/app.git";
    sb.getSpec().timeoutSeconds = 3L;
    create(sb);
    StageBuild done = await().atMost(30, TimeUnit.SECONDS).until(() -> get("nolog"), OperatorTest::isFinished);
    assertThat(reason(done, "Succeeded")).isEqualTo("Timeout");
    assertThat(message(done)).startsWith("the build did not finish within timeoutSeconds=3; the operator could not"
        + " reconcile it: ReconcileError: ").contains("no route to host");
    assertThat(condition(done, "Stalled")).isEqualTo("True");
  }

  @Test
  void aRebuildWhoseFirstPassesFailIsNotReadyMeanwhile() {
    create(inline("stale", "FROM alpine\nRUN true\n"));
    assertThat(condition(awaitFinished("stale"), "Ready")).isEqualTo("True");
    cluster.dispatcher().admission(pod -> ClusterDispatcher.refusal(403, "Forbidden", "pods \""
        + pod.getMetadata().getName() + "\" is forbidden: exceeded quota: compute, requested: cpu=1, used: cpu=4,"
        + " limited: cpu=4"));
    edit("stale", sb -> sb.getMetadata().setAnnotations(Map.of(StageBuild.REBUILD_ANNOTATION, "again")));
    String second = BuildNames.buildId(1, "again");
    StageBuild retrying = await().atMost(20, TimeUnit.SECONDS).until(() -> get("stale"),
        s -> second.equals(s.getStatus().buildId) && "QuotaExceeded".equals(reason(s, "Succeeded")));
    // `kubectl wait --for=condition=Ready` must not return on the previous build's success.
    assertThat(condition(retrying, "Ready")).isEqualTo("False");
    assertThat(reason(retrying, "Ready")).isEqualTo("QuotaExceeded");
    assertThat(condition(retrying, "Stalled")).isNull();
    assertThat(condition(retrying, "Reconciling")).isEqualTo("True");
  }

  @Test
  void aCopyOfABuildPodUnderAnotherNameIsNeverTakenForAnAttempt() {
    // Labels and owner references can be copied by anyone who may create pods: a copy that reports
    // success with a digest of its own must not end the build.
    String forged = "sha256:" + "f".repeat(64);
    fallback = pod -> "9".equals(pod.getMetadata().getLabels().get(Labels.ATTEMPT))
        ? PodOutcome.succeed(forged) : PodOutcome.stuck("ContainerCreating");
    StageBuild sb = inline("copied", "FROM alpine\nRUN true\n");
    sb.getSpec().timeoutSeconds = 4L;
    create(sb);
    Pod real = await().atMost(20, TimeUnit.SECONDS).until(() -> client.pods().inNamespace(NS).list().getItems()
        .stream().filter(p -> p.getMetadata().getName().startsWith("copied-")).findFirst().orElse(null),
        p -> p != null);
    Pod copy = new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata().withName("someone-elses-pod")
        .withNamespace(NS).withLabels(new java.util.HashMap<>(real.getMetadata().getLabels()))
        .withAnnotations(real.getMetadata().getAnnotations()).withOwnerReferences(real.getMetadata().getOwnerReferences())
        .endMetadata().withNewSpec().addNewContainer().withName("kaniko").withImage("busybox").endContainer()
        .endSpec().build();
    copy.getMetadata().getLabels().put(Labels.ATTEMPT, "9");
    client.pods().inNamespace(NS).resource(copy).create();
    StageBuild done = await().atMost(30, TimeUnit.SECONDS).until(() -> get("copied"), OperatorTest::isFinished);
    // the real pod never starts: Timeout (or, with the hostile kubelet's volume warnings, their reason)
    assertThat(condition(done, "Succeeded")).isEqualTo("False");
    assertThat(done.getStatus().output).as("no digest taken from the copy").isNull();
    assertThat(done.getStatus().steps).extracting(r -> r.podName).doesNotContain("someone-elses-pod");
  }

  @Test
  void anObjectUnderTheBuildsNameThatItDoesNotControlIsNeverAdopted() {
    // Someone who may create pods and claims in the namespace, and knows the names a build will use.
    client.persistentVolumeClaims().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model
        .PersistentVolumeClaimBuilder().withNewMetadata().withName(BuildNames.pvcName("victim", "1")).endMetadata()
        .withNewSpec().withAccessModes("ReadWriteOnce").withNewResources().addToRequests("storage",
            new io.fabric8.kubernetes.api.model.Quantity("1Gi")).endResources().endSpec().build()).create();
    create(inline("victim", "FROM alpine\nRUN true\n"));
    StageBuild done = awaitFinished("victim");
    assertThat(reason(done, "Succeeded")).isEqualTo("NameConflict");
    assertThat(message(done)).contains(BuildNames.pvcName("victim", "1"), "not controlled by this StageBuild");
    assertThat(podNames()).isEmpty();
    assertThat(client.persistentVolumeClaims().inNamespace(NS).withName(BuildNames.pvcName("victim", "1")).get())
        .as("the other claim is left alone").isNotNull();

    client.pods().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model.PodBuilder().withNewMetadata()
        .withName(BuildNames.podName("forged", "1", "stage-0", 1)).endMetadata().withNewSpec().addNewContainer().withName("kaniko")
        .withImage("attacker/image").endContainer().endSpec().build()).create();
    create(inline("forged", "FROM alpine\nRUN true\n"));
    done = awaitFinished("forged");
    assertThat(reason(done, "Succeeded")).isEqualTo("NameConflict");
    assertThat(done.getStatus().output).as("no digest is taken from a pod the build does not own").isNull();
    assertThat(client.pods().inNamespace(NS).withName(BuildNames.podName("forged", "1", "stage-0", 1)).get()).isNotNull();
  }

  @Test
  @RequiresLocalRegistry
  void theRebuildAnnotationRebuildsAFinishedBuildThatOwesNothing() {
    try (LocalRegistry registry = LocalRegistry.start()) {
      // A registry that answers, for good: the image is not there (the test kubelet pushes nothing),
      // so after the build the operator owes no look-up and has no reason to wake up by itself.
      StageBuild sb = inline("rebuilt", "FROM alpine:3.18.3\nRUN true\n");
      sb.getSpec().output.image = registry.image("demo/rebuilt:1");
      sb.getSpec().output.insecure = true;
      create(sb);
      StageBuild first = awaitInspected("rebuilt");
      assertThat(reason(first, "ImageInspected")).isEqualTo("ImageNotFound");
      assertThat(reason(first, "Succeeded")).as("a digest the registry does not hold is withdrawn")
          .isEqualTo("ImageNotFound");
      sleep(500);
      edit("rebuilt", b -> b.getMetadata().setAnnotations(Map.of(StageBuild.REBUILD_ANNOTATION, "2026-12-05T10:00")));
      StageBuild done = await().atMost(20, TimeUnit.SECONDS).until(() -> get("rebuilt"),
          s -> s.getStatus().buildId.startsWith("1-") && isFinished(s)
              && Conditions.find(s.getStatus().conditions, Conditions.IMAGE_INSPECTED) != null);
      assertThat(reason(done, "Succeeded")).as("built again, and looked up again").isEqualTo("ImageNotFound");
      assertThat(done.getStatus().observedGeneration).isEqualTo(1L);
    }
  }

  @Test
  void aStuckPodThatFailsTheBuildIsDeleted() {
    behaviors.put("stage-0", pod -> PodOutcome.stuck("ImagePullBackOff"));
    create(inline("stuck", "FROM alpine:does-not-exist\n"));
    StageBuild done = awaitFinished("stuck");
    assertThat(reason(done, "Succeeded")).isEqualTo("ImagePullFailed");
    await().atMost(10, TimeUnit.SECONDS).until(() -> client.pods().inNamespace(NS).withName(BuildNames.podName("stuck", "1", "stage-0", 1))
        .get() == null);
  }

  @Test
  void aVolumeAttachedElsewhereIsReportedWithItsReasonThenFailsTheBuild() {
    behaviors.put("stage-0", pod -> PodOutcome.stuck("ContainerCreating"));
    create(inline("attach", "FROM alpine\nRUN true\n"));
    StageBuild done = awaitFinished("attach");
    assertThat(reason(done, "Succeeded")).isEqualTo("VolumeMultiAttach");
    assertThat(message(done)).contains("Multi-Attach error");
  }

  @Test
  void stepsRecordedInTheStatusSurviveTheirPodsAndALostPodIsRunAgainWithoutChargingRetries() {
    CountDownLatch rightMayEnd = new CountDownLatch(1);
    behaviors.put("left", pod -> PodOutcome.succeed(""));
    behaviors.put("right", pod -> {
      if (pod.getMetadata().getName().equals(BuildNames.podName("durable", "1", "right", 1))) {
        rightMayEnd.await(30, TimeUnit.SECONDS);
        return null; // the first right pod is deleted while it runs
      }
      return PodOutcome.succeed("");
    });
    StageBuild sb = inline("durable", DIAMOND);
    sb.getSpec().workspace = new dev.stagebuild.api.Workspace();
    sb.getSpec().workspace.accessModes = List.of("ReadWriteMany");
    create(sb);
    await().atMost(15, TimeUnit.SECONDS).until(() -> stepPhase(get("durable"), "left").equals("Succeeded")
        && "Running".equals(stepPhase(get("durable"), "right")));
    // Pod GC takes the finished producer, a person deletes the running one.
    String leftPod = recorded(get("durable"), "left").podName;
    List<String> leftStarted = kubelet.startedPods().stream().filter(n -> n.startsWith("durable-1-left")).toList();
    client.pods().inNamespace(NS).withName(leftPod).delete();
    client.pods().inNamespace(NS).withName(BuildNames.podName("durable", "1", "right", 1)).delete();
    rightMayEnd.countDown();
    StageBuild done = awaitFinished("durable");
    assertThat(condition(done, "Succeeded")).as(message(done)).isEqualTo("True");
    var right = done.getStatus().steps.stream().filter(r -> r.step.equals("right")).findFirst().orElseThrow();
    assertThat(right.disruptions).isEqualTo(1);
    assertThat(right.failures).as("a lost pod is not a failure of the build").isNull();
    assertThat(kubelet.startedPods().stream().filter(n -> n.startsWith("durable-1-left")))
        .as("a finished step is not run again").containsExactlyElementsOf(leftStarted);
  }

  @Test
  void aStageBuildBeingDeletedStartsNoNewBuildThoughItsGenerationRose() {
    behaviors.put("build", pod -> {
      sleep(30_000);
      return null;
    });
    StageBuild sb = inline("leaving", "FROM golang:1.21 AS build\nRUN make\nFROM alpine\nCOPY --from=build /a /a\n");
    // Someone else's finalizer (a foreground deletion's, a GitOps tool's) holds it once deleted, and
    // the API server raises its generation then (ClusterDispatcher does too), which would read as a
    // new build. What keeps it from one is JOSDK: it hands a StageBuild marked for deletion to
    // cleanup, which this reconciler has none of, never to reconcile (ReconciliationDispatcher);
    // this test keeps that so (turning on JOSDK's triggerReconcilerOnAllEvents, say, would not).
    sb.getMetadata().setFinalizers(List.of("example.com/hold"));
    create(sb);
    await().atMost(10, TimeUnit.SECONDS).until(() -> "Running".equals(stepPhase(get("leaving"), "build")));
    try {
      client.resources(StageBuild.class).inNamespace(NS).withName("leaving").delete();
      StageBuild marked = await().atMost(10, TimeUnit.SECONDS).until(() -> get("leaving"),
          b -> b.getMetadata().getDeletionTimestamp() != null && b.getMetadata().getGeneration() == 2L);
      assertThat(marked.getStatus().buildId).isEqualTo("1");
      // Several passes' worth of time: no pod of a build 2, the status still build 1's.
      await().during(3, TimeUnit.SECONDS).atMost(6, TimeUnit.SECONDS).until(() ->
          client.pods().inNamespace(NS).list().getItems().stream()
              .noneMatch(p -> p.getMetadata().getName().startsWith("leaving-2-"))
          && "1".equals(get("leaving").getStatus().buildId));
    } finally {
      edit("leaving", b -> b.getMetadata().setFinalizers(List.of()));
    }
  }

  @Test
  void cancellingStopsEveryPodAndEndsTheBuildCancelled() {
    behaviors.put("build", pod -> {
      sleep(30_000);
      return null;
    });
    create(inline("cancel", "FROM golang:1.21 AS build\nRUN make\nFROM alpine\nCOPY --from=build /a /a\n"));
    await().atMost(10, TimeUnit.SECONDS).until(() -> "Running".equals(stepPhase(get("cancel"), "build")));
    edit("cancel", b -> b.getSpec().cancel = true);
    StageBuild done = awaitFinished("cancel");
    assertThat(reason(done, "Succeeded")).isEqualTo("Cancelled");
    assertThat(done.getStatus().buildId).as("cancelling starts no new build").isEqualTo("1");
    await().atMost(10, TimeUnit.SECONDS).until(() -> client.pods().inNamespace(NS).list().getItems().stream()
        .allMatch(p -> p.getMetadata().getDeletionTimestamp() != null || "Failed".equals(p.getStatus().getPhase())
            || "Succeeded".equals(p.getStatus().getPhase())));
  }

  @Test
  void buildsShareAnExistingClaimEachInItsOwnSubDirectoryWhichIsRemovedWhenTheBuildEnds() {
    client.persistentVolumeClaims().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model
        .PersistentVolumeClaimBuilder().withNewMetadata().withName("build-farm").endMetadata()
        .withNewSpec().withAccessModes("ReadWriteMany").withNewResources().addToRequests("storage",
            new io.fabric8.kubernetes.api.model.Quantity("100Gi")).endResources().endSpec().build()).create();
    for (String name : List.of("farm-a", "farm-b")) {
      StageBuild sb = inline(name, DIAMOND);
      sb.getSpec().workspace = new dev.stagebuild.api.Workspace();
      sb.getSpec().workspace.claimName = "build-farm";
      create(sb);
    }
    for (String name : List.of("farm-a", "farm-b")) {
      StageBuild done = awaitFinished(name);
      assertThat(condition(done, "Succeeded")).as(message(done)).isEqualTo("True");
      String uid = done.getMetadata().getUid();
      List<Pod> pods = client.pods().inNamespace(NS).withLabel(Labels.BUILD, name).list().getItems();
      // (the hostile kubelet's pod GC may have taken some)
      assertThat(pods.stream().filter(p -> !KanikoResources.isWorkspaceCleanup(p))).isNotEmpty().allSatisfy(p -> {
        assertThat(p.getSpec().getVolumes()).anySatisfy(v -> assertThat(v.getPersistentVolumeClaim().getClaimName())
            .isEqualTo("build-farm"));
        assertThat(p.getSpec().getContainers().stream().flatMap(c -> c.getVolumeMounts().stream()))
            .anySatisfy(m -> assertThat(m.getSubPath()).isEqualTo(uid + "/1"));
        assertThat(p.getSpec().getAffinity()).as("ReadWriteMany: any node").isNull();
      });
      assertThat(done.getStatus().steps).extracting(r -> r.step).containsExactlyInAnyOrder("left", "right", "stage-2");
      // The build's sub-directory is removed by a cleanup pod once its pods have ended.
      // (from the kubelet: the hostile one's pod GC may take the finished pod from the API server)
      String cleanupName = BuildNames.podName(name, "1", "workspace:cleanup", 1);
      await().atMost(10, TimeUnit.SECONDS).until(() -> kubelet.startedPods().contains(cleanupName));
      Pod cleanup = kubelet.pod(cleanupName);
      // (found by name: a mesh may have injected a sidecar in front of it)
      var rm = cleanup.getSpec().getContainers().stream().filter(c -> c.getName().equals("cleanup")).findFirst()
          .orElseThrow();
      assertThat(rm.getCommand()).containsExactly("/busybox/rm", "-rf", "--", "/kaniko/stagebuild/builds/1");
      assertThat(rm.getVolumeMounts().get(0).getSubPath()).isEqualTo(uid);
    }
    // The pods ran as the build ServiceAccount, made once for the namespace, without a token.
    var account = client.serviceAccounts().inNamespace(NS).withName("stagebuild-build").get();
    assertThat(account).isNotNull();
    assertThat(account.getAutomountServiceAccountToken()).isFalse();
    assertThat(client.pods().inNamespace(NS).withLabel(Labels.BUILD, "farm-a").list().getItems())
        .allSatisfy(p -> assertThat(p.getSpec().getServiceAccountName()).isEqualTo("stagebuild-build"));
    // No claim of its own was made for either build, and the shared one is left alone.
    assertThat(client.persistentVolumeClaims().inNamespace(NS).list().getItems())
        .extracting(c -> c.getMetadata().getName()).containsExactly("build-farm");
  }

  void sharedClaim(String name) {
    if (client.persistentVolumeClaims().inNamespace(NS).withName(name).get() == null) {
      client.persistentVolumeClaims().inNamespace(NS).resource(new io.fabric8.kubernetes.api.model
          .PersistentVolumeClaimBuilder().withNewMetadata().withName(name).endMetadata()
          .withNewSpec().withAccessModes("ReadWriteMany").withNewResources().addToRequests("storage",
              new io.fabric8.kubernetes.api.model.Quantity("100Gi")).endResources().endSpec().build()).create();
    }
  }

  StageBuild onSharedClaim(String name, String dockerfile) {
    sharedClaim("build-farm");
    StageBuild sb = inline(name, dockerfile);
    sb.getSpec().workspace = new dev.stagebuild.api.Workspace();
    sb.getSpec().workspace.claimName = "build-farm";
    return sb;
  }

  @Test
  void aFailingCleanupIsTriedThreeTimesAndTheStageBuildsTtlWaitsForIt() {
    CountDownLatch lastMayEnd = new CountDownLatch(1);
    behaviors.put("workspace:cleanup", pod -> {
      if ("3".equals(pod.getMetadata().getLabels().get(Labels.ATTEMPT))) {
        lastMayEnd.await(20, TimeUnit.SECONDS);
      }
      return PodOutcome.fail(1, "rm: can't remove '/kaniko/stagebuild/builds/1/x'");
    });
    StageBuild sb = onSharedClaim("rmfails", "FROM alpine\nRUN true\n");
    sb.getSpec().ttlSecondsAfterFinished = 0L;
    sb.getSpec().podRetentionSeconds = 0L;
    create(sb);
    await().atMost(15, TimeUnit.SECONDS).until(() -> kubelet.startedPods().stream()
        .filter(n -> n.startsWith("rmfails-1-workspace-cleanup")).count() == 3);
    sleep(2500);
    assertThat(get("rmfails")).as("the StageBuild waits while its last cleanup attempt runs").isNotNull();
    lastMayEnd.countDown();
    // Retention 0 did not stop the cleanup; the StageBuild went only once the cleanup was over.
    await().atMost(10, TimeUnit.SECONDS).until(() -> get("rmfails") == null);
    assertThat(kubelet.startedPods().stream().filter(n -> n.startsWith("rmfails-1-workspace-cleanup")))
        .as("given up after three attempts").hasSize(3);
  }

  @Test
  void aCleanupPodThatIsRefusedIsGivenUpAndTheTtlDoesNotWaitForIt() {
    cluster.dispatcher().admission(pod -> pod.getMetadata().getName().contains("workspace-cleanup")
        ? ClusterDispatcher.refusal(403, "Forbidden", "pods \"" + pod.getMetadata().getName()
            + "\" is forbidden: violates PodSecurity \"restricted:latest\"") : null);
    StageBuild sb = onSharedClaim("rmrefused", "FROM alpine\nRUN true\n");
    sb.getSpec().ttlSecondsAfterFinished = 0L;
    sb.getSpec().podRetentionSeconds = 0L;
    create(sb);
    // Waiting for a cleanup that cannot be made would hold the StageBuild for two minutes.
    await().atMost(15, TimeUnit.SECONDS).until(() -> get("rmrefused") == null);
  }

  /**
   * Creates the one-stage StageBuild, whose first build's stage-0 runs until {@code release}, asks for
   * a rebuild while it runs, and returns the StageBuild once the new build has ended.
   */
  StageBuild rebuiltWhileItsFirstBuildRuns(StageBuild sb, CountDownLatch release) {
    String name = sb.getMetadata().getName();
    behaviors.put("stage-0", pod -> "1".equals(pod.getMetadata().getLabels().get(Labels.BUILD_ID))
        && !release.await(30, TimeUnit.SECONDS) ? null : PodOutcome.succeed(DIGEST));
    create(sb);
    await().atMost(10, TimeUnit.SECONDS).until(() -> kubelet.startedPods().contains(
        BuildNames.podName(name, "1", "stage-0", 1)));
    // through edit: in hostile mode people edit the StageBuild too, and a plain update may meet a 409
    edit(name, b -> b.getMetadata().setAnnotations(java.util.Map.of(StageBuild.REBUILD_ANNOTATION, "again")));
    return await().atMost(15, TimeUnit.SECONDS).until(() -> get(name),
        s -> s.getStatus() != null && s.getStatus().buildId != null && !"1".equals(s.getStatus().buildId)
            && isFinished(s));
  }

  @Test
  void aReplacedBuildsDirectoryIsRemovedOnceItsPodsHaveStopped() {
    CountDownLatch release = new CountDownLatch(1);
    StageBuild done = rebuiltWhileItsFirstBuildRuns(onSharedClaim("replaced", "FROM alpine\nRUN true\n"), release);
    assertThat(condition(done, "Succeeded")).isEqualTo("True");
    String oldCleanup = BuildNames.podName("replaced", "1", "workspace:cleanup", 1);
    await().atMost(10, TimeUnit.SECONDS).until(() -> kubelet.startedPods().contains(oldCleanup));
    assertThat(kubelet.pod(oldCleanup).getSpec().getContainers().stream().filter(c -> c.getName().equals("cleanup"))
        .findFirst().orElseThrow().getCommand()).containsExactly("/busybox/rm", "-rf", "--", "/kaniko/stagebuild/builds/1");
    release.countDown();
  }

  @Test
  void aBuildReplacedBeforeItsFirstStatusWasWrittenStillReleasesItsClaimAndPlan() {
    CountDownLatch release = new CountDownLatch(1);
    // (a fresh build's first status waits a few seconds: the status may not name build 1 yet)
    StageBuild done = rebuiltWhileItsFirstBuildRuns(inline("early", "FROM alpine\nRUN true\n"), release);
    assertThat(condition(done, "Succeeded")).isEqualTo("True");
    await().atMost(10, TimeUnit.SECONDS).until(() -> client.persistentVolumeClaims().inNamespace(NS)
        .withName(BuildNames.pvcName("early", "1")).get() == null
        && client.configMaps().inNamespace(NS).withName(BuildNames.planConfigMapName("early", "1")).get() == null);
    release.countDown();
  }

  @Test
  void aMissingSharedClaimIsWaitedForThenFailsTheBuild() {
    StageBuild sb = inline("noclaim", "FROM alpine\nRUN true\n");
    sb.getSpec().workspace = new dev.stagebuild.api.Workspace();
    sb.getSpec().workspace.claimName = "not-there";
    create(sb);
    StageBuild done = awaitFinished("noclaim");
    assertThat(reason(done, "Succeeded")).isEqualTo("ClaimNotFound");
    assertThat(message(done)).contains("not-there", "spec.workspace.claimName");
    assertThat(podNames()).noneMatch(n -> n.startsWith("noclaim-"));
  }

  @Test
  void aGitBuildsDockerfileIsReadFromTheLogOnceAndAnUnreadableLogEndsTheBuild() {
    behaviors.put("source", pod -> PodOutcome.succeedWithLog("5f1c0d2e9a7b3c4d5e6f708192a3b4c5d6e7f809",
        "Cloning...\n(the log was rotated: the Dockerfile block is gone)\n"));
    StageBuild sb = stageBuild("rotated", "registry.example.com/app:1");
    sb.getSpec().source = new Source();
    sb.getSpec().source.git = new GitSource();
    sb.getSpec().source.git.url = "https://example.com/app.git";
    create(sb);
    StageBuild done = awaitFinished("rotated");
    assertThat(reason(done, "Succeeded")).isEqualTo("SourceUnreadable");
    assertThat(startedSteps("rotated-1")).containsExactly("source");
    assertThat(recorded(done, "source").disruptions).as("the source step is re-run a bounded number of times")
        .isEqualTo(BuildDecider.MAX_SOURCE_REREADS);
    assertOnePodPerAttempt(done);
  }

  @Test
  void registryLookUpsRunOffTheReconcilePathAndSucceededIsWrittenFirst() throws Exception {
    try (java.net.ServerSocket silent = new java.net.ServerSocket(0)) {
      // A registry that accepts connections and never answers.
      StageBuild sb = inline("silent", "FROM alpine\n");
      sb.getSpec().output.image = "127.0.0.1:" + silent.getLocalPort() + "/demo/app:1";
      sb.getSpec().output.insecure = true;
      create(sb);
      create(inline("neighbour", "FROM alpine\nRUN true\n"));
      StageBuild done = await().atMost(8, TimeUnit.SECONDS).until(() -> get("silent"), OperatorTest::isFinished);
      assertThat(condition(done, "Succeeded")).isEqualTo("True");
      assertThat(done.getStatus().output.size).isNull();
      assertThat(condition(awaitFinished("neighbour"), "Succeeded")).isEqualTo("True");
    }
  }

  @Test
  void aQuickBuildsStatusIsWrittenAtItsStartAndItsEndNotForEveryPodTransition() {
    create(inline("paced", DIAMOND));
    StageBuild done = awaitInspected("paced");
    assertThat(condition(done, "Succeeded")).isEqualTo("True");
    // Three pods, each created, running and ended: about three writes each before the pacer. A
    // fresh build this quick is written when it ends (with the registry's answer, or that once
    // more when it came after the grace), and on a slow machine once or twice before.
    long writes = cluster.dispatcher().count(OperatorHarness.USER_AGENT, "PUT", "/stagebuilds/paced/status");
    if (chaos() == TestKubelet.Chaos.CALM) { // the hostile API server's failures add error-status writes
      assertThat(writes).isBetween(1L, 4L);
    }
  }

  @Test
  void aConflictingStatusWriteIsWrittenAgainOnTheFreshObject() {
    cluster.dispatcher().respondOnce(r -> "PUT".equals(r.getMethod()) && r.getPath().endsWith("/conflict/status")
        && OperatorHarness.USER_AGENT.equals(r.getHeader("User-Agent")),
        ClusterDispatcher.refusal(409, "Conflict", "Operation cannot be fulfilled on stagebuilds.stagebuild.dev"
            + " \"conflict\": the object has been modified; please apply your changes to the latest version"));
    create(inline("conflict", "FROM alpine\nRUN true\n"));
    StageBuild done = awaitFinished("conflict");
    assertThat(condition(done, "Succeeded")).isEqualTo("True");
    assertThat(operatorRequests().stream().filter(r -> "GET".equals(r.getMethod())
        && r.getPath().endsWith("/stagebuilds/conflict"))).as("the fresh object was read").isNotEmpty();
  }

  @ParameterizedTest
  @ValueSource(ints = {409, 500})
  void theEventsOfAPassThatStartedPodsButCouldNotWriteItsStatusAreRecordedWithTheNextWrite(int code) {
    String name = "owed-" + code;
    // 409: as many as one reconcile writes before it gives up (a metadata edit each time); 500: the
    // client may retry once. Either way JOSDK's retry decides again, from the pods already started.
    int refusals = code == 409 ? StageBuildReconciler.MAX_CONFLICTS : 2;
    behaviors.put("build", pod -> "1".equals(pod.getMetadata().getLabels().get("stagebuild.dev/attempt"))
        ? PodOutcome.fail(1, "flaky test") : PodOutcome.succeed(""));
    // The writes of the pass that starts attempt 2 are refused.
    for (int i = 0; i < refusals; i++) {
      cluster.dispatcher().respondOnce(r -> "PUT".equals(r.getMethod()) && r.getPath().endsWith("/" + name + "/status")
          && OperatorHarness.USER_AGENT.equals(r.getHeader("User-Agent"))
          && ClusterDispatcher.body(r).contains("\"attempt\":2"),
          ClusterDispatcher.refusal(code, code == 409 ? "Conflict" : "InternalError", "refused by the test"));
    }
    StageBuild sb = inline(name, "FROM alpine AS build\nRUN true\nFROM alpine\nCOPY --from=build /x /x\n");
    sb.getSpec().retries = 1;
    create(sb);
    StageBuild done = awaitFinished(name);
    assertThat(condition(done, "Succeeded")).as(message(done)).isEqualTo("True");
    assertThat(cluster.dispatcher().pendingOnce()).as("the refusals were served").isZero();
    // The pass that decides again sees attempt 2's pod and does not decide its start again.
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(events(name)).contains("StageRetrying"));
    sleep(1000);
    assertThat(client.v1().events().inNamespace(NS).list().getItems()).filteredOn(e -> name.equals(
        e.getInvolvedObject().getName()) && "StageRetrying".equals(e.getReason())).as("recorded once")
        .singleElement().satisfies(e -> assertThat(e.getCount()).isEqualTo(1));
  }

  @Test
  void aFinishedBuildsPodsAndPlanGoAfterItsRetentionAndTheStageBuildAfterItsTtl() {
    StageBuild sb = inline("ttl", "FROM alpine AS a\nRUN true\nFROM alpine\nCOPY --from=a /x /x\n");
    sb.getSpec().podRetentionSeconds = 3L;
    sb.getSpec().ttlSecondsAfterFinished = 8L;
    create(sb);
    StageBuild done = awaitFinished("ttl");
    assertThat(condition(done, "Succeeded")).isEqualTo("True");
    await().atMost(15, TimeUnit.SECONDS).until(() -> get("ttl") == null || get("ttl").getStatus().cleanupTime != null);
    await().atMost(15, TimeUnit.SECONDS).until(() -> podNames().isEmpty()
        && client.configMaps().inNamespace(NS).withName(BuildNames.planConfigMapName("ttl", "1")).get() == null);
    await().atMost(15, TimeUnit.SECONDS).until(() -> get("ttl") == null);
  }

  static String stepPhase(StageBuild sb, String step) {
    if (sb == null || sb.getStatus() == null || sb.getStatus().steps == null) {
      return "";
    }
    return sb.getStatus().steps.stream().filter(r -> step.equals(r.step)).map(r -> r.phase).findFirst().orElse("");
  }

  /** The operator's requests since the last call (also kept for the RBAC check). */
  List<io.fabric8.mockwebserver.http.RecordedRequest> operatorRequests() {
    var mine = cluster.drainRequests().stream()
        .filter(r -> OperatorHarness.USER_AGENT.equals(r.getHeader("User-Agent"))).toList();
    mine.forEach(r -> OPERATOR_REQUESTS.addAll(RequestAttributes.withAdmission(r.getMethod(), r.getPath(),
        ClusterDispatcher.body(r))));
    return mine;
  }

  // --- helpers

  static boolean isFinal(Pod pod) {
    return main(pod).getArgs().stream().anyMatch(a -> a.startsWith("--destination="));
  }

  /** The build's own container (a mesh may have injected another before it). */
  static io.fabric8.kubernetes.api.model.Container main(Pod pod) {
    return pod.getSpec().getContainers().stream()
        .filter(c -> "kaniko".equals(c.getName()) || "source".equals(c.getName()) || "cleanup".equals(c.getName()))
        .findFirst().orElseThrow();
  }

  static String step(Pod pod) {
    return pod.getMetadata().getAnnotations().get(Labels.STEP_ANNOTATION);
  }

  StageBuild inline(String name, String dockerfile) {
    return Builds.inline(name, dockerfile);
  }

  void create(StageBuild sb) {
    sb.getMetadata().setNamespace(NS);
    client.resource(sb).inNamespace(NS).create();
  }

  /** Changes a StageBuild the way kubectl edit does: again on a conflict with the operator's status writes. */
  void edit(String name, Consumer<StageBuild> change) {
    for (int attempt = 1; ; attempt++) {
      try {
        client.resources(StageBuild.class).inNamespace(NS).withName(name).edit(sb -> {
          change.accept(sb);
          return sb;
        });
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 10) {
          throw e;
        }
      }
    }
  }

  StageBuild get(String name) {
    return client.resources(StageBuild.class).inNamespace(NS).withName(name).get();
  }

  StageBuild awaitFinished(String name) {
    // The test's own read may meet a connection the loaded mock server closed: polled again.
    return await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(100))
        .ignoreExceptionsInstanceOf(KubernetesClientException.class)
        .until(() -> get(name), OperatorTest::isFinished);
  }

  /** The registry look-up runs after the build has ended: waits for its answer too. */
  StageBuild awaitInspected(String name) {
    return await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(100))
        .ignoreExceptionsInstanceOf(KubernetesClientException.class)
        .until(() -> get(name), sb -> isFinished(sb) && Conditions.find(sb.getStatus().conditions,
            Conditions.IMAGE_INSPECTED) != null);
  }

  static boolean isFinished(StageBuild sb) {
    String c = sb == null || sb.getStatus() == null ? null : condition(sb, "Succeeded");
    return "True".equals(c) || "False".equals(c);
  }

  static String condition(StageBuild sb, String type) {
    var c = Conditions.find(sb.getStatus().conditions, type);
    return c == null ? null : c.getStatus();
  }

  static String reason(StageBuild sb, String type) {
    if (sb == null || sb.getStatus() == null) {
      return null;
    }
    var c = Conditions.find(sb.getStatus().conditions, type);
    return c == null ? null : c.getReason();
  }

  static String conditionMessage(StageBuild sb, String type) {
    var c = Conditions.find(sb.getStatus().conditions, type);
    return c == null ? null : c.getMessage();
  }

  static String message(StageBuild sb) {
    return conditionMessage(sb, "Succeeded");
  }

  /** The steps of build {@code prefix} (name-buildId) that got pods, in the order their first pod started. */
  List<String> startedSteps(String prefix) {
    return kubelet.startedPods().stream().filter(n -> n.startsWith(prefix + "-"))
        .map(n -> stepOf(n.substring(prefix.length() + 1))).distinct().toList();
  }

  /** {@code <step>[-r<n>]-<8 hex>} without its retry and uniqueness suffixes (BuildNames.podName). */
  static String stepOf(String nameAfterBuild) {
    return nameAfterBuild.replaceAll("-[0-9a-f]{8}$", "").replaceAll("-r\\d+$", "");
  }

  static dev.stagebuild.api.StepRecord recorded(StageBuild sb, String step) {
    return sb.getStatus().steps.stream().filter(r -> step.equals(r.step)).findFirst().orElseThrow();
  }

  /** Every attempt the status records got exactly one pod: no step was ever started twice at once. */
  void assertOnePodPerAttempt(StageBuild done) {
    String prefix = done.getMetadata().getName() + "-" + done.getStatus().buildId + "-";
    for (var r : done.getStatus().steps) {
      String step = r.step.startsWith("stage:") ? "stage-source" : r.step;
      long pods = kubelet.startedPods().stream().filter(n -> n.startsWith(prefix)
          && stepOf(n.substring(prefix.length())).equals(step)).count();
      assertThat(pods).as("pods started for step " + r.step + " (attempts " + r.attempt + ")")
          .isEqualTo((long) r.attempt);
    }
  }

  List<String> podNames() {
    return client.pods().inNamespace(NS).list().getItems().stream().map(p -> p.getMetadata().getName()).sorted()
        .toList();
  }

  List<String> events(String name) {
    return client.v1().events().inNamespace(NS).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName())).map(Event::getReason).toList();
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

}
