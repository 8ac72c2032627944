package dev.stagebuild.reconciler;

import dev.stagebuild.kaniko.Labels;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Makes sure the build pods' ServiceAccount exists in a namespace before a pod names it (a pod of
 * a missing account is refused by the ServiceAccount admission plugin). An account that is there is
 * used as it is; a missing one is created without token automount (pods disable it too) and without
 * an owner: every build of the namespace shares it. Checked once per namespace per
 * {@link #RECHECK}, so a build costs no request for it; bounded by the number of namespaces. The
 * passes of one namespace that find it unchecked wait for the one check under way and share its
 * outcome, a transient error included: a herd of new builds in a namespace costs one GET and at most
 * one create, not one of each per build, and an API server that does not answer costs the herd one
 * timeout, not one per pass in a row.
 */
final class BuildServiceAccounts {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(BuildServiceAccounts.class);
  static final Duration RECHECK = Duration.ofMinutes(10);
  static final int MAX_TRACKED = 10_000;

  private final String account;
  private final Map<String, Instant> checked = new ConcurrentHashMap<>();
  private final Map<String, CompletableFuture<Void>> underWay = new ConcurrentHashMap<>();

  /** {@code account}: the name, or null when pods use the namespace's default account. */
  BuildServiceAccounts(String account) {
    this.account = account;
  }

  /**
   * Ensures the account in {@code namespace}. A transient API error is thrown (the pass is tried
   * again); any other refusal (no right to read or create accounts, a proxy or mock that does not
   * serve them) is logged and the build goes on: if the account is missing after all, the API
   * server refuses the pods, and that refusal names it.
   */
  void ensure(KubernetesClient client, String namespace, Instant now) {
    if (account == null) {
      return;
    }
    if (fresh(namespace, now)) {
      return;
    }
    if (checked.size() >= MAX_TRACKED) {
      checked.clear();
    }
    CompletableFuture<Void> mine = new CompletableFuture<>();
    CompletableFuture<Void> other = underWay.putIfAbsent(namespace, mine);
    if (other != null) {
      awaitOther(other);
      return;
    }
    try {
      if (!fresh(namespace, now)) {
        check(client, namespace);
        // checked, or warned about: either way not asked again before RECHECK
        checked.put(namespace, now);
      }
      mine.complete(null);
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      underWay.remove(namespace, mine);
    }
  }

  /** Waits for another pass's check of the namespace; its transient error is this pass's too. */
  private static void awaitOther(CompletableFuture<Void> other) {
    try {
      other.join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error r) {
        throw r;
      }
      throw e;
    }
  }

  private boolean fresh(String namespace, Instant now) {
    Instant last = checked.get(namespace);
    return last != null && now.isBefore(last.plus(RECHECK));
  }

  private void check(KubernetesClient client, String namespace) {
    try {
      if (client.serviceAccounts().inNamespace(namespace).withName(account).get() == null) {
        client.serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
            .withNewMetadata().withName(account).withNamespace(namespace)
              .addToLabels(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE)
            .endMetadata()
            .withAutomountServiceAccountToken(false)
            .build()).create();
      }
    } catch (KubernetesClientException e) {
      switch (ApiErrors.classify(e)) {
        case ALREADY_EXISTS, CONFLICT -> { } // created meanwhile by another pass
        case TRANSIENT -> throw e;
        default -> LOG.warn("namespace {}: cannot make sure the build pods' ServiceAccount {} exists ({}); the pods"
            + " name it all the same", namespace, account, ApiErrors.message(e));
      }
    }
  }
}
