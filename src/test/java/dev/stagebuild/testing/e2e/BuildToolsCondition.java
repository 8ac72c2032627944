package dev.stagebuild.testing.e2e;

import java.util.List;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/** The condition behind {@link RequiresBuildTools}: skip with an install hint, or fail under CI=true. */
public final class BuildToolsCondition implements ExecutionCondition {

  @Override
  public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
    return decide(BuildTools.missing(), System.getenv("CI"));
  }

  static ConditionEvaluationResult decide(List<String> missing, String ci) {
    if (missing.isEmpty()) {
      return ConditionEvaluationResult.enabled("buildah, busybox-static, git and docker-registry found");
    }
    String what = "end-to-end tests need " + String.join(", ", missing) + ": " + BuildTools.INSTALL_HINT;
    if (ci != null && ci.trim().equalsIgnoreCase("true")) {
      throw new IllegalStateException(what + " (CI=true: these tests must run in CI, not be skipped)");
    }
    return ConditionEvaluationResult.disabled(what);
  }
}
