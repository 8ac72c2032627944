package dev.stagebuild.cli;

import dev.stagebuild.api.StageBuildStatus;
import dev.stagebuild.api.StageStatus;
import dev.stagebuild.dockerfile.StageNames;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which pods' logs {@code logs} prints, in plan order: the source pod, then each stage's pod in
 * the order of status.stages. Stages built in one pod (a FROM chain) share its log, printed once
 * under the last of them (the pod's target).
 */
final class LogSources {
  static final String SOURCE = "source";

  /**
   * @param prefix what each line starts with, without the brackets
   * @param pod the pod's name, null while the stage has none
   * @param phase the stage's phase
   */
  record Source(String prefix, String pod, String phase) {}

  private LogSources() {}

  /** @param stage only the pod that builds this stage (any case), or null for all */
  static List<Source> of(StageBuildStatus status, String stage) {
    List<Source> result = new ArrayList<>();
    if (status == null) {
      return result;
    }
    if (stage == null && status.source != null && status.source.podName != null) {
      result.add(new Source(SOURCE, status.source.podName, status.source.phase));
    }
    // pod name (or the stage's own name while it has none) -> the last stage that pod builds
    Map<String, StageStatus> byPod = new LinkedHashMap<>();
    String wantedPod = null;
    for (StageStatus s : status.stages) {
      String key = s.podName != null ? s.podName : "\0" + s.name;
      byPod.remove(key); // re-insert: the pod's place is that of its last stage, like the build's order
      byPod.put(key, s);
      if (stage != null && s.name != null && StageNames.same(s.name, stage)) {
        wantedPod = key;
      }
    }
    for (Map.Entry<String, StageStatus> e : byPod.entrySet()) {
      if (stage == null || e.getKey().equals(wantedPod)) {
        StageStatus s = e.getValue();
        result.add(new Source(s.name, s.podName, s.phase));
      }
    }
    return result;
  }

  /** True when status.stages names this stage (any case). */
  static boolean hasStage(StageBuildStatus status, String stage) {
    return status != null && status.stages.stream()
        .anyMatch(s -> s.name != null && StageNames.same(s.name, stage));
  }
}
