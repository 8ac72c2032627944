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
 * started. A start that fails all the same ends the process, as quarkus-operator-sdk's does.
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

  private volatile Thread starter;

  void onStart(@Observes StartupEvent e) {
    if (!startOperator) {
      return;
    }
    List<String> namespaces = watchedNamespaces(operator);
    starter = new Thread(() -> start(namespaces), "operator-start");
    starter.start();
  }

  void onStop(@Observes ShutdownEvent e) {
    Thread t = starter;
    if (t != null) {
      t.interrupt();
    }
    operator.stop();
  }

  private void start(List<String> namespaces) {
    try {
      new ApiServerWait(Clock.systemUTC(), d -> Thread.sleep(d.toMillis())).await(() -> listEach(client, namespaces));
      LOG.info("starting {} controller(s)", operator.getRegisteredControllersNumber());
      operator.start();
    } catch (InterruptedException stopped) {
      Thread.currentThread().interrupt();
    } catch (IllegalStateException refused) {
      // ApiServerWait's message says it all (what the API server answered, what to do)
      LOG.error("the operator cannot start: {}", refused.getMessage());
      Quarkus.asyncExit(1);
    } catch (RuntimeException failed) {
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
