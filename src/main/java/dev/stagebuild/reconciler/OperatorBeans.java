package dev.stagebuild.reconciler;

import dev.stagebuild.kaniko.KanikoResources;
import dev.stagebuild.kaniko.RenderSettings;
import dev.stagebuild.registry.RegistryClient;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.monitoring.micrometer.MicrometerMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.config.MeterFilter;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** Builds the reconciler's collaborators from the operator's configuration (application.properties / env). */
@Singleton
public class OperatorBeans {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(OperatorBeans.class);

  @ConfigProperty(name = "stagebuild.pending-timeout", defaultValue = "5m")
  Duration pendingTimeout;

  @ConfigProperty(name = "stagebuild.missing-object-grace", defaultValue = "1m")
  Duration missingObjectGrace;

  @ConfigProperty(name = "stagebuild.inspect-retry", defaultValue = "30s")
  Duration inspectRetry;

  @ConfigProperty(name = "stagebuild.default-build-timeout", defaultValue = "1h")
  Duration defaultBuildTimeout;

  /**
   * Normal events (BuildSucceeded; StageStarted and StageSucceeded): off by default, since each is an
   * object per build in the API server that conditions and status say already; warnings are always
   * recorded.
   */
  @ConfigProperty(name = "stagebuild.normal-events", defaultValue = "false")
  boolean normalEvents;

  /** The name normal-events had when it covered the stage events only: still honoured, with a warning. */
  @ConfigProperty(name = "stagebuild.stage-events")
  Optional<Boolean> stageEvents;

  /** How long finished builds keep their pods and plan (spec.podRetentionSeconds overrides it). */
  @ConfigProperty(name = "stagebuild.pod-retention", defaultValue = "24h")
  Duration podRetention;

  /** Progress alone (no condition changed) is written at most this often per build. */
  @ConfigProperty(name = "stagebuild.status-interval", defaultValue = "5s")
  Duration statusInterval;

  /** A build that pushed its image waits this long for the registry's answer before its end is written. */
  @ConfigProperty(name = "stagebuild.lookup-grace", defaultValue = "2s")
  Duration lookupGrace;

  /**
   * The ServiceAccount of build pods, created in a namespace (without token automount) when it is
   * not there; {@code default} runs them as the namespace's default account.
   */
  @ConfigProperty(name = "stagebuild.build-service-account", defaultValue = RenderSettings.DEFAULT_BUILD_SERVICE_ACCOUNT)
  String buildServiceAccount;

  @ConfigProperty(name = "stagebuild.executor-image")
  Optional<String> executorImage;

  @ConfigProperty(name = "stagebuild.git-image")
  Optional<String> gitImage;

  @Produces
  @Singleton
  OperatorSettings settings() {
    stageEvents.ifPresent(on -> LOG.warn(
        "stagebuild.stage-events (STAGEBUILD_STAGE_EVENTS) is now stagebuild.normal-events"
        + " (STAGEBUILD_NORMAL_EVENTS), which also covers BuildSucceeded; the old name is honoured for now"));
    return new OperatorSettings(pendingTimeout, missingObjectGrace, inspectRetry, defaultBuildTimeout,
        normalEvents || stageEvents.orElse(false), podRetention, statusInterval, lookupGrace);
  }

  @Produces
  @Singleton
  KanikoResources kanikoResources() {
    RenderSettings d = RenderSettings.defaults();
    return new KanikoResources(new RenderSettings(executorImage.orElse(d.executorImage()),
        gitImage.orElse(d.gitImage()), d.defaultWorkspaceSize(), buildServiceAccount));
  }

  @Produces
  @Singleton
  ImageInspector imageInspector() {
    return new ImageInspector(new RegistryClient());
  }

  @Produces
  @Singleton
  BuildMetrics buildMetrics(MeterRegistry registry) {
    return new BuildMetrics(registry);
  }

  /**
   * JOSDK's metrics without a series per StageBuild: quarkus-operator-sdk's default collects per
   * resource, a reconcile timer with a percentile histogram and counters tagged with each
   * StageBuild's name, so a build farm's thousands of StageBuilds a day became as many series
   * (and histograms to keep in memory and update on every pass). Per-build figures are the
   * stagebuild_* metrics and the status.
   */
  @Produces
  @Singleton
  Metrics josdkMetrics(MeterRegistry registry) {
    return MicrometerMetrics.withoutPerResourceMetrics(registry);
  }

  /** Quarkus applies every MeterFilter bean to the registry before meters are registered. */
  @Produces
  @Singleton
  MeterFilter serverSidePercentiles() {
    return new ServerSidePercentiles();
  }

  @Produces
  @Singleton
  Clock clock() {
    return Clock.systemUTC();
  }
}
