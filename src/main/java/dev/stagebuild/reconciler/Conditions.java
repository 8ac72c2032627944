package dev.stagebuild.reconciler;

import dev.stagebuild.Texts;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Sets metav1.Condition entries the way the API conventions ask: lastTransitionTime only moves
 * when the status changes.
 */
public final class Conditions {
  public static final String SUCCEEDED = "Succeeded";
  public static final String READY = "Ready";
  /** kstatus: present and True while the build runs. */
  public static final String RECONCILING = "Reconciling";
  /** kstatus: present and True once the build failed, so GitOps tools stop waiting. */
  public static final String STALLED = "Stalled";
  public static final String IMAGE_INSPECTED = "ImageInspected";

  /**
   * A condition's message at most: a Dockerfile's own text can be in one ({@code ${a:?message}}),
   * and a status is read by every watcher and {@code kubectl get -o yaml}. metav1.Condition allows
   * 32,768.
   */
  static final int MAX_MESSAGE = 4096;

  private Conditions() {}

  /** Returns a new list with the condition set; the previous entry's transition time is kept if the status is unchanged. */
  public static List<Condition> set(List<Condition> previous, String type, String status, String reason,
      String message, long generation, Instant now) {
    List<Condition> result = new ArrayList<>();
    Condition old = find(previous, type);
    String transition = old != null && Objects.equals(old.getStatus(), status)
        ? old.getLastTransitionTime() : Times.format(now);
    boolean placed = false;
    for (Condition c : previous == null ? List.<Condition>of() : previous) {
      if (type.equals(c.getType())) {
        if (!placed) {
          result.add(build(type, status, reason, message, generation, transition));
          placed = true;
        }
      } else {
        result.add(c);
      }
    }
    if (!placed) {
      result.add(build(type, status, reason, message, generation, transition));
    }
    return result;
  }

  public static List<Condition> remove(List<Condition> previous, String type) {
    if (previous == null) {
      return new ArrayList<>(); // a status written by hand with "conditions: null"
    }
    return previous.stream().filter(c -> !type.equals(c.getType())).toList();
  }

  public static Condition find(List<Condition> conditions, String type) {
    if (conditions == null) {
      return null;
    }
    return conditions.stream().filter(c -> type.equals(c.getType())).findFirst().orElse(null);
  }

  public static boolean isTrue(List<Condition> conditions, String type) {
    Condition c = find(conditions, type);
    return c != null && "True".equals(c.getStatus());
  }

  private static Condition build(String type, String status, String reason, String message,
      long generation, String transition) {
    return new ConditionBuilder().withType(type).withStatus(status).withReason(reason)
        .withMessage(capped(message)).withObservedGeneration(generation)
        .withLastTransitionTime(transition).build();
  }

  static String capped(String message) {
    if (message == null) {
      return "";
    }
    return Texts.cut(message, MAX_MESSAGE, "...");
  }
}
