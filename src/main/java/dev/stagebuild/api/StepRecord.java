package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

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
}
