package dev.stagebuild.reconciler;

import dev.stagebuild.RootCause;
import dev.stagebuild.Texts;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildSpec;
import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.kaniko.BuildNames;
import dev.stagebuild.kaniko.KanikoResources;
import dev.stagebuild.kaniko.SourceLog;
import dev.stagebuild.kaniko.SourceOutput;
import dev.stagebuild.plan.BuildCheck;
import dev.stagebuild.security.SpecValidator;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.DockerignoreRewriter;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

/**
 * Finds the build's plan: in the plan cache, else by planning the Dockerfile (inline, in the source
 * ConfigMap, or, for a git source, read once from the source pod's log), else in the plan ConfigMap
 * an earlier run of the operator wrote. Every plan found is cached with its .dockerignore.
 */
final class PlanResolver {
  static final String DEFAULT_DOCKERFILE = "Dockerfile";

  private final ClusterView cluster;
  private final PlanCache cache;
  private final StageBuild sb;
  private final String buildId;

  PlanResolver(ClusterView cluster, PlanCache cache, StageBuild sb, String buildId) {
    this.cluster = cluster;
    this.cache = cache;
    this.sb = sb;
    this.buildId = buildId;
  }

  /**
   * @param planWritten a stage pod of this build exists or existed: the plan ConfigMap was written
   * @param sourcePod the succeeded source pod of a git build, or null
   */
  PlanOutcome resolve(boolean planWritten, String sourcePod) {
    String uid = sb.getMetadata().getUid();
    PlanCache.Entry cached = cache.get(uid, buildId);
    if (cached != null) {
      return PlanOutcome.of(cached.plan());
    }
    StageBuildSpec spec = sb.getSpec();
    try {
      // The spec is checked before anything runs, also for a git build whose Dockerfile comes later.
      SpecValidator.validate(sb);
      if (spec.dockerfile != null && spec.dockerfile.inline != null) {
        return remember(plan(spec.dockerfile.inline), configMapDockerignore());
      }
      if (planWritten) {
        PlanOutcome fromConfigMap = fromPlanConfigMap();
        if (fromConfigMap != null) {
          return fromConfigMap;
        }
      }
      if (spec.source == null) {
        throw new DockerfileException(DockerfileException.Kind.INVALID_SPEC, 0,
            "there is no source to read the Dockerfile from: set spec.dockerfile.inline, or spec.source");
      }
      if (spec.source.configMap != null) {
        ConfigMap cm = cluster.configMap(spec.source.configMap.name);
        if (cm == null) {
          return PlanOutcome.awaitingSource();
        }
        String text = key(cm, dockerfilePath());
        if (text == null) {
          throw new DockerfileException(DockerfileException.Kind.INVALID_SPEC, 0, "ConfigMap "
              + spec.source.configMap.name + " has no key '" + dockerfilePath()
              + "' (the Dockerfile); add it, or set spec.dockerfile.inline"
              + (dockerfilePath().contains("/") ? " (a ConfigMap key cannot hold '/': every key is a file at the"
                  + " context's root)" : ""));
        }
        return remember(plan(text), configMapDockerignore());
      }
      if (sourcePod == null) {
        return PlanOutcome.awaitingSource();
      }
      SourceOutput out;
      try {
        out = SourceLog.parse(cluster.podLog(sourcePod));
      } catch (DockerfileException e) {
        // A Dockerfile that is not UTF-8 text stays so; a cut or garbled log may read well next time.
        return e.getMessage().contains("UTF-8") ? PlanOutcome.failed(e) : PlanOutcome.sourceUnreadable(e.getMessage());
      } catch (KubernetesClientException e) {
        if (e.getCode() == 404 || e.getCode() == 400) {
          // The pod (or its log) is gone: pod GC, a drained node, log rotation.
          return PlanOutcome.sourceUnreadable("the source pod's log cannot be read: " + ApiErrors.message(e));
        }
        throw e;
      }
      if (out.dockerfile() == null) {
        // The source script fails when the Dockerfile is missing, so a succeeded pod printed it: the
        // log lost it (rotated, or cut at the byte limit).
        return PlanOutcome.sourceUnreadable("the source pod's log does not hold the Dockerfile (rotated or over "
            + ClusterView.MAX_SOURCE_LOG_BYTES + " bytes)");
      }
      return remember(plan(out.dockerfile()), DockerignoreRewriter.rewrite(out.dockerignore()));
    } catch (DockerfileException e) {
      return PlanOutcome.failed(e);
    }
  }

