package dev.stagebuild.plan;

import java.util.List;

/**
 * What the operator runs for one Dockerfile: the stages it needs (Dockerfile order), the pods that
 * build them, and the waves of pods that can run at the same time (each wave's pods depend only on
 * pods of earlier waves).
 *
 * @param stages stages the target needs, in Dockerfile order (pruned stages are absent)
 * @param pods one entry per pod, in an order where every pod comes after the pods it depends on
 * @param waves pod names grouped by the earliest wave they can start in
 * @param finalPod name of the pod that builds the target and pushes
 * @param usesContext true when any pod copies from the build context (a source is needed)
 * @param targetStage the value of the predefined ARG TARGETSTAGE the plan was made with: each pod
 *     builds its own --target, for which kaniko would set its own name, so every pod is given this
 *     one (null: none)
 */
public record BuildPlan(List<StagePlan> stages, List<PodPlan> pods, List<List<String>> waves,
    String finalPod, boolean usesContext, String targetStage) {

  public BuildPlan(List<StagePlan> stages, List<PodPlan> pods, List<List<String>> waves, String finalPod,
      boolean usesContext) {
    this(stages, pods, waves, finalPod, usesContext, null);
  }

  public PodPlan pod(String name) {
    return pods.stream().filter(p -> p.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no pod " + name));
  }
}
