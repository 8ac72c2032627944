package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.ValidationRule;

@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!(has(self.git) && has(self.configMap))", message = "source takes at most one of git and configMap")
@ValidationRule(value = "has(self.git) || has(self.configMap)", message = "source needs git or configMap (or leave source out)")
public class Source {
  @JsonPropertyDescription("Clone a git repository as the build context.")
  public GitSource git;

  @JsonPropertyDescription("Use the files of a ConfigMap (one file per key) as the build context.")
  public LocalObjectRef configMap;
}
