package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {
  @Test
  void aMessageIsCappedWithoutSplittingACharacter() {
    String dockerfilesOwnText = "line 2: a: " + "x".repeat(60_000);
    List<Condition> c = Conditions.set(List.of(), Conditions.SUCCEEDED, "False", "InvalidDockerfile",
        dockerfilesOwnText, 1, Instant.EPOCH);
    assertThat(c.get(0).getMessage()).hasSize(Conditions.MAX_MESSAGE).startsWith("line 2: a: xxx").endsWith("...");
    String emoji = "a" + "\uD83D\uDE00".repeat(5_000);
    String capped = Conditions.capped(emoji);
    assertThat(capped.length()).isLessThanOrEqualTo(Conditions.MAX_MESSAGE);
    assertThat(Character.isHighSurrogate(capped.charAt(capped.length() - 4))).isFalse();
    assertThat(Conditions.capped("short")).isEqualTo("short");
    assertThat(Conditions.capped(null)).isEmpty();
  }

  @Test
  void removingFromAStatusWrittenWithoutConditionsGivesNone() {
    // a status written by hand with "conditions: null", then a new build whose first pass fails
    assertThat(Conditions.remove(null, Conditions.IMAGE_INSPECTED)).isEmpty();
    // and a failed pass of the same build sets its condition on such a status
    assertThat(Conditions.set(null, Conditions.SUCCEEDED, "Unknown", "ReconcileError", "m", 1, java.time.Instant.EPOCH))
        .extracting(c -> c.getType() + "=" + c.getReason()).containsExactly("Succeeded=ReconcileError");
  }
}
