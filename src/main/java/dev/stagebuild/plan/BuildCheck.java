package dev.stagebuild.plan;

import dev.stagebuild.api.BuildArg;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildSpec;
import dev.stagebuild.api.StageSettings;
import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.dockerfile.StageNames;
import dev.stagebuild.kaniko.KanikoResources;
import dev.stagebuild.security.SpecValidator;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The one gate between a StageBuild and the objects of its build, shared by the operator and the
 * {@code plan} command (every output format): the spec is validated ({@link SpecValidator}), the
 * Dockerfile planned within the {@link Budgets}, {@code spec.stages} matched against the
 * Dockerfile's stages, and the plan checked to give objects an API server accepts (pod counts,
 * waves, the plan ConfigMap's size, annotations, export paths). Pure: no cluster, no files.
 *
 * <p>Every refusal is a {@link DockerfileException}: {@code INVALID_SPEC} (status reason
 * {@code InvalidSpec}), {@code INVALID_DOCKERFILE}/{@code UNSUPPORTED} ({@code InvalidDockerfile}),
 * or {@code TOO_LARGE} ({@code PlanTooLarge}). Nothing else is thrown for any input.
 */
public final class BuildCheck {
  private BuildCheck() {}

  /**
   * Validates {@code sb}'s spec, plans {@code dockerfile} with its build args and target, and
   * checks the plan. Call it wherever the operator or the CLI would call {@link Planner#plan}.
   */
  public static BuildPlan plan(StageBuild sb, String dockerfile) {
    return plan(sb, dockerfile, true);
  }

  /**
   * @param checkSecrets false for a Dockerfile planned on its own (the CLI's {@code plan
   *     Dockerfile}): it has no spec.secrets to check its {@code required} secret mounts against
   */
  public static BuildPlan plan(StageBuild sb, String dockerfile, boolean checkSecrets) {
    SpecValidator.validate(sb);
    StageBuildSpec spec = sb.getSpec();
    Map<String, String> args = new LinkedHashMap<>();
    Set<String> unknown = new java.util.HashSet<>();
    if (spec.buildArgs != null) {
      for (BuildArg a : spec.buildArgs) {
        if (!a.fromSecret()) {
          args.put(a.name, a.value == null ? "" : a.value);
        } else {
          // a Secret's value is never read by the operator, but kaniko gets it: the plan takes such
          // an arg as unknown (a COPY path, mount or WORKDIR that uses it is refused), not as unset
          unknown.add(a.name);
        }
      }
    }
    String target = spec.target == null || spec.target.isBlank() ? null : spec.target;
    Planner.Planned planned;
    try {
      planned = Planner.planned(dockerfile, args, unknown, target, true,
          checkSecrets ? Planner.secretIds(spec.secrets) : null);
    } catch (StackOverflowError e) {
      throw Budgets.tooLarge(0, "the Dockerfile nests too deeply to plan");
    }
    checkStageSettings(spec.stages, planned.allStages());
    checkStageSettingsApply(sb, planned.plan());
    check(planned.plan());
    return planned.plan();
  }

  /** The .dockerignore joins the plan ConfigMap once the source is fetched: call before rendering it. */
  public static void checkDockerignore(String rewrittenDockerignore) {
    if (rewrittenDockerignore != null
        && rewrittenDockerignore.getBytes(StandardCharsets.UTF_8).length > Budgets.MAX_DOCKERIGNORE_BYTES) {
      throw Budgets.tooLarge(0, "the .dockerignore, as written for kaniko (each pattern P also as P/**, and"
          + " again for the copies of COPY --exclude from the context when there are any), is "
          + rewrittenDockerignore.getBytes(StandardCharsets.UTF_8).length + " bytes, over the limit of "
          + Budgets.MAX_DOCKERIGNORE_BYTES);
    }
  }

  /** {@code spec.stages} may only name stages the Dockerfile has (whether or not the target needs them). */
  static void checkStageSettings(List<StageSettings> settings, List<String> allStages) {
    if (settings == null || settings.isEmpty()) {
      return;
    }
    Set<String> names = allStages.stream().map(StageNames::lower).collect(Collectors.toSet());
    for (int i = 0; i < settings.size(); i++) {
      String name = settings.get(i).name;
      if (!names.contains(StageNames.lower(name))) {
        List<String> shown = allStages.stream().limit(20).toList();
        throw new DockerfileException(DockerfileException.Kind.INVALID_SPEC, 0, "spec.stages[" + i + "].name: the"
            + " Dockerfile has no stage \"" + name + "\"; its stages are: " + String.join(", ", shown)
            + (allStages.size() > shown.size() ? ", ..." : ""));
      }
    }
  }

