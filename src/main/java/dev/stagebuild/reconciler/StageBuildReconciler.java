package dev.stagebuild.reconciler;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildStatus;
import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.kaniko.BuildNames;
import dev.stagebuild.kaniko.KanikoResources;
import dev.stagebuild.kaniko.Labels;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.reconciler.Actuator.Refused;
import dev.stagebuild.reconciler.BuildDecision.StepStart;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.MaxReconciliationInterval;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.TransformingItemStore;
import io.javaoperatorsdk.operator.processing.retry.GradualRetry;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles a StageBuild into its workspace, plan, source pod and stage pods: observe (the informer
 * caches, the status's step records), decide ({@link BuildDecider}, pure), act ({@link Actuator},
 * idempotent), then write the status once. Every error is classified: permanent refusals end the
 * build with a reason; transient ones are retried by JOSDK without limit under a capped back-off, and
 * every retry is a full pass, so deadlines hold while the API server refuses calls.
 */
@ControllerConfiguration(name = "stagebuild",
    // The rebuild annotation must wake the reconciler; BuildTriggerFilter keeps the operator's own
    // status writes from doing so.
    generationAwareEventProcessing = false,
    informer = @Informer(onUpdateFilter = BuildTriggerFilter.class),
    maxReconciliationInterval = @MaxReconciliationInterval(interval = 5, timeUnit = TimeUnit.MINUTES))
@GradualRetry(maxAttempts = -1, initialInterval = 1000, intervalMultiplier = 2, maxInterval = 60_000)
public class StageBuildReconciler implements Reconciler<StageBuild> {
  private static final Logger LOG = LoggerFactory.getLogger(StageBuildReconciler.class);
  /** Conflicting status writes in one reconcile before JOSDK's retry takes over. */
  static final int MAX_CONFLICTS = 3;
  /** A pod scheduled this long without its container started gets its volume warnings read (at most). */
  static final Duration VOLUME_CHECK_AFTER = Duration.ofSeconds(20);
  /** Unexpected errors (not from the API server) in a row before the build ends with InternalError. */
  static final int MAX_UNEXPECTED = 5;
  /**
   * Failures in a row on a refusal that would be met again (a 403 on a read) before the build ends:
   * about two minutes of JOSDK's back-off (1, 2, 4 ... 60 s), time for a RoleBinding applied with
   * the StageBuild to arrive.
   */
  static final int MAX_REFUSED = 8;

  private final OperatorSettings settings;
  private final KanikoResources resources;
  private final BuildMetrics metrics;
  private final Clock clock;
  /** The API server's transient answers (an outage), logged once a window per kind. */
  private final RepeatGate failureLog;
  static final java.time.Duration FAILURE_LOG_WINDOW = java.time.Duration.ofMinutes(1);
  private final BuildDecider decider;
  private final RegistryLookups lookups;
  private final EventRecorder events;
  private final PlanCache plans = new PlanCache();
  private final StatusPacer pacer;
  private final BuildServiceAccounts accounts;
  private final WorkspaceCleanups cleanups = new WorkspaceCleanups();
  private final RecentDeletes recentDeletes = new RecentDeletes();
  private final BuildStarts starts = new BuildStarts();
  /** How long a StageBuild whose TTL is over waits for its shared-claim directory to be removed. */
  static final Duration CLEANUP_WAIT = Duration.ofMinutes(2);
  private final SimpleInboundEventSource<StageBuild> lookupDone = new SimpleInboundEventSource<>("registry");

  @Inject
  public StageBuildReconciler(OperatorSettings settings, KanikoResources resources, ImageInspector inspector,
      BuildMetrics metrics, Clock clock) {
    this.settings = settings;
    this.resources = resources;
    this.metrics = metrics;
    this.clock = clock;
    this.failureLog = new RepeatGate(clock, FAILURE_LOG_WINDOW);
    this.decider = new BuildDecider(settings);
    this.lookups = new RegistryLookups(inspector, settings.inspectRetry(), clock, 2);
    this.events = new EventRecorder(clock);
    metrics.watchDroppedEvents(events);
    this.pacer = new StatusPacer(settings.statusInterval(), settings.lookupGrace());
    this.accounts = new BuildServiceAccounts(resources.buildServiceAccount());
  }

  /** The event recorder (tests wait for its queue). */
  public EventRecorder events() {
    return events;
  }

  @Override
  public List<EventSource<?, StageBuild>> prepareEventSources(EventSourceContext<StageBuild> context) {
    String managed = Labels.MANAGED_BY + "=" + Labels.MANAGED_BY_VALUE;
    var podConfig = InformerEventSourceConfiguration.from(Pod.class, StageBuild.class)
        .withName("pods")
        .withLabelSelector(managed)
        // With 1,000 builds the pod cache held ~60 MiB, nearly all of it stage scripts nobody reads.
        .withItemStore(new TransformingItemStore<>(PodInspector::essentials))
        .withOnUpdateFilter(new PodChangeFilter())
        .withOnAddFilter(new PodAddFilter(clock.instant()))
        .build();
    InformerEventSource<Pod, StageBuild> pods = new InformerEventSource<>(podConfig, context);
    metrics.watchPods(() -> pods.list());
    // Workspaces are read from this cache (does one exist, is it going) but never wake the reconciler.
    var pvcConfig = InformerEventSourceConfiguration.from(PersistentVolumeClaim.class, StageBuild.class)
        .withName("workspaces")
        .withLabelSelector(managed)
        .withOnAddFilter(pvc -> false)
        .withOnUpdateFilter((a, b) -> false)
        .withOnDeleteFilter((pvc, unknown) -> false)
        .build();
    InformerEventSource<PersistentVolumeClaim, StageBuild> pvcs = new InformerEventSource<>(pvcConfig, context);
    return List.of(pods, pvcs, lookupDone);
  }

