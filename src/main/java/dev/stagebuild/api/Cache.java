package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class Cache {
  @JsonPropertyDescription("Use Kaniko's layer cache (--cache=true).")
  public Boolean enabled;

  @JsonPropertyDescription("Repository for cached layers (--cache-repo), without a tag or digest. Default: <output image repository>/cache.")
  public String repository;
}
