package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class Executor {
  @JsonPropertyDescription("The Kaniko image; it must be a debug image (with /busybox/sh). Default: the operator's pinned image.")
  public String image;

  @JsonPropertyDescription("Extra arguments for every executor run, e.g. --snapshot-mode=redo.")
  public List<String> args;

  @JsonPropertyDescription("Kaniko's layer cache.")
  public Cache cache;

  @JsonPropertyDescription("Keep RUN --mount=type=cache directories across builds on this volume (default: each pod starts with empty caches).")
  public MountCache mountCache;
}
