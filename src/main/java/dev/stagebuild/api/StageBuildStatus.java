package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.kubernetes.api.model.Condition;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class StageBuildStatus {
  @JsonPropertyDescription("The metadata.generation this status describes.")
  public Long observedGeneration;

  @JsonPropertyDescription("Identifies the build this status describes: the generation, and a hash of the stagebuild.dev/rebuild annotation when set.")
  public String buildId;

  @JsonPropertyDescription("Succeeded (Unknown while the build runs, then True or False) and Ready (True once the image is pushed), each with a CamelCase reason.")
  @SchemaFrom(type = SchemaDocs.ConditionDoc[].class)
  public List<Condition> conditions = new ArrayList<>();

  @JsonPropertyDescription("When this build started (RFC 3339).")
  public String startTime;

  @JsonPropertyDescription("When this build ended, successfully or not (RFC 3339).")
  public String completionTime;

  @JsonPropertyDescription("When the finished build's pods and plan ConfigMap were deleted (spec.podRetentionSeconds).")
  public String cleanupTime;

  @JsonPropertyDescription("Stages done out of stages to run, e.g. 1/2.")
  public String stagesDone;

  @JsonPropertyDescription("The source pod and the git commit it resolved.")
  public SourceStatus source;

  @JsonPropertyDescription("Each stage the build runs, in Dockerfile order.")
  public List<StageStatus> stages = new ArrayList<>();

  @JsonPropertyDescription("Each step's latest attempt: the record the operator keeps of finished steps, so that a pod removed by pod GC, a drain or a person does not re-run or reset its step.")
  public List<StepRecord> steps = new ArrayList<>();

  @JsonPropertyDescription("The pushed image.")
  public OutputStatus output;

  // Field by field, so that a pass can tell a changed status from the one it read without writing
  // both as JSON (StatusEqualityTest keeps every field in).
  @Override
  public boolean equals(Object other) {
    return other instanceof StageBuildStatus o && Objects.equals(observedGeneration, o.observedGeneration)
        && Objects.equals(buildId, o.buildId) && Objects.equals(conditions, o.conditions)
        && Objects.equals(startTime, o.startTime) && Objects.equals(completionTime, o.completionTime)
        && Objects.equals(cleanupTime, o.cleanupTime) && Objects.equals(stagesDone, o.stagesDone)
        && Objects.equals(source, o.source) && Objects.equals(stages, o.stages)
        && Objects.equals(steps, o.steps) && Objects.equals(output, o.output);
  }

  @Override
  public int hashCode() {
    return Objects.hash(observedGeneration, buildId, conditions, startTime, completionTime, cleanupTime,
        stagesDone, source, stages, steps, output);
  }
}
