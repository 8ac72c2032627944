package dev.stagebuild.kaniko;

import dev.stagebuild.api.StageBuild;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.Map;

/**
 * The pod that removes a finished build's sub-directory of a shared workspace claim
 * ({@code spec.workspace.claimName}): a per-build claim is deleted instead, a shared one would
 * otherwise grow with every build. It mounts the StageBuild's directory ({@code <uid>}) and runs
 * busybox {@code rm} on {@code <build id>} directly, without a shell: the build id is the
 * operator's ({@code <generation>[-<hex>]}), and even so it is passed as an argument, not as text.
 */
final class WorkspaceCleanupPods {
  /** The step key: ':' is in no stage name, so no stage pod shares its name or labels. */
  static final String STEP = "workspace:cleanup";
  static final String CONTAINER = "cleanup";
  static final String MOUNT = InPod.BASE + "/builds";

  private WorkspaceCleanupPods() {}

  static Pod render(String executorImage, StageBuild sb, String buildId, int attempt) {
    String claim = PodParts.sharedClaim(sb);
    if (claim == null) {
      throw new IllegalArgumentException("StageBuild " + sb.getMetadata().getName() + " has no shared workspace claim");
    }
    if (!buildId.matches("[0-9]+(-[0-9a-f]+)?")) {
      throw new IllegalArgumentException("not a build id: " + buildId);
    }
    Container container = new ContainerBuilder()
        .withName(CONTAINER)
        .withImage(executorImage)
        .withCommand("/busybox/rm", "-rf", "--", MOUNT + "/" + buildId)
        .withVolumeMounts(new VolumeMountBuilder().withName(PodParts.WORKSPACE_VOLUME).withMountPath(MOUNT)
            .withSubPath(sb.getMetadata().getUid()).build())
        .withNewResources()
          .addToRequests("cpu", new Quantity("10m"))
          .addToRequests("memory", new Quantity("16Mi"))
          .addToLimits("memory", new Quantity("64Mi"))
        .endResources()
        .withTerminationMessagePolicy(PodParts.FALLBACK_TO_LOGS)
        // root, as the stage pods that wrote the files; of their capabilities only what removing
        // another user's files in another user's directories takes
        .withSecurityContext(new io.fabric8.kubernetes.api.model.SecurityContextBuilder()
            .withAllowPrivilegeEscalation(false).withPrivileged(false)
            .withNewCapabilities().withDrop("ALL").withAdd("DAC_OVERRIDE", "FOWNER").endCapabilities()
            .build())
        .build();
    String name = BuildNames.podName(sb.getMetadata().getName(), buildId, STEP, attempt);
    Pod pod = PodParts.pod(sb, buildId, name, STEP, attempt, Map.of(Labels.STEP_ANNOTATION, STEP),
        new PodSpecBuilder()
            .withSecurityContext(PodParts.stagePodSecurity())
            // rm of a build's files takes seconds; a stuck mount must not hold a node forever
            .withActiveDeadlineSeconds(600L)
            .addToVolumes(PodParts.workspaceVolume(sb, buildId))
            .addToContainers(container),
        null);
    // No co-location with the build's pods: they have ended, and the scheduler does not count ended
    // pods for affinity, so a required affinity to them could never be met.
    pod.getSpec().setAffinity(null);
    return pod;
  }

  static boolean isCleanup(Pod pod) {
    Map<String, String> a = pod.getMetadata().getAnnotations();
    return a != null && STEP.equals(a.get(Labels.STEP_ANNOTATION));
  }
}
