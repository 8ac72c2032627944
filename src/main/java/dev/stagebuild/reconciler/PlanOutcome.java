package dev.stagebuild.reconciler;

import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.plan.BuildPlan;

/** The plan of a build, the reason it cannot be made, or neither yet (the Dockerfile is still in the source). */
public record PlanOutcome(BuildPlan plan, DockerfileException error, String sourceUnreadable) {
  public static PlanOutcome of(BuildPlan plan) {
    return new PlanOutcome(plan, null, null);
  }

  public static PlanOutcome failed(DockerfileException error) {
    return new PlanOutcome(null, error, null);
  }

  /** The Dockerfile comes with the source: it is planned once the source pod has run. */
  public static PlanOutcome awaitingSource() {
    return new PlanOutcome(null, null, null);
  }

  /** The source pod succeeded but what it reported could not be read (a rotated or truncated log). */
  public static PlanOutcome sourceUnreadable(String why) {
    return new PlanOutcome(null, null, why);
  }

  public boolean known() {
    return plan != null;
  }
}
