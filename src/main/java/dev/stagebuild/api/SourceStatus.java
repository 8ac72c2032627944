package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class SourceStatus {
  @JsonPropertyDescription("The pod that fetched the source into the workspace.")
  public String podName;

  @JsonPropertyDescription("Pending, Running, Succeeded or Failed.")
  public String phase;

  @JsonPropertyDescription("The git commit that was built.")
  public String commit;

  // Field by field, like StageBuildStatus's.
  @Override
  public boolean equals(Object other) {
    return other instanceof SourceStatus o && Objects.equals(podName, o.podName)
        && Objects.equals(phase, o.phase) && Objects.equals(commit, o.commit);
  }

  @Override
  public int hashCode() {
    return Objects.hash(podName, phase, commit);
  }
}
