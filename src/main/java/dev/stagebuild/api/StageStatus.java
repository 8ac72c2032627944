package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class StageStatus {
  @JsonPropertyDescription("The stage's name.")
  public String name;

  @JsonPropertyDescription("Stages this one needs first (FROM <stage> and COPY --from=<stage>).")
  public List<String> dependsOn = new ArrayList<>();

  @JsonPropertyDescription("Waiting, Pending, Running, Succeeded, Failed or Skipped.")
  public String phase;

  @JsonPropertyDescription("The pod that runs the stage (a chained stage shares its child's pod).")
  public String podName;

  @JsonPropertyDescription("How many pods were started for this stage.")
  public Integer attempts;

  @JsonPropertyDescription("When the stage's pod started running (RFC 3339).")
  public String startTime;

  @JsonPropertyDescription("When the stage ended (RFC 3339).")
  public String completionTime;

  @JsonPropertyDescription("Exit code of the stage's executor, once it ended.")
  public Integer exitCode;

  @JsonPropertyDescription("Why the stage is waiting or failed: the kubelet's reason, or the exit code and the log's tail. Once per pod: on the stage the pod targets (the last of the chain of stages it builds).")
  public String message;

  // Field by field, like StageBuildStatus's.
  @Override
  public boolean equals(Object other) {
    return other instanceof StageStatus o && Objects.equals(name, o.name)
        && Objects.equals(dependsOn, o.dependsOn) && Objects.equals(phase, o.phase)
        && Objects.equals(podName, o.podName) && Objects.equals(attempts, o.attempts)
        && Objects.equals(startTime, o.startTime) && Objects.equals(completionTime, o.completionTime)
        && Objects.equals(exitCode, o.exitCode) && Objects.equals(message, o.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(name, dependsOn, phase, podName, attempts, startTime, completionTime, exitCode,
        message);
  }
}
