package dev.stagebuild.e2e;

import dev.stagebuild.kaniko.BuildNames;
import static dev.stagebuild.testing.e2e.E2eCluster.condition;
import static dev.stagebuild.testing.e2e.E2eCluster.message;
import static dev.stagebuild.testing.e2e.E2eCluster.reason;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.api.DockerfileSpec;
import dev.stagebuild.api.Executor;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageStatus;
import dev.stagebuild.kaniko.KanikoResources;
import dev.stagebuild.kaniko.RenderSettings;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.Planner;
import dev.stagebuild.testing.PodOutcome;
import dev.stagebuild.testing.e2e.BuildahPodRunner;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import dev.stagebuild.testing.e2e.E2eChecks;
import dev.stagebuild.testing.e2e.E2eCluster;
import dev.stagebuild.testing.e2e.ImageSnapshot;
import dev.stagebuild.testing.e2e.Proc;
import dev.stagebuild.testing.e2e.RequiresBuildTools;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The seed's two examples, on a busybox base, through the operator with real images: stage pods
 * executed with buildah, the result pushed to a real registry, then run.
 */
@RequiresBuildTools
class EndToEndTest extends E2eTestBase {

  @AfterEach
  void cleanStorage() {
    assertNoContainersLeftAndReset();
  }

  @Test
  void seedHellogoFromAConfigMapPrintsHelloRoot() {
    Path context = cluster.context(Path.of("src/test/resources/e2e/seeds/hellogo"));
    cluster.configMap("hellogo-src", context);
    StageBuild sb = cluster.stageBuild("hellogo");
    E2eCluster.configMapSource(sb, "hellogo-src");
    E2eCluster.dockerfilePath(sb, "Dockerfile.ms");

    StageBuild done = cluster.build(sb, BUILD_TIMEOUT);

    assertThat(condition(done, "Succeeded")).as(cluster.explain(done)).isEqualTo("True");
    assertThat(done.getStatus().stages).extracting(s -> s.name).containsExactly("build", "stage-1");
    E2eChecks.assertStatusMatchesRegistry(env, done);
    String image = cluster.pull(done.getStatus().output.imageRef);
    Proc.Result hello = E2eChecks.runImage(env.buildah(), image, null);
    assertThat(hello.exit()).as(hello.output()).isZero();
    assertThat(hello.output()).isEqualTo("Hello, root!\n");

    E2eCluster.NativeBuild ref = cluster.nativeBuild(context, "Dockerfile.ms", Map.of(), null, 1);
    assertThat(ref.result().exit()).as(ref.result().output()).isZero();
    List<String> diff = ImageSnapshot.of(env.buildah(), image)
        .differences(ImageSnapshot.of(env.buildah(), ref.image()), "operator", "native");
    assertThat(diff).as("operator image vs native build").isEmpty();
  }

  @Test
  void seedCalculatePiFromGitBuildsThenInstallsAndRuns() {
    Path context = cluster.context(Path.of("src/test/resources/e2e/seeds/calculate-pi"));
    String url = cluster.gitRepository(context);
    StageBuild sb = cluster.stageBuild("calculate-pi");
    E2eCluster.gitSource(sb, url);

    StageBuild done = cluster.build(sb, BUILD_TIMEOUT);

    assertThat(condition(done, "Succeeded")).as(cluster.explain(done)).isEqualTo("True");
    assertThat(done.getStatus().source.commit).matches("[0-9a-f]{40}");
    assertThat(done.getStatus().stages).extracting(s -> s.name).containsExactly("poetry", "stage-1");
    E2eChecks.assertStatusMatchesRegistry(env, done);
    String image = cluster.pull(done.getStatus().output.imageRef);
    Proc.Result help = E2eChecks.runImage(env.buildah(), image, null);
    assertThat(help.exit()).as(help.output()).isZero();
    assertThat(help.output()).startsWith("Usage: calculate-pi [OPTIONS] NUMBER\n\n  Calculate pi using Monte Carlo"
        + " estimation.\n");
    Proc.Result pi = E2eChecks.runImage(env.buildah(), image, List.of("calculate-pi", "10000"));
    assertThat(pi.output()).matches("Final pi estimate from 10000 attempts = 3\\.1\\d{3}\n");
    System.out.print("calculate-pi: " + pi.output());

    E2eCluster.NativeBuild ref = cluster.nativeBuild(cluster.checkout(url), "Dockerfile", Map.of(), null, 1);
    assertThat(ref.result().exit()).as(ref.result().output()).isZero();
    List<String> diff = ImageSnapshot.of(env.buildah(), image)
        .differences(ImageSnapshot.of(env.buildah(), ref.image()), "operator", "native");
    assertThat(diff).as("operator image vs native build").isEmpty();
  }

