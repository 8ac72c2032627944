package dev.stagebuild.plan;

import dev.stagebuild.dockerfile.Dockerfile;
import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.dockerfile.DockerfileParser;
import dev.stagebuild.api.BuildSecret;
import dev.stagebuild.dockerfile.WordExpander;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Plans the build of a multi-stage Dockerfile as pods: parses it, finds the stages the target
 * needs, and writes each pod's Dockerfile with context sources under {@code src/}. A
 * {@code COPY --from=<stage>} stays as it is (with the stage's plan name); a stage built in another
 * pod is there as a stand-in, {@code FROM scratch} plus {@code ADD from/<stage>.tar /}, the paths
 * that pod exported with their owners, modes and symlinks. Pure: no cluster, no files.
 *
 * <p>Every problem with the input is a {@link DockerfileException} with the line it is on.
 */
public final class Planner {
  private Planner() {}

  /**
   * @param dockerfile the Dockerfile's text
   * @param buildArgs values for ARGs (like {@code --build-arg}); null for none
   * @param target the stage to build; null or blank for the last one
   */
  public static BuildPlan plan(String dockerfile, Map<String, String> buildArgs, String target) {
    return plan(dockerfile, buildArgs, target, null);
  }

  /** The ids of spec.secrets. */
  public static Set<String> secretIds(List<BuildSecret> secrets) {
    Set<String> ids = new HashSet<>();
    if (secrets != null) {
      secrets.stream().filter(s -> s != null && s.id != null).forEach(s -> ids.add(s.id));
    }
    return ids;
  }

  /**
   * @param secretIds the build secrets the StageBuild maps (spec.secrets); a {@code RUN
   *     --mount=type=secret,required} whose id is not among them is an INVALID_SPEC error (without
   *     {@code required} the mount is skipped, as in BuildKit). Null: not checked (a Dockerfile
   *     planned on its own).
   */
  public static BuildPlan plan(String dockerfile, Map<String, String> buildArgs, String target,
      Set<String> secretIds) {
    return planned(dockerfile, buildArgs, target, false, secretIds).plan();
  }

  /** A plan and the names of all the Dockerfile's stages (the plan holds only those the target needs). */
  record Planned(BuildPlan plan, List<String> allStages) {}

  /**
   * @param budgets check the size and count {@link Budgets} too ({@link BuildCheck} does); the
   *     expansion budget always applies, it bounds the memory planning takes
   */
  static Planned planned(String dockerfile, Map<String, String> buildArgs, String target, boolean budgets,
      Set<String> secretIds) {
    return planned(dockerfile, buildArgs, Set.of(), target, budgets, secretIds);
  }

  /** @param unknownArgs build arguments given to kaniko whose values the planner does not know (from Secrets) */
  static Planned planned(String dockerfile, Map<String, String> buildArgs, Set<String> unknownArgs, String target,
      boolean budgets, Set<String> secretIds) {
    if (budgets) {
      Budgets.checkDockerfileText(dockerfile);
    }
    Dockerfile parsed = DockerfileParser.parse(dockerfile);
    if (budgets) {
      Budgets.checkParsed(parsed);
    }
    Map<String, String> args = new HashMap<>();
    if (buildArgs != null) {
      buildArgs.forEach((k, v) -> {
        if (k != null) {
          args.put(k, v == null ? "" : v);
        }
      });
    }
    try (WordExpander.Budget budget = WordExpander.budget()) {
      StageTable table = StageTable.of(parsed, args, unknownArgs, target);
      table.secretIds = secretIds;
      Stage targetStage = table.target(target);
      StageAnalyzer.analyze(table, targetStage);
      BuildPlan plan = PodAssembler.assemble(table, targetStage);
      return new Planned(plan, table.stages.subList(0, table.userStages).stream().map(s -> s.name).toList());
    }
  }
}
