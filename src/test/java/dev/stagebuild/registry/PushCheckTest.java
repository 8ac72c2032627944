package dev.stagebuild.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagebuild.registry.PushCheck.Verdict;
import org.junit.jupiter.api.Test;

/** The decision about a reported digest, from what the registry answered. */
class PushCheckTest {
  static final String A = "sha256:" + "a".repeat(64);
  static final String B = "sha256:" + "b".repeat(64);

  @Test
  void theDecision() {
    assertThat(PushCheck.decide(A, A, true)).isEqualTo(Verdict.VERIFIED);
    assertThat(PushCheck.decide(A, B, true)).as("another push moved the tag").isEqualTo(Verdict.TAG_MOVED);
    assertThat(PushCheck.decide(A, null, true)).as("the tag was deleted").isEqualTo(Verdict.TAG_MOVED);
    assertThat(PushCheck.decide(A, B, false)).isEqualTo(Verdict.MISMATCH);
    assertThat(PushCheck.decide(A, null, false)).isEqualTo(Verdict.NOT_FOUND);
  }

  @Test
  void anImageGoesWithTheVerdictsThatKeepTheDigestOnly() {
    assertThatThrownBy(() -> new PushCheck(Verdict.VERIFIED, A, A, null)).isInstanceOf(IllegalArgumentException.class);
    assertThat(new PushCheck(Verdict.MISMATCH, A, B, null).image()).isNull();
  }
}
