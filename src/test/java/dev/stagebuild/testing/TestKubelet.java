package dev.stagebuild.testing;

import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;

/**
 * Plays the kubelet for the mock API server: every new pod is "scheduled" on a node, marked
 * Running, handed to a behavior (which may run it for real), and then marked Succeeded or Failed
 * with an exit code and a termination message, the way the kubelet reports them. Pods run in
 * parallel, one thread each.
 */
public final class TestKubelet implements AutoCloseable {
  public static final String NODE = "test-node-1";

  private final KubernetesClient client;
  private final KubernetesMockServer server;
  private final Function<Pod, PodBehavior> behaviors;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-kubelet");
    t.setDaemon(true);
    return t;
  });
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final Map<String, Instant> created = new ConcurrentHashMap<>();
  private final Map<String, Instant> finished = new ConcurrentHashMap<>();
  private final List<String> started = new CopyOnWriteArrayList<>();
  private final SharedIndexInformer<Pod> informer;

  public TestKubelet(KubernetesClient client, KubernetesMockServer server, Function<Pod, PodBehavior> behaviors) {
    this.client = client;
    this.server = server;
    this.behaviors = behaviors;
    this.informer = client.pods().inAnyNamespace().inform(new ResourceEventHandler<>() {
      @Override
      public void onAdd(Pod pod) {
        admit(pod);
      }

      @Override
      public void onUpdate(Pod oldPod, Pod pod) {
        admit(pod);
      }

      @Override
      public void onDelete(Pod pod, boolean unknown) {}
    });
  }

  /** Names of pods in the order this kubelet started them. */
  public List<String> startedPods() {
    return List.copyOf(started);
  }

  /** When this kubelet first saw the pod (its creation, give or take the watch's latency). */
  public Instant createdAt(String pod) {
    return created.get(pod);
  }

  /** When this kubelet reported the pod Succeeded or Failed. */
  public Instant finishedAt(String pod) {
    return finished.get(pod);
  }

  private void admit(Pod pod) {
    String key = pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName() + "/"
        + pod.getMetadata().getUid();
    if (pod.getStatus() != null && pod.getStatus().getPhase() != null) {
      return;
    }
    if (!seen.add(key)) {
      return;
    }
    created.put(pod.getMetadata().getName(), Instant.now());
    started.add(pod.getMetadata().getName());
    pool.submit(() -> runPod(pod));
  }

  private void runPod(Pod pod) {
    PodBehavior behavior = behaviors.apply(pod);
    String now = now();
    setStatus(pod, new PodStatusBuilder().withPhase("Running").withStartTime(now)
        .addToContainerStatuses(new ContainerStatusBuilder().withName(containerName(pod)).withReady(true)
            .withState(new ContainerStateBuilder().withNewRunning().withStartedAt(now).endRunning().build())
            .build())
        .build(), NODE);
    PodOutcome outcome;
    try {
      outcome = behavior.run(pod);
    } catch (Exception e) {
      outcome = PodOutcome.fail(1, "test kubelet: " + e);
    }
    if (outcome == null) {
      return;
    }
    if (outcome.log() != null) {
      serveLog(pod, outcome.log());
    }
    if ("Pending".equals(outcome.phase())) {
      setStatus(pod, pendingStatus(pod, outcome.waitingReason()), null);
      return;
    }
    String end = now();
    boolean ok = "Succeeded".equals(outcome.phase());
    setStatus(pod, new PodStatusBuilder().withPhase(outcome.phase()).withStartTime(now)
        .addToContainerStatuses(new ContainerStatusBuilder().withName(containerName(pod)).withReady(false)
            .withState(new ContainerStateBuilder().withNewTerminated().withExitCode(outcome.exitCode())
                .withReason(ok ? "Completed" : "Error").withMessage(outcome.terminationMessage())
                .withStartedAt(now).withFinishedAt(end).endTerminated().build())
            .build())
        .build(), NODE);
    finished.put(pod.getMetadata().getName(), Instant.now());
  }

  private static PodStatus pendingStatus(Pod pod, String reason) {
    if ("Unschedulable".equals(reason)) {
      return new PodStatusBuilder().withPhase("Pending")
          .addToConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("False")
              .withReason("Unschedulable").withMessage("0/3 nodes are available: 3 Insufficient memory.").build())
          .build();
    }
    return new PodStatusBuilder().withPhase("Pending")
        .addToContainerStatuses(new ContainerStatusBuilder().withName(containerName(pod)).withReady(false)
            .withState(new ContainerStateBuilder().withNewWaiting().withReason(reason)
                .withMessage("Back-off pulling image \"" + pod.getSpec().getContainers().get(0).getImage() + "\"")
                .endWaiting().build())
            .build())
        .build();
  }

  private void setStatus(Pod pod, PodStatus status, String node) {
    try {
      Pod current = client.pods().inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName()).get();
      if (current == null || !current.getMetadata().getUid().equals(pod.getMetadata().getUid())) {
        return;
      }
      if (node != null) {
        current.getSpec().setNodeName(node);
        current = client.pods().resource(current).update();
      }
      current.setStatus(status);
      client.pods().resource(current).updateStatus();
    } catch (KubernetesClientException e) {
      // The operator deleted the pod meanwhile: a real kubelet would just stop reporting too.
    }
  }

  private void serveLog(Pod pod, String log) {
    String path = "/api/v1/namespaces/" + pod.getMetadata().getNamespace() + "/pods/"
        + pod.getMetadata().getName() + "/log?pretty=false";
    server.expect().get().withPath(path).andReturn(200, log).always();
  }

  private static String containerName(Pod pod) {
    return pod.getSpec().getContainers().get(0).getName();
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  @Override
  public void close() {
    informer.close();
    pool.shutdownNow();
  }
}
