package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!has(self.stages) || self.stages.all(s, self.stages.exists_one(t, t.name == s.name))",
    message = "stages[].name must be unique")
public class StageBuildSpec {
  @JsonPropertyDescription("The build context. Leave it out for a Dockerfile that copies nothing from a context.")
  public Source source;

  @JsonPropertyDescription("The multi-stage Dockerfile: a path inside the context, or the whole file inline. Default: the file Dockerfile in the context.")
  public DockerfileSpec dockerfile;

  @Size(max = 128)
  @JsonPropertyDescription("Build only the stages this stage needs, and push this stage (like docker build --target). Default: the last stage.")
  public String target;

  @Size(max = 256)
  @JsonPropertyDescription("Values for the Dockerfile's ARG instructions (like docker build --build-arg).")
  public List<BuildArg> buildArgs = new ArrayList<>();

  @Required
  @JsonPropertyDescription("Where the final image is pushed.")
  public Output output;

  @Size(max = 128)
  @JsonPropertyDescription("Per-stage settings, by stage name: resources, nodeSelector, tolerations, timeoutSeconds.")
  public List<StageSettings> stages = new ArrayList<>();

  @JsonPropertyDescription("A kubernetes.io/dockerconfigjson Secret for pulling base images in the pods that do not push. The pushing pod uses output.pushSecretRef only (give it pull credentials too if its base images need them).")
  public LocalObjectRef pullSecretRef;

  @Size(max = 64)
  @JsonPropertyDescription("Build secrets: each maps the id a RUN --mount=type=secret names to a key of a Secret. The value is mounted only into the pods whose stages use it and is never written to the plan, the status or the image.")
  public List<BuildSecret> secrets;

  @JsonPropertyDescription("The volume shared by the build's pods: the context and the files stages hand to each other.")
  public Workspace workspace;

  @JsonPropertyDescription("The Kaniko executor the stage pods run.")
  public Executor executor;

  @Min(0)
  @Max(10)
  @JsonPropertyDescription("Extra attempts for a failed stage pod (0: a failed stage fails the build).")
  public Integer retries;

  @Min(1)
  @Max(2592000)
  @JsonPropertyDescription("Time limit for the whole build, in seconds. Default 3600.")
  public Long timeoutSeconds;

  @JsonPropertyDescription("true stops the current build: its pods are deleted and it ends with Succeeded=False, reason"
      + " Cancelled. Setting it back to false (a new generation) starts a new build.")
  public Boolean cancel;

  @Min(0)
  @Max(31536000)
  @JsonPropertyDescription("How long a finished build keeps its pods (for kubectl logs) and its plan ConfigMap, in"
      + " seconds; then they are deleted (the status keeps each step's record). Default: the operator's"
      + " STAGEBUILD_POD_RETENTION (24h).")
  public Long podRetentionSeconds;

  @Min(0)
  @Max(31536000)
  @JsonPropertyDescription("Delete this StageBuild that long after its build finished (like a Job's"
      + " ttlSecondsAfterFinished), for one-object-per-build CI use. Default: kept.")
  public Long ttlSecondsAfterFinished;
}