  @Override
  public UpdateControl<StageBuild> reconcile(StageBuild resource, Context<StageBuild> context) {
    StageBuildStatus recorded = resource.getStatus();
    if (recorded != null && recorded.buildId != null && !recorded.buildId.equals(buildIdOf(resource))) {
      Duration wait = starts.admit(resource.getMetadata().getUid(), clock.instant());
      if (wait != null) {
        // Replaced less than a second ago: the build as it is then starts, edits meanwhile merged.
        return UpdateControl.<StageBuild>noUpdate().rescheduleAfter(wait);
      }
    }
    StageBuild primary = resource;
    Pass pass = null;
    BuildDecision decision = null;
    for (int attempt = 1; ; attempt++) {
      if (pass == null) {
        Pass next = new Pass(primary, context);
        try {
          decision = next.run();
        } catch (RuntimeException failed) {
          // Pods it created before it failed (a 5xx on the next one): their events are owed.
          unrecorded.settle(resource.getMetadata().getUid(), next.buildId, false, next.podsCreated, next.startedWith);
          throw failed;
        }
        pass = next;
        UnrecordedEvents.Held earlier = unrecorded.of(primary.getMetadata().getUid(), pass.buildId);
        if (earlier != null) {
          decision = decision.withEarlierEvents(earlier.events());
          pass.mustWrite = true;
        }
      }
      Pass current = pass;
      BuildDecision decided = decision;
      try {
        return finish(current, decided, context.getClient());
      } catch (KubernetesClientException e) {
        if (ApiErrors.classify(e) != ApiErrors.Kind.CONFLICT || attempt >= MAX_CONFLICTS) {
          throw e;
        }
        // The object changed under us (a metadata edit, another writer): read it again.
        StageBuild fresh = context.getClient().resources(StageBuild.class)
            .inNamespace(primary.getMetadata().getNamespace()).withName(primary.getMetadata().getName()).get();
        if (fresh == null || !Objects.equals(fresh.getMetadata().getUid(), primary.getMetadata().getUid())) {
          return UpdateControl.noUpdate();
        }
        if (!buildIdOf(fresh).equals(buildIdOf(primary))) {
          // An edit that asks for another build: that build starts through the limit above, on the
          // pass the edit's event brings (here it would start one per conflict, several a second).
          return UpdateControl.<StageBuild>noUpdate().rescheduleAfter(BuildStarts.MIN_INTERVAL);
        }
        if (decidedAlike(primary, fresh)) {
          // Only metadata the decision does not read moved (a label, another controller's
          // annotation): the same decision is written on the fresh object at once. Deciding again
          // took long enough, on a busy node, for the next edit to conflict again, every time.
          pass.rebase(fresh);
        } else {
          // The status or spec changed: decided again from the fresh object, never the stale one's decision.
          pass = null;
        }
        primary = fresh;
      } finally {
        unrecorded.settle(resource.getMetadata().getUid(), current.buildId, current.eventsRecorded,
            current.podsCreated, decided.events());
      }
    }
  }

  /**
   * Whether a decision made from {@code decidedFrom} is the one {@code fresh} would get: the same
   * spec (generation), build, deletion and status; the decider reads nothing else of the object.
   */
  static boolean decidedAlike(StageBuild decidedFrom, StageBuild fresh) {
    return Objects.equals(decidedFrom.getMetadata().getGeneration(), fresh.getMetadata().getGeneration())
        && buildIdOf(decidedFrom).equals(buildIdOf(fresh))
        && Objects.equals(decidedFrom.getMetadata().getDeletionTimestamp(), fresh.getMetadata().getDeletionTimestamp())
        && Objects.equals(decidedFrom.getStatus(), fresh.getStatus());
  }

  /**
   * Finishes the pass; a status the API server refuses as too large is written again trimmed
   * ({@link StatusTrimmer}), with a warning Event, rather than retried as it is forever.
   */
  private UpdateControl<StageBuild> finish(Pass pass, BuildDecision decision, KubernetesClient client) {
    String uid = pass.primary.getMetadata().getUid();
    // A StageBuild whose status had to be trimmed is trimmed as much from the start: otherwise each
    // later pass would decide the whole status again and send it to be refused once more.
    Trim known = trims.get(uid);
    int from = known == null ? 0 : known.level();
    if (known != null && decision.status() != null) {
      // Its warning goes with the first write of a trimmed status (an earlier one may have conflicted).
      decision = decision.withStatus(
          StatusTrimmer.trim(client.getKubernetesSerialization().clone(decision.status()), known.level()),
          known.announced() ? null : known.event());
    }
    for (int level = from + 1; ; level++) {
      try {
        return pass.finish(decision);
      } catch (KubernetesClientException e) {
        if (!ApiErrors.isTooLarge(e) || pass.statusWritten() || level > StatusTrimmer.LEVELS
            || decision.status() == null) {
          throw e;
        }
        LOG.info("the status was refused as too large ({}); writing it with shorter messages (level {})",
            ApiErrors.message(e), level);
        BuildEvent warning = BuildEvent.warning("StatusTrimmed", "the API server refused the status as too large ("
            + ApiErrors.message(e) + "): its messages are shortened; the pods' logs and the other Events hold"
            + " them whole");
        // Remembered now, not once written: a write that then meets a conflict (a metadata edit) is
        // decided again from the fresh object, and would otherwise be refused as too large first again.
        if (trims.size() >= StatusPacer.MAX_TRACKED) {
          trims.clear(); // rare, and forgetting only costs one refused write per StageBuild
        }
        trims.put(uid, new Trim(level, warning, false));
        StageBuildStatus trimmed = StatusTrimmer.trim(client.getKubernetesSerialization().clone(decision.status()),
            level);
        decision = decision.withStatus(trimmed, warning);
      } finally {
        // The warning went with the trimmed status once that was written, also when the pass failed after it.
        Trim now = trims.get(uid);
        if (now != null && !now.announced() && pass.statusWritten()) {
          trims.put(uid, new Trim(now.level(), now.event(), true));
        }
      }
    }
  }

