package dev.stagebuild.reconciler;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leader election, so that more than one replica can run (deploy/manifests/05-deployment.yaml runs
 * two). quarkus-operator-sdk hands a {@link LeaderElectionConfiguration} bean to JOSDK when there is
 * one (in the profiles of {@code quarkus.operator-sdk.activate-leader-election-for-profiles}, default
 * {@code prod}); JOSDK then starts event processing only in the replica that holds the Lease, and
 * the process ends when it loses it ({@link #exitOnStopLeading}).
 *
 * <p>Off unless {@code stagebuild.leader-election.enabled=true} (env
 * {@code STAGEBUILD_LEADER_ELECTION_ENABLED}): {@code java -jar} against a kubeconfig often has no
 * namespace to keep a Lease in, and one local operator needs none.
 */
@Singleton
public class LeaderElection {
  private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

  /** The Lease's name; deploy/manifests/04-role-leases.yaml grants access to this name only. */
  public static final String LEASE_NAME = "stagebuild-operator";
  /** Set by the Deployment from the downward API (metadata.namespace). */
  public static final String NAMESPACE_ENV = "POD_NAMESPACE";

  @ConfigProperty(name = "stagebuild.leader-election.enabled", defaultValue = "false")
  boolean enabled;

  /** Overrides POD_NAMESPACE, mostly for running outside a pod. */
  @ConfigProperty(name = "stagebuild.leader-election.namespace")
  Optional<String> namespace;

  /**
   * Null (no bean, no leader election) when disabled. Dependent scope, because CDI allows a producer
   * to return null only there.
   */
  @Produces
  @Dependent
  LeaderElectionConfiguration leaderElectionConfiguration() {
    LeaderElectionConfiguration config = configuration(enabled, namespace, System.getenv());
    if (config != null) {
      LOG.info("leader election on: Lease {} in namespace {}", config.getLeaseName(),
          config.getLeaseNamespace().orElse("(the client's namespace)"));
    }
    return config;
  }

  /**
   * The configuration for these settings, or null when leader election is off. Without a namespace
   * (neither the property nor POD_NAMESPACE), JOSDK uses the Kubernetes client's namespace: the
   * service account's in a pod, the kubeconfig context's outside.
   */
  public static LeaderElectionConfiguration configuration(boolean enabled, Optional<String> namespace,
      Map<String, String> env) {
    if (!enabled) {
      return null;
    }
    String ns = namespace.filter(s -> !s.isBlank())
        .orElseGet(() -> Optional.ofNullable(env.get(NAMESPACE_ENV)).filter(s -> !s.isBlank()).orElse(null));
    // Exiting on a lost Lease is what keeps two replicas from reconciling at once: the pod restarts
    // and waits for the Lease like any stand-by. Not JOSDK's own exit: it calls System.exit on the
    // thread that stops leading, and a SIGTERM's shutdown stops leading too, from inside the JVM's
    // shutdown, where System.exit blocks for ever (the process never ended; kubelet kills it).
    return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE_NAME)
        .withLeaseNamespace(ns)
        .withExitOnStopLeading(false)
        // A replica reconciles from when it leads: its start-up burst follows, not the process's start.
        .withLeaderCallbacks(new LeaderCallbacks(SettledCollection::afterStart,
            exitOnStopLeading(() -> System.exit(1)), leader -> { }))
        .build();
  }

  /**
   * Ends the process from a thread of its own, so that the caller returns: when the process is
   * already shutting down, that thread waits on the shutdown in progress, which then completes.
   */
  static Runnable exitOnStopLeading(Runnable exit) {
    return () -> {
      LOG.info("stopped leading (the Lease was lost, or the operator is stopping): the process ends");
      Thread t = new Thread(exit, "stagebuild-stop-leading");
      t.setDaemon(true);
      t.start();
    };
  }
}