  /**
   * A pod takes the settings of the stage it builds last (its target), or when that has none, of
   * the one other stage it builds that has some (KanikoResources.stageSettings): FROM build AS test
   * builds both in one pod. Refused: a pod without settings of its own whose other stages have two
   * entries (which would apply?), and an entry that applies to no pod (its stage is built only
   * inside pods that take other settings) instead of being dropped without a word.
   */
  static void checkStageSettingsApply(StageBuild sb, BuildPlan plan) {
    List<StageSettings> settings = sb.getSpec().stages;
    if (settings == null || settings.isEmpty()) {
      return;
    }
    for (PodPlan pod : plan.pods()) {
      List<Integer> entries = new java.util.ArrayList<>();
      for (int i = 0; i < settings.size(); i++) {
        if (builds(pod, settings.get(i))) {
          entries.add(i);
        }
      }
      boolean own = entries.stream().anyMatch(i -> StageNames.same(settings.get(i).name, pod.target()));
      if (!own && entries.size() > 1) {
        throw new DockerfileException(DockerfileException.Kind.INVALID_SPEC, 0, "spec.stages[" + entries.get(1)
            + "]: stages \"" + settings.get(entries.get(0)).name + "\" and \"" + settings.get(entries.get(1)).name
            + "\" are both built in the pod of stage \"" + pod.target() + "\" (FROM them), which takes one set of"
            + " settings: give it to \"" + pod.target() + "\" instead");
      }
    }
    for (int i = 0; i < settings.size(); i++) {
      StageSettings entry = settings.get(i);
      List<PodPlan> building = plan.pods().stream().filter(p -> builds(p, entry)).toList();
      if (!building.isEmpty() && building.stream().noneMatch(p -> KanikoResources.stageSettings(sb, p) == entry)) {
        String pod = building.get(0).target();
        throw new DockerfileException(DockerfileException.Kind.INVALID_SPEC, 0, "spec.stages[" + i + "].name: stage \""
            + entry.name + "\" is built only inside the pod of stage \"" + pod + "\" (FROM it), which takes the"
            + " settings of \"" + pod + "\": these would not be used; merge them into those");
      }
    }
  }

  private static boolean builds(PodPlan pod, StageSettings entry) {
    return entry != null && entry.name != null && pod.stages().stream().anyMatch(s -> StageNames.same(s, entry.name));
  }

  /** The plan's own budgets: what the objects rendered from it must stay within. */
  public static void check(BuildPlan plan) {
    if (plan.pods().size() > Budgets.MAX_PODS) {
      throw Budgets.tooLarge(0, "the build needs " + plan.pods().size() + " pods, over the limit of " + Budgets.MAX_PODS);
    }
    for (int w = 0; w < plan.waves().size(); w++) {
      int size = plan.waves().get(w).size();
      if (size > Budgets.MAX_PODS_PER_WAVE) {
        throw Budgets.tooLarge(0, "wave " + (w + 1) + " of the build would start " + size
            + " pods at once, over the limit of " + Budgets.MAX_PODS_PER_WAVE);
      }
    }
    for (PodPlan pod : plan.pods()) {
      int copies = pod.excluded().size() + pod.contextExcluded().size();
      if (copies > Budgets.MAX_EXCLUDE_EXPORTS_PER_POD) {
        throw Budgets.tooLarge(0, "the pod of stage \"" + pod.name() + "\" would make " + copies + " copies for"
            + " COPY --exclude and --parents (each COPY with other sources or patterns makes one), over the limit of "
            + Budgets.MAX_EXCLUDE_EXPORTS_PER_POD);
      }
      List<String> exported = new java.util.ArrayList<>(pod.exports());
      java.util.stream.Stream.concat(pod.excluded().stream(), pod.contextExcluded().stream()).forEach(e -> {
        exported.addAll(e.paths());
        exported.addAll(e.patterns());
      });
      for (String path : exported) {
        if (path.indexOf('\n') >= 0 || path.indexOf('\r') >= 0 || path.indexOf('\0') >= 0) {
          throw new DockerfileException(DockerfileException.Kind.UNSUPPORTED, 0, "stage \"" + pod.name()
              + "\" would export a path with a line break or NUL character, which cannot be handed to another pod");
        }
      }
      long annotations = pod.name().length() * 2L + String.join(",", pod.stages()).length() + 200;
      if (annotations > Budgets.MAX_ANNOTATION_BYTES) {
        throw Budgets.tooLarge(0, "the pod of stage \"" + pod.name() + "\" would carry " + annotations
            + " bytes of annotations, over the API server's limit of " + Budgets.MAX_ANNOTATION_BYTES);
      }
    }
    long bytes = KanikoResources.bytes(KanikoResources.planData(plan, ""));
    if (bytes > Budgets.MAX_PLAN_BYTES) {
      throw Budgets.tooLarge(0, "the plan would take " + bytes + " bytes in its ConfigMap, over the limit of "
          + Budgets.MAX_PLAN_BYTES + " (1 MiB, less room for the .dockerignore): the Dockerfile is too large");
    }
  }
}