  /** Events of passes that started pods but could not write their status: recorded with the next status written. */
  private final UnrecordedEvents unrecorded = new UnrecordedEvents();

  /** How much a StageBuild's status is trimmed, and whether its warning Event went with a written status. */
  private record Trim(int level, BuildEvent event, boolean announced) {}

  /** The trim each StageBuild's status needed, by uid (bounded: see finish). */
  private final Map<String, Trim> trims = new java.util.concurrent.ConcurrentHashMap<>();

  /** One observe → decide → act round for one StageBuild. */
  private final class Pass {
    private final StageBuild primary;
    private final Context<StageBuild> context;
    private final KubernetesClient client;
    private final ClusterView cluster;
    private final StageBuild sb;
    private final String buildId;
    private final Actuator act;
    private final Instant now = clock.instant();
    private List<StepState> steps;
    private PlanResolver resolver;
    private PlanOutcome plan;
    private Blocker blocker;
    private Duration lookupRetry;
    private boolean lookupPending;
    private Duration volumeRecheck;
    private boolean statusWritten;
    /** The object the status is written on: primary, or a fresh read of it with only other metadata moved. */
    private StageBuild observed;
    /** Pods this pass created: its events describe them, whether or not its status gets written. */
    private boolean podsCreated;
    /** The events of the decision whose pods this pass started. */
    private List<BuildEvent> startedWith = List.of();
    /** Events of an earlier pass ride on this one: its status is written now, not paced. */
    private boolean mustWrite;
    /** This pass recorded its decision's events (with its status, or owed ones without a change to write). */
    private boolean eventsRecorded;
    private final Map<String, Boolean> namedAsAttempt = new HashMap<>();

    Pass(StageBuild primary, Context<StageBuild> context) {
      this.primary = primary;
      this.context = context;
      this.client = context.getClient();
      this.cluster = new ClusterView(client, primary);
      // JOSDK hands every reconcile its own clone of the cached object, so it is used as it is
      // (a second deep copy was a tenth of the reconciler's CPU in the JFR profile). The decider
      // builds a new status and never changes the observed one, which finish() compares it with.
      this.sb = primary;
      this.observed = primary;
      this.buildId = buildIdOf(sb);
      this.act = new Actuator(client, sb, recentDeletes);
    }

    BuildDecision run() {
      StageBuildStatus status = sb.getStatus();
      String previousBuild = status == null ? null : status.buildId;
      List<Pod> pods = ownPods();
      List<Pod> stale = pods.stream().filter(p -> !buildId.equals(label(p, Labels.BUILD_ID))
          && !KanikoResources.isWorkspaceCleanup(p)).toList();
      if (!stale.isEmpty() || (previousBuild != null && !previousBuild.equals(buildId))) {
        replaceOldBuild(stale, previousBuild);
      }
      steps = observeSteps();
      boolean finished = BuildDecider.isFinished(status) && buildId.equals(previousBuild);
      var ledger = StepLedger.of(buildId.equals(previousBuild) ? status.steps : null, steps, now);
      resolver = new PlanResolver(cluster, plans, sb, buildId);
      // A finished build is never planned again (its pods and plan may be gone); nothing else is read.
      plan = finished ? PlanOutcome.awaitingSource() : resolver.resolve(
          ledger.keySet().stream().anyMatch(s -> !BuildDecider.SOURCE_STEP.equals(s)), succeededGitSource(ledger));
      blocker = finished || !ledger.isEmpty() ? null : new Prerequisites(cluster, sb).check();

      BuildDecision decision = decide(null);
      decision = withInspection(decision);
      if (decision.finished()) {
        return decision;
      }
      startedWith = decision.events();
      try {
        create(decision);
      } catch (Refused refused) {
        LOG.warn("build {} refused: {}", buildId, refused.getMessage());
        steps = observeSteps();
        decision = decide(refused.refusal());
        if (podsCreated) {
          // The pods started before the refusal are on record in the ending; so are their events.
          decision = decision.withEarlierEvents(startedWith);
        }
      }
      return decision;
    }

    private BuildDecision decide(Refusal refusal) {
      return decider.decide(new BuildDecider.Inputs(sb, buildId, plan, blocker, steps, null, refusal, now));
    }

    /** Looks the pushed image up off this thread; applies the answer when one has arrived. */
    private BuildDecision withInspection(BuildDecision decision) {
      StageBuildStatus s = decision.status();
      if (!BuildDecider.owesLookup(s)) {
        return decision;
      }
      Inspection answer = lookups.answer(sb, buildId, s.output.digest);
      if (answer == null || (!answer.ok() && !answer.isFinal())) {
        lookupRetry = lookups.request(client, sb, buildId, s.output.digest, Times.parse(s.completionTime),
            done -> lookupDone.propagateEvent(ResourceID.fromResource(done)));
      }
      if (answer == null) {
        lookupPending = true;
        return decision;
      }
      return decider.decide(new BuildDecider.Inputs(sb, buildId, plan, blocker, steps, answer, null, now));
    }

