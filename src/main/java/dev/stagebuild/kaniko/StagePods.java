package dev.stagebuild.kaniko;

import dev.stagebuild.api.LocalObjectRef;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildSpec;
import dev.stagebuild.api.StageSettings;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.PodPlan;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A stage pod: Kaniko builds the plan pod's chain, then stage.sh copies its exports out. */
final class StagePods {
  static final String COPY_AS_ROOT = "FF_KANIKO_COPY_AS_ROOT";
  static final String EXPAND_HEREDOC = "FF_KANIKO_EXPAND_HEREDOC";
  static final String RUN_MOUNT_BIND = "FF_KANIKO_RUN_MOUNT_BIND";
  /**
   * The rest of the fork's "BuildKit compatibility" profile (its README; its integration tests run
   * with it), each off by default in v1.28.3 (pkg/config/featureflags.go). Without them: the
   * directories COPY/ADD/WORKDIR create for their parents keep root and 0755 where BuildKit gives
   * them the --chown owner (or USER) and the --chmod mode; RUN under USER user:group runs with the
   * user's primary group; ADD of a local archive applies the archive's "./" entry to the
   * destination directory.
   */
  static final List<String> BUILDKIT_COMPATIBILITY = List.of("FF_KANIKO_CHOWN_ON_IMPLICIT_DIRS",
      "FF_KANIKO_COPY_CHMOD_ON_IMPLICIT_DIRS", "FF_KANIKO_RUN_HONOR_GROUP", "FF_KANIKO_UNTAR_SKIP_ROOT");
  static final String MOUNT_CACHE_VOLUME = "mount-cache";
  static final String CA_BUNDLE_VOLUME = "ca-bundle";

  private StagePods() {}

  static Pod render(String executorImage, StageBuild sb, String buildId, BuildPlan plan, PodPlan pod, int attempt,
      String pinnedNode) {
    StageBuildSpec spec = sb.getSpec();
    String sbName = sb.getMetadata().getName();

    List<Volume> volumes = new ArrayList<>();
    List<VolumeMount> mounts = new ArrayList<>();
    volumes.add(PodParts.workspaceVolume(sb, buildId));
    mounts.add(PodParts.workspaceMount(sb, buildId));
    volumes.add(new VolumeBuilder().withName("plan")
        .withNewConfigMap().withName(BuildNames.planConfigMapName(sbName, buildId)).endConfigMap()
        .build());
    mounts.add(PodParts.mount("plan", InPod.PLAN, true));
    // Push credentials only where the push happens: any RUN of a pod can read its docker config.
    // The other pods get the pull secret, if any, for their base images.
    LocalObjectRef registrySecret = pod.isFinal() ? spec.output.pushSecretRef : spec.pullSecretRef;
    if (registrySecret != null) {
      // Only the key kaniko reads, under the name it reads it by: $DOCKER_CONFIG/config.json.
      volumes.add(new VolumeBuilder().withName("docker-config")
          .withNewSecret().withSecretName(registrySecret.name)
            .addNewItem().withKey(".dockerconfigjson").withPath("config.json").endItem()
          .endSecret()
          .build());
      mounts.add(PodParts.mount("docker-config", InPod.DOCKER_CONFIG, true));
    }

    if (spec.output.caBundleRef != null) {
      // Every stage pod: each may pull from the output registry (base images, the layer cache).
      // Only the bundle's key, under the name --registry-certificate gives.
      volumes.add(new VolumeBuilder().withName(CA_BUNDLE_VOLUME)
          .withNewConfigMap().withName(spec.output.caBundleRef.name)
            .addNewItem().withKey(spec.output.caBundleRef.keyOrDefault()).withPath(InPod.CA_BUNDLE_FILE).endItem()
          .endConfigMap()
          .build());
      mounts.add(PodParts.mount(CA_BUNDLE_VOLUME, InPod.CA_BUNDLE_DIR, true));
    }

    for (int n : BuildSecrets.used(spec, pod)) {
      // Only the key the pod's Dockerfile reads, and only in the pods whose stages mount it.
      volumes.add(new VolumeBuilder().withName(BuildSecrets.volume(n))
          .withNewSecret().withSecretName(spec.secrets.get(n).secretRef.name).withDefaultMode(0400)
            .addNewItem().withKey(spec.secrets.get(n).key).withPath(BuildSecrets.FILE).endItem()
          .endSecret()
          .build());
      mounts.add(PodParts.mount(BuildSecrets.volume(n), BuildSecrets.dir(n), true));
    }

    if (spec.executor != null && spec.executor.mountCache != null && spec.executor.mountCache.claimName != null
        && !spec.executor.mountCache.claimName.isBlank()) {
      // kaniko moves a cache directory into the RUN's target and back (copying across devices):
      // each stage pod has its own sub-directory, so that pods running at once never share one
      volumes.add(new VolumeBuilder().withName(MOUNT_CACHE_VOLUME)
          .withNewPersistentVolumeClaim().withClaimName(spec.executor.mountCache.claimName).endPersistentVolumeClaim()
          .build());
      mounts.add(new io.fabric8.kubernetes.api.model.VolumeMountBuilder().withName(MOUNT_CACHE_VOLUME)
          .withMountPath(InPod.MOUNT_CACHES).withSubPath(pod.name()).build());
    }

    StageSettings stage = PodParts.settingsFor(sb, pod);
    ContainerBuilder container = new ContainerBuilder()
        .withName(KanikoResources.STAGE_CONTAINER)
        .withImage(executorImage)
        .withCommand(InPod.EXECUTOR_SHELL, "-c", KanikoResources.RUN_STAGE_SCRIPT, "stage")
        .withArgs(ExecutorArgs.of(spec, plan, pod))
        .withEnv(env(spec, pod))
        .withVolumeMounts(mounts)
        .withTerminationMessagePath(InPod.TERMINATION_LOG)
        .withTerminationMessagePolicy(PodParts.FALLBACK_TO_LOGS)
        .withSecurityContext(PodParts.stageContainerSecurity());
    PodSpecBuilder podSpec = new PodSpecBuilder().withVolumes(volumes)
        .withSecurityContext(PodParts.stagePodSecurity());
    if (stage != null) {
      container.withResources(stage.resources);
      podSpec.withNodeSelector(stage.nodeSelector)
          .withTolerations(stage.tolerations)
          .withActiveDeadlineSeconds(stage.timeoutSeconds);
    }
    if (!PodParts.sharedAcrossNodes(sb)) {
      // one node for the whole build: every stage's placement (its own included)
      var placement = PodParts.oneNodePlacement(sb);
      podSpec.withNodeSelector(placement.nodeSelector()).withTolerations(placement.tolerations());
    }
    podSpec.withContainers(container.build());

    String step = BuildNames.stageStep(pod.name());
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(Labels.STEP_ANNOTATION, step);
    annotations.put(Labels.POD_ANNOTATION, pod.name());
    annotations.put(Labels.STAGES_ANNOTATION, String.join(",", pod.stages()));
    String name = BuildNames.podName(sbName, buildId, step, attempt);
    return PodParts.pod(sb, buildId, name, step, attempt, annotations, podSpec, pinnedNode);
  }

