package dev.stagebuild.reconciler;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageSettings;
import dev.stagebuild.kaniko.KanikoResources;
import dev.stagebuild.plan.PodPlan;

/**
 * Where a build's pods may run. A ReadWriteOnce workspace is attached to one node at a time, so
 * every pod of such a build runs on one node (per-stage node selectors that no single node can
 * satisfy are refused by SpecValidator before any pod starts). Pure.
 */
final class NodeConstraints {
  private NodeConstraints() {}

  static boolean sharedAcrossNodes(StageBuild sb) {
    return KanikoResources.sharedAcrossNodes(sb);
  }

  /** The settings the plan pod is rendered with (the same lookup), or null. */
  static StageSettings settingsFor(StageBuild sb, PodPlan pod) {
    return KanikoResources.stageSettings(sb, pod);
  }
}
