package dev.stagebuild.kaniko;

import dev.stagebuild.api.DockerfileSpec;
import dev.stagebuild.api.GitSource;
import dev.stagebuild.api.Source;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.security.SpecValidator;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The source pod: git clone (the git image) or a ConfigMap's keys (the executor image's busybox). */
final class SourcePods {
  private SourcePods() {}

  static Pod render(String gitImage, String executorImage, StageBuild sb, String buildId,
      List<String> configMapKeys, int attempt, String pinnedNode) {
    Source source = sb.getSpec().source;
    if (source == null || (source.git == null && source.configMap == null)) {
      throw new IllegalArgumentException("StageBuild " + sb.getMetadata().getName() + " has no source");
    }
    List<Volume> volumes = new ArrayList<>();
    List<VolumeMount> mounts = new ArrayList<>();
    List<EnvVar> env = new ArrayList<>();
    volumes.add(PodParts.workspaceVolume(sb, buildId));
    mounts.add(PodParts.workspaceMount(sb, buildId));
    // The root filesystem is read-only: the script's temporary files (askpass helper, key copy) go here.
    volumes.add(new VolumeBuilder().withName("tmp").withNewEmptyDir().withSizeLimit(new Quantity("64Mi")).endEmptyDir().build());
    mounts.add(PodParts.mount("tmp", "/tmp", false));
    env.add(PodParts.env("SB_WORKSPACE", InPod.WORKSPACE));
    env.add(PodParts.env("SB_TERMINATION_LOG", InPod.TERMINATION_LOG));

    String image;
    String shell;
    if (source.git != null) {
      image = gitImage;
      shell = InPod.GIT_SHELL;
      git(source.git, volumes, mounts, env);
    } else {
      image = executorImage;
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
    DockerfileSpec dockerfile = sb.getSpec().dockerfile;
    boolean inline = dockerfile != null && dockerfile.inline != null;
    String path = dockerfile != null && dockerfile.path != null && !dockerfile.path.isBlank() ? dockerfile.path : "Dockerfile";
    env.add(PodParts.env("SB_DOCKERFILE", path));
    // An inline Dockerfile is in the spec already; the operator only needs the .dockerignore.
    env.add(PodParts.env("SB_PRINT_DOCKERFILE", Boolean.toString(!inline)));

    Container container = new ContainerBuilder()
        .withName(KanikoResources.SOURCE_CONTAINER)
        .withImage(image)
        .withCommand(shell, "-c", Scripts.SOURCE, "source")
        .withEnv(env)
        .withVolumeMounts(mounts)
        .withTerminationMessagePath(InPod.TERMINATION_LOG)
        .withTerminationMessagePolicy(PodParts.FALLBACK_TO_LOGS)
        .withSecurityContext(PodParts.sourceContainerSecurity())
        .build();
    String step = BuildNames.SOURCE_STEP;
    String name = BuildNames.podName(sb.getMetadata().getName(), buildId, step, attempt);
    PodSpecBuilder spec = new PodSpecBuilder().withVolumes(volumes).withContainers(container)
        .withSecurityContext(PodParts.sourcePodSecurity());
    if (!PodParts.sharedAcrossNodes(sb)) {
      // The source pod binds a ReadWriteOnce workspace to its node: one every stage can run on.
      var placement = PodParts.oneNodePlacement(sb);
      spec.withNodeSelector(placement.nodeSelector()).withTolerations(placement.tolerations());
    }
    return PodParts.pod(sb, buildId, name, step, attempt, Map.of(Labels.STEP_ANNOTATION, step), spec, pinnedNode);
  }

  private static void git(GitSource git, List<Volume> volumes, List<VolumeMount> mounts, List<EnvVar> env) {
    env.add(PodParts.env("SB_SOURCE_KIND", "git"));
    env.add(PodParts.env("SB_GIT_URL", git.url));
    env.add(PodParts.env("SB_GIT_REVISION", git.revision == null ? "" : git.revision));
    env.add(PodParts.env("SB_CONTEXT_DIR", SpecValidator.normalContextDir(git.contextDir)));
    if (Boolean.TRUE.equals(git.insecureSkipHostKeyCheck)) {
      env.add(PodParts.env("SB_GIT_SKIP_HOST_KEY_CHECK", "true"));
    }
    if (git.secretRef != null) {
      // Credentials stay in files (group-readable: the pod's fsGroup is the non-root user's group).: the script hands them to git through GIT_ASKPASS or ssh -i.
      volumes.add(new VolumeBuilder().withName("git-secret")
          .withNewSecret().withSecretName(git.secretRef.name).withDefaultMode(0440).endSecret()
          .build());
      mounts.add(PodParts.mount("git-secret", InPod.GIT_SECRET, true));
      env.add(PodParts.env("SB_GIT_SECRET", InPod.GIT_SECRET));
    }
  }
}
