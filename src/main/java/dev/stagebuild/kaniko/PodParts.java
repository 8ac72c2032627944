package dev.stagebuild.kaniko;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageSettings;
import dev.stagebuild.api.Workspace;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.List;
import java.util.Map;

/** Pieces every object of a build shares: metadata, owner, co-location, the workspace volume. */
final class PodParts {
  static final String WORKSPACE_VOLUME = "workspace";
  static final String HOSTNAME_TOPOLOGY = "kubernetes.io/hostname";
  static final String READ_WRITE_MANY = "ReadWriteMany";

  private PodParts() {}

  static final String FALLBACK_TO_LOGS = "FallbackToLogsOnError";
  static final String ISTIO_INJECT = "sidecar.istio.io/inject";
  /**
   * A build pod must end when its build container ends: meshes and secret agents are asked not to
   * inject sidecars (Istio reads the label in recent versions and the annotation in older ones).
   * Where a webhook injects one anyway, the reconciler reads the build container by name.
   */
  static final Map<String, String> NO_INJECTION = Map.of(ISTIO_INJECT, "false", "linkerd.io/inject", "disabled",
      "vault.hashicorp.com/agent-inject", "false");

  /** A build pod: runs once, sees no API server token or service links, stays with its build. */
  static Pod pod(StageBuild sb, String buildId, String name, String step, int attempt,
      Map<String, String> annotations, PodSpecBuilder spec, String pinnedNode) {
    if (attempt < 1) {
      throw new IllegalArgumentException("attempt must be 1 or more, got " + attempt);
    }
    spec.withRestartPolicy("Never")
        // Builds never talk to the API server, and a Dockerfile's RUN must not see a token.
        .withAutomountServiceAccountToken(false)
        .withEnableServiceLinks(false)
        .withAffinity(coLocation(sb, buildId, pinnedNode));
    Map<String, String> all = new java.util.LinkedHashMap<>(NO_INJECTION);
    if (annotations != null) {
      all.putAll(annotations);
    }
    Map<String, String> labels = Labels.forStep(sb, buildId, step, attempt);
    labels.put(ISTIO_INJECT, "false");
    return new PodBuilder()
        .withMetadata(metadata(sb, name, labels, all))
        .withSpec(spec.build())
        .build();
  }

  static ObjectMeta metadata(StageBuild sb, String name, Map<String, String> labels,
      Map<String, String> annotations) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(sb.getMetadata().getNamespace())
        .withLabels(labels)
        .withAnnotations(annotations == null || annotations.isEmpty() ? null : annotations)
        .withOwnerReferences(owner(sb))
        .build();
  }

  /** Garbage collection removes everything a build made together with its StageBuild. */
  static OwnerReference owner(StageBuild sb) {
    return new OwnerReferenceBuilder()
        .withApiVersion(StageBuild.GROUP + "/" + StageBuild.VERSION)
        .withKind("StageBuild")
        .withName(sb.getMetadata().getName())
        .withUid(sb.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }

  static boolean sharedAcrossNodes(StageBuild sb) {
    Workspace ws = sb.getSpec().workspace;
    return ws != null && ws.accessModes != null && ws.accessModes.contains(READ_WRITE_MANY);
  }

  /**
   * A ReadWriteOnce workspace can be mounted on one node only: every pod of the build asks for
   * the node where the build's other pods run, and, once the reconciler knows that node, is pinned
   * to it (a pod affinity alone lets two pods created at the same moment land apart).
   */
  static Affinity coLocation(StageBuild sb, String buildId, String pinnedNode) {
    if (sharedAcrossNodes(sb)) {
      return null;
    }
    Map<String, String> build = Labels.forBuild(sb, buildId);
    AffinityBuilder affinity = new AffinityBuilder()
        .withNewPodAffinity()
          .addNewRequiredDuringSchedulingIgnoredDuringExecution()
            .withNewLabelSelector()
              .addToMatchLabels(Labels.BUILD_ID, build.get(Labels.BUILD_ID))
              .addToMatchLabels(Labels.BUILD, build.get(Labels.BUILD))
            .endLabelSelector()
            .withTopologyKey(HOSTNAME_TOPOLOGY)
          .endRequiredDuringSchedulingIgnoredDuringExecution()
        .endPodAffinity();
    if (pinnedNode != null) {
      affinity.withNewNodeAffinity()
          .withNewRequiredDuringSchedulingIgnoredDuringExecution()
            .addNewNodeSelectorTerm()
              .addNewMatchField()
                .withKey("metadata.name")
                .withOperator("In")
                .withValues(pinnedNode)
              .endMatchField()
            .endNodeSelectorTerm()
          .endRequiredDuringSchedulingIgnoredDuringExecution()
          .endNodeAffinity();
    }
    return affinity.build();
  }

  static Volume workspaceVolume(StageBuild sb, String buildId) {
    return new VolumeBuilder()
        .withName(WORKSPACE_VOLUME)
        .withNewPersistentVolumeClaim()
          .withClaimName(BuildNames.pvcName(sb.getMetadata().getName(), buildId))
        .endPersistentVolumeClaim()
        .build();
  }

  static VolumeMount mount(String volume, String path, boolean readOnly) {
    return new VolumeMountBuilder()
        .withName(volume)
        .withMountPath(path)
        .withReadOnly(readOnly ? Boolean.TRUE : null)
        .build();
  }

  static EnvVar env(String name, String value) {
    return new EnvVar(name, value, null);
  }

  /** The settings of the stage with this name (case-insensitive), or null. */
  static StageSettings settingsFor(StageBuild sb, String stage) {
    List<StageSettings> all = sb.getSpec().stages;
    if (all == null) {
      return null;
    }
    return all.stream()
        .filter(s -> s != null && s.name != null && s.name.equalsIgnoreCase(stage))
        .findFirst()
        .orElse(null);
  }
}
