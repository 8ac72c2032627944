package dev.stagebuild.reconciler;

import static dev.stagebuild.testing.Builds.stageBuild;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagebuild.api.BuildArg;
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
import dev.stagebuild.registry.testing.TestImages;
import dev.stagebuild.registry.testing.TestImages.PushedImage;
import dev.stagebuild.testing.Builds;
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

  @BeforeEach
  void start() {
    cluster = new MockCluster();
    client = cluster.client();
    cluster.createNamespace(NS);
    kubelet = new TestKubelet(client, cluster.server(), pod -> behaviors.getOrDefault(step(pod), fallback));
    operator = new OperatorHarness(client, FAST).start();
  }

  /** Every request the operator made in these tests, for the RBAC check. */
  static final List<RequestAttributes> OPERATOR_REQUESTS = new CopyOnWriteArrayList<>();

  static final AtomicInteger TESTS_RUN = new AtomicInteger();

  @AfterEach
  void stop() {
    TESTS_RUN.incrementAndGet();
    operator.close();
    kubelet.close();
    cluster.drainRequests().stream()
        .filter(r -> OperatorHarness.USER_AGENT.equals(r.getHeader("User-Agent")))
        .forEach(r -> OPERATOR_REQUESTS.add(RequestAttributes.of(r.getMethod(), r.getPath())));
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

      StageBuild done = awaitFinished("hellogo");
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
      assertThat(kubelet.startedPods()).containsExactly("hellogo-1-source", "hellogo-1-build",
          "hellogo-1-stage-1");
      assertThat(done.getStatus().completionTime).isNotNull();
      // The workspace is released when the build ends; the pods stay for kubectl logs.
      await().atMost(5, TimeUnit.SECONDS).until(() -> client.persistentVolumeClaims().inNamespace(NS)
          .withName("hellogo-1-workspace").get() == null);
      assertThat(client.pods().inNamespace(NS).list().getItems()).hasSize(3);
      assertThat(events("hellogo")).contains("StageStarted", "StageSucceeded", "BuildSucceeded");
      var meters = operator.meters();
      assertThat(meters.get("stagebuild_builds").tag("result", "succeeded").counter().count()).isEqualTo(1.0);
      assertThat(meters.get("stagebuild_pods_created").counter().count()).isEqualTo(3.0);
      assertThat(meters.get("stagebuild_build_duration").timer().count()).isEqualTo(1);
      assertThat(meters.get("stagebuild_pods_active").gauge().value()).isZero();
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
    var plan = client.configMaps().inNamespace(NS).withName("calculate-pi-1-plan").get();
    assertThat(plan.getData().get("poetry.exports")).isEqualTo("/calculate_pi/dist/*.whl\n");
    assertThat(plan.getData().get("dockerignore")).contains("src/*.md");
    assertThat(plan.getData().get("poetry.Dockerfile")).contains("COPY src/pyproject.toml ./");
  }

  @Test
  void independentStagesOfADiamondRunAtTheSameTime() {
    CountDownLatch both = new CountDownLatch(2);
    PodBehavior meetTheOther = pod -> {
      both.countDown();
      return both.await(20, TimeUnit.SECONDS) ? PodOutcome.succeed("")
          : PodOutcome.fail(1, "the other independent stage never started");
    };
    behaviors.put("left", meetTheOther);
    behaviors.put("right", meetTheOther);
    create(inline("diamond", """
        FROM busybox AS left
        RUN echo left > /left
        FROM busybox AS right
        RUN echo right > /right
        FROM busybox
        COPY --from=left /left /left
        COPY --from=right /right /right
        """));
    StageBuild done = awaitFinished("diamond");
    assertThat(condition(done, "Succeeded")).as(message(done)).isEqualTo("True");
    assertThat(kubelet.startedPods()).containsExactlyInAnyOrder("diamond-1-left", "diamond-1-right",
        "diamond-1-stage-2");
    assertThat(kubelet.startedPods().get(2)).isEqualTo("diamond-1-stage-2");
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
    assertThat(podNames()).containsExactlyInAnyOrder("broken-1-build", "broken-1-build-r2");
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
    await().atMost(10, TimeUnit.SECONDS).until(() -> podNames().contains("restart-1-build"));
    operator.stop();
    operator = new OperatorHarness(client, FAST).start();
    sleep(1000);
    release.countDown();
    StageBuild done = awaitFinished("restart");
    assertThat(condition(done, "Succeeded")).isEqualTo("True");
    assertThat(podNames()).containsExactlyInAnyOrder("restart-1-build", "restart-1-stage-1");
    assertThat(kubelet.startedPods()).hasSize(2);
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
    await().atMost(10, TimeUnit.SECONDS).until(() -> podNames().contains("change-1-build"));
    edit("change", current -> current.getSpec().buildArgs = List.of(new BuildArg("VERSION", "2")));
    StageBuild done = await().atMost(30, TimeUnit.SECONDS).until(() -> get("change"),
        s -> s.getStatus() != null && "2".equals(s.getStatus().buildId) && isFinished(s));
    release.countDown();
    assertThat(condition(done, "Succeeded")).isEqualTo("True");
    assertThat(done.getStatus().observedGeneration).isEqualTo(2L);
    assertThat(podNames()).containsExactlyInAnyOrder("change-2-build", "change-2-stage-1");
    Pod build = client.pods().inNamespace(NS).withName("change-2-build").get();
    assertThat(build.getSpec().getContainers().get(0).getArgs()).contains("--build-arg=VERSION=2");
  }

  @Test
  void rebuildAnnotationStartsAFreshBuildOfTheSameSpec() {
    create(inline("again", "FROM alpine:3.18.3\nRUN true\n"));
    awaitFinished("again");
    edit("again", sb -> sb.getMetadata().setAnnotations(Map.of(StageBuild.REBUILD_ANNOTATION, "2026-11-26T10:00")));
    StageBuild done = await().atMost(20, TimeUnit.SECONDS).until(() -> get("again"),
        s -> s.getStatus().buildId.startsWith("1-") && isFinished(s));
    assertThat(condition(done, "Succeeded")).isEqualTo("True");
    assertThat(podNames()).hasSize(1).allMatch(n -> n.startsWith("again-1-"));
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
    assertThat(podNames()).containsExactly("fine-1-stage-0");
  }

  @Test
  void aMissingBuildSecretWaitsAndFailsLikeThePushSecret() {
    StageBuild sb = inline("nobuildsecret", "FROM alpine\nRUN --mount=type=secret,id=tok make\n");
    sb.getSpec().secrets = List.of(new dev.stagebuild.api.BuildSecret("tok", "npm-creds", "token"));
    create(sb);
    StageBuild unmapped = inline("unmapped", "FROM alpine\nRUN --mount=type=secret,id=tok make\n");
    create(unmapped);
    StageBuild done = awaitFinished("nobuildsecret");
    assertThat(reason(done, "Succeeded")).isEqualTo("SecretNotFound");
    assertThat(message(done)).contains("npm-creds", "spec.secrets[0]", NS);
    StageBuild invalid = awaitFinished("unmapped");
    assertThat(reason(invalid, "Succeeded")).isEqualTo("InvalidSpec");
    assertThat(message(invalid)).contains("line 2", "id tok");
    assertThat(podNames()).noneMatch(n -> n.startsWith("nobuildsecret-") || n.startsWith("unmapped-"));
  }

  @Test
  void secretCreatedWithinTheGraceLetsTheBuildRun() {
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
    StageBuild done = awaitFinished("noregistry");
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
        s -> "ReconcileError".equals(reason(s, "Succeeded")));
    assertThat(condition(sb, "Succeeded")).isEqualTo("Unknown");
    assertThat(message(sb)).contains("exceeded quota");
  }

  // --- helpers

  static boolean isFinal(Pod pod) {
    return pod.getSpec().getContainers().get(0).getArgs().stream().anyMatch(a -> a.startsWith("--destination="));
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
    return await().atMost(30, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(100))
        .until(() -> get(name), OperatorTest::isFinished);
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