    private List<StepState> observeSteps() {
      return ownPods().stream()
          .filter(p -> buildId.equals(label(p, Labels.BUILD_ID)) && !KanikoResources.isWorkspaceCleanup(p))
          .map(p -> PodInspector.inspect(p, now, settings.pendingTimeout(), volumeWarning(p)))
          .toList();
    }

    /**
     * Why a scheduled pod does not start, read from its events once it has waited a while: the pod
     * status does not say that its volume is attached elsewhere. Until then, look again later.
     */
    private PodInspector.VolumeWarning volumeWarning(Pod p) {
      if (!PodInspector.waitsForVolumes(p)) {
        return null;
      }
      Instant created = Times.parse(p.getMetadata().getCreationTimestamp());
      Duration half = settings.pendingTimeout().dividedBy(2);
      Duration after = half.compareTo(VOLUME_CHECK_AFTER) < 0 ? half : VOLUME_CHECK_AFTER;
      Duration waited = created == null ? Duration.ZERO : Duration.between(created, now);
      if (waited.compareTo(after) < 0) {
        volumeRecheck = earliest(volumeRecheck, after.minus(waited));
        return null;
      }
      volumeRecheck = earliest(volumeRecheck, after);
      return cluster.volumeWarning(p.getMetadata().getName());
    }

    /**
     * The pods this StageBuild controls that carry the name the operator gives their build, step and
     * attempt: labels and owner references can be copied, so a copy of a build pod under another
     * name (made to debug, or to report a digest of its own) is neither taken for a step nor deleted.
     */
    private List<Pod> ownPods() {
      return context.getSecondaryResourcesAsStream(Pod.class)
          .filter(p -> act.controlledByOwner(p) && namedAsItsAttempt(p)).toList();
    }

    private boolean namedAsItsAttempt(Pod p) {
      // the same pods are asked about several times a pass: the name is hashed once
      return namedAsAttempt.computeIfAbsent(p.getMetadata().getUid() + "/" + p.getMetadata().getName(), k -> {
        String step = PodInspector.step(p);
        String build = label(p, Labels.BUILD_ID);
        return step != null && build != null && p.getMetadata().getName().equals(
            BuildNames.podName(sb.getMetadata().getName(), build, step, PodInspector.attempt(p)));
      });
    }

    private String succeededGitSource(Map<String, StepLedger.Entry> ledger) {
      if (sb.getSpec().source == null || sb.getSpec().source.git == null) {
        return null;
      }
      StepLedger.Entry e = ledger.get(BuildDecider.SOURCE_STEP);
      return e != null && e.state().phase() == StepPhase.SUCCEEDED && e.live() ? e.state().podName() : null;
    }

    /** A new generation (or a rebuild) replaces the previous build: its pods, workspace and plan go. */
    private void replaceOldBuild(List<Pod> stale, String previousBuild) {
      for (Pod p : stale) {
        if (p.getMetadata().getDeletionTimestamp() == null) {
          act.delete(Pod.class, "pods", p.getMetadata().getName(), p.getMetadata().getUid());
        }
      }
      // The builds replaced: the one the status records, and any whose pods are still here (a
      // build replaced before its first status was written is known by its pods only).
      java.util.Set<String> replaced = new java.util.LinkedHashSet<>();
      stale.forEach(p -> replaced.add(label(p, Labels.BUILD_ID)));
      if (previousBuild != null && !previousBuild.equals(buildId)) {
        replaced.add(previousBuild);
      }
      replaced.remove(null);
      replaced.remove(buildId);
      for (String old : replaced) {
        boolean hadPods = stale.stream().anyMatch(p -> old.equals(label(p, Labels.BUILD_ID)))
            || (old.equals(previousBuild) && sb.getStatus().steps != null && !sb.getStatus().steps.isEmpty());
        // Its own claim goes whatever the spec says now (it may have moved to a shared claim).
        deleteOwnClaim(old);
        if (KanikoResources.sharedWorkspaceClaim(sb) != null && hadPods) {
          // Its pods are being stopped: its directory goes once they have (a later pass).
          cleanups.add(sb.getMetadata().getUid(), old);
        }
        deletePlan(old);
      }
      if (!replaced.isEmpty()) {
        plans.retainOnly(sb.getMetadata().getUid(), buildId);
      }
    }

    private void deletePlan(String ofBuild) {
      var planCm = cluster.configMap(BuildNames.planConfigMapName(sb.getMetadata().getName(), ofBuild));
      if (planCm != null && act.controlledByOwner(planCm)) {
        act.delete(io.fabric8.kubernetes.api.model.ConfigMap.class, "configmaps", planCm.getMetadata().getName(),
            planCm.getMetadata().getUid());
      }
    }

