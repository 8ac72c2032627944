package dev.stagebuild.reconciler;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.kaniko.Labels;
import io.fabric8.kubernetes.api.model.ListOptions;
import io.fabric8.kubernetes.api.model.ListOptionsBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
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
 * (application.properties) because it runs in Quarkus' start-up, before the HTTP server: a wait
 * there would leave the health probes unanswered. Here the wait runs on a thread of its own, with
 * the probes up: live, and not ready (quarkus-operator-sdk's readiness check) until the operator has
 * started. The informers then ride out failed lists rather than stop the operator
 * ({@code stop-on-informer-error-during-startup=false}); a start that fails all the same (leader
 * election's access check meeting a 5xx) ends the process, as quarkus-operator-sdk's does.
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
    List<String> namespaces = watchedNamespaces(operator);
    synchronized (lifecycle) {
      starter = new Thread(() -> start(namespaces), "operator-start");
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

  private void start(List<String> namespaces) {
    try {
      new ApiServerWait(Clock.systemUTC(), d -> Thread.sleep(d.toMillis())).await(() -> listEach(client, namespaces));
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
        }
      }
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
