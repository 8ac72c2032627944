package dev.stagebuild.reconciler;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageSettings;
import dev.stagebuild.kaniko.KanikoResources;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.PodPlan;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a build's pods may run. A ReadWriteOnce workspace is attached to one node at a time, so
 * every pod of such a build runs on one node: per-stage node selectors that no single node can
 * satisfy are refused before any pod starts. Pure.
 */
final class NodeConstraints {
  private NodeConstraints() {}

  static boolean sharedAcrossNodes(StageBuild sb) {
    return KanikoResources.sharedAcrossNodes(sb);
  }

  /** Why the plan's pods cannot share one node, or null when they can (or need not). */
  static String conflict(StageBuild sb, BuildPlan plan) {
    if (sharedAcrossNodes(sb)) {
      return null;
    }
    Map<String, String> wanted = new TreeMap<>();
    Map<String, String> wantedBy = new TreeMap<>();
    for (PodPlan pod : plan.pods()) {
      StageSettings s = settingsFor(sb, pod.target());
      if (s == null || s.nodeSelector == null) {
        continue;
      }
      for (var e : new TreeMap<>(s.nodeSelector).entrySet()) {
        String before = wanted.putIfAbsent(e.getKey(), e.getValue());
        wantedBy.putIfAbsent(e.getKey(), pod.target());
        if (before != null && !before.equals(e.getValue())) {
          return "stages " + wantedBy.get(e.getKey()) + " and " + pod.target() + " ask for nodes with "
              + e.getKey() + "=" + before + " and " + e.getKey() + "=" + e.getValue()
              + ", but the workspace is ReadWriteOnce, so every pod of the build runs on one node: use the same"
              + " nodeSelector for both, or set spec.workspace.accessModes to [ReadWriteMany]";
        }
      }
    }
    return null;
  }

  /** The settings the stage's pod is rendered with (the same lookup), or null. */
  static StageSettings settingsFor(StageBuild sb, String stage) {
    return KanikoResources.stageSettings(sb, stage);
  }
}
