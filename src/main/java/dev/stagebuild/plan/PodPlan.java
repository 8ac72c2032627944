package dev.stagebuild.plan;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One pod of the build: a chain of stages (each FROM the one before it) ending in its target.
 *
 * @param name the pod's key in the plan: its target stage's name
 * @param stages the stages its Dockerfile holds, root of the chain first, target last
 * @param target the stage to build (--target)
 * @param dockerfile the rewritten Dockerfile: context paths X as src/X; {@code COPY --from=<stage>} kept, with a
 *     stand-in stage ({@code FROM scratch}, {@code ADD from/<stage>.tar /}) for each producer built in another pod
 * @param dependsOn pods whose exports this pod copies (never itself)
 * @param exports absolute paths (and globs) other pods copy from this pod's target stage, which the pod
 *     archives as {@code from/<name>.tar}; empty for the final pod unless something copies from it too
 * @param isFinal true for the pod that builds the build's target and pushes
 * @param usesContext true when this pod's Dockerfile copies from the user's build context
 * @param mounted true when a stage of another pod bind-mounts from this pod's target
 *     ({@code RUN --mount=type=bind,from=<stage>}): the pod also leaves its exports as the directory
 *     {@code mounts/<name>/} of the build context, which the consumer's rewritten mount names
 * @param excluded what the pod exports for {@code COPY --from=<its target> --exclude=...}, by key: each
 *     archived as {@code from/<name>.exclude-<key>.tar}; empty when nothing copies from it that way
 *     (and then left out of the plan's JSON, which an earlier operator wrote without it)
 * @param contextExcluded the {@code COPY --exclude=...} from the build context of the stages in this
 *     pod, by key: the pod copies each one's sources to {@code exclude/<key>/} of the context, without
 *     what the patterns exclude, before the executor runs; left out of the JSON when empty
 */
public record PodPlan(String name, List<String> stages, String target, String dockerfile,
    List<String> dependsOn, List<String> exports, boolean isFinal, boolean usesContext, boolean mounted,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ExcludedExport> excluded,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<ExcludedExport> contextExcluded) {

  public PodPlan {
    excluded = excluded == null ? List.of() : List.copyOf(excluded);
    contextExcluded = contextExcluded == null ? List.of() : List.copyOf(contextExcluded);
  }

  public PodPlan(String name, List<String> stages, String target, String dockerfile,
      List<String> dependsOn, List<String> exports, boolean isFinal, boolean usesContext, boolean mounted,
      List<ExcludedExport> excluded) {
    this(name, stages, target, dockerfile, dependsOn, exports, isFinal, usesContext, mounted, excluded, List.of());
  }

  public PodPlan(String name, List<String> stages, String target, String dockerfile,
      List<String> dependsOn, List<String> exports, boolean isFinal, boolean usesContext, boolean mounted) {
    this(name, stages, target, dockerfile, dependsOn, exports, isFinal, usesContext, mounted, List.of());
  }

  public PodPlan(String name, List<String> stages, String target, String dockerfile,
      List<String> dependsOn, List<String> exports, boolean isFinal, boolean usesContext) {
    this(name, stages, target, dockerfile, dependsOn, exports, isFinal, usesContext, false);
  }
}