    private void create(BuildDecision decision) throws Refused {
      if (decision.createPods().isEmpty()) {
        return;
      }
      accounts.ensure(client, sb.getMetadata().getNamespace(), now);
      String pvc = BuildNames.pvcName(sb.getMetadata().getName(), buildId);
      if (KanikoResources.sharedWorkspaceClaim(sb) == null && workspace(pvc).isEmpty()) {
        createObject(resources.workspace(sb, buildId), PersistentVolumeClaim.class);
      }
      boolean planWritten = steps.stream().anyMatch(s -> !BuildDecider.SOURCE_STEP.equals(s.step()))
          || (sb.getStatus() != null && buildId.equals(sb.getStatus().buildId) && sb.getStatus().steps != null
              && sb.getStatus().steps.stream().anyMatch(r -> !BuildDecider.SOURCE_STEP.equals(r.step)));
      for (StepStart start : decision.createPods()) {
        Pod pod;
        try {
          if (BuildDecider.SOURCE_STEP.equals(start.step())) {
            pod = resources.sourcePod(sb, buildId, cluster.sourceConfigMapKeys(sb), start.attempt(),
                decision.pinnedNode());
          } else {
            BuildPlan p = plan.plan();
            if (!planWritten) {
              createObject(resources.planConfigMap(sb, buildId, p, resolver.dockerignore()), null);
              planWritten = true;
            }
            pod = resources.stagePod(sb, buildId, p, p.pod(BuildNames.planPod(start.step())), start.attempt(),
                decision.pinnedNode());
          }
        } catch (DockerfileException unrenderable) {
          throw new Refused(new Refusal(BuildDecider.planReason(unrenderable), unrenderable.getMessage()));
        } catch (IllegalArgumentException unrenderable) {
          // The planner's checks should have refused this input: still an ending, not a retry loop.
          throw new Refused(new Refusal("InvalidSpec", String.valueOf(unrenderable.getMessage())));
        }
        if (createObject(pod, Pod.class)) {
          podsCreated = true;
          metrics.podStarted();
          // Debug: a build farm starts thousands of pods an hour; the status and its steps name each one.
          LOG.debug("started pod {} (step {}, attempt {})", pod.getMetadata().getName(), start.step(), start.attempt());
        }
      }
    }

    /** Creates the object; the one the API server returned goes into the informer's cache at once. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    private <T extends HasMetadata> boolean createObject(T object, Class<T> cachedAs) throws Refused {
      return act.create(object, made -> {
        if (cachedAs != null) {
          context.eventSourceRetriever().getEventSourcesFor((Class) cachedAs).stream()
              .filter(InformerEventSource.class::isInstance)
              .forEach(es -> ((InformerEventSource) es).handleRecentResourceCreate(ResourceID.fromResource(made),
                  made));
        }
      });
    }

    private Optional<PersistentVolumeClaim> workspace(String name) {
      return context.getSecondaryResourcesAsStream(PersistentVolumeClaim.class)
          .filter(p -> name.equals(p.getMetadata().getName())).findFirst();
    }

    /**
     * Frees build {@code ofBuild}'s workspace: its own claim is deleted; its sub-directory of a
     * shared claim is removed by a cleanup pod once none of the build's pods is active (a pod still
     * stopping could write after the removal). A failed cleanup pod is tried again, a few times. A
     * build that never started a pod wrote nothing.
     *
     * @return whether nothing is left to do for it
     */
    private boolean releaseWorkspace(String ofBuild, boolean hadPods) {
      if (KanikoResources.sharedWorkspaceClaim(sb) == null) {
        deleteOwnClaim(ofBuild);
        return true;
      }
      if (!hadPods || cleanups.givenUp(sb.getMetadata().getUid(), ofBuild)) {
        return true;
      }
      List<Pod> pods = ownPods().stream().filter(p -> ofBuild.equals(label(p, Labels.BUILD_ID))).toList();
      List<Pod> attempts = pods.stream().filter(KanikoResources::isWorkspaceCleanup).toList();
      if (cleanedUp(attempts)) {
        return true;
      }
      if (attempts.stream().anyMatch(p -> PodInspector.outcome(p) == null)) {
        return false; // one is running
      }
      int lastAttempt = lastAttempt(attempts);
      if (lastAttempt >= WorkspaceCleanups.MAX_ATTEMPTS) {
        if (cleanups.firstGiveUp(sb.getMetadata().getUid(), ofBuild)) {
          LOG.warn("build {}: its directory in claim {} was not removed after {} attempts; see the logs of its"
            + " cleanup pods", ofBuild, KanikoResources.sharedWorkspaceClaim(sb), lastAttempt);
        }
        return true;
      }
      if (pods.stream().anyMatch(p -> !KanikoResources.isWorkspaceCleanup(p) && !PodInspector.ended(p))) {
        return false;
      }
      try {
        createObject(resources.workspaceCleanupPod(sb, ofBuild, lastAttempt + 1), Pod.class);
      } catch (Refused refused) {
        // Refused for good (a policy, admission): given up, said once, and no TTL waits for it.
        if (cleanups.firstGiveUp(sb.getMetadata().getUid(), ofBuild)) {
          LOG.warn("build {}: its workspace in claim {} is not cleaned up: {}", ofBuild,
              KanikoResources.sharedWorkspaceClaim(sb), refused.getMessage());
        }
        return true;
      }
      return false;
    }

    private void deleteOwnClaim(String ofBuild) {
      String name = BuildNames.pvcName(sb.getMetadata().getName(), ofBuild);
      workspace(name).filter(p -> p.getMetadata().getDeletionTimestamp() == null && act.controlledByOwner(p))
          .ifPresent(p -> act.delete(PersistentVolumeClaim.class, "persistentvolumeclaims", name,
              p.getMetadata().getUid()));
    }

    /** Removes the ended cleanup pods of earlier builds whose cleanup is over (done or given up). */
    private void deleteOldCleanupPods() {
      var pending = cleanups.of(sb.getMetadata().getUid());
      for (Pod p : ownPods()) {
        String of = label(p, Labels.BUILD_ID);
        if (KanikoResources.isWorkspaceCleanup(p) && !buildId.equals(of) && !pending.contains(of)
            && PodInspector.outcome(p) != null && p.getMetadata().getDeletionTimestamp() == null) {
          act.delete(Pod.class, "pods", p.getMetadata().getName(), p.getMetadata().getUid());
        }
      }
    }

