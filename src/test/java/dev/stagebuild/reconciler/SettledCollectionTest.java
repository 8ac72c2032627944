package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SettledCollectionTest {
  static final long MS = 1_000_000L;

  @Test
  void settlesOnlyAfterAWholeWindowUnderTheShareOfACore() {
    var quiet = new SettledCollection.Quiet(Duration.ofSeconds(1), 0.05);
    // start-up: a core and a half busy
    assertThat(quiet.sample(0, 0)).isFalse();
    assertThat(quiet.sample(250 * MS, 375 * MS)).isFalse();
    assertThat(quiet.sample(500 * MS, 750 * MS)).isFalse();
    // then 2% of a core: quiet from 500 ms on, settled once a second of it has passed
    assertThat(quiet.sample(750 * MS, 755 * MS)).isFalse();
    assertThat(quiet.sample(1250 * MS, 765 * MS)).isFalse();
    assertThat(quiet.sample(1500 * MS, 770 * MS)).isTrue();
  }

  @Test
  void aBusySampleInTheWindowStartsItAgain() {
    var quiet = new SettledCollection.Quiet(Duration.ofSeconds(1), 0.05);
    quiet.sample(0, 0);
    assertThat(quiet.sample(600 * MS, 0)).isFalse();
    // 10% of a core over 250 ms: busy
    assertThat(quiet.sample(850 * MS, 25 * MS)).isFalse();
    assertThat(quiet.sample(1500 * MS, 26 * MS)).isFalse();
    assertThat(quiet.sample(1850 * MS, 27 * MS)).isTrue();
  }
}
