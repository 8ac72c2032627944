package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class BuildArg {
  @Required
  @JsonPropertyDescription("The ARG name.")
  public String name;

  @JsonPropertyDescription("Its value (may be empty).")
  public String value;

  public BuildArg() {}

  public BuildArg(String name, String value) {
    this.name = name;
    this.value = value;
  }
}
