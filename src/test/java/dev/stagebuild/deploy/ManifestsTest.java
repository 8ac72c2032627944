package dev.stagebuild.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/** deploy/manifests: well-formed objects, the kustomization lists them, the Deployment is hardened. */
class ManifestsTest {

  @Test
  void everyDocumentIsAKnownKindWithNoUnknownFields() {
    List<String> problems = new ArrayList<>();
    for (Path file : Manifests.numbered()) {
      for (HasMetadata o : Manifests.objects(file)) {
        assertThat(o.getClass().getName()).as(file + " " + o.getKind())
            .doesNotContain("GenericKubernetesResource");
        unknownFields(o, file.getFileName() + ":" + o.getKind(), problems);
      }
    }
    assertThat(problems).as("fields Kubernetes does not know (typos?)").isEmpty();
  }

  @Test
  void kustomizationInstallsTheCrdAndEveryNumberedFileInOrder() {
    JsonNode k = Manifests.documents(Manifests.DIR.resolve("kustomization.yaml")).get(0);
    List<String> resources = StreamSupport.stream(k.get("resources").spliterator(), false)
        .map(JsonNode::asText).toList();
    List<String> expected = new ArrayList<>(List.of("../crds"));
    Manifests.numbered().forEach(p -> expected.add(p.getFileName().toString()));
    assertThat(resources).containsExactlyElementsOf(expected);
    JsonNode crds = Manifests.documents(Path.of("deploy/crds/kustomization.yaml")).get(0);
    assertThat(crds.get("resources").get(0).asText()).isEqualTo("stagebuilds.stagebuild.dev-v1.yml");
  }

  @Test
  void everythingLivesInTheOperatorNamespace() {
    for (Path file : Manifests.numbered()) {
      for (HasMetadata o : Manifests.objects(file)) {
        boolean clusterScoped = List.of("Namespace", "ClusterRole", "ClusterRoleBinding",
            "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding").contains(o.getKind());
        assertThat(o.getMetadata().getNamespace()).as(file + " " + o.getKind())
            .isEqualTo(clusterScoped ? null : Rbac.NAMESPACE);
      }
    }
  }

  @Test
  void deploymentRunsTheJibImageHardenedWithProbesMetricsAndLeaderElection() {
    Deployment d = (Deployment) Manifests.objects(Manifests.DIR.resolve("05-deployment.yaml")).get(0);
    var pod = d.getSpec().getTemplate().getSpec();
    assertThat(d.getSpec().getReplicas()).isEqualTo(2);
    assertThat(pod.getServiceAccountName()).isEqualTo(Rbac.SERVICE_ACCOUNT);
    assertThat(pod.getContainers()).hasSize(1);
    Container c = pod.getContainers().get(0);
    assertThat(c.getImage()).as("the image `mvn -Pimage package` builds").isEqualTo(Manifests.pomImage());

    Map<String, EnvVar> env = new java.util.HashMap<>();
    c.getEnv().forEach(e -> env.put(e.getName(), e));
    assertThat(env.get("STAGEBUILD_LEADER_ELECTION_ENABLED").getValue()).isEqualTo("true");
    assertThat(env.get("POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.namespace");

    assertThat(c.getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("metrics");
      assertThat(p.getContainerPort()).isEqualTo(8080);
    });
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("prometheus.io/scrape", "true").containsEntry("prometheus.io/port", "8080")
        .containsEntry("prometheus.io/path", "/q/metrics");
    assertThat(c.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/q/health/live");
    assertThat(c.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/q/health/ready");
    assertThat(c.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("metrics");

    assertThat(c.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(c.getResources().getLimits()).containsKeys("cpu", "memory");

    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getRunAsUser()).isEqualTo(1001L);
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    var sc = c.getSecurityContext();
    assertThat(sc.getAllowPrivilegeEscalation()).isFalse();
    assertThat(sc.getReadOnlyRootFilesystem()).isTrue();
    assertThat(sc.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(c.getVolumeMounts()).anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
    assertThat(pod.getVolumes()).anySatisfy(v -> assertThat(v.getEmptyDir()).isNotNull());
  }

  /** Fabric8 keeps fields its model does not know in additionalProperties: any there is a mistake. */
  private static void unknownFields(Object o, String path, List<String> out) {
    if (o == null) {
      return;
    }
    if (o instanceof Map<?, ?> m) {
      m.forEach((k, v) -> unknownFields(v, path + "." + k, out));
      return;
    }
    if (o instanceof Collection<?> c) {
      int i = 0;
      for (Object v : c) {
        unknownFields(v, path + "[" + i++ + "]", out);
      }
      return;
    }
    if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
      return;
    }
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0 || !m.getName().startsWith("get") || m.getDeclaringClass() == Object.class) {
        continue;
      }
      try {
        Object value = m.invoke(o);
        if (m.getName().equals("getAdditionalProperties")) {
          if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
            out.add(path + ": " + extra.keySet());
          }
        } else {
          unknownFields(value, path + "." + m.getName().substring(3), out);
        }
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
