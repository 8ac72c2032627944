package dev.stagebuild.reconciler;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits, before the operator starts, until the API server answers the lists its informers begin
 * with (and, with leader election on, JOSDK's check of its access to the Lease). By default JOSDK
 * stops the operator when an informer's first list fails, whatever the cause, so an API server that
 * is restarting, overloaded (429) or failing (5xx) at that moment made the process exit, and
 * Kubernetes' restart back-off then kept the operator down for minutes after the API server was
 * back. A transient answer is waited out here, with back-off, as long as it lasts (the pod is alive
 * and not ready meanwhile); a refusal no wait can change (RBAC forbids the list, a malformed
 * request) ends the start at once with a message that says what to do, and so does a CRD that is
 * still not served after a minute.
 */
final class ApiServerWait {
  private static final Logger LOG = LoggerFactory.getLogger(ApiServerWait.class);
  static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(30);
  /** How long a 404 (the StageBuild CRD not served yet) is waited for. */
  static final Duration CRD_GRACE = Duration.ofMinutes(1);
  /** While it waits, a line at most this often (the first failure is always logged). */
  static final Duration REPORT_EVERY = Duration.ofMinutes(1);

  /** The lists the informers start with; throws the API server's answer when one fails. */
  @FunctionalInterface
  interface Probe {
    void run() throws KubernetesClientException;
  }

  /** An answer no wait can change; its message says what to do. */
  static final class Refused extends RuntimeException {
    Refused(String message, Throwable cause) {
      super(message, cause);
    }
  }

  @FunctionalInterface
  interface Sleeper {
    void sleep(Duration d) throws InterruptedException;
  }

  private final Clock clock;
  private final Sleeper sleeper;

  ApiServerWait(Clock clock, Sleeper sleeper) {
    this.clock = clock;
    this.sleeper = sleeper;
  }

  /**
   * Returns once the probe passes; throws {@link Refused} (with what to do) on an answer no wait
   * can change, {@link InterruptedException} when the process is stopped meanwhile.
   *
   * @param firstFailure the answer of a try just made (reported and waited for before the next), or null
   */
  void await(Probe probe, KubernetesClientException firstFailure) throws InterruptedException {
    Instant start = clock.instant();
    Instant lastReport = null;
    Duration backoff = FIRST_BACKOFF;
    int failures = 0;
    KubernetesClientException failure = firstFailure;
    while (true) {
      if (failure == null) {
        try {
          probe.run();
          if (failures > 0) {
            LOG.info("the Kubernetes API server answers after {} failed tries in {} s; starting", failures,
                Duration.between(start, clock.instant()).toSeconds());
          }
          return;
        } catch (KubernetesClientException e) {
          failure = e;
        }
      }
      String refusal = permanentRefusal(failure);
      // A CRD applied with the Deployment (one GitOps sync) is served a moment after it is created.
      boolean crdMayComeYet = refusal != null && ApiErrors.classify(failure) == ApiErrors.Kind.NOT_FOUND
          && clock.instant().isBefore(start.plus(CRD_GRACE));
      if (refusal != null && !crdMayComeYet) {
        throw new Refused(refusal, failure);
      }
      failures++;
      Instant now = clock.instant();
      if (lastReport == null || !now.isBefore(lastReport.plus(REPORT_EVERY))) {
        lastReport = now;
        LOG.warn("the Kubernetes API server is not ready ({}); the operator waits for it ({} s so far, next try in {} s)",
            ApiErrors.oneLine(failure), Duration.between(start, now).toSeconds(), backoff.toSeconds());
      }
      failure = null;
      sleeper.sleep(backoff);
      backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
    }
  }

  /** What a person must do about an answer no wait can change, or null for one worth waiting out. */
  static String permanentRefusal(KubernetesClientException e) {
    if (e.getCode() <= 0 && !ApiErrors.isNoAnswer(e)) {
      // the client refused to send the request (no namespace to list in, a malformed option)
      return "the operator cannot send a request it needs (" + e.getMessage() + ")";
    }
    String line = ApiErrors.oneLine(e);
    if (line != null && line.contains("/selfsubjectrulesreviews")) {
      // leader election's check of its access to the Lease (JOSDK makes the same one at its start)
      return ApiErrors.classify(e) == ApiErrors.Kind.TRANSIENT ? null
          : "the API server refused the operator's check of its access to its leader-election Lease (" + line
              + "); any authenticated user may create a SelfSubjectRulesReview (ClusterRole system:basic-user),"
              + " and the operator's Role of deploy/manifests/04-role-leases.yaml grants the Lease itself";
    }
    return switch (ApiErrors.classify(e)) {
      case NOT_FOUND -> "the API server does not serve a resource the operator lists (" + ApiErrors.oneLine(e)
          + "); install the StageBuild CRD first (kubectl apply -f deploy/crds/)";
      case PERMANENT -> e.getCode() == 403
          ? "the API server forbids a request the operator needs (" + ApiErrors.oneLine(e) + "); grant the operator's"
              + " ServiceAccount the ClusterRole of deploy/manifests (or the namespaced Role of deploy/namespaced)"
          : "the API server refused a request the operator needs (" + ApiErrors.oneLine(e) + ")";
      default -> null;
    };
  }
}
