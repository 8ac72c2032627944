package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class Executor {
  @Size(max = 512)
  @JsonPropertyDescription("The Kaniko image; it must be a debug image (with /busybox/sh). Default: the operator's pinned image.")
  public String image;

  @Size(max = 64)
  @JsonPropertyDescription("Extra arguments for every executor run, e.g. --snapshot-mode=redo. Flags the operator sets (--destination, --dockerfile, --context, --target, --no-push, --digest-file, --tar-path, ...) are refused.")
  public List<String> args;

  @JsonPropertyDescription("Kaniko's layer cache.")
  public Cache cache;

  @JsonPropertyDescription("Keep RUN --mount=type=cache directories across builds on this volume (default: each pod starts with empty caches).")
  public MountCache mountCache;
}
