package dev.stagebuild.kaniko;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagebuild.api.BuildArg;
import dev.stagebuild.api.CaBundleRef;
import dev.stagebuild.api.Cache;
import dev.stagebuild.api.Executor;
import dev.stagebuild.api.LocalObjectRef;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageSettings;
import dev.stagebuild.api.Workspace;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.PodPlan;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class KanikoResourcesTest {
  final KanikoResources resources = new KanikoResources(RenderSettings.defaults());
  final BuildPlan plan = Fixtures.twoStagePlan();

  static Map<String, String> env(Container c) {
    return c.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, EnvVar::getValue));
  }

  static Map<String, VolumeMount> mounts(Container c) {
    return c.getVolumeMounts().stream().collect(Collectors.toMap(VolumeMount::getName, m -> m));
  }

  static Map<String, Volume> volumes(Pod pod) {
    return pod.getSpec().getVolumes().stream().collect(Collectors.toMap(Volume::getName, v -> v));
  }

  static void assertOwnedBy(HasMetadata object, StageBuild sb) {
    assertThat(object.getMetadata().getNamespace()).isEqualTo("demo");
    assertThat(object.getMetadata().getOwnerReferences()).singleElement().satisfies(ref -> {
      assertThat(ref.getApiVersion()).isEqualTo("stagebuild.dev/v1alpha1");
      assertThat(ref.getKind()).isEqualTo("StageBuild");
      assertThat(ref.getName()).isEqualTo(sb.getMetadata().getName());
      assertThat(ref.getUid()).isEqualTo(Fixtures.UID);
      assertThat(ref.getController()).isTrue();
      assertThat(ref.getBlockOwnerDeletion()).isTrue();
    });
  }

  static void assertCommonPodShape(Pod pod) {
    var spec = pod.getSpec();
    assertThat(spec.getRestartPolicy()).isEqualTo("Never");
    assertThat(spec.getAutomountServiceAccountToken()).isFalse();
    assertThat(spec.getEnableServiceLinks()).isFalse();
    assertThat(spec.getContainers()).singleElement().satisfies(c -> {
      assertThat(c.getTerminationMessagePolicy()).isEqualTo("FallbackToLogsOnError");
      assertThat(c.getTerminationMessagePath()).isEqualTo("/dev/termination-log");
      assertThat(mounts(c).get("workspace").getMountPath()).isEqualTo("/kaniko/stagebuild/workspace");
      assertThat(c.getVolumeMounts()).noneMatch(m -> m.getMountPath().equals("/workspace"));
    });
    assertThat(volumes(pod).get("workspace").getPersistentVolumeClaim().getClaimName())
        .isEqualTo(BuildNames.pvcName(pod.getMetadata().getOwnerReferences().get(0).getName(), "2"));
  }

  // --- defaults ---------------------------------------------------------------------------------

  @Test
  void defaultImagesArePinned() {
    RenderSettings d = RenderSettings.defaults();
    assertThat(d.executorImage()).isEqualTo("ghcr.io/osscontainertools/kaniko:v1.28.3-debug");
    assertThat(d.gitImage()).startsWith("docker.io/alpine/git:v2.");
    assertThat(d.defaultWorkspaceSize()).isEqualTo("1Gi");
    assertThatThrownBy(() -> new RenderSettings(" ", "g", "1Gi")).hasMessageContaining("executorImage");
  }

  // --- workspace ----------------------------------------------------------------------------------

  @Test
  void workspaceDefaults() {
    StageBuild sb = Fixtures.sb("hellogo");
    PersistentVolumeClaim pvc = resources.workspace(sb, "2");
    assertThat(pvc.getMetadata().getName()).isEqualTo(BuildNames.pvcName("hellogo", "2"));
    assertThat(pvc.getMetadata().getLabels()).isEqualTo(Labels.forBuild(sb, "2"));
    assertOwnedBy(pvc, sb);
    assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadWriteOnce");
    assertThat(pvc.getSpec().getStorageClassName()).isNull();
    assertThat(pvc.getSpec().getResources().getRequests()).containsExactly(entry("storage", new Quantity("1Gi")));
  }

  @Test
  void workspaceFromSpec() {
    StageBuild sb = Fixtures.sb("hellogo");
    sb.getSpec().workspace = new Workspace();
    sb.getSpec().workspace.size = "5Gi";
    sb.getSpec().workspace.storageClassName = "fast";
    sb.getSpec().workspace.accessModes = List.of("ReadWriteMany");
    PersistentVolumeClaim pvc = resources.workspace(sb, "2");
    assertThat(pvc.getSpec().getAccessModes()).containsExactly("ReadWriteMany");
    assertThat(pvc.getSpec().getStorageClassName()).isEqualTo("fast");
    assertThat(pvc.getSpec().getResources().getRequests().get("storage")).isEqualTo(new Quantity("5Gi"));
  }

  // --- plan ConfigMap -----------------------------------------------------------------------------

  @Test
  void planConfigMapHoldsEachPodsFiles() throws Exception {
    StageBuild sb = Fixtures.sb("hellogo");
    ConfigMap cm = resources.planConfigMap(sb, "2", plan, "src/*.md\n");
    assertThat(cm.getMetadata().getName()).isEqualTo(BuildNames.planConfigMapName("hellogo", "2"));
    assertThat(cm.getMetadata().getLabels()).isEqualTo(Labels.forBuild(sb, "2"));
    assertOwnedBy(cm, sb);
    assertThat(cm.getImmutable()).isTrue();
    assertThat(cm.getData()).containsOnlyKeys("plan.json", "dockerignore", "stage.sh", "build.Dockerfile",
        "build.exports", "stage-1.Dockerfile", "stage-1.exports");
    assertThat(cm.getData().get("stage.sh")).isEqualTo(Scripts.STAGE);
    assertThat(cm.getData().get("build.Dockerfile")).isEqualTo(Fixtures.BUILD.dockerfile());
    assertThat(cm.getData().get("build.exports")).isEqualTo("/out/hello\n/etc/ssl/certs/*.pem\n");
    assertThat(cm.getData().get("stage-1.exports")).isEmpty();
    assertThat(cm.getData().get("dockerignore")).isEqualTo("src/*.md\n");
    BuildPlan back = new ObjectMapper().readValue(cm.getData().get("plan.json"), BuildPlan.class);
    assertThat(back).isEqualTo(plan);
  }

  @Test
  void planConfigMapWithoutDockerignore() {
    assertThat(resources.planConfigMap(Fixtures.sb("a"), "1", plan, null).getData().get("dockerignore")).isEmpty();
  }

  @Test
  void planConfigMapRefusesBadPodNamesAndHugePlans() {
    PodPlan bad = new PodPlan("../x", List.of("x"), "x", "FROM scratch\n", List.of(), List.of(), true, false);
    BuildPlan badPlan = new BuildPlan(List.of(), List.of(bad), List.of(List.of("../x")), "../x", false);
    assertThatThrownBy(() -> resources.planConfigMap(Fixtures.sb("a"), "1", badPlan, ""))
        .hasMessageContaining("invalid plan pod name '../x'");
    PodPlan huge = new PodPlan("big", List.of("big"), "big", "#".repeat(1_100_000), List.of(), List.of(), true, false);
    BuildPlan hugePlan = new BuildPlan(List.of(), List.of(huge), List.of(List.of("big")), "big", false);
    assertThatThrownBy(() -> resources.planConfigMap(Fixtures.sb("a"), "1", hugePlan, ""))
        .hasMessageContaining("1 MiB");
  }

  @Test
  void aPodThatExportsForCopyExcludeGetsItsExcludesFileAndMaterializes() throws Exception {
    BuildPlan p = dev.stagebuild.plan.Planner.plan("FROM alpine AS build\nRUN make\nFROM alpine\n"
        + "COPY --from=build --exclude=**/*.md --exclude=!docs/keep.md /out/ /dst/\n", null, null);
    StageBuild sb = Fixtures.sb("hellogo");
    ConfigMap cm = resources.planConfigMap(sb, "2", p, null);
    String key = p.pod("build").excluded().get(0).key();
    assertThat(cm.getData()).containsOnlyKeys("plan.json", "dockerignore", "stage.sh", "build.Dockerfile",
        "build.exports", "build.excludes", "stage-1.Dockerfile", "stage-1.exports");
    assertThat(cm.getData().get("build.exports")).isEmpty();
    assertThat(cm.getData().get("build.excludes")).isEqualTo("= " + key + " 4\n/out\n- **n/*.md\n+ docs/keep.md\n");
    // the plan as the operator reads it back; a pod without exclusions has none in its JSON
    assertThat(new ObjectMapper().readValue(cm.getData().get("plan.json"), BuildPlan.class)).isEqualTo(p);
    assertThat(cm.getData().get("plan.json")).containsOnlyOnce("\"excluded\"");
    // the exports are copied from the built root afterwards: kaniko must unpack it, over nothing else
    assertThat(resources.stagePod(sb, "2", p, p.pod("build"), 1, null).getSpec().getContainers().get(0).getArgs())
        .contains("--materialize", "--pre-cleanup");
    assertThatThrownBy(() -> KanikoResources.excludesFile(List.of(new dev.stagebuild.plan.ExcludedExport(
        "0123456789ab", 1, List.of("/a\n/etc/passwd"), List.of("x"))))).hasMessageContaining("line break");
  }

  @Test
  void aCopyWithParentsAndWildcardsGetsItsListWithItsPivotsAndTheOperatorReadsThemBack() throws Exception {
    BuildPlan p = dev.stagebuild.plan.Planner.plan("FROM alpine AS build\nRUN make\nFROM alpine\n"
        + "COPY --from=build --parents /app/./opt/*/bin /app/./etc/x.conf /tools/\n"
        + "COPY --parents packages/*/package.json ./\n", null, null);
    StageBuild sb = Fixtures.sb("hellogo");
    ConfigMap cm = resources.planConfigMap(sb, "2", p, null);
    String key = p.pod("build").excluded().get(0).key();
    assertThat(cm.getData().get("build.excludes")).isEqualTo("= " + key + " 4\n. /app\n/app/opt/*/bin\n/app/etc/x.conf\n");
    String context = p.pod("stage-1").contextExcluded().get(0).key();
    assertThat(cm.getData().get("stage-1.context-excludes")).isEqualTo("= " + context + " 5\n. /\n/packages/*/package.json\n");
    // the plan as the operator reads it back (after a restart); an export without pivots has none in its JSON
    assertThat(new ObjectMapper().readValue(cm.getData().get("plan.json"), BuildPlan.class)).isEqualTo(p);
    assertThat(cm.getData().get("plan.json")).containsOnlyOnce("\"pivots\" : [ \"/app\" ]").containsOnlyOnce("\"pivots\" : [ \"/\" ]");
    BuildPlan exclude = dev.stagebuild.plan.Planner.plan("FROM alpine AS build\nRUN make\nFROM alpine\n"
        + "COPY --from=build --exclude=*.md /out/ /dst/\n", null, null);
    assertThat(resources.planConfigMap(sb, "2", exclude, null).getData().get("plan.json")).doesNotContain("pivots");
  }

  @Test
  void aCopyWithExcludeFromTheContextGetsItsListAndTheDockerignoreHoldsForItsCopy() throws Exception {
    BuildPlan p = dev.stagebuild.plan.Planner.plan("FROM alpine\nCOPY --exclude=*.md --exclude=!keep.md app/ /app/\n",
        null, null);
    StageBuild sb = Fixtures.sb("hellogo");
    ConfigMap cm = resources.planConfigMap(sb, "2", p, "src/.git\nsrc/.git/**\n!src/a\n");
    String key = p.pod("stage-0").contextExcluded().get(0).key();
    assertThat(cm.getData()).containsOnlyKeys("plan.json", "dockerignore", "stage.sh", "stage-0.Dockerfile",
        "stage-0.exports", "stage-0.context-excludes");
    assertThat(cm.getData().get("stage-0.context-excludes")).isEqualTo("= " + key + " 2\n/app\n- *.md\n+ keep.md\n");
    assertThat(cm.getData().get("dockerignore"))
        .isEqualTo("src/.git\nsrc/.git/**\n!src/a\nexclude/*/.git\nexclude/*/.git/**\n!exclude/*/a\n");
    assertThat(new ObjectMapper().readValue(cm.getData().get("plan.json"), BuildPlan.class)).isEqualTo(p);
    // without such a COPY the .dockerignore is as rewritten
    BuildPlan plain = dev.stagebuild.plan.Planner.plan("FROM alpine\nCOPY app/ /app/\n", null, null);
    assertThat(resources.planConfigMap(sb, "2", plain, "src/.git\n").getData().get("dockerignore")).isEqualTo("src/.git\n");
  }

  @Test
  void exportLinesCannotSmuggleLineBreaks() {
    assertThatThrownBy(() -> KanikoResources.exportsFile(List.of("/a\n/etc/passwd")))
        .hasMessageContaining("line break");
  }

  // --- stage pods ---------------------------------------------------------------------------------

  @Test
  void producerPod() {
    StageBuild sb = Fixtures.sb("hellogo");
    Pod pod = resources.stagePod(sb, "2", plan, Fixtures.BUILD, 1, null);
    assertThat(pod.getMetadata().getName()).isEqualTo(BuildNames.podName("hellogo", "2", "build", 1));
    assertThat(pod.getMetadata().getLabels()).containsAllEntriesOf(Labels.forStep(sb, "2", "build", 1))
        .containsEntry("sidecar.istio.io/inject", "false").hasSize(Labels.forStep(sb, "2", "build", 1).size() + 1);
    // A build pod must end with its build container: meshes and agents are asked not to inject.
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("sidecar.istio.io/inject", "false")
        .containsEntry("linkerd.io/inject", "disabled");
    assertThat(pod.getMetadata().getAnnotations()).contains(entry(Labels.STEP_ANNOTATION, "build"),
        entry(Labels.POD_ANNOTATION, "build"), entry(Labels.STAGES_ANNOTATION, "build")).hasSize(6);
    assertOwnedBy(pod, sb);
    assertCommonPodShape(pod);
    Container c = pod.getSpec().getContainers().get(0);
    assertThat(c.getName()).isEqualTo(KanikoResources.STAGE_CONTAINER);
    assertThat(c.getImage()).isEqualTo(RenderSettings.DEFAULT_EXECUTOR_IMAGE);
    assertThat(c.getCommand()).containsExactly("/busybox/sh", "-c", ". \"$SB_PLAN/stage.sh\"", "stage");
    assertThat(String.join(" ", c.getCommand()).length()).as("the script is in the plan, not the pod").isLessThan(64);
    assertThat(c.getArgs()).containsExactly(
        "--dockerfile=/kaniko/stagebuild/plan/build.Dockerfile",
        "--context=dir:///kaniko/stagebuild/workspace/context",
        "--target=build",
        "--build-arg=TARGETSTAGE=default",
        "--no-push",
        "--materialize",
        "--pre-cleanup");
    assertThat(env(c)).containsExactlyInAnyOrderEntriesOf(Map.ofEntries(
        Map.entry("SB_WORKSPACE", "/kaniko/stagebuild/workspace"),
        Map.entry("SB_PLAN", "/kaniko/stagebuild/plan"),
        Map.entry("SB_POD", "build"),
        Map.entry("SB_ROOT", "/"),
        Map.entry("SB_EXECUTOR", "/kaniko/executor"),
        Map.entry("SB_TOOLS", "/kaniko/stagebuild/tools"),
        Map.entry("SB_TERMINATION_LOG", "/dev/termination-log"),
        Map.entry("SB_FINAL", "false"),
        Map.entry("DOCKER_CONFIG", "/kaniko/.docker"),
        Map.entry("FF_KANIKO_COPY_AS_ROOT", "true"), Map.entry("FF_KANIKO_EXPAND_HEREDOC", "true"),
        Map.entry("FF_KANIKO_RUN_MOUNT_BIND", "true"), Map.entry("FF_KANIKO_CHOWN_ON_IMPLICIT_DIRS", "true"),
        Map.entry("FF_KANIKO_COPY_CHMOD_ON_IMPLICIT_DIRS", "true"), Map.entry("FF_KANIKO_RUN_HONOR_GROUP", "true"),
        Map.entry("FF_KANIKO_UNTAR_SKIP_ROOT", "true")));
    Map<String, VolumeMount> mounts = mounts(c);
    assertThat(mounts.get("plan").getMountPath()).isEqualTo("/kaniko/stagebuild/plan");
    assertThat(mounts.get("plan").getReadOnly()).isTrue();
    Map<String, Volume> volumes = volumes(pod);
    assertThat(volumes.get("plan").getConfigMap().getName()).isEqualTo(BuildNames.planConfigMapName("hellogo", "2"));
    // The push secret is mounted in the pushing pod only: a RUN of a producer could read it.
    assertThat(volumes).doesNotContainKey("docker-config");
    assertThat(mounts).doesNotContainKey("docker-config");
    sb.getSpec().pullSecretRef = new LocalObjectRef("pull-only");
    pod = resources.stagePod(sb, "2", plan, Fixtures.BUILD, 1, null);
    c = pod.getSpec().getContainers().get(0);
    mounts = mounts(c);
    volumes = volumes(pod);
    assertThat(mounts.get("docker-config").getMountPath()).isEqualTo("/kaniko/.docker");
    assertThat(volumes.get("docker-config").getSecret().getSecretName()).isEqualTo("pull-only");
    assertThat(volumes.get("docker-config").getSecret().getItems()).singleElement().satisfies(item -> {
      assertThat(item.getKey()).isEqualTo(".dockerconfigjson");
      assertThat(item.getPath()).isEqualTo("config.json");
    });
    assertThat(pod.getSpec().getActiveDeadlineSeconds()).isNull();
    assertThat(c.getResources()).isNull();
  }

  @Test
  void finalPodPushesAndReportsTheDigest() {
    StageBuild sb = Fixtures.sb("hellogo");
    sb.getSpec().buildArgs = List.of(new BuildArg("VERSION", "1.0"), new BuildArg("EMPTY", null),
        new BuildArg("SPACED", "a b $(c) 'd'"));
    Pod pod = resources.stagePod(sb, "2", plan, Fixtures.FINAL, 1, null);
    Container c = pod.getSpec().getContainers().get(0);
    assertThat(pod.getMetadata().getName()).isEqualTo(BuildNames.podName("hellogo", "2", "stage-1", 1));
    assertThat(c.getArgs()).containsExactly(
        "--dockerfile=/kaniko/stagebuild/plan/stage-1.Dockerfile",
        "--context=dir:///kaniko/stagebuild/workspace/context",
        "--target=stage-1",
        // the build's TARGETSTAGE, not the pod's --target (kaniko's own); spec.buildArgs come after
        "--build-arg=TARGETSTAGE=default",
        "--build-arg=VERSION=1.0",
        "--build-arg=EMPTY=",
        "--build-arg=SPACED=a b $(c) 'd'",
        "--destination=registry.example.com/eriksf/hellogo:0.0.2",
        "--digest-file=/kaniko/stagebuild/digest");
    // Nothing copies from the final pod: no need to keep its root.
    assertThat(c.getArgs()).doesNotContain("--materialize", "--pre-cleanup");
    assertThat(env(c)).containsEntry("SB_FINAL", "true")
        .containsEntry("SB_DIGEST_FILE", "/kaniko/stagebuild/digest")
        .containsEntry("SB_POD", "stage-1");
    // The pushing pod gets the push secret, never the pull secret.
    sb.getSpec().pullSecretRef = new LocalObjectRef("pull-only");
    pod = resources.stagePod(sb, "2", plan, Fixtures.FINAL, 1, null);
    assertThat(volumes(pod).get("docker-config").getSecret().getSecretName()).isEqualTo("regcred");
    assertThat(mounts(pod.getSpec().getContainers().get(0)).get("docker-config").getMountPath())
        .isEqualTo("/kaniko/.docker");
  }

  @Test
  void stagePodsRunWithBaselineCapabilitiesOnly() {
    for (PodPlan p : List.of(Fixtures.BUILD, Fixtures.FINAL)) {
      Pod pod = resources.stagePod(Fixtures.sb("hellogo"), "2", plan, p, 1, null);
      assertThat(pod.getSpec().getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
      var sc = pod.getSpec().getContainers().get(0).getSecurityContext();
      assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
      assertThat(sc.getPrivileged()).isFalse();
      assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
      // the Pod Security Standards' baseline allows adding exactly these (kaniko needs root's file powers)
      assertThat(sc.getCapabilities().getAdd()).containsExactlyInAnyOrder("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE",
          "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");
    }
  }

  @Test
  void sourcePodsMeetTheRestrictedPodSecurityStandard() {
    for (StageBuild sb : List.of(Fixtures.gitSb("hellogo"), Fixtures.configMapSb("hellogo"))) {
      Pod pod = resources.sourcePod(sb, "2", null);
      var psc = pod.getSpec().getSecurityContext();
      assertThat(psc.getRunAsNonRoot()).isTrue();
      assertThat(psc.getRunAsUser()).isEqualTo(65534L);
      assertThat(psc.getFsGroup()).isEqualTo(65534L);
      assertThat(psc.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
      Container c = pod.getSpec().getContainers().get(0);
      assertThat(c.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
      assertThat(c.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
      assertThat(c.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
      assertThat(c.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
      // the script's temporary files need a writable /tmp
      assertThat(mounts(c).get("tmp").getMountPath()).isEqualTo("/tmp");
      assertThat(volumes(pod).get("tmp").getEmptyDir()).isNotNull();
    }
  }

  @Test
  void contextDirIsNormalisedForTheSourcePod() {
    StageBuild sb = Fixtures.gitSb("hellogo");
    for (String dir : List.of("./", ".", "", "/.", "a/./b/")) {
      sb.getSpec().source.git.contextDir = dir;
      Container c = resources.sourcePod(sb, "2", null).getSpec().getContainers().get(0);
      assertThat(env(c).get("SB_CONTEXT_DIR")).as(dir).isEqualTo(dir.startsWith("a") ? "a/b" : ".");
    }
  }

  @Test
  void contextFilesAreCopiedAsRootLikeDocker() {
    // kaniko copies files from the context as the stage's USER unless this flag is set; Docker,
    // BuildKit and buildah copy them as 0:0 (the Dockerfile reference says so)
    for (PodPlan pod : List.of(Fixtures.BUILD, Fixtures.FINAL)) {
      Container c = resources.stagePod(Fixtures.sb("hellogo"), "2", plan, pod, 1, null).getSpec().getContainers()
          .get(0);
      assertThat(env(c)).containsEntry("FF_KANIKO_COPY_AS_ROOT", "true");
    }
  }

  @Test
  void mountCacheVolumeHoldsEachPodsCachesApart() {
    StageBuild sb = Fixtures.sb("hellogo");
    assertThat(resources.stagePod(sb, "2", plan, Fixtures.BUILD, 1, null).getSpec().getVolumes())
        .noneMatch(v -> v.getName().equals("mount-cache"));
    sb.getSpec().executor = new dev.stagebuild.api.Executor();
    sb.getSpec().executor.mountCache = new dev.stagebuild.api.MountCache();
    sb.getSpec().executor.mountCache.claimName = "go-cache";
    Pod pod = resources.stagePod(sb, "2", plan, Fixtures.BUILD, 1, null);
    assertThat(pod.getSpec().getVolumes()).anySatisfy(v -> {
      assertThat(v.getName()).isEqualTo("mount-cache");
      assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("go-cache");
    });
    VolumeMount m = mounts(pod.getSpec().getContainers().get(0)).get("mount-cache");
    assertThat(m.getMountPath()).isEqualTo("/kaniko/caches");
    assertThat(m.getSubPath()).isEqualTo("build");
  }

  @Test
  void buildSecretsOnlyInThePodsThatMountThem() {
    StageBuild sb = Fixtures.sb("hellogo");
    sb.getSpec().secrets = List.of(new dev.stagebuild.api.BuildSecret("npm", "creds", "npm-token"),
        new dev.stagebuild.api.BuildSecret("unused", "other", "x"));
    PodPlan using = new PodPlan("build", List.of("build"), "build",
        "FROM node AS build\nRUN --mount=type=secret,id=npm,env=NPM_TOKEN npm ci\n", List.of(), List.of("/out"),
        false, false);
    Pod pod = resources.stagePod(sb, "2", plan, using, 1, null);
    Container c = pod.getSpec().getContainers().get(0);
    assertThat(c.getArgs()).contains("--secret=id=npm,src=/kaniko/stagebuild/secrets/0/value")
        .noneMatch(a -> a.contains("unused"));
    var volume = pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals("build-secret-0")).findFirst()
        .orElseThrow();
    assertThat(volume.getSecret().getSecretName()).isEqualTo("creds");
    assertThat(volume.getSecret().getItems()).singleElement()
        .satisfies(i -> assertThat(i.getKey() + "->" + i.getPath()).isEqualTo("npm-token->value"));
    assertThat(mounts(c).get("build-secret-0").getMountPath()).isEqualTo("/kaniko/stagebuild/secrets/0");
    assertThat(mounts(c).get("build-secret-0").getReadOnly()).isTrue();
    assertThat(pod.getSpec().getVolumes()).noneMatch(v -> v.getName().equals("build-secret-1"));
    // a pod whose Dockerfile mounts no secret gets none
    Pod other = resources.stagePod(sb, "2", plan, Fixtures.FINAL, 1, null);
    assertThat(other.getSpec().getVolumes()).noneMatch(v -> v.getName().startsWith("build-secret"));
    assertThat(other.getSpec().getContainers().get(0).getArgs()).noneMatch(a -> a.startsWith("--secret"));
  }

  @Test
  void insecureCacheAndUserArgs() {
    StageBuild sb = Fixtures.sb("hellogo");
    sb.getSpec().output.image = "localhost:5000/team/app@sha256:" + "a".repeat(64);
    sb.getSpec().output.insecure = true;
    sb.getSpec().executor = new Executor();
    sb.getSpec().executor.cache = new Cache();
    sb.getSpec().executor.cache.enabled = true;
    sb.getSpec().executor.args = List.of("--snapshot-mode=redo", "--verbosity=debug");
    List<String> args = resources.stagePod(sb, "2", plan, Fixtures.BUILD, 1, null).getSpec().getContainers().get(0).getArgs();
    assertThat(args).containsSequence("--no-push", "--materialize", "--pre-cleanup", "--insecure", "--insecure-pull", "--skip-tls-verify",
        "--skip-tls-verify-pull", "--cache=true", "--cache-repo=localhost:5000/team/app/cache",
        "--snapshot-mode=redo", "--verbosity=debug");
    assertThat(args.get(args.size() - 1)).isEqualTo("--verbosity=debug");

    sb.getSpec().executor.cache.repository = "cache.example.com/layers";
    sb.getSpec().output.insecure = false;
    args = resources.stagePod(sb, "2", plan, Fixtures.FINAL, 1, null).getSpec().getContainers().get(0).getArgs();
    assertThat(args).contains("--cache=true", "--cache-repo=cache.example.com/layers")
        .doesNotContain("--insecure", "--insecure-pull", "--skip-tls-verify", "--skip-tls-verify-pull");
  }

  @Test
  void cacheRepositoryDefaultDropsTagAndDigest() {
    assertThat(ExecutorArgs.repository("registry.example.com/eriksf/hellogo:0.0.2")).isEqualTo("registry.example.com/eriksf/hellogo");
    assertThat(ExecutorArgs.repository("localhost:5000/app")).isEqualTo("localhost:5000/app");
    assertThat(ExecutorArgs.repository("localhost:5000/app:v1@sha256:abc")).isEqualTo("localhost:5000/app");
    assertThat(ExecutorArgs.repository("app")).isEqualTo("app");
  }

  @Test
  void noPushSecretNoDockerConfigVolume() {
    StageBuild sb = Fixtures.sb("hellogo");
    sb.getSpec().output.pushSecretRef = null;
    Pod pod = resources.stagePod(sb, "2", plan, Fixtures.FINAL, 1, null);
    assertThat(volumes(pod)).containsOnlyKeys("workspace", "plan");
  }

  @Test
  void executorImageFromSpec() {
    StageBuild sb = Fixtures.sb("hellogo");
    sb.getSpec().executor = new Executor();
    sb.getSpec().executor.image = "mirror.example.com/kaniko:v1.28.3-debug";
    assertThat(resources.stagePod(sb, "2", plan, Fixtures.BUILD, 1, null).getSpec().getContainers().get(0).getImage())
        .isEqualTo("mirror.example.com/kaniko:v1.28.3-debug");
  }

  @Test
  void perStageSettingsOfTheTargetStage() {
    StageBuild sb = Fixtures.sb("hellogo");
    StageSettings build = new StageSettings();
    build.name = "BUILD";
    build.resources = new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("2"))
        .addToRequests("memory", new Quantity("2Gi")).build();
    build.nodeSelector = Map.of("pool", "builders");
    build.tolerations = List.of(new TolerationBuilder().withKey("dedicated").withOperator("Equal")
        .withValue("builds").withEffect("NoSchedule").build());
    build.timeoutSeconds = 600L;
    sb.getSpec().stages = List.of(build);

    Pod pod = resources.stagePod(sb, "2", plan, Fixtures.BUILD, 1, null);
    assertThat(pod.getSpec().getContainers().get(0).getResources()).isEqualTo(build.resources);
    assertThat(pod.getSpec().getNodeSelector()).containsExactly(entry("pool", "builders"));
    assertThat(pod.getSpec().getTolerations()).isEqualTo(build.tolerations);
    assertThat(pod.getSpec().getActiveDeadlineSeconds()).isEqualTo(600L);

    // On the default ReadWriteOnce workspace every pod of the build runs on one node: the others ask
    // for the same node (selector and tolerations), and keep their own resources and deadline.
    Pod other = resources.stagePod(sb, "2", plan, Fixtures.FINAL, 1, null);
    assertThat(other.getSpec().getNodeSelector()).containsExactly(entry("pool", "builders"));
    assertThat(other.getSpec().getTolerations()).isEqualTo(build.tolerations);
    assertThat(other.getSpec().getActiveDeadlineSeconds()).isNull();
    assertThat(other.getSpec().getContainers().get(0).getResources()).isNotEqualTo(build.resources);
    StageBuild git = Fixtures.gitSb("hellogo");
    git.getSpec().stages = List.of(build);
    Pod source = resources.sourcePod(git, "2", null);
    assertThat(source.getSpec().getNodeSelector()).as("the source pod binds the workspace to its node")
        .containsExactly(entry("pool", "builders"));
    assertThat(source.getSpec().getTolerations()).isEqualTo(build.tolerations);

    // On a ReadWriteMany workspace each pod is placed by its own stage's settings only.
    for (StageBuild b : List.of(sb, git)) {
      b.getSpec().workspace = new dev.stagebuild.api.Workspace();
      b.getSpec().workspace.accessModes = List.of("ReadWriteMany");
    }
    assertThat(resources.stagePod(sb, "2", plan, Fixtures.FINAL, 1, null).getSpec().getNodeSelector()).isNullOrEmpty();
    assertThat(resources.sourcePod(git, "2", null).getSpec().getTolerations()).isNullOrEmpty();
  }

  @Test
  void theSettingsOfAStageBuiltInsideAnotherStagesPodApplyToThatPod() {
    StageBuild sb = Fixtures.sb("chain");
    String dockerfile = "FROM alpine AS build\nRUN true\nFROM build AS test\nRUN true\n";
    BuildPlan chain = dev.stagebuild.plan.Planner.plan(dockerfile, Map.of(), null);
    StageSettings build = new StageSettings();
    build.name = "build";
    build.resources = new ResourceRequirementsBuilder().addToRequests("cpu", new Quantity("4")).build();
    build.timeoutSeconds = 60L;
    sb.getSpec().stages = List.of(build);
    PodPlan pod = chain.pods().get(0);
    assertThat(pod.target()).isEqualTo("test");
    Pod rendered = resources.stagePod(sb, "1", chain, pod, 1, null);
    assertThat(rendered.getSpec().getContainers().get(0).getResources()).isEqualTo(build.resources);
    assertThat(rendered.getSpec().getActiveDeadlineSeconds()).isEqualTo(60L);
  }

  @Test
  void onOneNodeAKeyTheStagesDisagreeOnIsLeftOutTheSpecCheckRefusesThem() {
    StageBuild sb = Fixtures.gitSb("hellogo");
    StageSettings a = new StageSettings();
    a.name = "build";
    a.nodeSelector = Map.of("pool", "big", "zone", "a");
    StageSettings b = new StageSettings();
    b.name = "other-stage";
    b.nodeSelector = Map.of("pool", "small", "zone", "a");
    sb.getSpec().stages = List.of(a, b);
    // the source pod counts every entry; "pool" is disputed, "zone" is agreed
    assertThat(resources.sourcePod(sb, "2", null).getSpec().getNodeSelector()).containsExactly(entry("zone", "a"));
  }

  @Test
  void aStageNamedSourceDoesNotCollideWithTheSourcePod() {
    StageBuild sb = Fixtures.gitSb("hellogo");
    PodPlan source = new PodPlan("source", List.of("source"), "source", "FROM alpine/git AS source\n", List.of(),
        List.of("/repo"), false, false);
    BuildPlan p = new BuildPlan(List.of(), List.of(source), List.of(List.of("source")), "source", false);
    Pod stage = resources.stagePod(sb, "2", p, source, 1, null);
    Pod src = resources.sourcePod(sb, "2", null);
    assertThat(stage.getMetadata().getName()).isNotEqualTo(src.getMetadata().getName())
        .isEqualTo(BuildNames.stagePodName("hellogo", "2", "source", 1));
    assertThat(stage.getMetadata().getLabels().get(Labels.STEP)).isNotEqualTo(src.getMetadata().getLabels().get(Labels.STEP));
    assertThat(stage.getMetadata().getAnnotations()).containsEntry(Labels.STEP_ANNOTATION, "stage:source")
        .containsEntry(Labels.POD_ANNOTATION, "source");
    assertThat(src.getMetadata().getAnnotations()).containsEntry(Labels.STEP_ANNOTATION, "source")
        .doesNotContainKey(Labels.POD_ANNOTATION);
    // Every other stage keeps its own name as its step.
    assertThat(BuildNames.stageStep("build")).isEqualTo("build");
    assertThat(BuildNames.stagePodName("hellogo", "2", "build", 2)).isEqualTo(BuildNames.podName("hellogo", "2", "build", 2));
  }

  @Test
  void chainPodAnnotatesAllItsStages() {
    PodPlan chain = new PodPlan("app", List.of("base", "deps", "app"), "app", "FROM x AS base\n", List.of(),
        List.of(), true, false);
    BuildPlan chainPlan = new BuildPlan(List.of(), List.of(chain), List.of(List.of("app")), "app", false);
    Pod pod = resources.stagePod(Fixtures.sb("x"), "1", chainPlan, chain, 1, null);
    assertThat(pod.getMetadata().getAnnotations()).containsEntry(Labels.STAGES_ANNOTATION, "base,deps,app");
  }

  @Test
  void retriesGetTheirOwnNameAndAttemptLabel() {
    StageBuild sb = Fixtures.sb("hellogo");
    Pod pod = resources.stagePod(sb, "2", plan, Fixtures.BUILD, 3, null);
    assertThat(pod.getMetadata().getName()).isEqualTo(BuildNames.podName("hellogo", "2", "build", 3));
    assertThat(pod.getMetadata().getLabels()).containsEntry(Labels.ATTEMPT, "3").containsEntry(Labels.STEP, "build");
    assertThatThrownBy(() -> resources.stagePod(sb, "2", plan, Fixtures.BUILD, 0, null))
        .hasMessageContaining("attempt");
  }

  @Test
  void podsOfAReadWriteOnceWorkspaceAreCoLocated() {
    StageBuild sb = Fixtures.sb("hellogo");
    Pod pod = resources.stagePod(sb, "2", plan, Fixtures.BUILD, 1, null);
    var affinity = pod.getSpec().getAffinity();
    assertThat(affinity.getNodeAffinity()).isNull();
    assertThat(affinity.getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()).singleElement()
        .satisfies(term -> {
          assertThat(term.getTopologyKey()).isEqualTo("kubernetes.io/hostname");
          assertThat(term.getLabelSelector().getMatchLabels()).containsOnly(
              entry("stagebuild.dev/build-id", "2"), entry("stagebuild.dev/build", "hellogo"));
          // The pod matches its own term: the first pod of a build can be scheduled anywhere.
          assertThat(pod.getMetadata().getLabels()).containsAllEntriesOf(term.getLabelSelector().getMatchLabels());
        });

    Pod pinned = resources.stagePod(sb, "2", plan, Fixtures.FINAL, 1, "node-a");
    var terms = pinned.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
        .getNodeSelectorTerms();
    assertThat(terms).singleElement().satisfies(term -> {
      assertThat(term.getMatchExpressions()).isNullOrEmpty();
      assertThat(term.getMatchFields()).singleElement().satisfies(f -> {
        assertThat(f.getKey()).isEqualTo("metadata.name");
        assertThat(f.getOperator()).isEqualTo("In");
        assertThat(f.getValues()).containsExactly("node-a");
      });
    });
  }

  @Test
  void readWriteManyWorkspaceNeedsNoCoLocation() {
    StageBuild sb = Fixtures.sb("hellogo");
    sb.getSpec().workspace = new Workspace();
    sb.getSpec().workspace.accessModes = List.of("ReadWriteMany");
    assertThat(resources.stagePod(sb, "2", plan, Fixtures.BUILD, 1, "node-a").getSpec().getAffinity()).isNull();
    assertThat(resources.sourcePod(Fixtures.configMapSb("hellogo"), "2", List.of()).getSpec().getAffinity()).isNotNull();
  }

  @Test
  void aBuildArgFromASecretReachesKanikoThroughTheEnvironmentOnly() {
    StageBuild sb = Fixtures.sb("hellogo");
    sb.getSpec().buildArgs = List.of(new dev.stagebuild.api.BuildArg("PLAIN", "1"), secretArg("NPM_TOKEN", "npm", "token"));
    Pod pod = resources.stagePod(sb, "2", plan, Fixtures.BUILD, 1, null);
    var c = pod.getSpec().getContainers().get(0);
    assertThat(c.getArgs()).contains("--build-arg=PLAIN=1", "--build-arg=NPM_TOKEN")
        .noneMatch(a -> a.startsWith("--build-arg=NPM_TOKEN="));
    assertThat(c.getEnv()).filteredOn(e -> e.getName().equals("NPM_TOKEN")).singleElement().satisfies(e -> {
      assertThat(e.getValue()).isNull();
      assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("npm");
      assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("token");
    });
  }

  static dev.stagebuild.api.BuildArg secretArg(String name, String secret, String key) {
    dev.stagebuild.api.BuildArg a = new dev.stagebuild.api.BuildArg(name, null);
    a.valueFrom = new dev.stagebuild.api.BuildArgSource(secret, key);
    return a;
  }

  @Test
  void everyBuildPodRunsAsTheBuildServiceAccount() {
    StageBuild sb = Fixtures.sb("hellogo");
    sb.getSpec().workspace = new Workspace();
    sb.getSpec().workspace.claimName = "build-farm";
    for (Pod pod : List.of(resources.stagePod(sb, "2", plan, Fixtures.BUILD, 1, null),
        resources.sourcePod(Fixtures.configMapSb("hellogo"), "2", List.of()), resources.workspaceCleanupPod(sb, "2"))) {
      assertThat(pod.getSpec().getServiceAccountName()).as(pod.getMetadata().getName()).isEqualTo("stagebuild-build");
      assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
    }
    RenderSettings d = RenderSettings.defaults();
    KanikoResources namespaceDefault = new KanikoResources(new RenderSettings(d.executorImage(), d.gitImage(),
        d.defaultWorkspaceSize(), "default"));
    assertThat(namespaceDefault.stagePod(sb, "2", plan, Fixtures.BUILD, 1, null).getSpec().getServiceAccountName())
        .isEqualTo("default");
    assertThatThrownBy(() -> new RenderSettings(d.executorImage(), d.gitImage(), d.defaultWorkspaceSize(), "Not Valid"))
        .hasMessageContaining("buildServiceAccount");
  }

  @Test
  void aSharedClaimIsMountedAtTheBuildsOwnSubPathInEveryPod() {
    StageBuild sb = Fixtures.configMapSb("hellogo");
    sb.getSpec().workspace = new Workspace();
    sb.getSpec().workspace.claimName = "build-farm";
    for (Pod pod : List.of(resources.stagePod(sb, "2", plan, Fixtures.BUILD, 1, "node-a"),
        resources.sourcePod(sb, "2", List.of()))) {
      var volume = pod.getSpec().getVolumes().stream().filter(v -> v.getName().equals("workspace")).findFirst()
          .orElseThrow();
      assertThat(volume.getPersistentVolumeClaim().getClaimName()).isEqualTo("build-farm");
      var mount = pod.getSpec().getContainers().get(0).getVolumeMounts().stream()
          .filter(m -> m.getName().equals("workspace")).findFirst().orElseThrow();
      assertThat(mount.getSubPath()).isEqualTo(Fixtures.UID + "/2");
      assertThat(mount.getMountPath()).isEqualTo(InPod.WORKSPACE);
      // A shared claim is taken to be ReadWriteMany: the pods run on any node.
      assertThat(pod.getSpec().getAffinity()).as(pod.getMetadata().getName()).isNull();
    }
    sb.getSpec().workspace.accessModes = List.of("ReadWriteOnce");
    assertThat(resources.stagePod(sb, "2", plan, Fixtures.BUILD, 1, "node-a").getSpec().getAffinity()).isNotNull();
  }

  @Test
  void theCleanupPodRemovesOnlyItsBuildsDirectoryWithoutAShell() {
    StageBuild sb = Fixtures.sb("hellogo");
    sb.getSpec().workspace = new Workspace();
    sb.getSpec().workspace.claimName = "build-farm";
    Pod pod = resources.workspaceCleanupPod(sb, "2-abcdef");
    assertThat(pod.getMetadata().getName()).isEqualTo(BuildNames.podName("hellogo", "2-abcdef", "workspace:cleanup", 1))
        .isNotEqualTo(BuildNames.stagePodName("hellogo", "2-abcdef", "workspace-cleanup", 1));
    assertThat(KanikoResources.isWorkspaceCleanup(pod)).isTrue();
    assertThat(KanikoResources.isWorkspaceCleanup(resources.stagePod(sb, "2", plan, Fixtures.BUILD, 1, null))).isFalse();
    var c = pod.getSpec().getContainers().get(0);
    assertThat(c.getCommand()).containsExactly("/busybox/rm", "-rf", "--", "/kaniko/stagebuild/builds/2-abcdef");
    assertThat(c.getVolumeMounts()).singleElement().satisfies(m -> {
      assertThat(m.getSubPath()).isEqualTo(Fixtures.UID);
      assertThat(m.getMountPath()).isEqualTo("/kaniko/stagebuild/builds");
    });
    assertThat(pod.getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName()).isEqualTo("build-farm");
    assertThat(pod.getSpec().getAffinity()).isNull();
    assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
    assertThat(pod.getMetadata().getOwnerReferences()).singleElement().satisfies(o -> assertThat(o.getUid()).isEqualTo(Fixtures.UID));
    assertThatThrownBy(() -> resources.workspaceCleanupPod(Fixtures.sb("own-claim"), "1"))
        .hasMessageContaining("no shared workspace claim");
    assertThatThrownBy(() -> resources.workspaceCleanupPod(sb, "../1")).hasMessageContaining("not a build id");
  }

  @Test
  void stagePodMustBelongToThePlan() {
    PodPlan stranger = new PodPlan("other", List.of("other"), "other", "FROM x\n", List.of(), List.of(), false, false);
    assertThatThrownBy(() -> resources.stagePod(Fixtures.sb("a"), "1", plan, stranger, 1, null))
        .hasMessageContaining("no pod other");
  }

  @Test
  void renderingIsDeterministic() {
    StageBuild sb = Fixtures.gitSb("hellogo");
    assertThat(resources.stagePod(sb, "2", plan, Fixtures.FINAL, 2, "n1"))
        .isEqualTo(resources.stagePod(sb, "2", plan, Fixtures.FINAL, 2, "n1"));
    assertThat(resources.planConfigMap(sb, "2", plan, "x")).isEqualTo(resources.planConfigMap(sb, "2", plan, "x"));
    assertThat(resources.sourcePod(sb, "2", null)).isEqualTo(resources.sourcePod(sb, "2", null));
  }

  // --- source pods --------------------------------------------------------------------------------

  @Test
  void gitSourcePod() {
    StageBuild sb = Fixtures.gitSb("hellogo");
    sb.getSpec().source.git.contextDir = "app";
    sb.getSpec().source.git.secretRef = new LocalObjectRef("git-creds");
    Pod pod = resources.sourcePod(sb, "2", null);
    assertThat(pod.getMetadata().getName()).isEqualTo(BuildNames.podName("hellogo", "2", "source", 1));
    assertThat(pod.getMetadata().getLabels()).containsAllEntriesOf(Labels.forStep(sb, "2", "source", 1))
        .containsEntry("sidecar.istio.io/inject", "false").hasSize(Labels.forStep(sb, "2", "source", 1).size() + 1);
    // A build pod must end with its build container: meshes and agents are asked not to inject.
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("sidecar.istio.io/inject", "false")
        .containsEntry("linkerd.io/inject", "disabled");
    assertThat(pod.getMetadata().getAnnotations()).containsEntry(Labels.STEP_ANNOTATION, "source");
    assertOwnedBy(pod, sb);
    assertCommonPodShape(pod);
    Container c = pod.getSpec().getContainers().get(0);
    assertThat(c.getName()).isEqualTo(KanikoResources.SOURCE_CONTAINER);
    assertThat(c.getImage()).isEqualTo(RenderSettings.DEFAULT_GIT_IMAGE);
    assertThat(c.getCommand()).containsExactly("/bin/sh", "-c", Scripts.SOURCE, "source");
    assertThat(c.getArgs()).isNullOrEmpty();
    assertThat(env(c)).containsExactlyInAnyOrderEntriesOf(Map.of(
        "SB_SOURCE_KIND", "git",
        "SB_WORKSPACE", "/kaniko/stagebuild/workspace",
        "SB_TERMINATION_LOG", "/dev/termination-log",
        "SB_GIT_URL", "https://github.com/eriksf/calculate-pi.git",
        "SB_GIT_REVISION", "main",
        "SB_CONTEXT_DIR", "app",
        "SB_DOCKERFILE", "Dockerfile",
        "SB_PRINT_DOCKERFILE", "true",
        "SB_GIT_SECRET", "/kaniko/stagebuild/git-secret"));
    // Credentials only as a read-only mounted Secret, never as env values.
    assertThat(c.getEnv()).allMatch(e -> e.getValueFrom() == null);
    assertThat(mounts(c).get("git-secret").getMountPath()).isEqualTo("/kaniko/stagebuild/git-secret");
    assertThat(mounts(c).get("git-secret").getReadOnly()).isTrue();
    assertThat(volumes(pod).get("git-secret").getSecret().getSecretName()).isEqualTo("git-creds");
    // group-readable: the non-root user reads it through the pod's fsGroup
    assertThat(volumes(pod).get("git-secret").getSecret().getDefaultMode()).isEqualTo(0440);
    assertThat(volumes(pod)).containsOnlyKeys("workspace", "git-secret", "tmp");
    assertThat(pod.getSpec().getAffinity().getPodAffinity()).isNotNull();
  }

  @Test
  void gitSourcePodDefaultsAndInlineDockerfile() {
    StageBuild sb = Fixtures.gitSb("hellogo");
    sb.getSpec().source.git.revision = null;
    sb.getSpec().dockerfile = new dev.stagebuild.api.DockerfileSpec();
    sb.getSpec().dockerfile.inline = "FROM scratch\n";
    Container c = resources.sourcePod(sb, "2", null).getSpec().getContainers().get(0);
    assertThat(env(c)).containsEntry("SB_GIT_REVISION", "").containsEntry("SB_CONTEXT_DIR", ".")
        .containsEntry("SB_PRINT_DOCKERFILE", "false").doesNotContainKey("SB_GIT_SECRET");

    sb.getSpec().dockerfile.inline = null;
    sb.getSpec().dockerfile.path = "build/Dockerfile.ms";
    c = resources.sourcePod(sb, "2", null).getSpec().getContainers().get(0);
    assertThat(env(c)).containsEntry("SB_DOCKERFILE", "build/Dockerfile.ms").containsEntry("SB_PRINT_DOCKERFILE", "true");
  }

  @Test
  void configMapSourcePod() {
    StageBuild sb = Fixtures.configMapSb("hellogo");
    Pod pod = resources.sourcePod(sb, "2", List.of("app.go", "Dockerfile"), 2, "node-b");
    assertThat(pod.getMetadata().getName()).isEqualTo(BuildNames.podName("hellogo", "2", "source", 2));
    assertCommonPodShape(pod);
    Container c = pod.getSpec().getContainers().get(0);
    assertThat(c.getImage()).isEqualTo(RenderSettings.DEFAULT_EXECUTOR_IMAGE);
    assertThat(c.getCommand()).containsExactly("/busybox/sh", "-c", Scripts.SOURCE, "source");
    assertThat(env(c)).containsEntry("SB_SOURCE_KIND", "configmap")
        .containsEntry("SB_SOURCE_DIR", "/kaniko/stagebuild/source");
    assertThat(mounts(c).get("source").getMountPath()).isEqualTo("/kaniko/stagebuild/source");
    var cm = volumes(pod).get("source").getConfigMap();
    assertThat(cm.getName()).isEqualTo("hellogo-src");
    assertThat(cm.getItems()).extracting(i -> i.getKey() + "=" + i.getPath())
        .containsExactly("app.go=app.go", "Dockerfile=Dockerfile");
    assertThat(pod.getSpec().getAffinity().getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
        .getNodeSelectorTerms().get(0).getMatchFields().get(0).getValues()).containsExactly("node-b");

    assertThat(volumes(resources.sourcePod(sb, "2", null)).get("source").getConfigMap().getItems()).isNullOrEmpty();
  }

  @Test
  void noSourceNoSourcePod() {
    assertThatThrownBy(() -> resources.sourcePod(Fixtures.sb("a"), "1", List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no source");
  }

  @Test
  void everyStagePodMountsTheCaBundleAndTrustsItForTheOutputRegistry() {
    StageBuild sb = Fixtures.sb("hellogo");
    sb.getSpec().output.caBundleRef = new CaBundleRef("corp-ca", "bundle.pem");
    for (PodPlan p : List.of(Fixtures.BUILD, Fixtures.FINAL)) {
      Pod pod = resources.stagePod(sb, "2", plan, p, 1, null);
      Container c = pod.getSpec().getContainers().get(0);
      Volume v = volumes(pod).get("ca-bundle");
      assertThat(v.getConfigMap().getName()).as(p.name()).isEqualTo("corp-ca");
      assertThat(v.getConfigMap().getItems()).singleElement().satisfies(item -> {
        assertThat(item.getKey()).isEqualTo("bundle.pem");
        assertThat(item.getPath()).isEqualTo("ca.crt");
      });
      assertThat(mounts(c).get("ca-bundle").getMountPath()).isEqualTo("/kaniko/stagebuild/ca");
      assertThat(mounts(c).get("ca-bundle").getReadOnly()).isTrue();
      assertThat(c.getArgs()).as(p.name())
          .contains("--registry-certificate=registry.example.com=/kaniko/stagebuild/ca/ca.crt")
          .doesNotContain("--skip-tls-verify", "--skip-tls-verify-pull");
    }
    sb.getSpec().output.caBundleRef = new CaBundleRef("corp-ca", null);
    Pod pod = resources.stagePod(sb, "2", plan, Fixtures.FINAL, 1, null);
    assertThat(volumes(pod).get("ca-bundle").getConfigMap().getItems().get(0).getKey()).isEqualTo("ca.crt");
    sb.getSpec().output.caBundleRef = null;
    pod = resources.stagePod(sb, "2", plan, Fixtures.FINAL, 1, null);
    assertThat(volumes(pod)).doesNotContainKey("ca-bundle");
    assertThat(pod.getSpec().getContainers().get(0).getArgs()).noneMatch(a -> a.startsWith("--registry-certificate"));
  }

  @Test
  void theRegistryIsNamedAsKanikoNamesIt() {
    assertThat(ExecutorArgs.registryName("registry.example.com:5000/team/app:1")).isEqualTo("registry.example.com:5000");
    assertThat(ExecutorArgs.registryName("127.0.0.1:5000/app")).isEqualTo("127.0.0.1:5000");
    assertThat(ExecutorArgs.registryName("team/app:1")).isEqualTo("index.docker.io");
    assertThat(ExecutorArgs.registryName("docker.io/team/app:1")).isEqualTo("index.docker.io");
    assertThat(ExecutorArgs.registryName("index.docker.io/team/app:1")).isEqualTo("index.docker.io");
    assertThat(ExecutorArgs.registryName("[::1]:5000/app:1")).isEqualTo("[::1]:5000");
  }
}
