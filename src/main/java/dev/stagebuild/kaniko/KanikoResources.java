package dev.stagebuild.kaniko;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageSettings;
import dev.stagebuild.api.Workspace;
import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.Budgets;
import dev.stagebuild.plan.DockerignoreRewriter;
import dev.stagebuild.plan.ExcludePatterns;
import dev.stagebuild.plan.ExcludedExport;
import dev.stagebuild.plan.PodPlan;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import java.nio.charset.StandardCharsets;
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
  public static final String CLEANUP_CONTAINER = WorkspaceCleanupPods.CONTAINER;
  /** ConfigMap keys of the plan ConfigMap besides the per-pod {@code <pod>.Dockerfile} and {@code <pod>.exports}. */
  public static final String PLAN_JSON_KEY = "plan.json";
  public static final String DOCKERIGNORE_KEY = "dockerignore";
  /** The stage script's key in the plan ConfigMap (a pod name cannot make this key: it has no suffix). */
  public static final String STAGE_SCRIPT_KEY = "stage.sh";
  /** A stage pod's whole shell program: run the script of the mounted plan, with the pod's arguments. */
  public static final String RUN_STAGE_SCRIPT = ". \"$SB_PLAN/" + STAGE_SCRIPT_KEY + "\"";
  public static final String DOCKERFILE_SUFFIX = ".Dockerfile";
  public static final String EXPORTS_SUFFIX = ".exports";
  public static final String MOUNTED_SUFFIX = ".mounted";
  /** What the pod exports for COPY --exclude ({@link #excludesFile}); only when there is something. */
  public static final String EXCLUDES_SUFFIX = ".excludes";
  /**
   * What the pod copies for COPY --exclude from the build context, before the executor runs, in the
   * format of {@link #excludesFile}; only when there is something.
   */
  public static final String CONTEXT_EXCLUDES_SUFFIX = ".context-excludes";
  /** The API server refuses a ConfigMap over 1 MiB. */
  static final int MAX_CONFIGMAP_BYTES = Budgets.MAX_CONFIGMAP_BYTES;

  private static final Pattern POD_NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
  private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private final RenderSettings settings;

  public KanikoResources(RenderSettings settings) {
    this.settings = settings;
  }

  public RenderSettings settings() {
    return settings;
  }

  /** The settings the plan pod is rendered with (its target's, or a chained stage's); or null. */
  public static StageSettings stageSettings(StageBuild sb, PodPlan pod) {
    return PodParts.settingsFor(sb, pod);
  }

  /** The node the operator pinned this pod to, or null (read as {@link PodParts} writes it). */
  public static String pinnedNode(Pod pod) {
    return PodParts.pinnedNode(pod);
  }

  /** A ReadWriteMany workspace: the build's pods need not share a node. */
  public static boolean sharedAcrossNodes(StageBuild sb) {
    return PodParts.sharedAcrossNodes(sb);
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
   * per line), {@code <pod>.excludes}, {@code <pod>.context-excludes}, {@code dockerignore} and
   * {@code plan.json}. Immutable: a build's plan never changes.
   */
  public ConfigMap planConfigMap(StageBuild sb, String buildId, BuildPlan plan, String rewrittenDockerignore) {
    Map<String, String> data = planData(plan, rewrittenDockerignore);
    long bytes = bytes(data);
    if (bytes > MAX_CONFIGMAP_BYTES) {
      // BuildCheck refuses such a plan before it is rendered; only an oversized .dockerignore gets here
      throw new DockerfileException(DockerfileException.Kind.TOO_LARGE, 0, "the plan ConfigMap would hold "
          + bytes + " bytes, over the API server's limit of 1 MiB");
    }
    return new ConfigMapBuilder()
        .withMetadata(PodParts.metadata(sb, BuildNames.planConfigMapName(sb.getMetadata().getName(), buildId),
            Labels.forBuild(sb, buildId), null))
        .withImmutable(true)
        .withData(data)
        .build();
  }

  /** The plan ConfigMap's data; {@link dev.stagebuild.plan.BuildCheck} measures it before anything is rendered. */
  public static Map<String, String> planData(BuildPlan plan, String rewrittenDockerignore) {
    Map<String, String> data = new LinkedHashMap<>();
    data.put(PLAN_JSON_KEY, toJson(plan));
    // the context exports are under exclude/<key>/: the .dockerignore must hold for them as for src/
    data.put(DOCKERIGNORE_KEY, DockerignoreRewriter.installed(plan, rewrittenDockerignore));
    // The stage pods run the script from here, so that each pod (and each informer's cache of it)
    // does not carry its 10 KB in the container command.
    data.put(STAGE_SCRIPT_KEY, Scripts.STAGE);
    for (PodPlan pod : plan.pods()) {
      checkPodName(pod.name());
      data.put(pod.name() + DOCKERFILE_SUFFIX, pod.dockerfile());
      data.put(pod.name() + EXPORTS_SUFFIX, exportsFile(pod.exports()));
      if (!pod.excluded().isEmpty()) {
        data.put(pod.name() + EXCLUDES_SUFFIX, excludesFile(pod.excluded()));
      }
      if (!pod.contextExcluded().isEmpty()) {
        data.put(pod.name() + CONTEXT_EXCLUDES_SUFFIX, excludesFile(pod.contextExcluded()));
      }
      if (pod.mounted()) {
        // stage.sh also leaves the exports as context/mounts/<pod>/ for a consumer's bind mount
        data.put(pod.name() + MOUNTED_SUFFIX, "true\n");
      }
    }
    return data;
  }

  /** Bytes of a ConfigMap's data as the API server counts them (keys and UTF-8 values). */
  public static long bytes(Map<String, String> data) {
    return data.entrySet().stream()
        .mapToLong(e -> e.getKey().length() + e.getValue().getBytes(StandardCharsets.UTF_8).length)
        .sum();
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

  /**
   * The stage script reads this with {@code read -r}, one line at a time: for each export
   * {@code = <key> <line>}, then the pivots of a {@code COPY --parents} ({@code . <directory>}),
   * then its paths (each starting with {@code /}), then its patterns ({@code - <elements>} or
   * {@code + <elements>}, see {@link ExcludePatterns#parse}).
   */
  static String excludesFile(List<ExcludedExport> excluded) {
    StringBuilder out = new StringBuilder();
    for (ExcludedExport e : excluded) {
      if (!e.key().matches("[0-9a-f]{12}")) {
        throw new IllegalArgumentException("invalid exclusion key: " + e.key());
      }
      out.append("= ").append(e.key()).append(' ').append(e.line()).append('\n');
      // the pivots first: the script checks them before it matches the paths below them
      List<String> lines = new java.util.ArrayList<>(e.pivots().stream().map(p -> ". " + p).toList());
      lines.addAll(e.paths());
      lines.addAll(e.matcherLines());
      for (String line : lines) {
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
          throw new IllegalArgumentException("export line with a line break: " + line);
        }
        out.append(line).append('\n');
      }
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

  static void checkPodName(String name) {
    // The name is a ConfigMap key prefix and a file name under context/from/.
    if (name == null || !POD_NAME.matcher(name).matches()) {
      throw new IllegalArgumentException("invalid plan pod name '" + name + "': expected [a-z0-9][a-z0-9._-]*");
    }
  }

  // --- pods -------------------------------------------------------------------------------------

  public Pod sourcePod(StageBuild sb, String buildId, List<String> configMapKeys) {
    return sourcePod(sb, buildId, configMapKeys, 1, null);
  }

  /**
   * The pod that puts the build context into the workspace: git clone (alpine/git) or the
   * ConfigMap's keys (the executor image's busybox). {@code configMapKeys} limits which keys of a
   * configMap source are mounted; null or empty mounts them all.
   */
  public Pod sourcePod(StageBuild sb, String buildId, List<String> configMapKeys, int attempt, String pinnedNode) {
    return withAccount(SourcePods.render(settings.gitImage(), executorImage(sb), sb, buildId, configMapKeys, attempt,
        pinnedNode));
  }

  /** {@code spec.workspace.claimName}: the existing claim the build's workspace is a sub-directory of, or null. */
  public static String sharedWorkspaceClaim(StageBuild sb) {
    return PodParts.sharedClaim(sb);
  }

  /** The pod that removes a finished build's sub-directory of its shared workspace claim. */
  public Pod workspaceCleanupPod(StageBuild sb, String buildId) {
    return workspaceCleanupPod(sb, buildId, 1);
  }

  /** Attempt {@code attempt} of {@link #workspaceCleanupPod(StageBuild, String)}. */
  public Pod workspaceCleanupPod(StageBuild sb, String buildId, int attempt) {
    return withAccount(WorkspaceCleanupPods.render(executorImage(sb), sb, buildId, attempt));
  }

  /** Whether {@code pod} is a {@link #workspaceCleanupPod}: not a step of its build. */
  public static boolean isWorkspaceCleanup(Pod pod) {
    return WorkspaceCleanupPods.isCleanup(pod);
  }

  /** The pod that builds {@code pod}'s chain of stages with Kaniko and then copies its exports out. */
  public Pod stagePod(StageBuild sb, String buildId, BuildPlan plan, PodPlan pod, int attempt, String pinnedNode) {
    checkPodName(pod.name());
    plan.pod(pod.name()); // fails when the pod is not part of this plan
    return withAccount(StagePods.render(executorImage(sb), sb, buildId, plan, pod, attempt, pinnedNode));
  }

  /** The ServiceAccount every build pod runs as (null: the namespace's default). */
  public String buildServiceAccount() {
    return settings.buildServiceAccount();
  }

  private Pod withAccount(Pod pod) {
    pod.getSpec().setServiceAccountName(settings.buildServiceAccount());
    return pod;
  }
}