  @Test
  void failingRunInAMiddleStageFailsThatStageWithItsOutputAndStartsNothingAfterIt() {
    StageBuild sb = cluster.stageBuild("broken");
    sb.getSpec().dockerfile = new DockerfileSpec();
    sb.getSpec().dockerfile.inline = env.substitute("""
        FROM @BASE@ AS deps
        RUN mkdir /deps && echo dep > /deps/d

        FROM @BASE@ AS compile
        COPY --from=deps /deps /deps
        RUN echo "compiling widget.c"; echo "widget.c:3: error: 'gadget' undeclared" >&2; exit 3

        FROM @BASE@ AS package
        COPY --from=compile /out /out

        FROM @BASE@
        COPY --from=package /out /out
        """);

    StageBuild done = cluster.build(sb, BUILD_TIMEOUT);

    assertThat(condition(done, "Succeeded")).as(cluster.explain(done)).isEqualTo("False");
    assertThat(reason(done, "Succeeded")).isEqualTo("StageFailed");
    assertThat(message(done, "Succeeded")).contains("stage compile failed", "compiling widget.c",
        "widget.c:3: error: 'gadget' undeclared");
    StageStatus compile = done.getStatus().stages.stream().filter(s -> s.name.equals("compile")).findFirst()
        .orElseThrow();
    assertThat(compile.phase).isEqualTo("Failed");
    assertThat(compile.exitCode).isNotNull().isNotZero();
    assertThat(done.getStatus().stages).filteredOn(s -> s.name.equals("deps")).extracting(s -> s.phase)
        .containsExactly("Succeeded");
    // later stages never start: no pod is ever created for them
    assertThat(cluster.kubelet().startedPods()).filteredOn(p -> p.startsWith("broken-"))
        .containsExactlyInAnyOrder(BuildNames.podName("broken", "1", "deps", 1), BuildNames.podName("broken", "1", "compile", 1));
    assertThat(cluster.client().pods().inNamespace(E2eCluster.NS).list().getItems())
        .extracting(p -> p.getMetadata().getName()).filteredOn(n -> n.startsWith("broken-"))
        .containsExactlyInAnyOrder(BuildNames.podName("broken", "1", "deps", 1), BuildNames.podName("broken", "1", "compile", 1));
    System.out.println("failing stage: exit code " + compile.exitCode + ", message: " + message(done, "Succeeded"));
  }

  @Test
  void theRunnerRefusesPodFieldsVolumesAndEnvironmentItDoesNotKnow() {
    StageBuild sb = cluster.stageBuild("refused");
    sb.getMetadata().setUid("4e1f0d2a-0000-4000-8000-000000000001");
    BuildPlan plan = Planner.plan("FROM scratch\nRUN true\n", null, null);
    KanikoResources resources = new KanikoResources(RenderSettings.defaults());
    cluster.client().configMaps().inNamespace(E2eCluster.NS).resource(resources.planConfigMap(sb, "1", plan, ""))
        .create();
    Map<String, java.util.function.Consumer<Pod>> changes = new java.util.LinkedHashMap<>();
    changes.put("pod spec field hostNetwork", p -> p.getSpec().setHostNetwork(true));
    changes.put("volume scratch of kind [hostPath]", p -> {
      p.getSpec().getVolumes().add(new VolumeBuilder().withName("scratch").withNewHostPath().withPath("/")
          .endHostPath().build());
      p.getSpec().getContainers().get(0).getVolumeMounts().add(new VolumeMountBuilder().withName("scratch")
          .withMountPath("/tmp/x").build());
    });
    changes.put("env EXTRA=1 (unknown to the runner)",
        p -> p.getSpec().getContainers().get(0).getEnv().add(new EnvVar("EXTRA", "1", null)));
    changes.put("container field workingDir", p -> p.getSpec().getContainers().get(0).setWorkingDir("/x"));
    changes.put("stage pod without FF_KANIKO_COPY_AS_ROOT=true", p -> p.getSpec().getContainers().get(0).getEnv()
        .removeIf(e -> e.getName().equals("FF_KANIKO_COPY_AS_ROOT")));
    changes.put("stage pod without FF_KANIKO_EXPAND_HEREDOC=true", p -> p.getSpec().getContainers().get(0).getEnv()
        .removeIf(e -> e.getName().equals("FF_KANIKO_EXPAND_HEREDOC")));
    changes.put("stage pod without FF_KANIKO_UNTAR_SKIP_ROOT=true", p -> p.getSpec().getContainers().get(0).getEnv()
        .removeIf(e -> e.getName().equals("FF_KANIKO_UNTAR_SKIP_ROOT")));
    changes.put("FF_KANIKO_RUN_HONOR_GROUP=false", p -> p.getSpec().getContainers().get(0).getEnv().stream()
        .filter(e -> e.getName().equals("FF_KANIKO_RUN_HONOR_GROUP")).forEach(e -> e.setValue("false")));
    changes.put("SB_EXECUTOR=/bin/true", p -> p.getSpec().getContainers().get(0).getEnv().stream()
        .filter(e -> e.getName().equals("SB_EXECUTOR")).forEach(e -> e.setValue("/bin/true")));
    int n = 0;
    for (var change : changes.entrySet()) {
      Pod pod = resources.stagePod(sb, "1", plan, plan.pods().get(0), 1, null);
      pod.getMetadata().setName("refused-" + n++);
      change.getValue().accept(pod);
      PodOutcome outcome = cluster.runner().run(pod);
      assertThat(outcome.phase()).as(change.getKey()).isEqualTo("Failed");
      assertThat(outcome.exitCode()).isEqualTo(BuildahPodRunner.REFUSED);
      assertThat(outcome.terminationMessage()).as(change.getKey()).contains("e2e pod runner refuses pod",
          change.getKey());
    }
  }

