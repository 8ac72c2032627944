package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class SourceStatus {
  @JsonPropertyDescription("The pod that fetched the source into the workspace.")
  public String podName;

  @JsonPropertyDescription("Pending, Running, Succeeded or Failed.")
  public String phase;

  @JsonPropertyDescription("The git commit that was built.")
  public String commit;
}