  /** The rewritten .dockerignore of this build (cached with the plan). */
  String dockerignore() {
    PlanCache.Entry cached = cache.get(sb.getMetadata().getUid(), buildId);
    return cached == null ? DockerignoreRewriter.rewrite(null) : cached.dockerignore();
  }

  private PlanOutcome fromPlanConfigMap() {
    ConfigMap planCm = cluster.configMap(BuildNames.planConfigMapName(sb.getMetadata().getName(), buildId));
    // Only the plan this StageBuild's operator wrote is read back: a ConfigMap someone else made under
    // its name is not (planned again instead; writing the plan then meets it as a NameConflict).
    if (planCm == null || planCm.getData() == null || !planCm.getData().containsKey(KanikoResources.PLAN_JSON_KEY)
        || !Actuator.controlledBy(planCm, sb)) {
      return null;
    }
    BuildPlan plan;
    try {
      plan = cluster.fromJson(planCm.getData().get(KanikoResources.PLAN_JSON_KEY), BuildPlan.class);
    } catch (RuntimeException unreadable) {
      // Not the API server's failure, and the same text fails the same way on every pass.
      throw new DockerfileException(DockerfileException.Kind.INVALID_SPEC, 0, "the plan of this build, ConfigMap "
          + planCm.getMetadata().getName() + ", cannot be read (written by another version of the operator, or"
          + " edited): " + Texts.cut(RootCause.message(unreadable), 300, "...") + "; start the build again: kubectl"
          + " annotate stagebuild " + sb.getMetadata().getName() + " " + StageBuild.REBUILD_ANNOTATION
          + "=\"$(date +%s)\" --overwrite");
    }
    String dockerignore = planCm.getData().getOrDefault(KanikoResources.DOCKERIGNORE_KEY, "");
    cache.put(sb.getMetadata().getUid(), buildId, new PlanCache.Entry(plan, dockerignore));
    return PlanOutcome.of(plan);
  }

  private PlanOutcome remember(BuildPlan plan, String dockerignore) {
    BuildCheck.checkDockerignore(DockerignoreRewriter.installed(plan, dockerignore));
    cache.put(sb.getMetadata().getUid(), buildId, new PlanCache.Entry(plan, dockerignore));
    return PlanOutcome.of(plan);
  }

  private String configMapDockerignore() {
    StageBuildSpec spec = sb.getSpec();
    String original = null;
    if (spec.source != null && spec.source.configMap != null) {
      ConfigMap cm = cluster.configMap(spec.source.configMap.name);
      if (cm != null) {
        original = key(cm, dockerfilePath() + ".dockerignore");
        if (original == null) {
          original = key(cm, ".dockerignore");
        }
      }
    }
    return DockerignoreRewriter.rewrite(original);
  }

  private BuildPlan plan(String dockerfile) {
    return BuildCheck.plan(sb, dockerfile);
  }

  /**
   * The Dockerfile's path as a key of the source ConfigMap: without "." segments and repeated
   * slashes ({@code ./Dockerfile} is the key {@code Dockerfile}), as a git source's context reads it.
   */
  private String dockerfilePath() {
    var d = sb.getSpec().dockerfile;
    String path = d == null || d.path == null || d.path.isBlank() ? DEFAULT_DOCKERFILE : d.path;
    String key = java.util.Arrays.stream(path.split("/")).filter(s -> !s.isEmpty() && !s.equals("."))
        .collect(java.util.stream.Collectors.joining("/"));
    return key.isEmpty() ? DEFAULT_DOCKERFILE : key;
  }

  private static String key(ConfigMap cm, String key) {
    if (cm.getData() != null && cm.getData().containsKey(key)) {
      return cm.getData().get(key);
    }
    if (cm.getBinaryData() != null && cm.getBinaryData().containsKey(key)) {
      return new String(Base64.getDecoder().decode(cm.getBinaryData().get(key)), StandardCharsets.UTF_8);
    }
    return null;
  }
}
