package dev.stagebuild.registry.testing;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The JUnit 5 condition behind {@link RequiresLocalRegistry}: enabled when the docker-registry
 * binary is installed; otherwise disabled with an install hint, or — when {@code CI=true} — a
 * failure of every annotated test (JUnit reports an exception thrown by a condition as a failed
 * test, not a skipped one).
 */
public final class LocalRegistryCondition implements ExecutionCondition {

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return decide(LocalRegistry.available(), System.getenv("CI"), LocalRegistry.binary().toString());
  }

  /**
   * The decision, without side effects, for tests.
   *
   * @param ci the value of the environment variable {@code CI}, or null
   * @throws IllegalStateException when the binary is missing and CI is {@code true}
   */
  static ConditionEvaluationResult decide(boolean available, String ci, String binary) {
    if (available) {
      return ConditionEvaluationResult.enabled("docker-registry found at " + binary);
    }
    if (isCi(ci)) {
      throw new IllegalStateException(
          "docker-registry not found at "
              + binary
              + ", and CI=true: real-registry tests must run in CI, not be skipped; "
              + LocalRegistry.INSTALL_HINT);
    }
    return ConditionEvaluationResult.disabled(
        "docker-registry not found at " + binary + ": " + LocalRegistry.INSTALL_HINT);
  }

  static boolean isCi(String ci) {
    return ci != null && ci.trim().equalsIgnoreCase("true");
  }
}
