package dev.stagebuild.reconciler;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildStatus;
import dev.stagebuild.kaniko.BuildNames;
import dev.stagebuild.kaniko.KanikoResources;
import dev.stagebuild.kaniko.Labels;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.reconciler.BuildDecision.StepStart;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.PrimaryUpdateAndCacheUtils;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a StageBuild into its workspace, plan, source pod and stage pods. Stateless: every pass
 * reads the build's pods (from the informer cache) and derives everything from them; names are
 * deterministic, so a stale cache or a restart can at worst try to create a pod that exists (409).
 */
@ControllerConfiguration(name = "stagebuild")
public class StageBuildReconciler implements Reconciler<StageBuild> {
  private static final Logger LOG = LoggerFactory.getLogger(StageBuildReconciler.class);

  private final OperatorSettings settings;
  private final KanikoResources resources;
  private final ImageInspector inspector;
  private final BuildMetrics metrics;
  private final Clock clock;
  private final BuildDecider decider;

  @Inject
  public StageBuildReconciler(OperatorSettings settings, KanikoResources resources, ImageInspector inspector,
      BuildMetrics metrics, Clock clock) {
    this.settings = settings;
    this.resources = resources;
    this.inspector = inspector;
    this.metrics = metrics;
    this.clock = clock;
    this.decider = new BuildDecider(settings);
  }

  @Override
  public List<EventSource<?, StageBuild>> prepareEventSources(EventSourceContext<StageBuild> context) {
    var config = InformerEventSourceConfiguration.from(Pod.class, StageBuild.class)
        .withName("pods")
        .withLabelSelector(Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE)
        .build();
    InformerEventSource<Pod, StageBuild> pods = new InformerEventSource<>(config, context);
    metrics.watchPods(() -> pods.list());
    return List.of(pods);
  }

  @Override
  public UpdateControl<StageBuild> reconcile(StageBuild resource, Context<StageBuild> context) {
    KubernetesClient client = context.getClient();
    ClusterView cluster = new ClusterView(client, resource);
    StageBuild sb = cluster.copy(resource);
    String buildId = BuildNames.buildId(Optional.ofNullable(sb.getMetadata().getGeneration()).orElse(1L),
        annotation(sb, StageBuild.REBUILD_ANNOTATION));
    String previousBuild = sb.getStatus() == null ? null : sb.getStatus().buildId;

    List<Pod> pods = context.getSecondaryResourcesAsStream(Pod.class)
        .filter(p -> ownedBy(p, resource)).toList();
    List<Pod> current = pods.stream().filter(p -> buildId.equals(label(p, Labels.BUILD_ID))).toList();
    List<Pod> stale = pods.stream().filter(p -> !buildId.equals(label(p, Labels.BUILD_ID))).toList();
    if (!stale.isEmpty() || (previousBuild != null && !previousBuild.equals(buildId))) {
      cluster.deleteOldBuild(stale, previousBuild, buildId);
    }

    var now = clock.instant();
    List<StepState> steps = current.stream()
        .filter(p -> p.getMetadata().getDeletionTimestamp() == null)
        .map(p -> PodInspector.inspect(p, now, settings.pendingTimeout())).toList();
    boolean finished = BuildDecider.isFinished(sb.getStatus()) && buildId.equals(previousBuild);

    PlanResolver resolver = new PlanResolver(cluster, sb, buildId);
    // A finished build is never planned again (its pods and plan may be gone); nothing else is read.
    PlanOutcome plan = finished ? PlanOutcome.awaitingSource() : resolver.resolve(steps);
    Blocker blocker = finished || !steps.isEmpty() ? null : new Prerequisites(cluster, sb).check();
    String digest = pushedDigest(sb, steps, plan, buildId);
    Inspection inspection = digest == null ? null : inspector.inspect(cluster, sb, digest);

    BuildDecision decision = decider.decide(new BuildDecider.Inputs(sb, buildId, plan, blocker, steps,
        inspection, now));
    apply(cluster, sb, buildId, plan, decision, steps, finished, () -> resolver.rewrittenDockerignore(steps));
    return writeStatus(cluster, resource, context, decision);
  }

