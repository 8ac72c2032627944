package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

/** A build secret: what {@code RUN --mount=type=secret,id=<id>} reads, from a key of a Secret. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class BuildSecret {
  /** The CRD's pattern for {@link #id}; SpecValidator checks it too, for the CLI and older CRDs. */
  public static final String ID_PATTERN = "^[A-Za-z0-9._-]{1,253}$";

  @Required
  @Pattern(ID_PATTERN)
  @JsonPropertyDescription("The secret id a RUN --mount=type=secret,id=<id> names (without id=, the target's file name).")
  public String id;

  @Required
  @JsonPropertyDescription("The Secret holding the value, in the StageBuild's namespace.")
  public LocalObjectRef secretRef;

  @Required
  @JsonPropertyDescription("The key of the Secret whose value is the build secret.")
  public String key;

  public BuildSecret() {}

  public BuildSecret(String id, String secretName, String key) {
    this.id = id;
    this.secretRef = new LocalObjectRef(secretName);
    this.key = key;
  }
}