  /** RUN --mount=type=cache: empty in each pod, kept across builds with spec.executor.mountCache. */
  @Test
  void cacheMountsPersistAcrossBuildsOnlyWithTheMountCacheVolume() throws Exception {
    String dockerfile = env.substitute("FROM @BASE@\n"
        + "RUN --mount=type=cache,target=/c sh -c 'n=$(cat /c/n 2>/dev/null || echo 0); echo $((n+1)) > /c/n;"
        + " echo $n > /seen'\n");
    List<String> seen = new java.util.ArrayList<>();
    for (String name : List.of("cache-a", "cache-b", "cache-none")) {
      StageBuild sb = cluster.stageBuild(name);
      sb.getSpec().dockerfile = new DockerfileSpec();
      sb.getSpec().dockerfile.inline = dockerfile;
      if (!name.equals("cache-none")) {
        sb.getSpec().executor = new Executor();
        sb.getSpec().executor.mountCache = new dev.stagebuild.api.MountCache();
        sb.getSpec().executor.mountCache.claimName = "shared-build-cache";
      }
      StageBuild done = cluster.build(sb, BUILD_TIMEOUT);
      assertThat(condition(done, "Succeeded")).as(cluster.explain(done)).isEqualTo("True");
      try (var m = env.buildah().mount(cluster.pull(done.getStatus().output.imageRef))) {
        seen.add(java.nio.file.Files.readString(m.root().resolve("seen")).strip());
        // the cache's contents are not in the image
        assertThat(m.root().resolve("c/n")).doesNotExist();
      }
    }
    // the second build found what the first left; a pod without the volume starts empty
    assertThat(seen).containsExactly("0", "1", "0");
  }

  @Test
  void aPodDockerfileWithWhatKanikoIgnoresIsRefusedByTheRunner() {
    // the planner never writes one: a plan ConfigMap written by hand stands in for a planner bug
    StageBuild sb = cluster.stageBuild("kaniko-strict");
    sb.getMetadata().setUid("4e1f0d2a-0000-4000-8000-000000000002");
    BuildPlan planned = Planner.plan("FROM scratch\nRUN true\n", null, null);
    dev.stagebuild.plan.PodPlan p0 = planned.pods().get(0);
    dev.stagebuild.plan.PodPlan bad = new dev.stagebuild.plan.PodPlan(p0.name(), p0.stages(), p0.target(),
        env.substitute("FROM @BASE@ AS stage-0\nRUN --network=none true\n"), p0.dependsOn(), p0.exports(),
        p0.isFinal(), p0.usesContext());
    BuildPlan plan = new BuildPlan(planned.stages(), List.of(bad), planned.waves(), planned.finalPod(), false);
    KanikoResources resources = new KanikoResources(RenderSettings.defaults());
    cluster.client().configMaps().inNamespace(E2eCluster.NS).resource(resources.planConfigMap(sb, "1", plan, ""))
        .create();
    Pod pod = resources.stagePod(sb, "1", plan, bad, 1, null);
    PodOutcome outcome = cluster.runner().run(pod);
    assertThat(outcome.exitCode()).isEqualTo(BuildahPodRunner.REFUSED);
    assertThat(outcome.terminationMessage()).contains("e2e pod runner refuses pod",
        "the pod's Dockerfile, line 2: RUN --network=none is not supported");
  }

  @Test
  void anExecutorFlagTheRunnerDoesNotKnowFailsThePodInsteadOfPassingUntested() {
    StageBuild sb = cluster.stageBuild("unknown-flag");
    sb.getSpec().dockerfile = new DockerfileSpec();
    sb.getSpec().dockerfile.inline = env.substitute("FROM @BASE@\nRUN true\n");
    sb.getSpec().executor = new Executor();
    sb.getSpec().executor.args = List.of("--snapshot-mode=redo");

    StageBuild done = cluster.build(sb, BUILD_TIMEOUT);

    assertThat(condition(done, "Succeeded")).isEqualTo("False");
    assertThat(message(done, "Succeeded")).contains("e2e pod runner refuses pod " + BuildNames.podName("unknown-flag", "1", "stage-0", 1),
        "executor argument --snapshot-mode=redo (unknown to the runner)");
    assertThat(done.getStatus().stages.get(0).exitCode).isEqualTo(BuildahPodRunner.REFUSED);
  }
}
