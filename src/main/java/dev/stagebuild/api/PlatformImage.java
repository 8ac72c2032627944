package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class PlatformImage {
  @JsonPropertyDescription("os/architecture[/variant], e.g. linux/arm64/v8.")
  public String platform;

  @JsonPropertyDescription("The platform manifest's digest.")
  public String digest;

  @JsonPropertyDescription("Config size plus layer sizes, in bytes.")
  public Long size;
}
