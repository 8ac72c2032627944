package dev.stagebuild.reconciler;

import dev.stagebuild.api.StageBuild;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The reads one reconcile pass makes beyond the informer caches, all in the build's namespace and
 * each at most once per pass: the user's source ConfigMap and Secrets (before the first pod), the
 * source pod's log (once, to plan a git build), and a stuck pod's volume warnings.
 */
final class ClusterView {
  /** A git build's Dockerfile comes through the source pod's log; more than this is refused. */
  static final int MAX_SOURCE_LOG_BYTES = 4 * 1024 * 1024;

  private final KubernetesClient client;
  private final String namespace;
  private final Map<String, Optional<ConfigMap>> configMaps = new HashMap<>();

  ClusterView(KubernetesClient client, StageBuild owner) {
    this.client = client;
    this.namespace = owner.getMetadata().getNamespace();
  }

  <T> T fromJson(String json, Class<T> type) {
    return client.getKubernetesSerialization().unmarshal(json, type);
  }

  ConfigMap configMap(String name) {
    return configMaps.computeIfAbsent(name,
        n -> Optional.ofNullable(client.configMaps().inNamespace(namespace).withName(n).get())).orElse(null);
  }

  io.fabric8.kubernetes.api.model.PersistentVolumeClaim persistentVolumeClaim(String name) {
    return client.persistentVolumeClaims().inNamespace(namespace).withName(name).get();
  }

  Secret secret(String name) {
    return client.secrets().inNamespace(namespace).withName(name).get();
  }

  /** The pod's log, at most {@link #MAX_SOURCE_LOG_BYTES} of it. */
  String podLog(String podName) {
    return client.pods().inNamespace(namespace).withName(podName).limitBytes(MAX_SOURCE_LOG_BYTES).getLog();
  }

  List<String> sourceConfigMapKeys(StageBuild sb) {
    if (sb.getSpec().source == null || sb.getSpec().source.configMap == null) {
      return List.of();
    }
    ConfigMap cm = configMap(sb.getSpec().source.configMap.name);
    List<String> keys = new ArrayList<>();
    if (cm != null && cm.getData() != null) {
      keys.addAll(cm.getData().keySet());
    }
    if (cm != null && cm.getBinaryData() != null) {
      keys.addAll(cm.getBinaryData().keySet());
    }
    return keys.stream().sorted().toList();
  }

  /** The latest FailedAttachVolume or FailedMount warning recorded for the pod, or null. */
  PodInspector.VolumeWarning volumeWarning(String podName) {
    List<Event> events = client.v1().events().inNamespace(namespace)
        .withField("involvedObject.name", podName).list().getItems();
    return events.stream()
        .filter(e -> e.getInvolvedObject() != null && podName.equals(e.getInvolvedObject().getName()))
        .filter(e -> "FailedAttachVolume".equals(e.getReason()) || "FailedMount".equals(e.getReason()))
        .max(Comparator.comparing(e -> String.valueOf(e.getLastTimestamp())))
        .map(e -> new PodInspector.VolumeWarning(e.getReason(), e.getMessage())).orElse(null);
  }
}
