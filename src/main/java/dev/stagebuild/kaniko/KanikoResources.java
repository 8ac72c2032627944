package dev.stagebuild.kaniko;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stagebuild.api.GitSource;
import dev.stagebuild.api.LocalObjectRef;
import dev.stagebuild.api.Source;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildSpec;
import dev.stagebuild.api.StageSettings;
import dev.stagebuild.api.Workspace;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.PodPlan;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Turns a StageBuild and its plan into the Kubernetes objects of one build. Pure: no cluster
 * calls, the same inputs always give the same objects.
 */
public final class KanikoResources {
  /** The stage pods' script (also {@link Scripts#STAGE}). */
  public static final String STAGE_SCRIPT = Scripts.STAGE;
  /** The source pod's script (also {@link Scripts#SOURCE}). */
  public static final String SOURCE_SCRIPT = Scripts.SOURCE;
  public static final String STAGE_CONTAINER = "kaniko";
  public static final String SOURCE_CONTAINER = "source";
  /** ConfigMap keys of the plan ConfigMap besides the per-pod {@code <pod>.Dockerfile} and {@code <pod>.exports}. */
  public static final String PLAN_JSON_KEY = "plan.json";
  public static final String DOCKERIGNORE_KEY = "dockerignore";
  public static final String DOCKERFILE_SUFFIX = ".Dockerfile";
  public static final String EXPORTS_SUFFIX = ".exports";
  /** The API server refuses a ConfigMap over 1 MiB. */
  static final int MAX_CONFIGMAP_BYTES = 1024 * 1024;

  private static final Pattern POD_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final RenderSettings settings;

  public KanikoResources(RenderSettings settings) {
    this.settings = settings;
  }

  public RenderSettings settings() {
    return settings;
  }

  /** The image the stage pods (and the configMap source pod) run: spec.executor.image or the default. */
  public String executorImage(StageBuild sb) {
    var executor = sb.getSpec().executor;
    return executor != null && executor.image != null && !executor.image.isBlank()
        ? executor.image : settings.executorImage();
  }

  // --- workspace ---------------------------------------------------------------------------------

  public PersistentVolumeClaim workspace(StageBuild sb, String buildId) {
    Workspace ws = sb.getSpec().workspace;
    String size = ws != null && ws.size != null && !ws.size.isBlank() ? ws.size : settings.defaultWorkspaceSize();
    List<String> modes = ws != null && ws.accessModes != null && !ws.accessModes.isEmpty()
        ? List.copyOf(ws.accessModes) : List.of("ReadWriteOnce");
    return new PersistentVolumeClaimBuilder()
        .withMetadata(PodParts.metadata(sb, BuildNames.pvcName(sb.getMetadata().getName(), buildId),
            Labels.forBuild(sb, buildId), null))
        .withNewSpec()
          .withAccessModes(modes)
          .withStorageClassName(ws == null ? null : ws.storageClassName)
          .withNewResources()
            .addToRequests("storage", new Quantity(size))
          .endResources()
        .endSpec()
        .build();
  }

  // --- plan ConfigMap -----------------------------------------------------------------------------

