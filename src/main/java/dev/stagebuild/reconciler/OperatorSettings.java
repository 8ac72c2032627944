package dev.stagebuild.reconciler;

import java.time.Duration;

/**
 * Operator-wide knobs (from application.properties in the operator, set directly in tests).
 *
 * @param pendingTimeout how long a pod may stay Pending (unschedulable, image pull errors) before its stage fails
 * @param missingObjectGrace how long a missing Secret or ConfigMap is waited for before the build fails
 * @param inspectRetry how long to wait before asking the registry again when a look-up failed
 * @param defaultBuildTimeout build time limit when spec.timeoutSeconds is not set
 */
public record OperatorSettings(Duration pendingTimeout, Duration missingObjectGrace,
    Duration inspectRetry, Duration defaultBuildTimeout) {

  public static OperatorSettings defaults() {
    return new OperatorSettings(Duration.ofMinutes(5), Duration.ofMinutes(1), Duration.ofSeconds(30),
        Duration.ofHours(1));
  }
}
