package dev.stagebuild.reconciler;

import dev.stagebuild.api.OutputStatus;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildStatus;
import dev.stagebuild.api.StageStatus;
import dev.stagebuild.api.StepRecord;
import dev.stagebuild.kaniko.BuildNames;
import dev.stagebuild.kaniko.KanikoResources;
import dev.stagebuild.kaniko.Labels;
import dev.stagebuild.kaniko.RenderSettings;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.DockerignoreRewriter;
import dev.stagebuild.plan.Planner;
import dev.stagebuild.plan.PodPlan;
import dev.stagebuild.plan.StagePlan;
import io.fabric8.kubernetes.api.model.ContainerStateTerminated;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The least operator that does the StageBuild operator's job on an inline Dockerfile, as a yardstick
 * for the benchmark: the same JOSDK, client, pod informer (label-selected) and rendered objects
 * ({@link KanikoResources}), nothing else. Per build it plans the Dockerfile once (kept in memory),
 * creates the workspace PVC and the plan ConfigMap with the first pods, creates each stage pod once
 * every pod it depends on has phase Succeeded (producers of a diamond both at once, unpinned), writes
 * the final status once (same fields as the operator's: conditions, stages, steps, output), and
 * deletes the PVC. 7 writes for a diamond build.
 *
 * <p>What it leaves out, on purpose: retries, failures, timeouts, events, live per-stage status,
 * registry look-ups, node pinning of a ReadWriteOnce workspace, ownership checks, restart safety
 * (what it created is remembered in memory only), sources other than an inline Dockerfile.
 */
@ControllerConfiguration(name = "reference")
public class ReferenceReconciler implements Reconciler<StageBuild> {
  private final KanikoResources resources = new KanikoResources(RenderSettings.defaults());
  private final Map<String, BuildPlan> plans = new ConcurrentHashMap<>();
  private final Map<String, Instant> started = new ConcurrentHashMap<>();
  private final Set<String> created = ConcurrentHashMap.newKeySet();
  private final Set<String> done = ConcurrentHashMap.newKeySet();

  @Override
  public List<EventSource<?, StageBuild>> prepareEventSources(EventSourceContext<StageBuild> context) {
    var podConfig = InformerEventSourceConfiguration.from(Pod.class, StageBuild.class)
        .withName("pods")
        .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE)
        .build();
    return List.of(new InformerEventSource<>(podConfig, context));
  }

  @Override
  public UpdateControl<StageBuild> reconcile(StageBuild sb, Context<StageBuild> context) {
    String buildId = StageBuildReconciler.buildIdOf(sb);
    String key = sb.getMetadata().getUid() + "/" + buildId;
    if (done.contains(key) || BuildDecider.isFinished(sb.getStatus())) {
      return UpdateControl.noUpdate();
    }
    started.putIfAbsent(key, Instant.now());
    BuildPlan plan = plans.computeIfAbsent(key, k -> Planner.plan(sb.getSpec().dockerfile.inline, Map.of(), null));
    String name = sb.getMetadata().getName();
    Map<String, Pod> pods = new HashMap<>();
    context.getSecondaryResources(Pod.class).forEach(p -> pods.put(p.getMetadata().getName(), p));
    KubernetesClient client = context.getClient();
    Pod fin = pods.get(BuildNames.stagePodName(name, buildId, plan.finalPod(), 1));
    if (fin != null && "Succeeded".equals(phase(fin))) {
      StageBuild copy = client.getKubernetesSerialization().clone(sb);
      copy.setStatus(finalStatus(sb, buildId, plan, pods, started.get(key)));
      client.resource(copy).updateStatus();
      client.persistentVolumeClaims().inNamespace(sb.getMetadata().getNamespace())
          .withName(BuildNames.pvcName(name, buildId)).delete();
      done.add(key);
      return UpdateControl.noUpdate();
    }
    if (created.add(key)) {
      create(client, resources.workspace(sb, buildId));
      create(client, resources.planConfigMap(sb, buildId, plan, DockerignoreRewriter.rewrite(null)));
    }
    for (PodPlan p : plan.pods()) {
      String podName = BuildNames.stagePodName(name, buildId, p.name(), 1);
      if (pods.containsKey(podName) || created.contains(podName)) {
        continue;
      }
      boolean ready = p.dependsOn().stream()
          .allMatch(d -> "Succeeded".equals(phase(pods.get(BuildNames.stagePodName(name, buildId, d, 1)))));
      if (ready && created.add(podName)) {
        create(client, resources.stagePod(sb, buildId, plan, p, 1, null));
      }
    }
    return UpdateControl.noUpdate();
  }

  private static void create(KubernetesClient client, HasMetadata object) {
    try {
      client.resource(object).create();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        throw e;
      }
    }
  }

  private static String phase(Pod p) {
    return p == null || p.getStatus() == null ? null : p.getStatus().getPhase();
  }

  /** The status the StageBuild operator writes at the end of a successful build, built directly. */
  static StageBuildStatus finalStatus(StageBuild sb, String buildId, BuildPlan plan, Map<String, Pod> pods,
      Instant start) {
    Instant now = Instant.now();
    long generation = sb.getMetadata().getGeneration() == null ? 1 : sb.getMetadata().getGeneration();
    String name = sb.getMetadata().getName();
    StageBuildStatus s = new StageBuildStatus();
    s.buildId = buildId;
    s.observedGeneration = generation;
    s.startTime = Times.format(start);
    s.completionTime = Times.format(now);
    List<StepRecord> steps = new ArrayList<>();
    String digest = null;
    for (PodPlan p : plan.pods()) {
      String podName = BuildNames.stagePodName(name, buildId, p.name(), 1);
      ContainerStateTerminated t = terminated(pods.get(podName));
      StepRecord r = new StepRecord();
      r.step = BuildNames.stageStep(p.name());
      r.attempt = 1;
      r.podName = podName;
      r.phase = "Succeeded";
      r.exitCode = 0;
      // only the final pod reports a result (its digest): any RUN could write the others
      r.result = t == null || !p.isFinal() ? null : StepLedger.firstLine(t.getMessage());
      r.nodeName = pods.get(podName) == null ? null : pods.get(podName).getSpec().getNodeName();
      r.startTime = t == null ? null : t.getStartedAt();
      r.completionTime = t == null ? null : t.getFinishedAt();
      steps.add(r);
      if (p.isFinal()) {
        digest = r.result;
      }
    }
    s.steps = steps;
    List<StageStatus> stages = new ArrayList<>();
    for (StagePlan stage : plan.stages()) {
      String podName = BuildNames.stagePodName(name, buildId, stage.pod(), 1);
      ContainerStateTerminated t = terminated(pods.get(podName));
      StageStatus st = new StageStatus();
      st.name = stage.name();
      st.dependsOn = new ArrayList<>(stage.dependsOn());
      st.phase = "Succeeded";
      st.podName = podName;
      st.attempts = 1;
      st.exitCode = 0;
      st.startTime = t == null ? null : t.getStartedAt();
      st.completionTime = t == null ? null : t.getFinishedAt();
      stages.add(st);
    }
    s.stages = stages;
    s.stagesDone = stages.size() + "/" + stages.size();
    OutputStatus out = new OutputStatus();
    out.image = sb.getSpec().output.image;
    out.digest = digest;
    out.imageRef = BuildDecider.imageRef(out.image, digest);
    s.output = out;
    String message = "pushed " + out.imageRef;
    s.conditions = Conditions.set(s.conditions, Conditions.SUCCEEDED, "True", "Succeeded", message, generation, now);
    s.conditions = Conditions.set(s.conditions, Conditions.READY, "True", "Succeeded", message, generation, now);
    return s;
  }

  private static ContainerStateTerminated terminated(Pod p) {
    if (p == null || p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
      return null;
    }
    for (ContainerStatus c : p.getStatus().getContainerStatuses()) {
      if (KanikoResources.STAGE_CONTAINER.equals(c.getName()) && c.getState() != null) {
        return c.getState().getTerminated();
      }
    }
    return null;
  }
}
