package dev.stagebuild.deploy;

import static dev.stagebuild.deploy.RequestAttributes.of;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * deploy/namespaced, rendered by {@code kubectl kustomize}: the operator gets Roles in the watched
 * namespaces only, no cluster-wide grant, and is told which namespaces to watch.
 */
class NamespacedInstallTest {
  static final Path DIR = Path.of("deploy/namespaced");
  static List<HasMetadata> objects;

  @BeforeAll
  static void render() throws Exception {
    if ("true".equals(System.getenv("CI"))) {
      // CI installs it (.ci/run): a missing tool must not pass as a skip there
      assertThat(kubectl()).as("kubectl on PATH (Debian: apt-get install kubectl)").isNotNull();
    }
    assumeThat(kubectl()).as("kubectl on PATH (Debian: apt-get install kubectl)").isNotNull();
    Process p = new ProcessBuilder(kubectl(), "kustomize", DIR.toString()).redirectErrorStream(false).start();
    byte[] out = p.getInputStream().readAllBytes();
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as(err).isZero();
    objects = new ArrayList<>();
    Object parsed = new KubernetesSerialization().unmarshal(new ByteArrayInputStream(out));
    if (parsed instanceof List<?> list) {
      list.forEach(o -> objects.add((HasMetadata) o));
    } else {
      objects.add((HasMetadata) parsed);
    }
  }

  static String kubectl() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      Path k = Path.of(dir, "kubectl");
      if (Files.isExecutable(k)) {
        return k.toString();
      }
    }
    return null;
  }

  @Test
  void noClusterWideGrantsToTheOperator() {
    assertThat(objects).filteredOn(o -> o.getKind().equals("ClusterRole") || o.getKind().equals("ClusterRoleBinding"))
        .isEmpty();
    assertThat(Rbac.fromObjects(objects).grants()).allSatisfy(g -> assertThat(g.namespace()).isNotNull());
  }

  @Test
  void theRoleAllowsEveryNamespacedRequestTheClusterRoleAllows() {
    // Every request of the operator in a namespace (RbacTest's list; its cluster-wide informer lists
    // become the namespace's own here) must pass: a missing rule fails builds only in this mode.
    Rbac rbac = Rbac.fromObjects(objects);
    for (String r : RbacTest.OPERATOR_REQUESTS) {
      String[] m = r.split(" ", 2);
      String path = m[1].replaceFirst("^/api/v1/(pods|persistentvolumeclaims)\\?", "/api/v1/namespaces/demo/$1?")
          .replaceFirst("^/apis/stagebuild.dev/v1alpha1/stagebuilds\\?", "/apis/stagebuild.dev/v1alpha1/namespaces/demo/stagebuilds?");
      if (path.contains("/namespaces/demo/")) {
        assertThat(rbac.allows(of(m[0], path))).as(m[0] + " " + path).isTrue();
      }
    }
  }

  @Test
  void theOperatorMayWorkInTheWatchedNamespaceOnly() {
    Rbac rbac = Rbac.fromObjects(objects);
    List<String> inDemo = List.of(
        "GET /apis/stagebuild.dev/v1alpha1/namespaces/demo/stagebuilds?resourceVersion=0",
        "GET /apis/stagebuild.dev/v1alpha1/namespaces/demo/stagebuilds?allowWatchBookmarks=true&watch=true",
        "GET /api/v1/namespaces/demo/pods?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dstagebuild",
        "GET /api/v1/namespaces/demo/pods?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dstagebuild&watch=true",
        "PUT /apis/stagebuild.dev/v1alpha1/namespaces/demo/stagebuilds/hellogo/status",
        "GET /api/v1/namespaces/demo/serviceaccounts/stagebuild-build",
        "POST /api/v1/namespaces/demo/serviceaccounts",
        "POST /api/v1/namespaces/demo/pods",
        "DELETE /api/v1/namespaces/demo/pods/hellogo-1-build",
        "GET /api/v1/namespaces/demo/pods/hellogo-1-source/log",
        "POST /api/v1/namespaces/demo/persistentvolumeclaims",
        "POST /api/v1/namespaces/demo/configmaps",
        "GET /api/v1/namespaces/demo/secrets/regcred",
        "POST /api/v1/namespaces/demo/events");
    for (String r : inDemo) {
      String[] m = r.split(" ", 2);
      assertThat(rbac.allows(of(m[0], m[1]))).as(r).isTrue();
      String elsewhere = m[1].replace("/namespaces/demo/", "/namespaces/other/");
      assertThat(rbac.allows(of(m[0], elsewhere))).as(m[0] + " " + elsewhere).isFalse();
    }
    for (String r : List.of("GET /api/v1/pods?watch=true", "GET /apis/stagebuild.dev/v1alpha1/stagebuilds",
        "GET /api/v1/namespaces/kube-system/secrets/x")) {
      String[] m = r.split(" ", 2);
      assertThat(rbac.allows(of(m[0], m[1]))).as(r).isFalse();
    }
    for (String r : RbacTest.LEADER_ELECTION_REQUESTS) {
      String[] m = r.split(" ", 2);
      assertThat(rbac.allows(of(m[0], m[1]))).as(r).isTrue();
    }
  }

  @Test
  void theOperatorIsToldWhichNamespacesToWatch() throws IOException {
    Deployment d = objects.stream().filter(Deployment.class::isInstance).map(Deployment.class::cast).findFirst()
        .orElseThrow();
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv())
        .anySatisfy(e -> {
          assertThat(e.getName()).isEqualTo("STAGEBUILD_WATCH_NAMESPACES");
          assertThat(e.getValue()).isEqualTo("demo");
        });
    String properties = Files.readString(Path.of("src/main/resources/application.properties"));
    assertThat(properties).contains(
        "quarkus.operator-sdk.controllers.stagebuild.namespaces=${STAGEBUILD_WATCH_NAMESPACES:JOSDK_ALL_NAMESPACES}");
  }
}
