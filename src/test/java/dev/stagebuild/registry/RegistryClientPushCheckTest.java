package dev.stagebuild.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagebuild.registry.PushCheck.Verdict;
import dev.stagebuild.registry.testing.LocalRegistry;
import dev.stagebuild.registry.testing.RequiresLocalRegistry;
import dev.stagebuild.registry.testing.TestImages;
import dev.stagebuild.registry.testing.TestImages.Format;
import dev.stagebuild.registry.testing.TestImages.PushedImage;
import dev.stagebuild.registry.testing.TestImages.PushedIndex;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link RegistryClient#verifyPushed}: the digest a build reported, against a real docker-registry. */
@RequiresLocalRegistry
@Timeout(10)
class RegistryClientPushCheckTest {
  static LocalRegistry registry;
  static TestImages images;

  final RegistryClient client = RegistryClient.builder()
      .connectTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(3)).build();

  @BeforeAll
  static void start() {
    registry = LocalRegistry.start();
    images = TestImages.on(registry);
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  PushCheck verify(String tag, String digest) throws RegistryException {
    return client.verifyPushed(ImageReference.parse(registry.image(tag)), digest, null, true, null);
  }

  @Test
  void theTagResolvesToTheReportedDigest() throws Exception {
    PushedImage pushed = images.push("team/ok", "1", TestImages.image().randomLayers(300, 20));
    PushCheck check = verify("team/ok:1", pushed.digest());
    assertThat(check.verdict()).isEqualTo(Verdict.VERIFIED);
    assertThat(check.tagDigest()).isEqualTo(pushed.digest());
    assertThat(check.image().digest()).isEqualTo(pushed.digest());
    assertThat(check.image().size()).isEqualTo(pushed.expectedSize());
  }

  @Test
  void anIndexIsVerifiedWithItsPlatforms() throws Exception {
    PushedIndex pushed = images.pushIndex("team/multi", "1", Format.OCI,
        TestImages.image().platform("linux/amd64").randomLayers(100),
        TestImages.image().platform("linux/arm64").randomLayers(200));
    PushCheck check = verify("team/multi:1", pushed.digest());
    assertThat(check.verdict()).isEqualTo(Verdict.VERIFIED);
    assertThat(check.image().platforms()).extracting(PlatformManifest::platform)
        .containsExactly("linux/amd64", "linux/arm64");
  }

  @Test
  void aTagThatAnotherPushMovedKeepsTheReportedDigestWhenTheRepositoryHoldsIt() throws Exception {
    PushedImage mine = images.push("team/moved", "1", TestImages.image().randomLayers(111));
    PushedImage later = images.push("team/moved", "1", TestImages.image().randomLayers(222));
    PushCheck check = verify("team/moved:1", mine.digest());
    assertThat(check.verdict()).isEqualTo(Verdict.TAG_MOVED);
    assertThat(check.tagDigest()).isEqualTo(later.digest());
    assertThat(check.image().digest()).as("what this build pushed, not what the tag holds now")
        .isEqualTo(mine.digest());
    assertThat(check.image().size()).isEqualTo(mine.expectedSize());
  }

  @Test
  void aDeletedTagKeepsTheReportedDigestWhenTheRepositoryHoldsIt() throws Exception {
    PushedImage untagged = images.push("team/untagged", null, TestImages.image().randomLayers(50));
    images.push("team/untagged", "other", TestImages.image().randomLayers(60));
    PushCheck check = verify("team/untagged:1", untagged.digest());
    assertThat(check.verdict()).isEqualTo(Verdict.TAG_MOVED);
    assertThat(check.tagDigest()).isNull();
    assertThat(check.image().digest()).isEqualTo(untagged.digest());
  }

  @Test
  void aReportedDigestTheRepositoryDoesNotHoldIsAMismatch() throws Exception {
    PushedImage real = images.push("team/lied", "1", TestImages.image().randomLayers(70));
    // held elsewhere on the same registry does not count: the build pushed to team/lied
    PushedImage elsewhere = images.push("team/other", "1", TestImages.image().randomLayers(80));
    for (String reported : new String[] {"sha256:" + "ab".repeat(32), elsewhere.digest()}) {
      PushCheck check = verify("team/lied:1", reported);
      assertThat(check.verdict()).as(reported).isEqualTo(Verdict.MISMATCH);
      assertThat(check.tagDigest()).isEqualTo(real.digest());
      assertThat(check.image()).isNull();
    }
  }

  @Test
  void neitherTagNorDigestIsNotFound() throws Exception {
    images.push("team/empty", "x", TestImages.image().randomLayers(10));
    for (String tag : new String[] {"team/empty:1", "team/never-pushed:1"}) {
      PushCheck check = verify(tag, "sha256:" + "cd".repeat(32));
      assertThat(check.verdict()).as(tag).isEqualTo(Verdict.NOT_FOUND);
      assertThat(check.tagDigest()).isNull();
    }
  }

  @Test
  void aDigestReferenceIsNotATag() {
    assertThatThrownBy(() -> client.verifyPushed(ImageReference.parse(registry.image("team/ok@sha256:"
        + "ab".repeat(32))), "sha256:" + "ab".repeat(32), null, true, null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
