package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A reference to an object in the StageBuild's namespace. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class LocalObjectRef {
  @Required
  @Size(max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  @JsonPropertyDescription("Name of the object in the StageBuild's namespace.")
  public String name;

  public LocalObjectRef() {}

  public LocalObjectRef(String name) {
    this.name = name;
  }
}
