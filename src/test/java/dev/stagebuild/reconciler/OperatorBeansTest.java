package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class OperatorBeansTest {
  static OperatorBeans beans(boolean normalEvents, Optional<Boolean> stageEvents) {
    OperatorBeans beans = new OperatorBeans();
    beans.normalEvents = normalEvents;
    beans.stageEvents = stageEvents;
    return beans;
  }

  @Test
  void theOldNameOfNormalEventsStillTurnsThemOn() {
    assertThat(beans(false, Optional.empty()).settings().normalEvents()).isFalse();
    assertThat(beans(true, Optional.empty()).settings().normalEvents()).isTrue();
    assertThat(beans(false, Optional.of(true)).settings().normalEvents()).as("STAGEBUILD_STAGE_EVENTS=true").isTrue();
    assertThat(beans(false, Optional.of(false)).settings().normalEvents()).isFalse();
  }
}
