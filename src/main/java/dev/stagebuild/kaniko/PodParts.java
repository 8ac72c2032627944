package dev.stagebuild.kaniko;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageSettings;
import dev.stagebuild.api.Workspace;
import dev.stagebuild.dockerfile.StageNames;
import io.fabric8.kubernetes.api.model.Affinity;
import io.fabric8.kubernetes.api.model.AffinityBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.PodSecurityContextBuilder;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
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
  /** How a pod is pinned to a node: a required node selector requirement on the node's name. */
  private static final String NODE_NAME_FIELD = "metadata.name";
  private static final String NODE_IN = "In";

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
    return Workspace.spansNodes(sb.getSpec().workspace);
  }

  /** The existing claim the build's workspace is a sub-directory of, or null for a claim of its own. */
  static String sharedClaim(StageBuild sb) {
    Workspace ws = sb.getSpec().workspace;
    return ws == null || ws.claimName == null || ws.claimName.isBlank() ? null : ws.claimName;
  }

  /**
   * A build's sub-directory of a shared claim: {@code <StageBuild uid>/<build id>}. The uid, not
   * the name: no author can pick it, so no build can reach another's files by naming itself alike,
   * and a StageBuild deleted and created again starts afresh.
   */
  static String sharedSubPath(StageBuild sb, String buildId) {
    return sb.getMetadata().getUid() + "/" + buildId;
  }

  /** The workspace's mount in every pod of the build (a sub-path of a shared claim). */
  static VolumeMount workspaceMount(StageBuild sb, String buildId) {
    VolumeMount m = mount(WORKSPACE_VOLUME, InPod.WORKSPACE, false);
    if (sharedClaim(sb) != null) {
      m.setSubPath(sharedSubPath(sb, buildId));
    }
    return m;
  }

  /**
   * A ReadWriteOnce workspace can be mounted on one node only: every pod of the build asks for
   * the node where the build's other pods run (pods created together stay together: the scheduler
   * counts a pod it placed before the pod is bound, and lets the first of a group that matches its
   * own affinity go anywhere), and, once the reconciler knows that node, is pinned to it: the
   * scheduler does not see finished pods, so the affinity alone would free a later stage.
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
                .withKey(NODE_NAME_FIELD)
                .withOperator(NODE_IN)
                .withValues(pinnedNode)
              .endMatchField()
            .endNodeSelectorTerm()
          .endRequiredDuringSchedulingIgnoredDuringExecution()
          .endNodeAffinity();
    }
    return affinity.build();
  }

  /**
   * The node {@link #coLocation} pinned a pod to (one required node-name match), or null: the
   * reader lives beside the writer so the two cannot drift apart.
   */
  static String pinnedNode(Pod pod) {
    var affinity = pod.getSpec() == null ? null : pod.getSpec().getAffinity();
    var required = affinity == null || affinity.getNodeAffinity() == null ? null
        : affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
    if (required == null || required.getNodeSelectorTerms() == null || required.getNodeSelectorTerms().size() != 1) {
      return null;
    }
    var fields = required.getNodeSelectorTerms().get(0).getMatchFields();
    if (fields == null) {
      return null;
    }
    return fields.stream().filter(f -> NODE_NAME_FIELD.equals(f.getKey()) && NODE_IN.equals(f.getOperator())
            && f.getValues() != null && f.getValues().size() == 1)
        .map(f -> f.getValues().get(0)).findFirst().orElse(null);
  }

  static Volume workspaceVolume(StageBuild sb, String buildId) {
    return new VolumeBuilder()
        .withName(WORKSPACE_VOLUME)
        .withNewPersistentVolumeClaim()
          .withClaimName(sharedClaim(sb) != null ? sharedClaim(sb) : BuildNames.pvcName(sb.getMetadata().getName(), buildId))
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

  /**
   * Kaniko unpacks images and runs RUN steps as root in its own container, so a stage pod needs the
   * capabilities Docker gives a build step by default, and no others: the Pod Security Standards'
   * baseline list (NET_RAW is left out). No privilege escalation past them (no_new_privs: a setuid
   * binary in a RUN cannot gain more than root already has here), the runtime's default seccomp
   * profile.
   */
  static final List<String> STAGE_CAPABILITIES = List.of("AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER",
      "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT");
  /** The source pod's user and group: alpine's nobody (ssh needs a passwd entry for its uid). */
  static final long SOURCE_UID = 65534L;

  static PodSecurityContext stagePodSecurity() {
    return new PodSecurityContextBuilder()
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .build();
  }

  static SecurityContext stageContainerSecurity() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withPrivileged(false)
        .withNewCapabilities().withDrop("ALL").withAdd(STAGE_CAPABILITIES).endCapabilities()
        .build();
  }

  /** The source pod meets the restricted Pod Security Standard: non-root, no capabilities, read-only root. */
  static PodSecurityContext sourcePodSecurity() {
    return new PodSecurityContextBuilder()
        .withRunAsNonRoot(true)
        .withRunAsUser(SOURCE_UID)
        .withRunAsGroup(SOURCE_UID)
        // the workspace and the git Secret are readable and writable by the group
        .withFsGroup(SOURCE_UID)
        .withFsGroupChangePolicy("OnRootMismatch")
        .withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
        .build();
  }

  static SecurityContext sourceContainerSecurity() {
    return new SecurityContextBuilder()
        .withAllowPrivilegeEscalation(false)
        .withPrivileged(false)
        .withReadOnlyRootFilesystem(true)
        .withRunAsNonRoot(true)
        .withNewCapabilities().withDrop("ALL").endCapabilities()
        .build();
  }

  static EnvVar env(String name, String value) {
    return new EnvVar(name, value, null);
  }

  /**
   * On a ReadWriteOnce workspace every pod of a build runs on one node, so each asks for what any of
   * them needs: the node selectors of every spec.stages entry (entries that disagree on a key are
   * refused by SpecValidator; here such a key is left out) and all their tolerations. Otherwise the
   * first pod (the source's, which has no settings of its own) could bind the workspace to a node a
   * later stage cannot use. Every pod gets the same placement, whatever the plan builds.
   */
  static Placement oneNodePlacement(StageBuild sb) {
    Map<String, String> selector = new java.util.TreeMap<>();
    java.util.Set<String> disputed = new java.util.HashSet<>();
    List<io.fabric8.kubernetes.api.model.Toleration> tolerations = new java.util.ArrayList<>();
    List<StageSettings> all = sb.getSpec().stages == null ? List.of() : sb.getSpec().stages;
    for (StageSettings s : all) {
      if (s == null) {
        continue;
      }
      if (s.nodeSelector != null) {
        s.nodeSelector.forEach((k, v) -> {
          String before = selector.putIfAbsent(k, v);
          if (before != null && !before.equals(v)) {
            disputed.add(k);
          }
        });
      }
      if (s.tolerations != null) {
        s.tolerations.stream().filter(t -> t != null && !tolerations.contains(t)).forEach(tolerations::add);
      }
    }
    disputed.forEach(selector::remove);
    return new Placement(selector.isEmpty() ? null : selector, tolerations.isEmpty() ? null : tolerations);
  }

  /** A pod's node selector and tolerations (null when none). */
  record Placement(Map<String, String> nodeSelector, List<io.fabric8.kubernetes.api.model.Toleration> tolerations) {}

  /**
   * The settings a plan pod is rendered with: its target's (the stage it builds last) or, when the
   * target has none, those of the one other stage it builds that has some (settings for
   * {@code build} apply to the pod of {@code FROM build AS test}). BuildCheck refuses a pod whose
   * stages have two entries between them.
   */
  public static StageSettings settingsFor(StageBuild sb, dev.stagebuild.plan.PodPlan pod) {
    StageSettings own = settingsFor(sb, pod.target());
    if (own != null) {
      return own;
    }
    return pod.stages().stream().map(stage -> settingsFor(sb, stage)).filter(java.util.Objects::nonNull)
        .findFirst().orElse(null);
  }

  /** The settings of the stage with this name (case-insensitive), or null. */
  static StageSettings settingsFor(StageBuild sb, String stage) {
    List<StageSettings> all = sb.getSpec().stages;
    if (all == null) {
      return null;
    }
    return all.stream()
        .filter(s -> s != null && s.name != null && StageNames.same(s.name, stage))
        .findFirst()
        .orElse(null);
  }
}
