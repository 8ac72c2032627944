package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.crd.generator.annotation.SchemaFrom;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.util.List;
import java.util.Map;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class StageSettings {
  @Required
  // A bound keeps the cost of the spec's uniqueness rule (CEL) within what the API server accepts.
  @Size(max = 128)
  @JsonPropertyDescription("The stage's name (as after AS in its FROM line; stage-<index> for an unnamed stage, stage-<index>-2 when another stage is named stage-<index>). Case-insensitive.")
  public String name;

  @JsonPropertyDescription("CPU and memory for the stage's pod.")
  @SchemaFrom(type = SchemaDocs.ResourceRequirementsDoc.class)
  public ResourceRequirements resources;

  @JsonPropertyDescription("Node labels the stage's pod must run on.")
  public Map<String, String> nodeSelector;

  @JsonPropertyDescription("Tolerations for the stage's pod.")
  @SchemaFrom(type = SchemaDocs.TolerationDoc[].class)
  public List<Toleration> tolerations;

  @Min(1)
  @Max(2592000)
  @JsonPropertyDescription("Time limit for one attempt of this stage, in seconds. Default: none beyond the build's.")
  public Long timeoutSeconds;
}
