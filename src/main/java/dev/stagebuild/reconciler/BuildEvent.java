package dev.stagebuild.reconciler;

/** A Kubernetes Event to record on the StageBuild. */
public record BuildEvent(boolean warning, String reason, String message) {
  public static BuildEvent normal(String reason, String message) {
    return new BuildEvent(false, reason, message);
  }

  public static BuildEvent warning(String reason, String message) {
    return new BuildEvent(true, reason, message);
  }
}