  /**
   * A pass that threw (the API server refused a create, a quota, a network error) is retried by
   * JOSDK with back-off; meanwhile the status says why, instead of going silent.
   */
  @Override
  public ErrorStatusUpdateControl<StageBuild> updateErrorStatus(StageBuild resource, Context<StageBuild> context,
      Exception e) {
    if (BuildDecider.isFinished(resource.getStatus())) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    LOG.warn("reconcile failed, will retry: {}", e.toString());
    String message = "the operator could not reconcile this build and retries: " + PodInspector.tail(
        String.valueOf(e.getMessage()));
    long generation = Optional.ofNullable(resource.getMetadata().getGeneration()).orElse(1L);
    try {
      PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(resource, context, r -> {
        StageBuildStatus status = r.getStatus() == null ? new StageBuildStatus() : r.getStatus();
        var now = clock.instant();
        status.conditions = Conditions.set(status.conditions, Conditions.SUCCEEDED, "Unknown", "ReconcileError",
            message, generation, now);
        status.conditions = Conditions.set(status.conditions, Conditions.RECONCILING, "True", "ReconcileError",
            message, generation, now);
        r.setStatus(status);
        return r;
      });
    } catch (RuntimeException writeFailed) {
      LOG.warn("could not report the error in the status either: {}", writeFailed.toString());
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
  }

  private void apply(ClusterView cluster, StageBuild sb, String buildId, PlanOutcome plan, BuildDecision decision,
      List<StepState> steps, boolean alreadyFinished, Supplier<String> dockerignore) {
    // The workspace and the plan are made just before the first pod that needs them; a pod of
    // this build that exists proves they were made (names are deterministic, so a retry after a
    // crash between the two calls only meets a 409).
    if (!decision.createPods().isEmpty() && steps.isEmpty()) {
      cluster.createIfAbsent(resources.workspace(sb, buildId));
    }
    boolean planWritten = steps.stream().anyMatch(s -> !BuildDecider.SOURCE_STEP.equals(s.step()));
    for (StepStart start : decision.createPods()) {
      Pod pod;
      if (BuildDecider.SOURCE_STEP.equals(start.step())) {
        pod = resources.sourcePod(sb, buildId, cluster.sourceConfigMapKeys(sb), start.attempt(),
            decision.pinnedNode());
      } else {
        BuildPlan p = plan.plan();
        if (!planWritten) {
          cluster.createIfAbsent(resources.planConfigMap(sb, buildId, p, dockerignore.get()));
          planWritten = true;
        }
        pod = resources.stagePod(sb, buildId, p, p.pod(start.step()), start.attempt(), decision.pinnedNode());
      }
      if (cluster.createIfAbsent(pod)) {
        metrics.podStarted();
        LOG.info("started pod {} (step {}, attempt {})", pod.getMetadata().getName(), start.step(), start.attempt());
      }
    }
    for (String name : decision.deletePods()) {
      LOG.info("deleting pod {}: the build has ended", name);
      cluster.deletePod(name);
    }
    if (decision.finished() && !alreadyFinished) {
      cluster.releaseWorkspace(BuildNames.pvcName(sb.getMetadata().getName(), buildId));
    }
  }

  private UpdateControl<StageBuild> writeStatus(ClusterView cluster, StageBuild resource, Context<StageBuild> context,
      BuildDecision decision) {
    if (!Objects.equals(cluster.json(resource.getStatus()), cluster.json(decision.status()))) {
      StageBuildStatus before = resource.getStatus();
      try {
        // Writes with the resourceVersion read (a PUT of the status subresource, no merge patch) and
        // keeps the answer in the cache, so the next pass does not start from a stale status.
        PrimaryUpdateAndCacheUtils.updateStatusAndCacheResource(resource, context, r -> {
          r.setStatus(decision.status());
          return r;
        });
        metrics.statusWritten(before, decision.status());
        logOutcome(before, decision.status());
      } catch (KubernetesClientException e) {
        if (e.getCode() == 409) {
          // Another write won the race; the next pass starts from the fresh object.
          return UpdateControl.<StageBuild>noUpdate().rescheduleAfter(Duration.ofSeconds(1));
        }
        throw e;
      }
    }
    // Events follow the status they describe, so a lost status write does not repeat them.
    decision.events().forEach(e -> cluster.recordEvent(e, clock));
    UpdateControl<StageBuild> control = UpdateControl.noUpdate();
    if (decision.requeueAfter() != null) {
      control.rescheduleAfter(decision.requeueAfter());
    }
    return control;
  }

  private static void logOutcome(StageBuildStatus before, StageBuildStatus after) {
    var was = before == null ? null : Conditions.find(before.conditions, Conditions.SUCCEEDED);
    var now = Conditions.find(after.conditions, Conditions.SUCCEEDED);
    if (now == null || (was != null && Objects.equals(was.getStatus(), now.getStatus())
        && Objects.equals(was.getReason(), now.getReason()) && before != null
        && Objects.equals(before.buildId, after.buildId))) {
      return;
    }
    if ("False".equals(now.getStatus())) {
      LOG.warn("build {} failed: {}: {}", after.buildId, now.getReason(), now.getMessage());
    } else {
      LOG.info("build {}: Succeeded={} {}: {}", after.buildId, now.getStatus(), now.getReason(), now.getMessage());
    }
  }

  /**
   * The digest to look up in the registry: once the final pod succeeded, until the registry has
   * answered with a size. Null when no look-up is due.
   */
  private static String pushedDigest(StageBuild sb, List<StepState> steps, PlanOutcome plan, String buildId) {
    var status = sb.getStatus();
    if (status != null && buildId.equals(status.buildId) && status.output != null) {
      boolean owed = status.output.size == null && Conditions.isTrue(status.conditions, Conditions.SUCCEEDED);
      return owed ? status.output.digest : null;
    }
    String finalStep = plan.known() ? plan.plan().finalPod() : null;
    return steps.stream()
        .filter(s -> finalStep != null && s.step().equals(BuildDecider.stageStep(finalStep))
            && s.phase() == StepPhase.SUCCEEDED)
        .map(s -> BuildDecider.digestIn(s.terminationMessage()))
        .filter(Objects::nonNull).findFirst().orElse(null);
  }

  static String annotation(HasMetadata o, String key) {
    Map<String, String> a = o.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }

  static String label(HasMetadata o, String key) {
    Map<String, String> l = o.getMetadata().getLabels();
    return l == null ? null : l.get(key);
  }

  private static boolean ownedBy(HasMetadata child, StageBuild owner) {
    var refs = child.getMetadata().getOwnerReferences();
    return refs != null && refs.stream().anyMatch(r -> Objects.equals(r.getUid(), owner.getMetadata().getUid()));
  }
}
