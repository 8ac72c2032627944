package dev.stagebuild.deploy;

import java.net.URI;
import java.util.Arrays;
import java.util.List;

/**
 * The authorizer's view of one API request (verb, group, resource, subresource, namespace, name),
 * derived from its HTTP method and path as the kube-apiserver does.
 */
public record RequestAttributes(String verb, String group, String resource, String subresource,
    String namespace, String name, boolean nonResource) {

  public static RequestAttributes resource(String verb, String group, String resource, String subresource,
      String namespace, String name) {
    return new RequestAttributes(verb, group, resource, subresource, namespace, name, false);
  }

  /**
   * The request, and what admission asks of it on top: under OwnerReferencesPermissionEnforcement
   * (on by default in OpenShift), a create whose owner reference sets blockOwnerDeletion needs update
   * on the owner's finalizers subresource, though no such request is ever sent.
   */
  public static java.util.List<RequestAttributes> withAdmission(String method, String pathAndQuery, String body) {
    RequestAttributes request = of(method, pathAndQuery);
    if (!"create".equals(request.verb()) || body == null
        || !body.replace(" ", "").contains("\"blockOwnerDeletion\":true")) {
      return java.util.List.of(request);
    }
    var owner = java.util.regex.Pattern.compile("\"ownerReferences\":\\[\\{[^}]*\"kind\":\"StageBuild\"[^}]*\"name\":\"([^\"]+)\"")
        .matcher(body.replace(" ", ""));
    String name = owner.find() ? owner.group(1) : null;
    return java.util.List.of(request, resource("update", "stagebuild.dev", "stagebuilds", "finalizers",
        request.namespace(), name));
  }

  /** From an HTTP method and a request path with its query, e.g. {@code GET /api/v1/pods?watch=true}. */
  public static RequestAttributes of(String method, String pathAndQuery) {
    URI uri = URI.create(pathAndQuery);
    String query = uri.getRawQuery() == null ? "" : uri.getRawQuery();
    List<String> parts = Arrays.stream(uri.getPath().split("/")).filter(s -> !s.isEmpty()).toList();
    String group;
    int i;
    if (parts.size() >= 2 && parts.get(0).equals("api")) {
      group = "";
      i = 2;
    } else if (parts.size() >= 3 && parts.get(0).equals("apis")) {
      group = parts.get(1);
      i = 3;
    } else {
      return new RequestAttributes(method.toLowerCase(), null, null, null, null, uri.getPath(), true);
    }
    List<String> rest = parts.subList(i, parts.size());
    if (rest.isEmpty()) {
      // Discovery of a group version.
      return new RequestAttributes(method.toLowerCase(), group, null, null, null, uri.getPath(), true);
    }
    String namespace = null;
    if (rest.get(0).equals("namespaces") && rest.size() >= 3) {
      namespace = rest.get(1);
      rest = rest.subList(2, rest.size());
    }
    String resource = rest.get(0);
    String name = rest.size() > 1 ? rest.get(1) : null;
    String sub = rest.size() > 2 ? rest.get(2) : null;
    if (resource.equals("namespaces") && name != null) {
      namespace = name;
    }
    boolean watch = query.matches("(^|.*&)watch=(true|1)(&.*|$)");
    String verb = switch (method.toUpperCase()) {
      case "GET", "HEAD" -> watch ? "watch" : name == null ? "list" : "get";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> name == null ? "deletecollection" : "delete";
      default -> method.toLowerCase();
    };
    return new RequestAttributes(verb, group, resource, sub, namespace, name, false);
  }

  boolean isSelfReview() {
    return "authorization.k8s.io".equals(group) && "create".equals(verb)
        && (resource.equals("selfsubjectrulesreviews") || resource.equals("selfsubjectaccessreviews"));
  }

  @Override
  public String toString() {
    if (nonResource) {
      return verb + " " + name;
    }
    return verb + " " + (group.isEmpty() ? "" : group + "/") + resource + (subresource == null ? "" : "/" + subresource)
        + (namespace == null ? "" : " in " + namespace) + (name == null ? "" : " name=" + name);
  }
}
