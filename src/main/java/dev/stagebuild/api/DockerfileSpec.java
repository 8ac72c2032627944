package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!(has(self.path) && has(self.inline))", message = "dockerfile takes at most one of path and inline")
public class DockerfileSpec {
  @Size(max = 4096)
  @JsonPropertyDescription("Path of the Dockerfile, relative to the build context. Default: Dockerfile.")
  public String path;

  @Size(max = 1048576)
  @JsonPropertyDescription("The whole Dockerfile, inline.")
  public String inline;
}
