package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.api.StageBuildStatus;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class StatusPacerTest {
  static final Instant T0 = Instant.parse("2026-12-05T10:00:00Z");
  static final Duration INTERVAL = Duration.ofSeconds(5);
  static final Duration GRACE = Duration.ofSeconds(2);

  final StatusPacer pacer = new StatusPacer(INTERVAL, GRACE);

  static StageBuildStatus status(String buildId, String succeeded, String reason, String message) {
    StageBuildStatus s = new StageBuildStatus();
    s.buildId = buildId;
    s.observedGeneration = 1L;
    s.conditions = Conditions.set(new java.util.ArrayList<>(), Conditions.SUCCEEDED, succeeded, reason, message, 1L, T0);
    return s;
  }

  static StageBuildStatus running(String message) {
    return status("1", "Unknown", "Running", message);
  }

  @Test
  void aFreshObjectsFirstStatusIsHeldWhileItOnlySaysTheBuildIsUnderWay() {
    assertThat(pacer.hold("u", null, status("1", "Unknown", "Pending", "starting pods"), false, T0))
        .isEqualTo(INTERVAL);
    assertThat(pacer.hold("u", null, running("1/3"), false, T0.plusSeconds(2))).isEqualTo(Duration.ofSeconds(3));
    assertThat(pacer.hold("u", null, running("1/3"), false, T0.plusSeconds(5))).isNull();
    // The API server may hand a fresh object an empty status: still fresh.
    assertThat(pacer.hold("x", new StageBuildStatus(), running("0/3"), false, T0)).isEqualTo(INTERVAL);
    // Something a person must act on, or the end, is written at once.
    assertThat(pacer.hold("v", null, status("1", "Unknown", "SecretNotFound", "Secret regcred"), false, T0)).isNull();
    assertThat(pacer.hold("w", null, status("1", "True", "Succeeded", "pushed"), false, T0)).isNull();
  }

  @Test
  void aNewBuildOfAnObjectWithAStatusIsWrittenAtOnce() {
    // Its old Ready=True must not be read as the new build's.
    pacer.written("u", T0);
    assertThat(pacer.hold("u", status("1", "True", "Succeeded", "pushed"), status("2", "Unknown", "Pending", "0/3"),
        false, T0.plusSeconds(1))).isNull();
  }

  @Test
  void progressAloneWaitsForTheIntervalSinceTheLastWrite() {
    pacer.written("u", T0);
    assertThat(pacer.hold("u", running("0/3"), running("1/3"), false, T0.plusSeconds(1)))
        .isEqualTo(Duration.ofSeconds(4));
    assertThat(pacer.hold("u", running("0/3"), running("1/3"), false, T0.plusSeconds(5))).isNull();
    // Another build's writes do not count.
    assertThat(pacer.hold("other", running("0/3"), running("1/3"), false, T0.plusSeconds(1))).isNull();
  }

  @Test
  void aChangedConditionIsWrittenAtOnce() {
    pacer.written("u", T0);
    assertThat(pacer.hold("u", running("0/3"), status("1", "Unknown", "QuotaExceeded", "quota"), false,
        T0.plusSeconds(1))).isNull();
  }

  @Test
  void podsThatStartedRunningAreProgressNotAChange() {
    pacer.written("u", T0);
    assertThat(pacer.hold("u", status("1", "Unknown", "Pending", "starting pods"), running("0/3"), false,
        T0.plusSeconds(1))).isEqualTo(Duration.ofSeconds(4));
    assertThat(pacer.hold("u", status("1", "Unknown", "Pending", "starting pods"),
        status("1", "Unknown", "Unschedulable", "0/3 nodes"), false, T0.plusSeconds(1))).isNull();
  }

  @Test
  void anEndIsWrittenAtOnceUnlessTheRegistryIsAboutToAnswer() {
    pacer.written("u", T0);
    StageBuildStatus failed = status("1", "False", "StageFailed", "exit 1");
    assertThat(pacer.hold("u", running("1/3"), failed, false, T0.plusSeconds(1))).isNull();

    StageBuildStatus pushed = status("1", "True", "Succeeded", "pushed");
    assertThat(pacer.hold("u", running("2/3"), pushed, false, T0.plusSeconds(1))).isNull();
    // Waiting for the look-up: at most the grace, counted from the first pass that saw the end.
    assertThat(pacer.hold("u", running("2/3"), pushed, true, T0.plusSeconds(1))).isEqualTo(GRACE);
    assertThat(pacer.hold("u", running("2/3"), pushed, true, T0.plusMillis(2500))).isEqualTo(Duration.ofMillis(500));
    assertThat(pacer.hold("u", running("2/3"), pushed, true, T0.plusSeconds(3))).isNull();
  }

  @Test
  void changesAfterTheEndAreWrittenAtOnce() {
    pacer.written("u", T0);
    StageBuildStatus pushed = status("1", "True", "Succeeded", "pushed");
    StageBuildStatus sized = status("1", "True", "Succeeded", "pushed, 12 MB");
    assertThat(pacer.hold("u", pushed, sized, false, T0.plusSeconds(1))).isNull();
  }

  @Test
  void memoryIsBounded() {
    for (int i = 0; i < StatusPacer.MAX_TRACKED * 3; i++) {
      pacer.written("u" + i, T0.plusSeconds(i));
    }
    assertThat(pacer.tracked()).isLessThanOrEqualTo(StatusPacer.MAX_TRACKED);
  }
}
