package dev.stagebuild.reconciler;

import dev.stagebuild.api.BuildArg;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildSpec;
import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.kaniko.BuildNames;
import dev.stagebuild.kaniko.SourceLog;
import dev.stagebuild.kaniko.SourceOutput;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.DockerignoreRewriter;
import dev.stagebuild.plan.Planner;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds the build's Dockerfile (inline, in the source ConfigMap, in the plan ConfigMap written
 * earlier, or in the source pod's log for a git source) and plans it.
 */
final class PlanResolver {
  static final String DEFAULT_DOCKERFILE = "Dockerfile";

  private final ClusterView cluster;
  private final StageBuild sb;
  private final String buildId;
  private SourceOutput sourceOutput;

  PlanResolver(ClusterView cluster, StageBuild sb, String buildId) {
    this.cluster = cluster;
    this.sb = sb;
    this.buildId = buildId;
  }

  PlanOutcome resolve(List<StepState> steps) {
    StageBuildSpec spec = sb.getSpec();
    try {
      if (spec.dockerfile != null && spec.dockerfile.inline != null) {
        return PlanOutcome.of(plan(spec.dockerfile.inline));
      }
      ConfigMap planCm = cluster.configMap(BuildNames.planConfigMapName(sb.getMetadata().getName(), buildId));
      if (planCm != null && planCm.getData() != null && planCm.getData().containsKey("plan.json")) {
        return PlanOutcome.of(cluster.fromJson(planCm.getData().get("plan.json"), BuildPlan.class));
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
              + "' (the Dockerfile); add it, or set spec.dockerfile.inline");
        }
        return PlanOutcome.of(plan(text));
      }
      StepState source = steps.stream().filter(s -> BuildDecider.SOURCE_STEP.equals(s.step())
          && s.phase() == StepPhase.SUCCEEDED).findFirst().orElse(null);
      if (source == null) {
        return PlanOutcome.awaitingSource();
      }
      SourceOutput out = sourceOutput(source.podName());
      if (out.dockerfile() == null) {
        throw new DockerfileException(DockerfileException.Kind.INVALID_SPEC, 0, "the source has no file '"
            + dockerfilePath() + "' (spec.dockerfile.path, relative to the context directory)");
      }
      return PlanOutcome.of(plan(out.dockerfile()));
    } catch (DockerfileException e) {
      return PlanOutcome.failed(e);
    }
  }

  /** The source's .dockerignore rewritten for the shared context (empty when it has none). */
  String rewrittenDockerignore(List<StepState> steps) {
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
    } else if (spec.source != null && spec.source.git != null) {
      String pod = steps.stream().filter(s -> BuildDecider.SOURCE_STEP.equals(s.step())
          && s.phase() == StepPhase.SUCCEEDED).map(StepState::podName).findFirst().orElse(null);
      original = pod == null ? null : sourceOutput(pod).dockerignore();
    }
    return DockerignoreRewriter.rewrite(original);
  }

  private SourceOutput sourceOutput(String podName) {
    if (sourceOutput == null) {
      sourceOutput = SourceLog.parse(cluster.podLog(podName));
    }
    return sourceOutput;
  }

  private BuildPlan plan(String dockerfile) {
    Map<String, String> args = new LinkedHashMap<>();
    for (BuildArg a : sb.getSpec().buildArgs == null ? List.<BuildArg>of() : sb.getSpec().buildArgs) {
      args.put(a.name, a.value == null ? "" : a.value);
    }
    String target = sb.getSpec().target;
    return Planner.plan(dockerfile, args, target == null || target.isBlank() ? null : target,
        Planner.secretIds(sb.getSpec().secrets));
  }

  private String dockerfilePath() {
    var d = sb.getSpec().dockerfile;
    return d == null || d.path == null || d.path.isBlank() ? DEFAULT_DOCKERFILE : d.path;
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
