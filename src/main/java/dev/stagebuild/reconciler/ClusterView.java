package dev.stagebuild.reconciler;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.kaniko.BuildNames;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The few cluster calls one reconcile pass makes for one StageBuild, all in its namespace. */
final class ClusterView {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterView.class);
  static final String COMPONENT = "stagebuild-operator";

  private final KubernetesClient client;
  private final StageBuild owner;
  private final String namespace;

  ClusterView(KubernetesClient client, StageBuild owner) {
    this.client = client;
    this.owner = owner;
    this.namespace = owner.getMetadata().getNamespace();
  }

  StageBuild copy(StageBuild sb) {
    return client.getKubernetesSerialization().clone(sb);
  }

  String json(Object o) {
    return o == null ? null : client.getKubernetesSerialization().asJson(o);
  }

  <T> T fromJson(String json, Class<T> type) {
    return client.getKubernetesSerialization().unmarshal(json, type);
  }

  /** Creates the object unless it exists already; true when this call created it. */
  boolean createIfAbsent(HasMetadata object) {
    try {
      client.resource(object).inNamespace(namespace).create();
      return true;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return false;
      }
      throw e;
    }
  }

  ConfigMap configMap(String name) {
    return client.configMaps().inNamespace(namespace).withName(name).get();
  }

  Secret secret(String name) {
    return client.secrets().inNamespace(namespace).withName(name).get();
  }

  String podLog(String podName) {
    return client.pods().inNamespace(namespace).withName(podName).getLog();
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

  void deletePod(String name) {
    client.pods().inNamespace(namespace).withName(name).delete();
  }

  /** A build's workspace is released when it ends; its pods stay for `kubectl logs`. */
  void releaseWorkspace(String pvcName) {
    PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(namespace).withName(pvcName).get();
    if (pvc != null && pvc.getMetadata().getDeletionTimestamp() == null) {
      client.persistentVolumeClaims().inNamespace(namespace).withName(pvcName).delete();
    }
  }

  /** A new generation (or a rebuild) replaces the previous build: its pods, workspace and plan go. */
  void deleteOldBuild(List<Pod> stalePods, String previousBuild, String buildId) {
    for (Pod p : stalePods) {
      if (p.getMetadata().getDeletionTimestamp() == null) {
        deletePod(p.getMetadata().getName());
      }
    }
    if (previousBuild != null && !previousBuild.equals(buildId)) {
      String name = owner.getMetadata().getName();
      releaseWorkspace(BuildNames.pvcName(name, previousBuild));
      client.configMaps().inNamespace(namespace).withName(BuildNames.planConfigMapName(name, previousBuild)).delete();
    }
  }

  void recordEvent(BuildEvent event, Clock clock) {
    String now = Times.format(clock.instant());
    var e = new EventBuilder()
        .withNewMetadata().withNamespace(namespace)
        .withName(owner.getMetadata().getName() + "." + UUID.randomUUID().toString().substring(0, 13).replace("-", ""))
        .withLabels(Map.of("app.kubernetes.io/managed-by", "stagebuild")).endMetadata()
        .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(owner.getApiVersion())
            .withKind(owner.getKind()).withName(owner.getMetadata().getName()).withNamespace(namespace)
            .withUid(owner.getMetadata().getUid()).withResourceVersion(owner.getMetadata().getResourceVersion())
            .build())
        .withType(event.warning() ? "Warning" : "Normal")
        .withReason(event.reason())
        .withMessage(event.message().length() > 1000 ? event.message().substring(0, 1000) + "..." : event.message())
        .withNewSource().withComponent(COMPONENT).endSource()
        .withReportingComponent(COMPONENT)
        .withFirstTimestamp(now).withLastTimestamp(now).withCount(1)
        .build();
    try {
      client.v1().events().inNamespace(namespace).resource(e).create();
    } catch (KubernetesClientException ex) {
      // An event is a courtesy: losing one must not fail the build.
      LOG.warn("could not record event {}: {}", event.reason(), ex.getMessage());
    }
  }
}
