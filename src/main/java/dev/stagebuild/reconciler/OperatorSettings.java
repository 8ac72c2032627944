package dev.stagebuild.reconciler;

import java.time.Duration;

/**
 * Operator-wide knobs (from application.properties in the operator, set directly in tests).
 *
 * @param pendingTimeout how long a pod may stay Pending (unschedulable, image pull errors) before its stage fails
 * @param missingObjectGrace how long a missing Secret or ConfigMap is waited for before the build fails
 * @param inspectRetry first wait before asking the registry again after a look-up failed (doubles, capped)
 * @param defaultBuildTimeout build time limit when spec.timeoutSeconds is not set
 * @param normalEvents record the Normal events BuildSucceeded, StageStarted and StageSucceeded (warnings are always
 *     recorded); the shipped default is off, the short constructors (tests) turn them on
 * @param podRetention how long a finished build keeps its pods and plan when spec.podRetentionSeconds is not set
 * @param statusInterval how long progress alone (no condition changed) waits after a build's last status write
 * @param lookupGrace how long a build that pushed its image waits for the registry's answer before its end is written
 */
public record OperatorSettings(Duration pendingTimeout, Duration missingObjectGrace,
    Duration inspectRetry, Duration defaultBuildTimeout, boolean normalEvents, Duration podRetention,
    Duration statusInterval, Duration lookupGrace) {
  public static final Duration DEFAULT_POD_RETENTION = Duration.ofHours(24);
  public static final Duration DEFAULT_STATUS_INTERVAL = Duration.ofSeconds(5);
  public static final Duration DEFAULT_LOOKUP_GRACE = Duration.ofSeconds(2);

  public OperatorSettings(Duration pendingTimeout, Duration missingObjectGrace, Duration inspectRetry,
      Duration defaultBuildTimeout, boolean normalEvents, Duration podRetention) {
    this(pendingTimeout, missingObjectGrace, inspectRetry, defaultBuildTimeout, normalEvents, podRetention,
        DEFAULT_STATUS_INTERVAL, DEFAULT_LOOKUP_GRACE);
  }

  public OperatorSettings(Duration pendingTimeout, Duration missingObjectGrace, Duration inspectRetry,
      Duration defaultBuildTimeout) {
    this(pendingTimeout, missingObjectGrace, inspectRetry, defaultBuildTimeout, true, DEFAULT_POD_RETENTION);
  }

  public static OperatorSettings defaults() {
    return new OperatorSettings(Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofSeconds(30),
        Duration.ofHours(1), false, DEFAULT_POD_RETENTION, DEFAULT_STATUS_INTERVAL, DEFAULT_LOOKUP_GRACE);
  }
}
