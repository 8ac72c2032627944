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
  @JsonPropertyDescription("Its value (may be empty). It is an argument of the stage pods, visible to anyone who may read pods: use valueFrom for a secret.")
  public String value;

  @JsonPropertyDescription("Its value from a key of a Secret, instead of value: kaniko reads it from the stage pods' environment (the name must then be a shell-style variable name). The planner does not know it: such an arg is for RUN, not for FROM or a COPY path. kaniko records a RUN as written, not its expanded values, but a RUN that writes it, or an ENV or LABEL that uses it, puts it in the image, every RUN of the stage pods can read it, and with the layer cache on it is hashed into the cache keys: prefer spec.secrets with RUN --mount=type=secret.")
  public BuildArgSource valueFrom;

  public BuildArg() {}

  public BuildArg(String name, String value) {
    this.name = name;
    this.value = value;
  }

  /** Whether the value comes from a Secret. */
  @com.fasterxml.jackson.annotation.JsonIgnore
  public boolean fromSecret() {
    return valueFrom != null && valueFrom.secretKeyRef != null;
  }
}
