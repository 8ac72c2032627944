package dev.stagebuild.testing;

import io.fabric8.mockwebserver.http.RecordedRequest;

/** What a request to the mock API server was, as a benchmark counts it: {@code create pods}, {@code update stagebuilds/status}. */
public final class RequestKinds {
  private RequestKinds() {}

  /** How many of the requests were of each kind, by {@link #verbAndResource}. */
  public static java.util.SortedMap<String, Integer> count(java.util.Collection<RecordedRequest> requests) {
    java.util.SortedMap<String, Integer> byKind = new java.util.TreeMap<>();
    requests.forEach(r -> byKind.merge(verbAndResource(r), 1, Integer::sum));
    return byKind;
  }

  public static String verbAndResource(RecordedRequest r) {
    String full = r.getPath();
    int q = full.indexOf('?');
    String path = q < 0 ? full : full.substring(0, q);
    String query = q < 0 ? "" : full.substring(q);
    String rest = path.replaceFirst("^/api/v1|^/apis/[^/]+/[^/]+", "").replaceFirst("^/namespaces/[^/]+(?=/)", "");
    String[] parts = rest.split("/");
    String resource = parts.length > 1 ? parts[1] : rest;
    boolean named = parts.length > 2;
    String sub = parts.length > 3 ? "/" + parts[3] : "";
    String verb = switch (r.getMethod()) {
      case "GET" -> query.contains("watch=true") ? "watch" : named ? "get" : "list";
      case "POST" -> "create";
      case "PUT" -> "update";
      case "PATCH" -> "patch";
      case "DELETE" -> "delete";
      default -> r.getMethod();
    };
    return verb + " " + resource + sub;
  }

  public static boolean isWrite(String verbAndResource) {
    return !(verbAndResource.startsWith("get ") || verbAndResource.startsWith("list ")
        || verbAndResource.startsWith("watch "));
  }
}