    /** Whether this build's directory of a shared claim is still to be removed (or being removed). */
    private boolean cleanupOutstanding(StageBuildStatus status) {
      if (KanikoResources.sharedWorkspaceClaim(sb) == null || status.steps == null || status.steps.isEmpty()
          || cleanups.givenUp(sb.getMetadata().getUid(), buildId)) {
        return false;
      }
      List<Pod> attempts = ownPods().stream().filter(p -> KanikoResources.isWorkspaceCleanup(p)
          && buildId.equals(label(p, Labels.BUILD_ID))).toList();
      // Outstanding while an attempt runs (the last one too) or another may still be made.
      return !cleanedUp(attempts) && (lastAttempt(attempts) < WorkspaceCleanups.MAX_ATTEMPTS
          || attempts.stream().anyMatch(p -> PodInspector.outcome(p) == null));
    }

    /** The highest attempt among the cleanup pods: pod GC may have taken an earlier one. */
    private static int lastAttempt(List<Pod> cleanupAttempts) {
      return cleanupAttempts.stream().mapToInt(p -> {
        try {
          return Integer.parseInt(label(p, Labels.ATTEMPT));
        } catch (NumberFormatException e) {
          return 1;
        }
      }).max().orElse(0);
    }

    private static boolean cleanedUp(List<Pod> cleanupAttempts) {
      return cleanupAttempts.stream().anyMatch(p -> "Succeeded".equals(PodInspector.outcome(p)));
    }

    /**
     * Puts the written object into JOSDK's cache at once. JOSDK takes it only when its cache still
     * holds the version given as the previous one: after a rebase that is primary (the metadata
     * edit not yet delivered) or the fresh read, both older than what was written.
     */
    private void remember(StageBuild written) {
      var source = context.eventSourceRetriever().getControllerEventSource();
      ResourceID id = ResourceID.fromResource(observed);
      StageBuild cached = source.get(id).orElse(null);
      String was = cached == null ? null : cached.getMetadata().getResourceVersion();
      boolean older = was != null && (was.equals(primary.getMetadata().getResourceVersion())
          || was.equals(observed.getMetadata().getResourceVersion()));
      source.handleRecentResourceUpdate(id, written, older ? cached : observed);
    }

    /** The status goes on this fresh read of the object: only metadata the decision does not read moved. */
    void rebase(StageBuild fresh) {
      observed = fresh;
    }

    /** Whether {@link #finish} wrote the status (what it did after that may have failed). */
    boolean statusWritten() {
      return statusWritten;
    }

    /**
     * Writes the status (once, when it changed), then records the events of what was written, then
     * stops what a finished build leaves running. A build that ended is written before its pods are
     * deleted, so a refused delete cannot keep the ending from being recorded.
     */
    UpdateControl<StageBuild> finish(BuildDecision decision) {
      StageBuildStatus before = observed.getStatus();
      // By equals, field by field: writing both as JSON to compare them was 5 to 11 % of the
      // reconcile threads' samples in the benchmark's JFR profile.
      if (!Objects.equals(before, decision.status())) {
        String uid = sb.getMetadata().getUid();
        // Written at once: a pass that started a retry (the failed attempt must be on record before
        // the next can fail) or started pods with events to record (a later pass, which does not
        // start them again, would not record those events again).
        boolean mustWrite = this.mustWrite || decision.createPods().stream().anyMatch(start -> start.attempt() > 1)
            || (!decision.createPods().isEmpty() && !decision.events().isEmpty());
        Duration hold = mustWrite ? null : pacer.hold(uid, before, decision.status(), lookupPending, now);
        if (hold != null) {
          // Progress only, or an end waiting briefly for the registry: decided again, and written,
          // on a later pass. Nothing else is done now (a build's end is written before its pods go).
          Duration next = earliest(earliest(hold, lookupRetry), decision.requeueAfter());
          return UpdateControl.<StageBuild>noUpdate().rescheduleAfter(
              next.compareTo(Duration.ofMillis(100)) < 0 ? Duration.ofMillis(100) : next);
        }
        // Metadata (its own copy: small, and primary's resourceVersion must stay the observed one) and
        // spec as observed, the decided status.
        StageBuild toWrite = new StageBuild();
        toWrite.setMetadata(new ObjectMetaBuilder(observed.getMetadata()).build());
        toWrite.setSpec(primary.getSpec());
        toWrite.setStatus(decision.status());
        StageBuild written = client.resource(toWrite).updateStatus();
        statusWritten = true;
        decision.events().forEach(e -> events.record(client, sb, e));
        eventsRecorded = true;
        pacer.written(uid, now);
        remember(written);
        metrics.statusWritten(before, decision.status());
        logOutcome(before, decision.status());
      } else if (mustWrite) {
        // Owed events whose status an earlier write already holds (it was applied, then answered
        // with an error): their pods exist, so they are recorded now.
        decision.events().forEach(e -> events.record(client, sb, e));
        eventsRecorded = true;
      }
      if (!decision.deletePods().isEmpty()) {
        Map<String, Pod> byName = ownPods().stream()
            .collect(java.util.stream.Collectors.toMap(p -> p.getMetadata().getName(), p -> p, (x, y) -> x));
        for (String name : decision.deletePods()) {
          Pod p = byName.get(name);
          if (p != null && !act.deleteAnswered(p)) {
            LOG.info("deleting pod {}: the build ended, or the pod was replaced", name);
            act.delete(Pod.class, "pods", name, p.getMetadata().getUid());
          }
        }
      }
      if (decision.finished()) {
        releaseWorkspace(buildId, decision.status().steps != null && !decision.status().steps.isEmpty());
      }
      if (decision.cleanUp()) {
        LOG.info("build {}: retention over, its pods and plan are deleted", buildId);
        deletePlan(buildId);
        plans.retainOnly(sb.getMetadata().getUid(), "");
      }
      if (KanikoResources.sharedWorkspaceClaim(sb) != null) {
        String uid = sb.getMetadata().getUid();
        for (String old : cleanups.of(uid)) {
          if (releaseWorkspace(old, true)) {
            cleanups.done(uid, old);
          }
        }
        deleteOldCleanupPods();
      }
      Instant ended = decision.status() == null ? null : Times.parse(decision.status().completionTime);
      Long ttl = sb.getSpec().ttlSecondsAfterFinished;
      if (decision.deleteStageBuild() && ended != null && ttl != null
          && now.isBefore(ended.plusSeconds(Math.max(0, Math.min(ttl, Integer.MAX_VALUE))).plus(CLEANUP_WAIT))
          && cleanupOutstanding(decision.status())) {
        // Deleting the StageBuild now would take the cleanup pod with it: the directory would stay.
        return UpdateControl.<StageBuild>noUpdate().rescheduleAfter(Duration.ofSeconds(2));
      }
      if (decision.deleteStageBuild()) {
        if (!act.deleteAnswered(sb)) {
          LOG.info("deleting the StageBuild: spec.ttlSecondsAfterFinished is over");
        }
        act.delete(StageBuild.class, "stagebuilds", sb.getMetadata().getName(), sb.getMetadata().getUid());
        return UpdateControl.noUpdate();
      }
      Duration requeue = earliest(earliest(decision.requeueAfter(), lookupRetry),
          decision.finished() ? null : volumeRecheck);
      UpdateControl<StageBuild> control = UpdateControl.noUpdate();
      if (requeue != null) {
        control.rescheduleAfter(requeue.isZero() ? Duration.ofMillis(100) : requeue);
      }
      return control;
    }
  }

