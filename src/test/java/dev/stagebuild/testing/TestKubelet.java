package dev.stagebuild.testing;

import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Plays the kubelet (and the scheduler, the attach/detach controller and pod GC) for the mock API
 * server: every new pod is placed on a node, marked Running, handed to a behavior (which may run it
 * for real), and then marked Succeeded or Failed with an exit code and a termination message, the way
 * the kubelet reports them. Pods run in parallel, one thread each.
 *
 * <p>The scheduler places one pod at a time, as kube-scheduler does: a node named by a required
 * node affinity, and required pod affinity (topology {@code kubernetes.io/hostname}, match labels)
 * to the pods it has placed that have not ended: it counts a pod from the moment it placed it, and
 * forgets it when it ends (kube-scheduler's pod informer leaves out Succeeded and Failed pods). The
 * first pod of a group that matches its own affinity goes anywhere. A pod no node fits waits,
 * Unschedulable, until one does.
 *
 * <p>{@link Chaos#HOSTILE} behaves like a real cluster at its worst: two nodes, and a ReadWriteOnce
 * claim in use on one of them leaves a pod on the other in ContainerCreating with a Multi-Attach
 * warning; some unpinned pods placed without regard to pod affinity (a second scheduler, or a pod
 * placed after the others had ended); a mesh sidecar (listed first, never ending) in half of the
 * pods, so their phase stays Running after the build container ended; some running pods evicted
 * (phase Failed, reason Evicted, DisruptionTarget); some finished pods deleted soon after (pod GC).
 */
public final class TestKubelet implements AutoCloseable {
  public static final String NODE = "test-node-1";
  public static final String NODE_2 = "test-node-2";
  private static final String BUILD_CONTAINERS = "kaniko source";

  /**
   * How unkind the cluster is.
   *
   * @param twoNodes place unpinned pods on either of two nodes
   * @param sidecars pods get a never-ending sidecar (the dispatcher injects it on creation)
   * @param evictionRate share of first attempts evicted while running
   * @param podGcRate share of finished pods deleted shortly after they ended
   * @param strayRate share of pods not pinned to a node that are placed ignoring their pod affinity
   */
  public record Chaos(boolean twoNodes, boolean sidecars, double evictionRate, double podGcRate, double strayRate) {
    public static final Chaos CALM = new Chaos(false, false, 0, 0, 0);
    public static final Chaos HOSTILE = new Chaos(true, true, 0.3, 0.5, 0.2);
  }

  private final KubernetesClient client;
  private final MockCluster cluster;
  private final Function<Pod, PodBehavior> behaviors;
  private final Chaos chaos;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-kubelet");
    t.setDaemon(true);
    return t;
  });
  private final Set<String> seen = ConcurrentHashMap.newKeySet();
  private final Map<String, Instant> created = new ConcurrentHashMap<>();
  private final Map<String, Instant> finished = new ConcurrentHashMap<>();
  private final List<String> started = new CopyOnWriteArrayList<>();
  private final Map<String, Pod> pods = new ConcurrentHashMap<>();
  private final Map<String, String> nodeOfPod = new ConcurrentHashMap<>();
  /** ReadWriteOnce claims: the node they are attached to and how many running pods there use them. */
  private final Map<String, Attachment> attached = new HashMap<>();
  private final AtomicInteger evictions = new AtomicInteger();
  private final AtomicInteger collected = new AtomicInteger();
  private final AtomicInteger multiAttach = new AtomicInteger();
  private final AtomicInteger strays = new AtomicInteger();
  /** What the scheduler counts for pod affinity: pods it placed that have not ended, by uid. */
  private final Map<String, Placed> placed = new HashMap<>();
  private final Set<String> deleted = ConcurrentHashMap.newKeySet();
  /** The ReadWriteOnce claim each attached pod holds, by uid. */
  private final Map<String, String> claims = new ConcurrentHashMap<>();
  private volatile java.util.function.Predicate<Pod> placedElsewhere = pod -> false;
  private final SharedIndexInformer<Pod> informer;

  private record Attachment(String node, int pods) {}

  private record Placed(String namespace, Map<String, String> labels, String node) {}

  public TestKubelet(MockCluster cluster, Function<Pod, PodBehavior> behaviors) {
    this(cluster, behaviors, Chaos.CALM);
  }

  public TestKubelet(MockCluster cluster, Function<Pod, PodBehavior> behaviors, Chaos chaos) {
    this.client = cluster.client();
    this.cluster = cluster;
    this.behaviors = behaviors;
    this.chaos = chaos;
    cluster.dispatcher().injectSidecars(chaos.sidecars());
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
      public void onDelete(Pod pod, boolean unknown) {
        deleted.add(pod.getMetadata().getUid());
        forget(pod);
      }
    });
  }

  /**
   * Pods that a second scheduler places: on the other node than the pods of their affinity group
   * already placed (a cluster of two nodes), whatever their pod affinity says.
   */
  public void placeElsewhere(java.util.function.Predicate<Pod> pods) {
    this.placedElsewhere = pods;
  }

  /** The node the scheduler placed the pod on, or null. */
  public String nodeOf(String podName) {
    return nodeOfPod.get(podName);
  }

  /** Names of pods in the order this kubelet started them. */
  public List<String> startedPods() {
    return List.copyOf(started);
  }

  /** The pod as this kubelet first saw it (it may since have been deleted). */
  public Pod pod(String name) {
    return pods.get(name);
  }

  /** When this kubelet first saw the pod (its creation, give or take the watch's latency). */
  public Instant createdAt(String pod) {
    return created.get(pod);
  }

  /** When this kubelet reported the pod Succeeded or Failed. */
  public Instant finishedAt(String pod) {
    return finished.get(pod);
  }

  /** What the hostile cluster did so far, for the test's report. */
  public String chaosReport() {
    return "evictions=" + evictions.get() + " pod-gc=" + collected.get() + " multi-attach=" + multiAttach.get()
        + " strays=" + strays.get();
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
    pods.put(pod.getMetadata().getName(), pod);
    started.add(pod.getMetadata().getName());
    pool.submit(() -> runPod(pod));
  }

  private void runPod(Pod pod) {
    String node = schedule(pod);
    if (node == null) {
      return;
    }
    String claim = readWriteOnceClaim(pod);
    if (claim != null && !attach(claim, node)) {
      multiAttach.incrementAndGet();
      setStatus(pod, pendingStatus(pod, "ContainerCreating"), node);
      multiAttachWarning(pod, claim);
      // The attach/detach controller attaches the claim here once no pod on the other node uses it.
      if (!awaitAttach(pod, claim, node)) {
        return;
      }
    }
    if (claim != null) {
      claims.put(pod.getMetadata().getUid(), claim);
    }
    run(pod, node);
  }

  private void run(Pod pod, String node) {
    PodBehavior behavior = behaviors.apply(pod);
    String now = now();
    setStatus(pod, status("Running", now, pod, container(pod).withReady(true)
        .withState(new ContainerStateBuilder().withNewRunning().withStartedAt(now).endRunning().build()).build()),
        node);
    if (roll(pod, "evict") < chaos.evictionRate() && "1".equals(pod.getMetadata().getLabels()
        .get("stagebuild.dev/attempt"))) {
      evictions.incrementAndGet();
      setStatus(pod, new PodStatusBuilder().withPhase("Failed").withReason("Evicted").withStartTime(now)
          .withMessage("The node was low on resource: memory. Threshold quantity: 100Mi, available: 90Mi.")
          .addToConditions(new PodConditionBuilder().withType("DisruptionTarget").withStatus("True")
              .withReason("TerminationByKubelet").withMessage("The node was low on resource: memory.").build())
          .addToContainerStatuses(container(pod).withReady(false).withState(new ContainerStateBuilder()
              .withNewTerminated().withExitCode(137).withReason("Error").withStartedAt(now).withFinishedAt(now())
              .endTerminated().build()).build())
          .build(), null);
      forget(pod);
      return;
    }
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
      cluster.dispatcher().serveLog(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), outcome.log());
    }
    if ("Pending".equals(outcome.phase())) {
      if ("ContainerCreating".equals(outcome.waitingReason())) {
        multiAttachWarning(pod, "pvc-" + pod.getMetadata().getName());
      }
      setStatus(pod, pendingStatus(pod, outcome.waitingReason()), null);
      return;
    }
    String end = now();
    boolean ok = "Succeeded".equals(outcome.phase());
    ContainerStatus main = container(pod).withReady(false)
        .withState(new ContainerStateBuilder().withNewTerminated().withExitCode(outcome.exitCode())
            .withReason(ok ? "Completed" : "Error").withMessage(outcome.terminationMessage())
            .withStartedAt(now).withFinishedAt(end).endTerminated().build())
        .build();
    // A sidecar that never ends keeps the pod Running after the build container ended.
    boolean sidecar = hasSidecar(pod);
    setStatus(pod, status(sidecar ? "Running" : outcome.phase(), now, pod, main), null);
    if (!sidecar) {
      forget(pod);
    }
    finished.put(pod.getMetadata().getName(), Instant.now());
    if (!sidecar && roll(pod, "gc") < chaos.podGcRate()) {
      sleep(200);
      collected.incrementAndGet();
      client.pods().inNamespace(pod.getMetadata().getNamespace()).withName(pod.getMetadata().getName()).delete();
    }
  }

  private static PodStatus status(String phase, String startTime, Pod pod, ContainerStatus main) {
    PodStatusBuilder b = new PodStatusBuilder().withPhase(phase).withStartTime(startTime);
    if (hasSidecar(pod)) {
      b.addToContainerStatuses(new ContainerStatusBuilder().withName(ClusterDispatcher.SIDECAR).withReady(true)
          .withState(new ContainerStateBuilder().withNewRunning().withStartedAt(startTime).endRunning().build())
          .build());
    }
    return b.addToContainerStatuses(main).build();
  }

  private static boolean hasSidecar(Pod pod) {
    return pod.getSpec().getContainers().stream().anyMatch(c -> ClusterDispatcher.SIDECAR.equals(c.getName()));
  }

  /** What the attach/detach controller records when a ReadWriteOnce volume is in use on another node. */
  private void multiAttachWarning(Pod pod, String claim) {
    String ns = pod.getMetadata().getNamespace();
    try {
      client.v1().events().inNamespace(ns).resource(new EventBuilder().withNewMetadata()
          .withName(pod.getMetadata().getName() + ".multiattach").withNamespace(ns).endMetadata()
          .withNewInvolvedObject().withKind("Pod").withName(pod.getMetadata().getName()).withNamespace(ns)
          .withUid(pod.getMetadata().getUid()).endInvolvedObject()
          .withType("Warning").withReason("FailedAttachVolume")
          .withMessage("Multi-Attach error for volume \"" + claim + "\" Volume is already used by pod(s) on "
              + "another node")
          .withLastTimestamp(now()).withCount(1).build()).create();
    } catch (KubernetesClientException ignored) {
      // Recorded once is enough.
    }
  }

  /**
   * Places the pod, waiting Unschedulable while no node fits, for as long as that lasts (as
   * kube-scheduler keeps retrying: a pod pinned away from its group is placed once the group's
   * pods there have ended); null when the pod went meanwhile or the kubelet stops.
   */
  private String schedule(Pod pod) {
    boolean reported = false;
    while (!Thread.currentThread().isInterrupted()) {
      if (deleted.contains(pod.getMetadata().getUid())) {
        return null;
      }
      String node = place(pod);
      if (node != null) {
        return node;
      }
      if (!reported) {
        setStatus(pod, pendingStatus(pod, "Unschedulable"), null);
        reported = true;
      }
      sleep(20);
    }
    return null;
  }

  /** One scheduling cycle: the pod counts for later pods' affinity from here on (kube-scheduler's "assume"). */
  private synchronized String place(Pod pod) {
    String pinned = pinnedNode(pod);
    List<String> nodes = pinned != null ? List.of(pinned) : !chaos.twoNodes() ? List.of(NODE)
        : roll(pod, "node") < 0.5 ? List.of(NODE_2, NODE) : List.of(NODE, NODE_2);
    if (pinned == null && chaos.twoNodes()) {
      // Spread, as kube-scheduler's scoring does: only an affinity keeps pods together.
      String first = nodes.get(0);
      String second = nodes.get(1);
      long onFirst = placed.values().stream().filter(p -> p.node().equals(first)).count();
      long onSecond = placed.values().stream().filter(p -> p.node().equals(second)).count();
      if (onSecond < onFirst) {
        nodes = List.of(nodes.get(1), nodes.get(0));
      }
    }
    var terms = podAffinityTerms(pod);
    boolean stray = pinned == null && !terms.isEmpty() && roll(pod, "stray") < chaos.strayRate();
    String chosen = null;
    if (terms.isEmpty() || stray) {
      chosen = nodes.get(0);
      if (stray) {
        strays.incrementAndGet();
      }
    } else {
      Set<String> matching = new java.util.HashSet<>();
      boolean anyMatch = false;
      for (Placed p : placed.values()) {
        if (sameGroup(p, pod, terms)) {
          matching.add(p.node());
          anyMatch = true;
        }
      }
      if (!anyMatch && terms.stream().allMatch(t -> matches(t, pod.getMetadata().getLabels()))) {
        chosen = nodes.get(0);
      } else {
        chosen = nodes.stream().filter(matching::contains).findFirst().orElse(null);
      }
    }
    if (chosen != null && pinned == null && chaos.twoNodes() && placedElsewhere.test(pod)
        && placed.values().stream().anyMatch(p -> sameGroup(p, pod, terms))) {
      chosen = NODE.equals(chosen) ? NODE_2 : NODE;
      strays.incrementAndGet();
    }
    if (chosen != null) {
      nodeOfPod.put(pod.getMetadata().getName(), chosen);
      placed.put(pod.getMetadata().getUid(), new Placed(pod.getMetadata().getNamespace(),
          pod.getMetadata().getLabels() == null ? Map.of() : Map.copyOf(pod.getMetadata().getLabels()), chosen));
    }
    return chosen;
  }

  private static boolean sameGroup(Placed p, Pod pod, List<io.fabric8.kubernetes.api.model.PodAffinityTerm> terms) {
    return !terms.isEmpty() && p.namespace().equals(pod.getMetadata().getNamespace())
        && terms.stream().allMatch(t -> matches(t, p.labels()));
  }

  /**
   * The pod ended (or went): the scheduler forgets it, and its ReadWriteOnce claim is released. A pod
   * kept Running by a sidecar, or waiting Pending, holds its claim until it is deleted.
   */
  private synchronized void forget(Pod pod) {
    placed.remove(pod.getMetadata().getUid());
    String claim = claims.remove(pod.getMetadata().getUid());
    if (claim != null) {
      detach(claim);
    }
  }

  private static String pinnedNode(Pod pod) {
    var affinity = pod.getSpec().getAffinity();
    if (affinity != null && affinity.getNodeAffinity() != null
        && affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() != null) {
      for (var term : affinity.getNodeAffinity().getRequiredDuringSchedulingIgnoredDuringExecution()
          .getNodeSelectorTerms()) {
        for (var field : term.getMatchFields() == null ? List.<io.fabric8.kubernetes.api.model.NodeSelectorRequirement>of()
            : term.getMatchFields()) {
          if ("metadata.name".equals(field.getKey()) && !field.getValues().isEmpty()) {
            return field.getValues().get(0);
          }
        }
      }
    }
    return null;
  }

  /** Required pod affinity terms; only what this scheduler understands (node topology, match labels). */
  private static List<io.fabric8.kubernetes.api.model.PodAffinityTerm> podAffinityTerms(Pod pod) {
    var affinity = pod.getSpec().getAffinity();
    if (affinity == null || affinity.getPodAffinity() == null
        || affinity.getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution() == null) {
      return List.of();
    }
    var terms = affinity.getPodAffinity().getRequiredDuringSchedulingIgnoredDuringExecution();
    for (var t : terms) {
      if (!"kubernetes.io/hostname".equals(t.getTopologyKey()) || t.getLabelSelector() == null
          || (t.getLabelSelector().getMatchExpressions() != null && !t.getLabelSelector().getMatchExpressions().isEmpty())
          || (t.getNamespaces() != null && !t.getNamespaces().isEmpty()) || t.getNamespaceSelector() != null) {
        throw new IllegalStateException("the test scheduler does not understand this pod affinity term: " + t);
      }
    }
    return terms;
  }

  private static boolean matches(io.fabric8.kubernetes.api.model.PodAffinityTerm term, Map<String, String> labels) {
    Map<String, String> want = term.getLabelSelector().getMatchLabels() == null ? Map.of()
        : term.getLabelSelector().getMatchLabels();
    return labels != null && want.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
  }

  private String readWriteOnceClaim(Pod pod) {
    for (Volume v : pod.getSpec().getVolumes() == null ? List.<Volume>of() : pod.getSpec().getVolumes()) {
      if (v.getPersistentVolumeClaim() == null) {
        continue;
      }
      String name = v.getPersistentVolumeClaim().getClaimName();
      PersistentVolumeClaim pvc = client.persistentVolumeClaims().inNamespace(pod.getMetadata().getNamespace())
          .withName(name).get();
      List<String> modes = pvc == null || pvc.getSpec() == null ? List.of() : pvc.getSpec().getAccessModes();
      return modes.contains("ReadWriteMany") ? null : pod.getMetadata().getNamespace() + "/" + name;
    }
    return null;
  }

  private synchronized boolean attach(String claim, String node) {
    Attachment a = attached.get(claim);
    if (a != null && a.pods() > 0 && !a.node().equals(node)) {
      return false;
    }
    attached.put(claim, new Attachment(node, a == null || !a.node().equals(node) ? 1 : a.pods() + 1));
    return true;
  }

  private boolean awaitAttach(Pod pod, String claim, String node) {
    for (int tries = 0; tries < 3000; tries++) {
      sleep(20);
      if (deleted.contains(pod.getMetadata().getUid())) {
        return false;
      }
      if (attach(claim, node)) {
        return true;
      }
    }
    return false;
  }

  private synchronized void detach(String claim) {
    Attachment a = attached.get(claim);
    if (a != null) {
      attached.put(claim, new Attachment(a.node(), Math.max(0, a.pods() - 1)));
    }
  }

  /** A roll of the dice that is the same for the same pod and purpose, so a run can be repeated. */
  private static double roll(Pod pod, String purpose) {
    int h = (pod.getMetadata().getName() + "/" + purpose).hashCode();
    return (h & 0x7fffffff) / (double) Integer.MAX_VALUE;
  }

  private static PodStatus pendingStatus(Pod pod, String reason) {
    if ("ContainerCreating".equals(reason)) {
      return new PodStatusBuilder().withPhase("Pending")
          .addToContainerStatuses(container(pod).withReady(false).withState(new ContainerStateBuilder()
              .withNewWaiting().withReason("ContainerCreating").endWaiting().build()).build())
          .build();
    }
    if ("Unschedulable".equals(reason)) {
      return new PodStatusBuilder().withPhase("Pending")
          .addToConditions(new PodConditionBuilder().withType("PodScheduled").withStatus("False")
              .withReason("Unschedulable").withMessage("0/3 nodes are available: 3 Insufficient memory.").build())
          .build();
    }
    return new PodStatusBuilder().withPhase("Pending")
        .addToContainerStatuses(container(pod).withReady(false)
            .withState(new ContainerStateBuilder().withNewWaiting().withReason(reason)
                .withMessage("Back-off pulling image \"" + mainContainer(pod).getImage() + "\"")
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
        // The binding: the node and PodScheduled=True in one write.
        current.getSpec().setNodeName(node);
        current.setStatus(withScheduled(current.getStatus() == null ? new PodStatus() : current.getStatus()));
        current = client.pods().resource(current).update();
      }
      boolean bound = current.getSpec().getNodeName() != null;
      current.setStatus(bound ? withScheduled(status) : status);
      client.pods().resource(current).updateStatus();
    } catch (KubernetesClientException e) {
      // The operator deleted the pod meanwhile: a real kubelet would just stop reporting too.
    }
  }

  /** The status with PodScheduled=True, which the kubelet keeps in every status it writes once bound. */
  private static PodStatus withScheduled(PodStatus status) {
    List<io.fabric8.kubernetes.api.model.PodCondition> conditions = new ArrayList<>(
        status.getConditions() == null ? List.of() : status.getConditions());
    if (conditions.stream().noneMatch(c -> "PodScheduled".equals(c.getType()))) {
      conditions.add(0, new PodConditionBuilder().withType("PodScheduled").withStatus("True").build());
    }
    return new PodStatusBuilder(status).withConditions(conditions).build();
  }

  private static ContainerStatusBuilder container(Pod pod) {
    return new ContainerStatusBuilder().withName(mainContainer(pod).getName());
  }

  private static io.fabric8.kubernetes.api.model.Container mainContainer(Pod pod) {
    return pod.getSpec().getContainers().stream().filter(c -> BUILD_CONTAINERS.contains(c.getName())).findFirst()
        .orElse(pod.getSpec().getContainers().get(pod.getSpec().getContainers().size() - 1));
  }

  private static String now() {
    return Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    informer.close();
    pool.shutdownNow();
  }
}
