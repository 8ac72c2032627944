package dev.stagebuild.cli;

import dev.stagebuild.api.BuildArg;
import dev.stagebuild.api.DockerfileSpec;
import dev.stagebuild.api.Output;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildSpec;
import dev.stagebuild.kaniko.KanikoResources;
import dev.stagebuild.kaniko.RenderSettings;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.DockerignoreRewriter;
import dev.stagebuild.plan.PodPlan;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The objects the operator creates for the first build (generation 1) of a StageBuild: workspace,
 * plan ConfigMap, source pod and stage pods, rendered by the operator's own code.
 */
final class ClusterObjects {
  static final String BUILD_ID = "1";

  private ClusterObjects() {}

  /**
   * The StageBuild of the input, or one made up for a bare Dockerfile; flags from the command line applied.
   *
   * @param fromCommandLine the names of {@code buildArgs} the command line gave: the others keep the
   *     spec's entry, so an arg with {@code valueFrom} renders as the operator renders it (an
   *     environment variable from the Secret), not as an empty value
   */
  static StageBuild buildFor(PlanInput input, String file, Map<String, String> buildArgs,
      java.util.Set<String> fromCommandLine, String target) {
    StageBuild sb = input.build();
    if (sb == null) {
      sb = new StageBuild();
      String name = file.equals("-") ? "plan" : Path.of(file).getFileName().toString();
      sb.setMetadata(new ObjectMetaBuilder().withName(dnsName(name)).build());
      sb.setSpec(new StageBuildSpec());
      sb.getSpec().output = new Output();
      sb.getSpec().output.image = "registry.example.com/" + sb.getMetadata().getName() + ":latest";
    }
    if (sb.getMetadata() == null || sb.getMetadata().getName() == null) {
      sb.setMetadata(new ObjectMetaBuilder().withName("plan")
          .withNamespace(sb.getMetadata() == null ? null : sb.getMetadata().getNamespace()).build());
    }
    if (sb.getSpec().output == null || sb.getSpec().output.image == null) {
      sb.getSpec().output = new Output();
      sb.getSpec().output.image = "registry.example.com/" + sb.getMetadata().getName() + ":latest";
    }
    if (sb.getMetadata().getNamespace() == null) {
      sb.getMetadata().setNamespace("default");
    }
    sb.getMetadata().setGeneration(1L);
    StageBuildSpec spec = sb.getSpec();
    spec.dockerfile = new DockerfileSpec();
    spec.dockerfile.inline = input.dockerfile();
    spec.target = target;
    Map<String, BuildArg> fromSpec = new java.util.HashMap<>();
    if (spec.buildArgs != null) {
      for (BuildArg a : spec.buildArgs) {
        if (a != null && a.name != null) {
          fromSpec.putIfAbsent(a.name, a);
        }
      }
    }
    spec.buildArgs = new ArrayList<>();
    buildArgs.forEach((k, v) -> spec.buildArgs.add(
        !fromCommandLine.contains(k) && fromSpec.containsKey(k) && fromSpec.get(k).fromSecret()
            ? fromSpec.get(k) : new BuildArg(k, v)));
    return sb;
  }

  /** @param dockerignore the source's .dockerignore when known (plan --context), else null */
  static List<HasMetadata> of(StageBuild sb, BuildPlan plan, String dockerignore) {
    KanikoResources resources = new KanikoResources(RenderSettings.defaults());
    List<HasMetadata> objects = new ArrayList<>();
    if (KanikoResources.sharedWorkspaceClaim(sb) == null) {
      objects.add(resources.workspace(sb, BUILD_ID)); // a shared claim exists already
    }
    // Without --context the source's .dockerignore is only known once the source is fetched.
    objects.add(resources.planConfigMap(sb, BUILD_ID, plan, DockerignoreRewriter.rewrite(dockerignore)));
    if (sb.getSpec().source != null) {
      objects.add(resources.sourcePod(sb, BUILD_ID, List.of()));
    }
    for (PodPlan pod : plan.pods()) {
      objects.add(resources.stagePod(sb, BUILD_ID, plan, pod, 1, null));
    }
    return objects;
  }

  private static String dnsName(String fileName) {
    String n = fileName.toLowerCase().replaceAll("[^a-z0-9-]", "-").replaceAll("^-+|-+$", "");
    return n.isEmpty() ? "plan" : n;
  }
}