  /**
   * The plan as the stage pods read it: {@code <pod>.Dockerfile}, {@code <pod>.exports} (one path
   * per line), {@code dockerignore} and {@code plan.json}. Immutable: a build's plan never changes.
   */
  public ConfigMap planConfigMap(StageBuild sb, String buildId, BuildPlan plan, String rewrittenDockerignore) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(PLAN_JSON_KEY, toJson(plan));
    data.put(DOCKERIGNORE_KEY, rewrittenDockerignore == null ? "" : rewrittenDockerignore);
    for (PodPlan pod : plan.pods()) {
      checkPodName(pod.name());
      data.put(pod.name() + DOCKERFILE_SUFFIX, pod.dockerfile());
      data.put(pod.name() + EXPORTS_SUFFIX, exportsFile(pod.exports()));
    }
    long bytes = data.entrySet().stream()
        .mapToLong(e -> e.getKey().length() + e.getValue().getBytes(StandardCharsets.UTF_8).length)
        .sum();
    if (bytes > MAX_CONFIGMAP_BYTES) {
      throw new IllegalArgumentException("the plan ConfigMap would hold " + bytes
          + " bytes, over the API server's limit of 1 MiB: the Dockerfile is too large");
    }
    return new ConfigMapBuilder()
        .withMetadata(PodParts.metadata(sb, BuildNames.planConfigMapName(sb.getMetadata().getName(), buildId),
            Labels.forBuild(sb, buildId), null))
        .withImmutable(true)
        .withData(data)
        .build();
  }

  /** The stage script reads this with {@code read -r}: one path per line. */
  static String exportsFile(List<String> exports) {
    if (exports == null || exports.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (String path : exports) {
      if (path.indexOf('\n') >= 0 || path.indexOf('\r') >= 0) {
        throw new IllegalArgumentException("export path with a line break: " + path);
      }
      out.append(path).append('\n');
    }
    return out.toString();
  }

  private static String toJson(BuildPlan plan) {
    try {
      return JSON.writeValueAsString(plan);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot write the plan as JSON", e);
    }
  }

  private static void checkPodName(String name) {
    // The name is a ConfigMap key prefix and a directory under context/from/.
    if (name == null || !POD_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid plan pod name '" + name + "': expected [a-z0-9][a-z0-9._-]*");
    }
  }

  // --- source pod ---------------------------------------------------------------------------------

  public Pod sourcePod(StageBuild sb, String buildId, List<String> configMapKeys) {
    return sourcePod(sb, buildId, configMapKeys, 1, null);
  }

  /**
   * The pod that puts the build context into the workspace: git clone (alpine/git) or the
   * ConfigMap's keys (the executor image's busybox). {@code configMapKeys} limits which keys of a
   * configMap source are mounted; null or empty mounts them all.
   */
  public Pod sourcePod(StageBuild sb, String buildId, List<String> configMapKeys, int attempt, String pinnedNode) {
    StageBuildSpec spec = sb.getSpec();
    Source source = spec.source;
    if (source == null || (source.git == null && source.configMap == null)) {
      throw new IllegalArgumentException("StageBuild " + sb.getMetadata().getName() + " has no source");
    }
    List<Volume> volumes = new ArrayList<>();
    List<VolumeMount> mounts = new ArrayList<>();
    List<EnvVar> env = new ArrayList<>();
    volumes.add(PodParts.workspaceVolume(sb, buildId));
    mounts.add(PodParts.mount(PodParts.WORKSPACE_VOLUME, InPod.WORKSPACE, false));
    env.add(PodParts.env("SB_WORKSPACE", InPod.WORKSPACE));
    env.add(PodParts.env("SB_TERMINATION_LOG", InPod.TERMINATION_LOG));

    String image;
    String shell;
    if (source.git != null) {
      GitSource git = source.git;
      image = settings.gitImage();
      shell = InPod.GIT_SHELL;
      env.add(PodParts.env("SB_SOURCE_KIND", "git"));
      env.add(PodParts.env("SB_GIT_URL", git.url));
      env.add(PodParts.env("SB_GIT_REVISION", git.revision == null ? "" : git.revision));
      env.add(PodParts.env("SB_CONTEXT_DIR", git.contextDir == null || git.contextDir.isBlank() ? "." : git.contextDir));
      if (git.secretRef != null) {
        volumes.add(new VolumeBuilder().withName("git-secret")
            .withNewSecret().withSecretName(git.secretRef.name).withDefaultMode(0400).endSecret()
            .build());
        mounts.add(PodParts.mount("git-secret", InPod.GIT_SECRET, true));
        env.add(PodParts.env("SB_GIT_SECRET", InPod.GIT_SECRET));
      }
    } else {
      image = executorImage(sb);
      shell = InPod.EXECUTOR_SHELL;
      List<KeyToPath> items = configMapKeys == null ? List.of()
          : configMapKeys.stream().map(k -> new KeyToPath(k, null, k)).toList();
      volumes.add(new VolumeBuilder().withName("source")
          .withNewConfigMap().withName(source.configMap.name).withItems(items.isEmpty() ? null : items).endConfigMap()
          .build());
      mounts.add(PodParts.mount("source", InPod.SOURCE, true));
      env.add(PodParts.env("SB_SOURCE_KIND", "configmap"));
      env.add(PodParts.env("SB_SOURCE_DIR", InPod.SOURCE));
    }
    boolean inline = spec.dockerfile != null && spec.dockerfile.inline != null;
    String dockerfilePath = spec.dockerfile != null && spec.dockerfile.path != null && !spec.dockerfile.path.isBlank()
        ? spec.dockerfile.path : "Dockerfile";
    env.add(PodParts.env("SB_DOCKERFILE", dockerfilePath));
    env.add(PodParts.env("SB_PRINT_DOCKERFILE", Boolean.toString(!inline)));

    Container container = new ContainerBuilder()
        .withName(SOURCE_CONTAINER)
        .withImage(image)
        .withCommand(shell, "-c", Scripts.SOURCE, "source")
        .withEnv(env)
        .withVolumeMounts(mounts)
        .withTerminationMessagePath(InPod.TERMINATION_LOG)
        .withTerminationMessagePolicy("FallbackToLogsOnError")
        .build();
    String name = BuildNames.podName(sb.getMetadata().getName(), buildId, BuildNames.SOURCE_STEP, attempt);
    return pod(sb, buildId, name, BuildNames.SOURCE_STEP, attempt, Map.of(Labels.STEP_ANNOTATION, BuildNames.SOURCE_STEP),
        new PodSpecBuilder().withVolumes(volumes).withContainers(container), pinnedNode);
  }

  // --- stage pods ---------------------------------------------------------------------------------

  /** The pod that builds {@code pod}'s chain of stages with Kaniko and then copies its exports out. */
  public Pod stagePod(StageBuild sb, String buildId, BuildPlan plan, PodPlan pod, int attempt, String pinnedNode) {
    checkPodName(pod.name());
    plan.pod(pod.name()); // fails when the pod is not part of this plan
    StageBuildSpec spec = sb.getSpec();
    String sbName = sb.getMetadata().getName();

    List<Volume> volumes = new ArrayList<>();
    List<VolumeMount> mounts = new ArrayList<>();
    volumes.add(PodParts.workspaceVolume(sb, buildId));
    mounts.add(PodParts.mount(PodParts.WORKSPACE_VOLUME, InPod.WORKSPACE, false));
    volumes.add(new VolumeBuilder().withName("plan")
        .withNewConfigMap().withName(BuildNames.planConfigMapName(sbName, buildId)).endConfigMap()
        .build());
    mounts.add(PodParts.mount("plan", InPod.PLAN, true));
    LocalObjectRef pushSecret = spec.output.pushSecretRef;
    if (pushSecret != null) {
      // Only the key kaniko reads, under the name it reads it by: $DOCKER_CONFIG/config.json.
      volumes.add(new VolumeBuilder().withName("docker-config")
          .withNewSecret().withSecretName(pushSecret.name)
            .addNewItem().withKey(".dockerconfigjson").withPath("config.json").endItem()
          .endSecret()
          .build());
      mounts.add(PodParts.mount("docker-config", InPod.DOCKER_CONFIG, true));
    }

    List<EnvVar> env = new ArrayList<>();
    env.add(PodParts.env("SB_WORKSPACE", InPod.WORKSPACE));
    env.add(PodParts.env("SB_PLAN", InPod.PLAN));
    env.add(PodParts.env("SB_POD", pod.name()));
    env.add(PodParts.env("SB_ROOT", "/"));
    env.add(PodParts.env("SB_EXECUTOR", InPod.EXECUTOR));
    env.add(PodParts.env("SB_TERMINATION_LOG", InPod.TERMINATION_LOG));
    if (pod.isFinal()) {
      env.add(PodParts.env("SB_DIGEST_FILE", InPod.DIGEST_FILE));
    }
    env.add(PodParts.env("SB_FINAL", Boolean.toString(pod.isFinal())));
    env.add(PodParts.env("DOCKER_CONFIG", InPod.DOCKER_CONFIG));

    StageSettings stage = PodParts.settingsFor(sb, pod.target());
    ContainerBuilder container = new ContainerBuilder()
        .withName(STAGE_CONTAINER)
        .withImage(executorImage(sb))
        .withCommand(InPod.EXECUTOR_SHELL, "-c", Scripts.STAGE, "stage")
        .withArgs(ExecutorArgs.of(spec, pod))
        .withEnv(env)
        .withVolumeMounts(mounts)
        .withTerminationMessagePath(InPod.TERMINATION_LOG)
        .withTerminationMessagePolicy("FallbackToLogsOnError");
    PodSpecBuilder podSpec = new PodSpecBuilder().withVolumes(volumes);
    if (stage != null) {
      container.withResources(stage.resources);
      podSpec.withNodeSelector(stage.nodeSelector)
          .withTolerations(stage.tolerations)
          .withActiveDeadlineSeconds(stage.timeoutSeconds);
    }
    podSpec.withContainers(container.build());

    Map<String, String> annotations = new LinkedHashMap<>();
    String step = BuildNames.stageStep(pod.name());
    annotations.put(Labels.STEP_ANNOTATION, step);
    annotations.put(Labels.POD_ANNOTATION, pod.name());
    annotations.put(Labels.STAGES_ANNOTATION, String.join(",", pod.stages()));
    String name = BuildNames.podName(sbName, buildId, step, attempt);
    return pod(sb, buildId, name, step, attempt, annotations, podSpec, pinnedNode);
  }

  private Pod pod(StageBuild sb, String buildId, String name, String step, int attempt,
      Map<String, String> annotations, PodSpecBuilder spec, String pinnedNode) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be 1 or more, got " + attempt);
    }
    spec.withRestartPolicy("Never")
        // Builds never talk to the API server, and a Dockerfile's RUN must not see its token.
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withAffinity(PodParts.coLocation(sb, buildId, pinnedNode));
    return new PodBuilder()
        .withMetadata(PodParts.metadata(sb, name, Labels.forStep(sb, buildId, step, attempt), annotations))
        .withSpec(spec.build())
        .build();
  }
}
