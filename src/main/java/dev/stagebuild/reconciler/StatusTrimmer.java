package dev.stagebuild.reconciler;

import dev.stagebuild.api.StageBuildStatus;
import dev.stagebuild.api.StageStatus;
import dev.stagebuild.Texts;
import io.fabric8.kubernetes.api.model.Condition;

/**
 * Makes a status smaller when the API server refuses it as too large. etcd keeps an object up to
 * 1.5 MiB, spec and status together: a spec near that (a 1 MiB inline Dockerfile, 256 KiB of build
 * arguments) leaves little room, and a wide build's failed pods each bring up to 2,000 characters of
 * message. What goes first is what the pods' logs and Events also hold (the messages); never the
 * conditions' reasons, the phases or {@code status.steps}, which the next decisions read.
 */
final class StatusTrimmer {
  /** How many times a refused status is trimmed further before the refusal stands. */
  static final int LEVELS = 2;
  private static final int[] STAGE_MESSAGE = {256, 0};
  private static final int[] CONDITION_MESSAGE = {1024, 256};

  private StatusTrimmer() {}

  /**
   * Trims {@code copy} in place to {@code level} (1 or 2) and returns it: its stage messages to 256
   * characters, then none; its conditions' messages to 1,024, then 256 characters. The caller passes
   * a copy: the decided status may share objects with the observed one.
   */
  static StageBuildStatus trim(StageBuildStatus copy, int level) {
    if (level < 1 || level > LEVELS) {
      throw new IllegalArgumentException("level " + level);
    }
    int stageMessage = STAGE_MESSAGE[level - 1];
    int conditionMessage = CONDITION_MESSAGE[level - 1];
    if (copy.stages != null) {
      for (StageStatus s : copy.stages) {
        s.message = cut(s.message, stageMessage);
      }
    }
    if (copy.conditions != null) {
      for (Condition c : copy.conditions) {
        c.setMessage(cut(c.getMessage(), conditionMessage));
      }
    }
    return copy;
  }

  private static String cut(String text, int max) {
    if (text == null || text.length() <= max) {
      return text;
    }
    return max == 0 ? null : Texts.cut(text, max, "…");
  }
}
