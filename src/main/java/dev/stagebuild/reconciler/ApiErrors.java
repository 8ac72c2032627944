package dev.stagebuild.reconciler;

import dev.stagebuild.RootCause;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Locale;

/**
 * Sorts the API server's answers into what a reconcile pass does next. Permanent refusals end the
 * build with a reason (a retry would meet the same answer); transient ones are retried with back-off
 * for as long as the build's deadline allows; a conflict means the pass decided on stale data.
 */
final class ApiErrors {
  enum Kind { CONFLICT, ALREADY_EXISTS, NOT_FOUND, PERMANENT, TRANSIENT }

  /** The Status reason of a 409 on create (other 409s are optimistic-locking conflicts). */
  private static final String ALREADY_EXISTS = "AlreadyExists";

  private ApiErrors() {}

  static Kind classify(KubernetesClientException e) {
    int code = e.getCode();
    String reason = e.getStatus() == null ? null : e.getStatus().getReason();
    if (isTooLarge(e)) {
      return Kind.PERMANENT; // whatever the code (etcd's answer comes as 500): the same object is refused again
    }
    return switch (code) {
      case 409 -> ALREADY_EXISTS.equals(reason) ? Kind.ALREADY_EXISTS : Kind.CONFLICT;
      case 404 -> Kind.NOT_FOUND;
      // A quota frees up as other pods end: wait for it like for a busy API server.
      case 403 -> isQuota(e) ? Kind.TRANSIENT : Kind.PERMANENT;
      case 400, 405, 413, 415, 422 -> Kind.PERMANENT;
      // 401 (the operator's own token), 408, 429, 5xx, and 0 (no HTTP answer: I/O, timeouts).
      default -> Kind.TRANSIENT;
    };
  }

  static boolean isQuota(KubernetesClientException e) {
    String m = message(e).toLowerCase(Locale.ROOT);
    return m.contains("exceeded quota") || m.contains("forbidden: failed quota");
  }

  /**
   * The object was refused for its size: 413 from the API server's request limit, or etcd's "request
   * is too large" (1.5 MiB an object), which the API server answers with 500 (kubernetes#112152).
   */
  static boolean isTooLarge(KubernetesClientException e) {
    if (e.getCode() == 413) {
      return true;
    }
    String m = message(e).toLowerCase(Locale.ROOT);
    // (gRPC's "trying to send message larger than max" for objects over 2 MiB)
    return m.contains("request is too large") || m.contains("entity too large") || m.contains("larger than max");
  }

  /** The condition reason a build that met this permanent refusal ends with. */
  static String refusalReason(KubernetesClientException e) {
    if (isTooLarge(e)) {
      return "PlanTooLarge";
    }
    return switch (e.getCode()) {
      case 403 -> "Forbidden";
      default -> "Rejected";
    };
  }

  /** What a person needs from the answer: the API server's own message, without the client's request dump. */
  static String message(KubernetesClientException e) {
    if (e.getStatus() != null && e.getStatus().getMessage() != null) {
      return e.getStatus().getMessage();
    }
    return String.valueOf(e.getMessage());
  }

  private static final java.util.regex.Pattern REQUEST =
      java.util.regex.Pattern.compile("^Failure executing: (\\S+) at: \\w+://[^/]*(\\S*?)\\. ");

  /**
   * The request got no HTTP answer (connection refused or closed, a timeout): a transport failure,
   * which Fabric8 reports with code 0 or -1 and the failure as the cause. A client-side refusal
   * (no namespace given, a malformed option) has no cause and no answer either, and is not one.
   */
  static boolean isNoAnswer(KubernetesClientException e) {
    return e.getCode() <= 0 && e.getCause() != null;
  }

  /**
   * One line for the log: the API server's code and message and the request it answered, or what
   * kept the request from an answer, without the client's dump of the Status and without a stack
   * trace (an answer of the API server is not a defect to trace). Null for an exception that is not
   * about the API server (a client-side refusal), which deserves its stack trace.
   */
  static String oneLine(KubernetesClientException e) {
    var request = REQUEST.matcher(String.valueOf(e.getMessage()));
    String on = request.find() ? " (" + request.group(1) + " " + request.group(2) + ")"
        : e.getFullResourceName() != null
            ? " (" + e.getFullResourceName() + (e.getNamespace() != null ? " in " + e.getNamespace() : "") + ")" : "";
    if (e.getCode() > 0) {
      String m = message(e);
      return "HTTP " + e.getCode() + ": " + (m == null || m.isBlank() ? "(no message)" : m) + on;
    }
    if (!isNoAnswer(e)) {
      return null;
    }
    return "no answer from the API server" + on + ": " + RootCause.message(e);
  }

  /**
   * What kind of answer this is, for counting repeats: its HTTP code and Status reason (and for a
   * 403, a quota, the namespace), or for no answer the transport's failure (the innermost cause's
   * class), without the request it was to.
   */
  static String kindOfAnswer(KubernetesClientException e) {
    if (e.getCode() > 0) {
      // a quota is a namespace's own: one namespace's full quota says nothing of another's
      return "HTTP " + e.getCode() + " " + (e.getStatus() == null ? "" : String.valueOf(e.getStatus().getReason()))
          + (e.getCode() == 403 ? " in " + e.getNamespace() : "");
    }
    return "no answer " + RootCause.of(e).getClass().getName();
  }

  /** The status reason while a transient error is retried. */
  static String transientReason(Throwable e) {
    if (e instanceof KubernetesClientException k) {
      if (k.getCode() == 403 && isQuota(k)) {
        return "QuotaExceeded";
      }
      if (k.getCode() == 429) {
        return "APIThrottled";
      }
    }
    return "ReconcileError";
  }
}
