package dev.stagebuild.deploy;

import static dev.stagebuild.deploy.RequestAttributes.of;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.reconciler.LeaderElection;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The RBAC in deploy/manifests allows each request the operator makes and nothing it does not need.
 * The list below is what the code does today (StageBuildReconciler, ClusterView, PlanResolver,
 * JOSDK's informers and leader election); a test that records the operator's real requests against
 * the mock API server should feed them to {@link Rbac#allows} as well.
 */
public class RbacTest {
  static final String NS = "demo";
  static final String OP_NS = Rbac.NAMESPACE;
  static final String LEASE = LeaderElection.LEASE_NAME;

  /** The operator's requests, as HTTP method and path. */
  static final List<String> OPERATOR_REQUESTS = List.of(
      // informers (all namespaces)
      "GET /apis/stagebuild.dev/v1alpha1/stagebuilds?resourceVersion=0",
      "GET /apis/stagebuild.dev/v1alpha1/stagebuilds?allowWatchBookmarks=true&watch=true",
      "GET /api/v1/pods?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dstagebuild",
      "GET /api/v1/pods?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dstagebuild&watch=true",
      "GET /api/v1/persistentvolumeclaims?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dstagebuild",
      "GET /api/v1/persistentvolumeclaims?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dstagebuild&watch=true",
      // the fresh object after a conflicting status write; a StageBuild whose TTL is over
      "GET /apis/stagebuild.dev/v1alpha1/namespaces/demo/stagebuilds/hellogo",
      "DELETE /apis/stagebuild.dev/v1alpha1/namespaces/demo/stagebuilds/hellogo",
      // status, written whole
      "PUT /apis/stagebuild.dev/v1alpha1/namespaces/demo/stagebuilds/hellogo/status",
      // build objects
      "POST /api/v1/namespaces/demo/persistentvolumeclaims",
      "GET /api/v1/namespaces/demo/persistentvolumeclaims/hellogo-1",
      "DELETE /api/v1/namespaces/demo/persistentvolumeclaims/hellogo-1",
      "POST /api/v1/namespaces/demo/configmaps",
      "GET /api/v1/namespaces/demo/configmaps/hellogo-1-plan",
      "GET /api/v1/namespaces/demo/configmaps/hellogo-src",
      "DELETE /api/v1/namespaces/demo/configmaps/hellogo-1-plan",
      "GET /api/v1/namespaces/demo/serviceaccounts/stagebuild-build",
      "POST /api/v1/namespaces/demo/serviceaccounts",
      "POST /api/v1/namespaces/demo/pods",
      "GET /api/v1/namespaces/demo/pods/hellogo-1-build",
      // what OwnerReferencesPermissionEnforcement asks of a create with blockOwnerDeletion
      "PUT /apis/stagebuild.dev/v1alpha1/namespaces/demo/stagebuilds/hellogo/finalizers",
      "DELETE /api/v1/namespaces/demo/pods/hellogo-1-build",
      "GET /api/v1/namespaces/demo/pods/hellogo-1-source/log",
      "GET /api/v1/namespaces/demo/secrets/regcred",
      "POST /api/v1/namespaces/demo/events",
      "GET /api/v1/namespaces/demo/events/hellogo.1",
      "PATCH /api/v1/namespaces/demo/events/hellogo.1",
      "GET /api/v1/namespaces/demo/events?fieldSelector=involvedObject.name%3Dhellogo-1-build",
      // leader election
      "POST /apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
      "GET /apis/coordination.k8s.io/v1/namespaces/stagebuild-system/leases/stagebuild-operator",
      "POST /apis/coordination.k8s.io/v1/namespaces/stagebuild-system/leases",
      "PATCH /apis/coordination.k8s.io/v1/namespaces/stagebuild-system/leases/stagebuild-operator",
      "PUT /apis/coordination.k8s.io/v1/namespaces/stagebuild-system/leases/stagebuild-operator");

  /**
   * Leader election's requests (JOSDK's access check, then Fabric8's lease lock): the operator
   * tests run without leader election, so these come from here.
   */
  public static final List<String> LEADER_ELECTION_REQUESTS = OPERATOR_REQUESTS.subList(
      OPERATOR_REQUESTS.indexOf("POST /apis/authorization.k8s.io/v1/selfsubjectrulesreviews"), OPERATOR_REQUESTS.size());

  /** The granted (verb, group, resource) triples that no request in {@code used} exercised. */
  public static List<String> unusedGrants(Rbac rbac, List<RequestAttributes> used) {
    List<String> unused = new java.util.ArrayList<>();
    for (Rbac.Grant g : rbac.grants()) {
      for (String group : g.rule().getApiGroups()) {
        for (String resource : g.rule().getResources()) {
          for (String verb : g.rule().getVerbs()) {
            boolean exercised = used.stream().anyMatch(a -> verb.equals(a.verb()) && group.equals(a.group())
                && resource.equals(a.subresource() == null ? a.resource() : a.resource() + "/" + a.subresource())
                && (g.namespace() == null || g.namespace().equals(a.namespace())));
            if (!exercised) {
              unused.add(verb + " " + group + "/" + resource + (g.namespace() == null ? "" : " in " + g.namespace()));
            }
          }
        }
      }
    }
    return unused;
  }

  final Rbac rbac = Rbac.fromManifests();

  @Test
  void everyRequestTheOperatorMakesIsAllowed() {
    List<String> denied = OPERATOR_REQUESTS.stream().map(r -> r.split(" ", 2))
        .map(r -> of(r[0], r[1])).filter(a -> !rbac.allows(a)).map(RequestAttributes::toString).toList();
    assertThat(denied).isEmpty();
  }

  @Test
  void whatTheOperatorDoesNotNeedIsDenied() {
    List<String> mustFail = List.of(
        "GET /api/v1/namespaces/demo/secrets",
        "GET /api/v1/secrets?watch=true",
        "PUT /api/v1/namespaces/demo/secrets/regcred",
        "PATCH /api/v1/namespaces/demo/pods/hellogo-1-build",
        "POST /api/v1/namespaces/demo/pods/hellogo-1-build/exec",
        "PUT /apis/stagebuild.dev/v1alpha1/namespaces/demo/stagebuilds/hellogo",
        "PATCH /apis/stagebuild.dev/v1alpha1/namespaces/demo/stagebuilds/hellogo",
        "DELETE /apis/stagebuild.dev/v1alpha1/namespaces/demo/stagebuilds",
        "PUT /api/v1/namespaces/demo/configmaps/hellogo-src",
        "GET /api/v1/configmaps",
        // a label-selected ConfigMap informer would need this, and list/watch of every ConfigMap with it
        "GET /api/v1/configmaps?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dstagebuild&watch=true",
        "DELETE /api/v1/namespaces/demo/pods",
        "POST /api/v1/namespaces",
        "GET /apis/coordination.k8s.io/v1/namespaces/demo/leases/stagebuild-operator",
        "PATCH /apis/coordination.k8s.io/v1/namespaces/stagebuild-system/leases/someone-else",
        "POST /apis/coordination.k8s.io/v1/namespaces/kube-system/leases",
        "GET /apis/apiextensions.k8s.io/v1/customresourcedefinitions/stagebuilds.stagebuild.dev");
    List<String> allowed = mustFail.stream().map(r -> r.split(" ", 2)).map(r -> of(r[0], r[1]))
        .filter(rbac::allows).map(RequestAttributes::toString).toList();
    assertThat(allowed).isEmpty();
  }

  @Test
  void everyGrantedVerbIsUsed() {
    List<RequestAttributes> used = OPERATOR_REQUESTS.stream().map(r -> r.split(" ", 2)).map(r -> of(r[0], r[1]))
        .toList();
    assertThat(unusedGrants(rbac, used)).as("granted but never used").isEmpty();
  }

  @Test
  void josdkLeaseCheckPassesInTheOperatorNamespaceOnly() {
    // JOSDK (LeaderElectionManager.checkLeaseAccess) collects the verbs of every leases rule in the
    // lease namespace that is not limited to other names, and wants create, update and get.
    Set<String> verbs = rbac.grants().stream()
        .filter(g -> OP_NS.equals(g.namespace()) || g.namespace() == null)
        .filter(g -> g.rule().getApiGroups().contains("coordination.k8s.io")
            && g.rule().getResources().contains("leases"))
        .filter(g -> g.rule().getResourceNames() == null || g.rule().getResourceNames().isEmpty()
            || g.rule().getResourceNames().contains(LEASE))
        .flatMap(g -> g.rule().getVerbs().stream()).collect(Collectors.toSet());
    assertThat(verbs).contains("create", "update", "get", "patch");
    assertThat(rbac.grants()).filteredOn(g -> g.rule().getResources().contains("leases"))
        .allSatisfy(g -> assertThat(g.namespace()).isEqualTo(OP_NS));
  }

  @Test
  void requestAttributesFollowTheApiServer() {
    assertThat(of("GET", "/api/v1/pods?watch=1")).isEqualTo(
        RequestAttributes.resource("watch", "", "pods", null, null, null));
    assertThat(of("GET", "/api/v1/namespaces/demo/pods/p/log?tailLines=10")).isEqualTo(
        RequestAttributes.resource("get", "", "pods", "log", "demo", "p"));
    assertThat(of("PUT", "/apis/stagebuild.dev/v1alpha1/namespaces/demo/stagebuilds/x/status")).isEqualTo(
        RequestAttributes.resource("update", "stagebuild.dev", "stagebuilds", "status", "demo", "x"));
    assertThat(of("DELETE", "/api/v1/namespaces/demo/pods")).isEqualTo(
        RequestAttributes.resource("deletecollection", "", "pods", null, "demo", null));
    assertThat(of("GET", "/api/v1/namespaces/demo")).isEqualTo(
        RequestAttributes.resource("get", "", "namespaces", null, "demo", "demo"));
    assertThat(of("GET", "/apis/stagebuild.dev/v1alpha1").nonResource()).isTrue();
    assertThat(of("GET", "/version").nonResource()).isTrue();
  }
}
