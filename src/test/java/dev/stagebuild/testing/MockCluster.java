package dev.stagebuild.testing;

import dev.stagebuild.api.StageBuild;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.ServerRequest;
import io.fabric8.mockwebserver.ServerResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.Map;
import java.util.Queue;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The Fabric8 mock API server in CRUD mode with the StageBuild CRD registered (so that status is a
 * subresource), standing in for a cluster.
 */
public final class MockCluster implements AutoCloseable {
  public static final Path CRD = Path.of("deploy/crds/stagebuilds.stagebuild.dev-v1.yml");

  private final Map<ServerRequest, Queue<ServerResponse>> responses = new HashMap<>();
  private volatile KubernetesMockServer server;
  private final KubernetesClient client;
  private final ClusterDispatcher dispatcher;

  public MockCluster() {
    // The mixed dispatcher answers CRUD requests like an API server and still serves expectations
    // (the test kubelet uses one for each pod's log).
    dispatcher = new ClusterDispatcher(responses);
    server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
    server.init();
    client = server.createClient();
    try (InputStream in = Files.newInputStream(CRD)) {
      CustomResourceDefinition crd = client.apiextensions().v1().customResourceDefinitions().load(in).item();
      client.apiextensions().v1().customResourceDefinitions().resource(crd).create();
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + CRD, e);
    }
  }

  public KubernetesMockServer server() {
    return server;
  }

  private int stoppedPort;

  /**
   * The API server goes away, as in a restart of its process: open connections and watches are
   * dropped and new ones refused until {@link #restartServer()}. What it stores stays.
   */
  public void stopServer() {
    stoppedPort = server.getPort();
    server.shutdown();
  }

  /** Back on the same address, with what it stored (watches are not replayed: nothing changed meanwhile). */
  public void restartServer() {
    // a server cannot be started twice: a new one, with the same dispatcher (which holds the store)
    server = new KubernetesMockServer(new Context(), new MockWebServer(), responses, dispatcher, false);
    server.init(java.net.InetAddress.getLoopbackAddress(), stoppedPort);
  }

  /** Calls {@code seen} with each StageBuild of the namespace as it is added or changed (close the informer). */
  public SharedIndexInformer<StageBuild> watchStageBuilds(String namespace, Consumer<StageBuild> seen) {
    return client().resources(StageBuild.class).inNamespace(namespace).inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(StageBuild sb) {
        seen.accept(sb);
      }

      @Override
      public void onUpdate(StageBuild old, StageBuild sb) {
        seen.accept(sb);
      }

      @Override
      public void onDelete(StageBuild sb, boolean unknown) {}
    });
  }

  public KubernetesClient client() {
    return client;
  }

  /** What this server does beyond CRUD: logs, admission, injected failures. */
  public ClusterDispatcher dispatcher() {
    return dispatcher;
  }

  /** Every request the server received since the last call, oldest first. */
  public List<RecordedRequest> drainRequests() {
    List<RecordedRequest> all = new ArrayList<>();
    try {
      RecordedRequest r;
      while ((r = server.takeRequest(10, TimeUnit.MILLISECONDS)) != null) {
        all.add(r);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return all;
  }

  public void createNamespace(String name) {
    client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
  }

  @Override
  public void close() {
    client.close();
    server.destroy();
  }
}
