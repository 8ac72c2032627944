package dev.stagebuild.deploy;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * What the manifests grant the operator's ServiceAccount, evaluated the way the RBAC authorizer does
 * (rules only add; a rule matches when group, resource[/subresource], verb and, if listed, name match).
 * Used to check that every request the operator makes is allowed, and nothing else is granted.
 */
public final class Rbac {
  public static final String NAMESPACE = "stagebuild-system";
  public static final String SERVICE_ACCOUNT = "stagebuild-operator";

  /** A rule and where it applies: everywhere (ClusterRole via ClusterRoleBinding) or one namespace. */
  public record Grant(String namespace, PolicyRule rule) {}

  private final List<Grant> grants;

  private Rbac(List<Grant> grants) {
    this.grants = grants;
  }

  public List<Grant> grants() {
    return grants;
  }

  /** The grants to the operator's ServiceAccount in the numbered manifests. */
  public static Rbac fromManifests() {
    List<HasMetadata> all = new ArrayList<>();
    for (Path p : Manifests.numbered()) {
      all.addAll(Manifests.objects(p));
    }
    return fromObjects(all);
  }

  /** The grants to the operator's ServiceAccount among these objects (e.g. a kustomize build's output). */
  public static Rbac fromObjects(List<HasMetadata> all) {
    Map<String, ClusterRole> clusterRoles = all.stream().filter(ClusterRole.class::isInstance)
        .map(ClusterRole.class::cast).collect(Collectors.toMap(r -> r.getMetadata().getName(), r -> r));
    Map<String, Role> roles = all.stream().filter(Role.class::isInstance).map(Role.class::cast)
        .collect(Collectors.toMap(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName(), r -> r));
    List<Grant> grants = new ArrayList<>();
    for (HasMetadata o : all) {
      if (o instanceof ClusterRoleBinding b && boundToOperator(b.getSubjects())) {
        ClusterRole r = clusterRoles.get(b.getRoleRef().getName());
        if (r != null) {
          r.getRules().forEach(rule -> grants.add(new Grant(null, rule)));
        }
      } else if (o instanceof RoleBinding b && boundToOperator(b.getSubjects())) {
        String ns = b.getMetadata().getNamespace();
        List<PolicyRule> rules = "ClusterRole".equals(b.getRoleRef().getKind())
            ? clusterRoles.get(b.getRoleRef().getName()).getRules()
            : roles.get(ns + "/" + b.getRoleRef().getName()).getRules();
        rules.forEach(rule -> grants.add(new Grant(ns, rule)));
      }
    }
    return new Rbac(grants);
  }

  private static boolean boundToOperator(List<Subject> subjects) {
    return subjects != null && subjects.stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
        && SERVICE_ACCOUNT.equals(s.getName()) && NAMESPACE.equals(s.getNamespace()));
  }

  /** Whether a request with these attributes is allowed. */
  public boolean allows(RequestAttributes a) {
    if (a.nonResource()) {
      // Discovery, /version and health are open to every authenticated user (system:discovery).
      return true;
    }
    if (a.isSelfReview()) {
      // Self reviews are allowed to every authenticated user (system:basic-user).
      return true;
    }
    return grants.stream().anyMatch(g -> matches(g, a));
  }

  private static boolean matches(Grant g, RequestAttributes a) {
    if (g.namespace() != null && !g.namespace().equals(a.namespace())) {
      return false;
    }
    PolicyRule r = g.rule();
    String resource = a.subresource() == null ? a.resource() : a.resource() + "/" + a.subresource();
    boolean names = r.getResourceNames() == null || r.getResourceNames().isEmpty()
        || (a.name() != null && r.getResourceNames().contains(a.name()));
    return anyOf(r.getApiGroups(), a.group()) && anyOf(r.getResources(), resource)
        && anyOf(r.getVerbs(), a.verb()) && names;
  }

  private static boolean anyOf(List<String> values, String value) {
    return values != null && (values.contains("*") || values.contains(Objects.requireNonNullElse(value, "")));
  }
}
