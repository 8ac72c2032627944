package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** Where a build arg's value comes from when it must not be in the spec. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BuildArgSource {
  @Required
  @JsonPropertyDescription("A key of a Secret in the StageBuild's namespace. The value reaches kaniko through the stage pods' environment, never through the spec, the plan, the pod's arguments, the status or the operator.")
  public SecretKeyRef secretKeyRef;

  public BuildArgSource() {}

  public BuildArgSource(String secretName, String key) {
    this.secretKeyRef = new SecretKeyRef(secretName, key);
  }

  /** A key of a Secret. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public static class SecretKeyRef {
    @Required
    @JsonPropertyDescription("The Secret's name.")
    public String name;

    @Required
    @JsonPropertyDescription("The key whose value is the build arg's value.")
    public String key;

    public SecretKeyRef() {}

    public SecretKeyRef(String name, String key) {
      this.name = name;
      this.key = key;
    }
  }
}
