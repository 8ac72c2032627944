package dev.stagebuild.reconciler;

/**
 * Something outside the build that it waits for (a Secret or ConfigMap that does not exist yet).
 * Waited for during {@link OperatorSettings#missingObjectGrace()}, then the build fails with this reason.
 */
public record Blocker(String reason, String message) {}
