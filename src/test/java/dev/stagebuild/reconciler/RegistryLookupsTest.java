package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.testing.Builds;
import dev.stagebuild.testing.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RegistryLookupsTest {
  static final String DIGEST = "sha256:" + "ab".repeat(32);

  final MutableClock clock = new MutableClock(Instant.parse("2026-12-05T10:00:00Z"));
  final AtomicInteger asked = new AtomicInteger();
  final Semaphore answered = new Semaphore(0);
  final StageBuild sb = Builds.inline("app", "FROM scratch\n");
  /** A registry the operator never reaches. */
  final RegistryLookups lookups = new RegistryLookups(new ImageInspector(null) {
    @Override
    Inspection inspect(ClusterView cluster, StageBuild build, String digest) {
      asked.incrementAndGet();
      return Inspection.failed("RegistryUnreachable", "connect timed out");
    }
  }, Duration.ofSeconds(30), clock, 1);

  RegistryLookupsTest() {
    sb.getMetadata().setUid("uid-1");
  }

  /** A pass that owes the look-up: asks, and waits for the answer when one was started. */
  Duration pass(Instant ended) throws InterruptedException {
    boolean given = isFinal();
    Duration wait = lookups.request(null, sb, "1", DIGEST, ended, done -> answered.release());
    if (wait == null && !given) {
      assertThat(answered.tryAcquire(10, TimeUnit.SECONDS)).as("a look-up ran").isTrue();
    }
    return wait;
  }

  boolean isFinal() {
    Inspection answer = lookups.answer(sb, "1", DIGEST);
    return answer != null && answer.isFinal();
  }

  @Test
  void aRegistryThatIsNeverReachedIsAskedAFewTimesThenNoMore() throws Exception {
    Instant ended = clock.instant();
    try (lookups) {
      for (int pass = 0; pass < 40 && !isFinal(); pass++) {
        Duration wait = pass(ended);
        if (wait != null) {
          clock.advance(wait); // the pass that comes when the back-off it was told is over
        }
      }
      Inspection last = lookups.answer(sb, "1", DIGEST);
      assertThat(last.errorReason()).isEqualTo("LookupAbandoned");
      assertThat(last.isFinal()).isTrue();
      assertThat(last.errorMessage()).contains("after 8 attempts", "RegistryUnreachable: connect timed out");
      assertThat(asked).hasValue(RegistryLookups.MAX_FAILURES);
      // Asked again later: no look-up, nothing to wait for.
      clock.advance(Duration.ofHours(5));
      assertThat(pass(ended)).isNull();
      assertThat(asked).hasValue(RegistryLookups.MAX_FAILURES);
      // The status says so for good: a restarted operator owes this build no look-up either.
      assertThat(BuildDecider.FINAL_INSPECTION_REASONS).contains("LookupAbandoned");
    }
  }

  @Test
  void aBuildThatEndedLongAgoIsGivenUpAtItsFirstFailure() throws Exception {
    // Forgotten by the bounded map, or met by a restarted operator: its end time in the status bounds it.
    try (lookups) {
      assertThat(lookups.giveUpAfter()).isEqualTo(Duration.ofSeconds(30 + 60 + 120 + 240 + 480 + 600 + 600));
      assertThat(pass(clock.instant().minus(lookups.giveUpAfter()).minusSeconds(1))).isNull();
      Inspection answer = lookups.answer(sb, "1", DIGEST);
      assertThat(answer.errorReason()).isEqualTo("LookupAbandoned");
      assertThat(answer.errorMessage()).contains("after 1 attempt:");
      assertThat(asked).hasValue(1);
    }
  }
}
