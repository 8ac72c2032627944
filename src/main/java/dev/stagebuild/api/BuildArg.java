package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class BuildArg {
  @Required
  @Size(min = 1, max = 256)
  @Pattern("^[^=\\s]+$")
  @JsonPropertyDescription("The ARG name (no '=' or whitespace).")
  public String name;

  @Size(max = 65536)
  @JsonPropertyDescription("Its value (may be empty).")
  public String value;

  public BuildArg() {}

  public BuildArg(String name, String value) {
    this.name = name;
    this.value = value;
  }
}
