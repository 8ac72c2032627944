package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.registry.ImageInfo;
import dev.stagebuild.registry.ImageReference;
import dev.stagebuild.registry.PlatformManifest;
import dev.stagebuild.registry.PushCheck;
import dev.stagebuild.registry.PushCheck.Verdict;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What each answer of the registry about the reported digest means for the build. */
class ImageInspectorTest {
  static final String IMAGE = "registry.example.com/team/app:1";
  static final String REPORTED = "sha256:" + "a".repeat(64);
  static final String OTHER = "sha256:" + "b".repeat(64);

  static ImageInfo info() {
    return new ImageInfo(ImageReference.parse(IMAGE).withDigest(REPORTED), REPORTED,
        "application/vnd.oci.image.index.v1+json", 42,
        List.of(new PlatformManifest("linux/amd64", OTHER, "application/vnd.oci.image.manifest.v1+json", 42)));
  }

  @Test
  void verified() {
    Inspection i = ImageInspector.inspection(IMAGE, new PushCheck(Verdict.VERIFIED, REPORTED, REPORTED, info()));
    assertThat(i.ok()).isTrue();
    assertThat(i.tagMoved()).isFalse();
    assertThat(i.size()).isEqualTo(42L);
    assertThat(i.platforms()).extracting(p -> p.platform + " " + p.digest).containsExactly("linux/amd64 " + OTHER);
  }

  @Test
  void aMovedTagIsAcceptedWhenTheRepositoryHoldsTheDigest() {
    Inspection moved = ImageInspector.inspection(IMAGE, new PushCheck(Verdict.TAG_MOVED, REPORTED, OTHER, info()));
    assertThat(moved.ok()).isTrue();
    assertThat(moved.withdrawn()).isFalse();
    assertThat(moved.size()).isEqualTo(42L);
    assertThat(moved.tagMovedMessage()).contains(REPORTED, IMAGE, "now resolves to " + OTHER,
        "status.output.imageRef");
    Inspection gone = ImageInspector.inspection(IMAGE, new PushCheck(Verdict.TAG_MOVED, REPORTED, null, info()));
    assertThat(gone.tagMovedMessage()).contains("no longer exists");
  }

  @Test
  void aDigestTheRepositoryDoesNotHoldIsWithdrawn() {
    Inspection mismatch = ImageInspector.inspection(IMAGE, new PushCheck(Verdict.MISMATCH, REPORTED, OTHER, null));
    assertThat(mismatch.withdrawn()).isTrue();
    assertThat(mismatch.isFinal()).isTrue();
    assertThat(mismatch.errorReason()).isEqualTo("DigestMismatch");
    assertThat(mismatch.errorMessage()).contains(REPORTED, IMAGE, "resolves to " + OTHER, "withdrawn");
    Inspection missing = ImageInspector.inspection(IMAGE, new PushCheck(Verdict.NOT_FOUND, REPORTED, null, null));
    assertThat(missing.withdrawn()).isTrue();
    assertThat(missing.errorReason()).isEqualTo("ImageNotFound");
    assertThat(missing.errorMessage()).contains(REPORTED, "neither that digest nor the tag");
  }
}