  private static Duration earliest(Duration a, Duration b) {
    if (a == null) {
      return b;
    }
    return b == null || a.compareTo(b) <= 0 ? a : b;
  }

  /**
   * The build a StageBuild asks for: its generation and rebuild annotation. While spec.cancel is
   * set, the build that ran stays the current one (cancelling is no reason to start another).
   */
  static String buildIdOf(StageBuild sb) {
    StageBuildStatus status = sb.getStatus();
    if (Boolean.TRUE.equals(sb.getSpec().cancel) && status != null && status.buildId != null) {
      return status.buildId;
    }
    return BuildNames.buildId(Optional.ofNullable(sb.getMetadata().getGeneration()).orElse(1L),
        annotation(sb, StageBuild.REBUILD_ANNOTATION));
  }

  /**
   * JOSDK's own warning of each failed pass is off (application.properties): this is the log of
   * one, at its first attempt and every tenth. An answer of the API server (or none) is one line;
   * anything else, a defect meeting an input, keeps its stack trace.
   */
  private void logFailure(Exception e, int attempts, boolean giveUp) {
    if (attempts != 1 && attempts % 10 != 0 && !giveUp) {
      return;
    }
    KubernetesClientException k = apiAnswer(e);
    String line = k == null ? null : ApiErrors.oneLine(k);
    if (line != null) {
      // One transient answer met by every build in flight (an outage) is a line a minute, not one a
      // build; a refusal (RBAC, admission, a quota) may be one build's own and is logged for each.
      RepeatGate.Verdict verdict = ApiErrors.classify(k) == ApiErrors.Kind.TRANSIENT
          ? failureLog.admit(ApiErrors.kindOfAnswer(k)) : RepeatGate.Verdict.PASSED;
      if (verdict.passes()) {
        LOG.warn("reconcile failed (attempt {}), {}: {}{}", attempts, giveUp ? "giving up" : "will retry", line,
            verdict.note());
      }
    } else {
      LOG.warn("reconcile failed (attempt {}){}: {}", attempts, giveUp ? ", giving up" : ", will retry", e.toString(), e);
    }
  }

  /** The failures in a row, this one included: JOSDK counts the earlier ones (0 at the first failure). */
  static int failures(Optional<RetryInfo> retry) {
    return retry.map(r -> r.getAttemptCount() + 1).orElse(1);
  }

  private static boolean fromApiServer(Exception e) {
    return apiAnswer(e) != null;
  }

  /** The API server's answer the failure is, or wraps (one level), or null. */
  private static KubernetesClientException apiAnswer(Exception e) {
    return e instanceof KubernetesClientException direct ? direct
        : e.getCause() instanceof KubernetesClientException cause ? cause : null;
  }

  /**
   * The API server's answers that may pass are retried without limit (the build's deadline still
   * holds); a refusal that would be met again (a 403 on a read: the operator's role lacks a rule)
   * ends the build at its MAX_REFUSED-th failure in a row, anything else at its MAX_UNEXPECTED-th.
   */
  static boolean givesUp(Exception e, int failures) {
    if (!fromApiServer(e)) {
      return failures >= MAX_UNEXPECTED;
    }
    return refusal(e) != null && failures >= MAX_REFUSED;
  }

  /** The API server's answer when it is a permanent refusal, else null. */
  static KubernetesClientException refusal(Exception e) {
    KubernetesClientException k = apiAnswer(e);
    return k != null && ApiErrors.classify(k) == ApiErrors.Kind.PERMANENT ? k : null;
  }

