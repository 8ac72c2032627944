package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class UnrecordedEventsTest {
  private final UnrecordedEvents owed = new UnrecordedEvents();
  private final List<BuildEvent> retry = List.of(BuildEvent.warning("StageRetrying", "stage build attempt 1 failed"));

  @Test
  void aPassThatStartedPodsWithoutWritingOwesItsEventsUntilAStatusIsWritten() {
    owed.settle("u", "1", false, true, retry);
    assertThat(owed.of("u", "1").events()).isEqualTo(retry);
    owed.settle("u", "1", false, false, List.of());
    assertThat(owed.of("u", "1")).as("a pass that started nothing keeps the debt").isNotNull();
    owed.settle("u", "1", true, false, List.of());
    assertThat(owed.of("u", "1")).isNull();
  }

  @Test
  void aSecondPassThatFailsAddsToWhatTheBuildOwes() {
    BuildEvent misplaced = BuildEvent.warning("PodMisplaced", "stage left: pod l is pinned elsewhere");
    owed.settle("u", "1", false, true, retry);
    owed.settle("u", "1", false, true, List.of(misplaced, retry.get(0)));
    assertThat(owed.of("u", "1").events()).containsExactly(retry.get(0), misplaced);
  }

  @Test
  void aPassThatStartedNothingOwesNothing() {
    owed.settle("u", "1", false, false, retry);
    assertThat(owed.of("u", "1")).isNull();
  }

  @Test
  void theEventsOfAnEarlierBuildAreDropped() {
    owed.settle("u", "1", false, true, retry);
    assertThat(owed.of("u", "2")).isNull();
    assertThat(owed.of("u", "1")).isNull();
  }

  @Test
  void itIsBounded() {
    for (int i = 0; i < UnrecordedEvents.MAX_TRACKED + 10; i++) {
      owed.settle("u" + i, "1", false, true, retry);
    }
    assertThat(owed.size()).isEqualTo(UnrecordedEvents.MAX_TRACKED);
  }

  @Test
  void earlierEventsComeFirstAndOnce() {
    BuildDecision d = new BuildDecision(null, List.of(), List.of(), null,
        List.of(BuildEvent.normal("StageStarted", "s"), retry.get(0)), false, null);
    assertThat(d.withEarlierEvents(retry).events()).containsExactly(retry.get(0), BuildEvent.normal("StageStarted", "s"));
  }
}
