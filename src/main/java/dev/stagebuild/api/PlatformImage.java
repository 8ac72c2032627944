package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PlatformImage {
  @JsonPropertyDescription("os/architecture[/variant], e.g. linux/arm64/v8.")
  public String platform;

  @JsonPropertyDescription("The platform manifest's digest.")
  public String digest;

  @JsonPropertyDescription("Config size plus layer sizes, in bytes.")
  public Long size;

  // Field by field, like StageBuildStatus's.
  @Override
  public boolean equals(Object other) {
    return other instanceof PlatformImage o && Objects.equals(platform, o.platform)
        && Objects.equals(digest, o.digest) && Objects.equals(size, o.size);
  }

  @Override
  public int hashCode() {
    return Objects.hash(platform, digest, size);
  }
}