  /**
   * A pass that threw is retried by JOSDK with a capped back-off, without limit: meanwhile the
   * status says why. An error that is not the API server's (a defect meeting an input) ends the
   * build after a few attempts instead of retrying forever.
   */
  @Override
  public ErrorStatusUpdateControl<StageBuild> updateErrorStatus(StageBuild observed, Context<StageBuild> context,
      Exception e) {
    // JOSDK hands in the object the failed pass started from; that pass may have written the status
    // before it failed (a build's end, then a refused pod delete). The cache has that write: judged
    // from the stale object, a finished build would be reported as retrying.
    StageBuild cached = context.eventSourceRetriever().getControllerEventSource()
        .get(ResourceID.fromResource(observed)).orElse(observed);
    int attempts = failures(context.getRetryInfo());
    if (!buildIdOf(cached).equals(buildIdOf(observed))) {
      // Edited since into another build: the edit's event brings a pass of its own.
      logFailure(e, attempts, false);
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    StageBuild resource = cached;
    if (BuildDecider.isFinished(resource.getStatus())
        && buildIdOf(resource).equals(resource.getStatus().buildId)) {
      // a finished build's clean-up (pods at the end of retention, the workspace, a TTL) failed
      logFailure(e, attempts, false);
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    var now = clock.instant();
    String buildId = buildIdOf(resource);
    StageBuildStatus observedStatus = resource.getStatus();
    Instant started = observedStatus != null && buildId.equals(observedStatus.buildId)
        ? Times.parse(observedStatus.startTime) : null;
    Duration timeout = BuildDecider.buildTimeout(resource, settings);
    // The deadline holds for a pass that fails before it decides (a read the API server keeps refusing).
    boolean timedOut = started != null && !now.isBefore(started.plus(timeout));
    KubernetesClientException refused = refusal(e);
    boolean giveUp = timedOut || givesUp(e, attempts);
    KubernetesClientException answer = apiAnswer(e);
    String detail = answer != null ? ApiErrors.message(answer) : String.valueOf(e.getMessage());
    String retrying = ApiErrors.transientReason(e.getCause() != null && !(e instanceof KubernetesClientException)
        ? e.getCause() : e);
    String reason;
    String message;
    if (timedOut) {
      reason = "Timeout";
      message = "the build did not finish within timeoutSeconds=" + timeout.toSeconds() + "; the operator could not"
          + " reconcile it: " + (refused != null ? ApiErrors.refusalReason(refused) : retrying) + ": "
          + PodInspector.tail(detail);
    } else if (giveUp && refused != null) {
      reason = ApiErrors.refusalReason(refused);
      message = "the API server refused the operator " + attempts + " times: " + PodInspector.tail(detail);
    } else if (giveUp) {
      reason = "InternalError";
      message = "the operator failed on this build " + attempts + " times: " + PodInspector.tail(detail);
    } else {
      reason = refused != null ? ApiErrors.refusalReason(refused) : retrying;
      message = "the operator could not reconcile this build and retries: " + PodInspector.tail(detail);
    }
    logFailure(e, attempts, giveUp);
    long generation = Optional.ofNullable(resource.getMetadata().getGeneration()).orElse(1L);
    try {
      StageBuild copy = context.getClient().getKubernetesSerialization().clone(resource);
      StageBuildStatus status = copy.getStatus() == null ? new StageBuildStatus() : copy.getStatus();
      if (!buildId.equals(status.buildId)) {
        // The build's clock starts at its first pass, even one that failed: its deadline holds
        // while the API server refuses every call. Nothing of the previous build's record stays
        // (its steps would be taken as this build's), only the conditions, as the decider carries them.
        StageBuildStatus fresh = new StageBuildStatus();
        fresh.conditions = Conditions.remove(status.conditions, Conditions.IMAGE_INSPECTED);
        status = fresh;
        status.buildId = buildId;
        status.startTime = Times.format(now);
        status.observedGeneration = generation;
      }
      if (giveUp) {
        status.completionTime = Times.format(now);
        status.conditions = Conditions.set(status.conditions, Conditions.SUCCEEDED, "False", reason, message,
            generation, now);
        status.conditions = Conditions.set(status.conditions, Conditions.READY, "False", reason, message,
            generation, now);
        status.conditions = Conditions.remove(status.conditions, Conditions.RECONCILING);
        status.conditions = Conditions.set(status.conditions, Conditions.STALLED, "True", reason, message,
            generation, now);
      } else {
        // In progress, as the decider says it (a new build's first failed pass must not leave the
        // previous build's Ready=True or Stalled=True standing for `kubectl wait` to read).
        status.conditions = Conditions.set(status.conditions, Conditions.SUCCEEDED, "Unknown", reason, message,
            generation, now);
        status.conditions = Conditions.set(status.conditions, Conditions.READY, "False", reason, message,
            generation, now);
        status.conditions = Conditions.set(status.conditions, Conditions.RECONCILING, "True", reason, message,
            generation, now);
        status.conditions = Conditions.remove(status.conditions, Conditions.STALLED);
      }
      copy.setStatus(status);
      StageBuild written = context.getClient().resource(copy).updateStatus();
      context.eventSourceRetriever().getControllerEventSource()
          .handleRecentResourceUpdate(ResourceID.fromResource(resource), written, resource);
    } catch (RuntimeException writeFailed) {
      LOG.debug("could not report the error in the status either: {}", writeFailed.toString());
    }
    return ErrorStatusUpdateControl.noStatusUpdate();
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

  static String annotation(HasMetadata o, String key) {
    Map<String, String> a = o.getMetadata().getAnnotations();
    return a == null ? null : a.get(key);
  }

  static String label(HasMetadata o, String key) {
    Map<String, String> l = o.getMetadata().getLabels();
    return l == null ? null : l.get(key);
  }
}
