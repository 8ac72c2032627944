package dev.stagebuild.reconciler;

import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.plan.BuildPlan;

/** The plan of a build, the reason it cannot be made, or neither yet (the Dockerfile is still in the source). */
public record PlanOutcome(BuildPlan plan, DockerfileException error) {
  public static PlanOutcome of(BuildPlan plan) {
    return new PlanOutcome(plan, null);
  }

  public static PlanOutcome failed(DockerfileException error) {
    return new PlanOutcome(null, error);
  }

  /** The Dockerfile comes with the source: it is planned once the source pod has run. */
  public static PlanOutcome awaitingSource() {
    return new PlanOutcome(null, null);
  }

  public boolean known() {
    return plan != null;
  }
}
