package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;

/** A volume for kaniko's RUN --mount=type=cache directories, so that they outlive a pod. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class MountCache {
  @Required
  @JsonPropertyDescription("An existing PersistentVolumeClaim in the StageBuild's namespace. Each stage pod mounts its own sub-directory (named after its stage) at /kaniko/caches; kaniko does not lock a cache, so give one claim to one StageBuild (its builds never run at the same time).")
  public String claimName;
}
