package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.testing.Builds;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RegistryLookupsTest {
  static final String DIGEST = "sha256:" + "ab".repeat(32);

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    volatile Instant now = Instant.parse("2026-12-05T10:00:00Z");

    @Override
    public java.time.ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  @Test
  void aRegistryThatIsNeverReachedIsAskedAFewTimesThenNoMore() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    ImageInspector unreachable = new ImageInspector(null) {
      @Override
      Inspection inspect(ClusterView cluster, StageBuild sb, String digest) {
        asked.incrementAndGet();
        return Inspection.failed("RegistryUnreachable", "connect timed out");
      }
    };
    TestClock clock = new TestClock();
    StageBuild sb = Builds.inline("app", "FROM scratch\n");
    sb.getMetadata().setUid("uid-1");
    Semaphore answered = new Semaphore(0);
    Instant ended = clock.now;
    try (RegistryLookups lookups = new RegistryLookups(unreachable, Duration.ofSeconds(30), clock, 1)) {
      for (int pass = 0; pass < 40; pass++) {
        Inspection answer = lookups.answer(sb, "1", DIGEST);
        if (answer != null && answer.isFinal()) {
          break;
        }
        // Each pass asks when the back-off it was told to wait for is over.
        Duration wait = lookups.request(null, sb, "1", DIGEST, ended, done -> answered.release());
        if (wait == null) {
          assertThat(answered.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
        } else {
          clock.now = clock.now.plus(wait);
        }
      }
      Inspection last = lookups.answer(sb, "1", DIGEST);
      assertThat(last.isFinal()).isTrue();
      assertThat(last.errorReason()).isEqualTo("LookupAbandoned");
      assertThat(last.errorMessage()).contains("after 8 attempts", "RegistryUnreachable: connect timed out");
      assertThat(asked).hasValue(RegistryLookups.MAX_FAILURES);
      // Asked again later: no look-up, nothing to wait for.
      clock.now = clock.now.plus(Duration.ofHours(5));
      assertThat(lookups.request(null, sb, "1", DIGEST, clock.now, done -> answered.release())).isNull();
      assertThat(answered.tryAcquire(200, TimeUnit.MILLISECONDS)).isFalse();
      assertThat(asked).hasValue(RegistryLookups.MAX_FAILURES);
      // The status says so for good: a restarted operator owes this build no look-up either.
      assertThat(BuildDecider.FINAL_INSPECTION_REASONS).contains("LookupAbandoned");
    }
  }

  @Test
  void aBuildThatEndedLongAgoIsGivenUpAtItsFirstFailure() throws Exception {
    // Forgotten by the bounded map, or met by a restarted operator: its end time in the status bounds it.
    AtomicInteger asked = new AtomicInteger();
    ImageInspector unreachable = new ImageInspector(null) {
      @Override
      Inspection inspect(ClusterView cluster, StageBuild sb, String digest) {
        asked.incrementAndGet();
        return Inspection.failed("RegistryUnreachable", "no route to host");
      }
    };
    TestClock clock = new TestClock();
    StageBuild sb = Builds.inline("app", "FROM scratch\n");
    sb.getMetadata().setUid("uid-2");
    Semaphore answered = new Semaphore(0);
    try (RegistryLookups lookups = new RegistryLookups(unreachable, Duration.ofSeconds(30), clock, 1)) {
      assertThat(lookups.giveUpAfter()).isEqualTo(Duration.ofSeconds(30 + 60 + 120 + 240 + 480 + 600 + 600));
      Instant ended = clock.now.minus(lookups.giveUpAfter()).minusSeconds(1);
      assertThat(lookups.request(null, sb, "1", DIGEST, ended, done -> answered.release())).isNull();
      assertThat(answered.tryAcquire(10, TimeUnit.SECONDS)).isTrue();
      Inspection answer = lookups.answer(sb, "1", DIGEST);
      assertThat(answer.errorReason()).isEqualTo("LookupAbandoned");
      assertThat(answer.errorMessage()).contains("after 1 attempt:");
      assertThat(asked).hasValue(1);
    }
  }
}
