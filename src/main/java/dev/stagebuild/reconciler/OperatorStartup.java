package dev.stagebuild.reconciler;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.kaniko.Labels;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.informer.InformerConfiguration;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts the operator once the API server answers the lists its informers begin with
 * ({@link ApiServerWait}): one small list of each kind (StageBuilds, the operator's pods and claims)
 * in each namespace the controller watches. quarkus-operator-sdk's own start is off
 * (application.properties). When the lists are answered at once, the operator starts in Quarkus'
 * start, as quarkus-operator-sdk starts it. Otherwise the wait runs on a thread of its own, because
 * Quarkus' start runs before the HTTP server and a wait there would leave the health probes
 * unanswered: live, and not ready (quarkus-operator-sdk's readiness check) until the operator has
 * started. The informers then ride out failed lists rather than stop the operator
 * ({@code stop-on-informer-error-during-startup=false}). With leader election on, JOSDK's start
 * also checks access to its Lease once and fails on any error: that check is part of the wait too,
 * so only a failure in the moment between the wait and the start still ends the process (as
 * quarkus-operator-sdk's start does).
 */
@Singleton
public class OperatorStartup {
  private static final Logger LOG = LoggerFactory.getLogger(OperatorStartup.class);

  @Inject
  Operator operator;

  @Inject
  KubernetesClient client;

  /** Off in tests of the wiring, without a cluster. */
  @ConfigProperty(name = "stagebuild.start-operator", defaultValue = "true")
  boolean startOperator;

  @Inject
  OperatorSettings settings;

  @Inject
  dev.stagebuild.kaniko.KanikoResources resources;

  /** How many made-up builds {@link WarmUp} runs before the operator starts (0: none), within {@link #WARM_UP_BUDGET}. */
  @ConfigProperty(name = "stagebuild.warm-up-builds", defaultValue = "40")
  int warmUpBuilds;

  /** How long the shutdown waits for a start under way (the pod's grace period is 30 s by default). */
  static final java.time.Duration STOP_WAIT = java.time.Duration.ofSeconds(10);

  private final Object lifecycle = new Object();
  /** Guarded by lifecycle: set by the shutdown, read before and after the operator's start. */
  private boolean stopping;
  /** Guarded by lifecycle: the starter is waiting for the API server (interrupting it then is safe). */
  private boolean waiting;
  private Thread starter;

  void onStart(@Observes StartupEvent e) {
    if (!startOperator) {
      return;
    }
    warmUp();
    List<String> namespaces = watchedNamespaces(operator);
    String leaseNamespace = leaseNamespace(operator, client);
    KubernetesClientException failure = tryLists(namespaces, leaseNamespace);
    if (failure == null) {
      // The usual case: started here, in Quarkus' start, as quarkus-operator-sdk starts it. (Started
      // on a thread of its own alongside the end of Quarkus' start, the process's idle memory was
      // 80 MiB larger: 277 against 191 MiB resident in PackagedJarBenchmarkIT.)
      LOG.info("starting {} controller(s)", operator.getRegisteredControllersNumber());
      operator.start();
      collectWhenSettled();
      return;
    }
    synchronized (lifecycle) {
      starter = new Thread(() -> start(namespaces, leaseNamespace, failure), "operator-start");
      waiting = true;
      starter.start();
    }
  }

  void onStop(@Observes ShutdownEvent e) throws InterruptedException {
    Thread t;
    synchronized (lifecycle) {
      stopping = true;
      t = starter;
      // Only a wait is interrupted: JOSDK's start swallows an interrupt (with a warning) and goes on.
      if (t != null && waiting) {
        t.interrupt();
      }
    }
    if (t != null) {
      t.join(STOP_WAIT.toMillis());
    }
    // A start still under way after that stops the operator itself when it ends (see start).
    operator.stop();
  }

  private void warmUp() {
    if (warmUpBuilds <= 0) {
      return;
    }
    long t0 = System.nanoTime();
    try {
      int ran = new WarmUp(new BuildDecider(settings), resources, client.getKubernetesSerialization(),
          Clock.systemUTC()).run(warmUpBuilds, WARM_UP_BUDGET);
      // Its garbage is most of what the heap holds now; collected at once, so that the start's
      // next allocations can reuse the memory it touched (idle RSS in PackagedJarBenchmarkIT,
      // 30 builds, one run each: 233 MiB with this collection, 269 without; the runs are noisy).
      System.gc();
      LOG.info("warm-up: {} made-up builds in {} ms", ran, (System.nanoTime() - t0) / 1_000_000);
    } catch (RuntimeException | LinkageError | StackOverflowError e) {
      // It only saves time; the operator starts without it.
      LOG.warn("warm-up failed, starting without it: {}", String.valueOf(e), e);
    }
  }

  static final java.time.Duration WARM_UP_BUDGET = java.time.Duration.ofSeconds(3);

  /** One try of the lists: null when answered; a failure is for {@link ApiServerWait} to report and wait out. */
  private KubernetesClientException tryLists(List<String> namespaces, String leaseNamespace) {
    try {
      probe(client, namespaces, leaseNamespace);
      return null;
    } catch (KubernetesClientException e) {
      return e;
    }
  }

  private void start(List<String> namespaces, String leaseNamespace, KubernetesClientException firstFailure) {
    try {
      new ApiServerWait(Clock.systemUTC(), d -> Thread.sleep(d.toMillis()))
          .await(() -> probe(client, namespaces, leaseNamespace), firstFailure);
      synchronized (lifecycle) {
        waiting = false;
        if (stopping) {
          return;
        }
      }
      LOG.info("starting {} controller(s)", operator.getRegisteredControllersNumber());
      operator.start();
      synchronized (lifecycle) {
        if (stopping) {
          operator.stop();
          return;
        }
      }
      collectWhenSettled();
    } catch (InterruptedException stopped) {
      Thread.currentThread().interrupt();
    } catch (ApiServerWait.Refused refused) {
      // its message says it all: what the API server answered, what to do
      LOG.error("the operator cannot start: {}", refused.getMessage());
      Quarkus.asyncExit(1);
    } catch (Throwable failed) {
      // as quarkus-operator-sdk's start does: a process that cannot reconcile ends, and is restarted
      LOG.error("the operator cannot start: {}", failed.getMessage(), failed);
      Quarkus.asyncExit(1);
    }
  }

  /** With leader election, the collection waits for the Lease instead ({@link LeaderElection}). */
  private void collectWhenSettled() {
    if (operator.getConfigurationService().getLeaderElectionConfiguration().isEmpty()) {
      SettledCollection.afterStart();
    }
  }

  /** The namespaces the StageBuild controller watches; an empty list for all of them. */
  static List<String> watchedNamespaces(Operator operator) {
    List<String> namespaces = new ArrayList<>();
    for (var controller : operator.getRegisteredControllers()) {
      Set<String> configured = controller.getConfiguration().getInformerConfig().getNamespaces();
      if (InformerConfiguration.allNamespacesWatched(configured)) {
        return List.of();
      }
      namespaces.addAll(configured);
    }
    return namespaces;
  }

  /**
   * With leader election on, the namespace of its Lease, as JOSDK chooses it (the configured one, else
   * the client's); null when it is off or no namespace is known (JOSDK's start then says so).
   */
  static String leaseNamespace(Operator operator, KubernetesClient client) {
    return operator.getConfigurationService().getLeaderElectionConfiguration()
        .map(c -> c.getLeaseNamespace().orElseGet(() -> client.getConfiguration().getNamespace()))
        .orElse(null);
  }

  /**
   * The requests the operator's start begins with: the informers' first lists and, with leader
   * election on, JOSDK's check of its access to the Lease (a SelfSubjectRulesReview, which any
   * authenticated user may create), whose failure would end the start.
   */
  private static void probe(KubernetesClient client, List<String> namespaces, String leaseNamespace) {
    listEach(client, namespaces);
    if (leaseNamespace != null) {
      client.resource(new SelfSubjectRulesReviewBuilder().withNewSpec().withNamespace(leaseNamespace).endSpec().build())
          .create();
    }
  }

  private static void listEach(KubernetesClient client, List<String> namespaces) {
    // limit 1: the question is whether the API server answers, not what it holds
    ListOptions one = new ListOptionsBuilder().withLimit(1L).build();
    ListOptions managedOne = new ListOptionsBuilder().withLimit(1L)
        .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE).build();
    if (namespaces.isEmpty()) {
      client.resources(StageBuild.class).inAnyNamespace().list(one);
      client.pods().inAnyNamespace().list(managedOne);
      client.persistentVolumeClaims().inAnyNamespace().list(managedOne);
      return;
    }
    for (String ns : namespaces) {
      String namespace = InformerConfiguration.currentNamespaceWatched(Set.of(ns)) ? client.getNamespace() : ns;
      client.resources(StageBuild.class).inNamespace(namespace).list(one);
      client.pods().inNamespace(namespace).list(managedOne);
      client.persistentVolumeClaims().inNamespace(namespace).list(managedOne);
    }
  }
}
