package dev.stagebuild.kaniko;

import dev.stagebuild.api.BuildArg;
import dev.stagebuild.api.Cache;
import dev.stagebuild.api.Executor;
import dev.stagebuild.api.StageBuildSpec;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.PodPlan;
import dev.stagebuild.registry.ImageReference;
import java.util.ArrayList;
import java.util.List;

/** The Kaniko executor's arguments for one pod: each one a separate argv entry, never shell text. */
final class ExecutorArgs {
  private ExecutorArgs() {}

  static List<String> of(StageBuildSpec spec, BuildPlan plan, PodPlan pod) {
    List<String> args = new ArrayList<>();
    args.add("--dockerfile=" + InPod.PLAN + "/" + pod.name() + ".Dockerfile");
    args.add("--context=dir://" + InPod.CONTEXT);
    args.add("--target=" + pod.target());
    if (plan.targetStage() != null) {
      // kaniko sets TARGETSTAGE to the stage it builds last, here the pod's --target: the build's
      // is given instead (a TARGETSTAGE in spec.buildArgs comes after, and wins)
      args.add("--build-arg=TARGETSTAGE=" + plan.targetStage());
    }
    if (spec.buildArgs != null) {
      for (BuildArg arg : spec.buildArgs) {
        // K=V, or a bare K for a value from a Secret: kaniko then takes it from the pod's
        // environment, where the pod has it from the Secret (StagePods).
        args.add(arg.fromSecret() ? "--build-arg=" + arg.name
            : "--build-arg=" + arg.name + "=" + (arg.value == null ? "" : arg.value));
      }
    }
    for (int n : BuildSecrets.used(spec, pod)) {
      // kaniko reads the file when a RUN mounts the secret: the value never is an argument
      args.add("--secret=id=" + spec.secrets.get(n).id + ",src=" + BuildSecrets.dir(n) + "/" + BuildSecrets.FILE);
    }
    String image = spec.output.image;
    if (pod.isFinal()) {
      args.add("--destination=" + image);
      args.add("--digest-file=" + InPod.DIGEST_FILE);
    } else {
      args.add("--no-push");
    }
    if (pod.exports() != null && !pod.exports().isEmpty() || !pod.excluded().isEmpty()) {
      // Kaniko skips unpacking a stage's base image when no instruction needs it (or every layer
      // is cached); the exports are copied from the root afterwards, so it must hold the image.
      args.add("--materialize");
      // and only the image: kaniko unpacks the first stage over the executor's own files
      // (/etc/nsswitch.conf, /workspace), which an export of / would take along
      args.add("--pre-cleanup");
    }
    if (Boolean.TRUE.equals(spec.output.insecure)) {
      args.add("--insecure");
      args.add("--insecure-pull");
      args.add("--skip-tls-verify");
      args.add("--skip-tls-verify-pull");
    }
    if (spec.output.caBundleRef != null) {
      // kaniko v1.28.3 has no flag for an extra trusted authority for all registries: the bundle is
      // trusted (besides the system's) for the output registry, by the name kaniko gives it.
      args.add("--registry-certificate=" + registryName(image) + "=" + InPod.CA_BUNDLE);
    }
    Executor executor = spec.executor;
    Cache cache = executor == null ? null : executor.cache;
    if (cache != null && Boolean.TRUE.equals(cache.enabled)) {
      args.add("--cache=true");
      // Explicit even for the final pod: producers have no --destination to infer it from.
      args.add("--cache-repo=" + (isBlank(cache.repository) ? repository(image) + "/cache" : cache.repository));
    }
    if (executor != null && executor.args != null) {
      args.addAll(executor.args);
    }
    return args;
  }

  /**
   * The registry's name as kaniko (go-containerregistry's {@code name.Registry.Name()}) looks
   * {@code --registry-certificate} up by: host and port as given, {@code index.docker.io} for {@code docker.io}
   * (or no registry).
   */
  static String registryName(String image) {
    ImageReference ref = ImageReference.parse(image);
    // go-containerregistry rewrites only "docker.io" (also when no registry is given)
    return ref.registry().equals(ImageReference.DEFAULT_REGISTRY) ? ImageReference.DEFAULT_REGISTRY_INDEX_HOST
        : ref.registry();
  }

  /** The image reference without its tag or digest: registry:5000/team/app:1.0 is registry:5000/team/app. */
  static String repository(String image) {
    String ref = image;
    int at = ref.indexOf('@');
    if (at >= 0) {
      ref = ref.substring(0, at);
    }
    int colon = ref.lastIndexOf(':');
    if (colon > ref.lastIndexOf('/')) {
      ref = ref.substring(0, colon);
    }
    return ref;
  }

  private static boolean isBlank(String s) {
    return s == null || s.isBlank();
  }
}
