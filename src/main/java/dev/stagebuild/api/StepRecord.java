package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * The durable record of one step of a build (the source pod or one stage pod), kept in the status
 * so that a finished step stays finished when its pod is garbage-collected, drained or deleted.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StepRecord {
  @JsonPropertyDescription("The step: source, or the plan pod that builds a chain of stages.")
  public String step;

  @JsonPropertyDescription("The attempt of the step's latest pod (1 for the first pod).")
  public Integer attempt;

  @JsonPropertyDescription("Attempts that failed with an exit code (counted against spec.retries).")
  public Integer failures;

  @JsonPropertyDescription("Pods lost to eviction, preemption, a drain or a deletion (re-run, not counted against spec.retries).")
  public Integer disruptions;

  @JsonPropertyDescription("The latest pod's name.")
  public String podName;

  @JsonPropertyDescription("Pending, Running, Succeeded or Failed.")
  public String phase;

  @JsonPropertyDescription("The executor's exit code, once the attempt ended.")
  public Integer exitCode;

  @JsonPropertyDescription("What the step produced: the pushed digest (final step) or the git commit (source).")
  public String result;

  @JsonPropertyDescription("The node the pod ran on.")
  public String nodeName;

  @JsonPropertyDescription("When the latest pod started running (RFC 3339).")
  public String startTime;

  @JsonPropertyDescription("When the step ended (RFC 3339).")
  public String completionTime;

  // Field by field, like StageBuildStatus's.
  @Override
  public boolean equals(Object other) {
    return other instanceof StepRecord o && Objects.equals(step, o.step) && Objects.equals(attempt, o.attempt)
        && Objects.equals(failures, o.failures) && Objects.equals(disruptions, o.disruptions)
        && Objects.equals(podName, o.podName) && Objects.equals(phase, o.phase)
        && Objects.equals(exitCode, o.exitCode) && Objects.equals(result, o.result)
        && Objects.equals(nodeName, o.nodeName) && Objects.equals(startTime, o.startTime)
        && Objects.equals(completionTime, o.completionTime);
  }

  @Override
  public int hashCode() {
    return Objects.hash(step, attempt, failures, disruptions, podName, phase, exitCode, result, nodeName,
        startTime, completionTime);
  }
}