  /** What stage.sh reads; every path defaults to the in-pod one, so a test can remap them. */
  private static List<EnvVar> env(StageBuildSpec spec, PodPlan pod) {
    List<EnvVar> env = new ArrayList<>();
    if (spec.buildArgs != null) {
      for (dev.stagebuild.api.BuildArg arg : spec.buildArgs) {
        if (arg != null && arg.fromSecret()) {
          // kaniko takes a bare --build-arg=NAME from its environment (resolveEnvironmentBuildArgs,
          // cmd/executor/cmd/root.go): the value never is in the pod's spec or arguments
          env.add(new io.fabric8.kubernetes.api.model.EnvVarBuilder().withName(arg.name).withNewValueFrom()
              .withNewSecretKeyRef().withName(arg.valueFrom.secretKeyRef.name).withKey(arg.valueFrom.secretKeyRef.key)
              .endSecretKeyRef().endValueFrom().build());
        }
      }
    }
    env.add(PodParts.env("SB_WORKSPACE", InPod.WORKSPACE));
    env.add(PodParts.env("SB_PLAN", InPod.PLAN));
    env.add(PodParts.env("SB_POD", pod.name()));
    env.add(PodParts.env("SB_ROOT", "/"));
    env.add(PodParts.env("SB_EXECUTOR", InPod.EXECUTOR));
    env.add(PodParts.env("SB_TOOLS", InPod.TOOLS));
    env.add(PodParts.env("SB_TERMINATION_LOG", InPod.TERMINATION_LOG));
    if (pod.isFinal()) {
      env.add(PodParts.env("SB_DIGEST_FILE", InPod.DIGEST_FILE));
    }
    env.add(PodParts.env("SB_FINAL", Boolean.toString(pod.isFinal())));
    env.add(PodParts.env("DOCKER_CONFIG", InPod.DOCKER_CONFIG));
    // Kaniko copies files from the build context as the stage's USER unless this is set; the
    // Dockerfile reference (and Docker, BuildKit, buildah) make them 0:0 unless --chown says
    // otherwise. The fork has the flag since v1.25.2.
    env.add(PodParts.env(COPY_AS_ROOT, "true"));
    // BuildKit expands variables in the body of a COPY/ADD heredoc whose delimiter is unquoted;
    // kaniko v1.28.3 does that only with this flag (pkg/commands/copy.go reads it only for such a
    // heredoc: a quoted delimiter stays literal either way).
    env.add(PodParts.env(EXPAND_HEREDOC, "true"));
    // Context bind mounts (RUN --mount=type=bind, and the planner's rewrite of a bind mount from a
    // stage) need it; on by default in v1.28.3, set so that an overriding image cannot differ.
    env.add(PodParts.env(RUN_MOUNT_BIND, "true"));
    BUILDKIT_COMPATIBILITY.forEach(flag -> env.add(PodParts.env(flag, "true")));
    return env;
  }
}
