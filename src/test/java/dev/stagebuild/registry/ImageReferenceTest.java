package dev.stagebuild.registry;

import static dev.stagebuild.registry.ImageReference.DEFAULT_REGISTRY;
import static dev.stagebuild.registry.ImageReference.DEFAULT_REGISTRY_API_HOST;
import static dev.stagebuild.registry.ImageReference.DEFAULT_REGISTRY_INDEX_HOST;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageReferenceTest {

  static final String DIGEST = "sha256:" + "2c2ab690".repeat(8);
  static final String OTHER_DIGEST = "sha256:" + "0123456789abcdef".repeat(4);

  @Test
  void registryRepositoryAndTag() {
    ImageReference ref = ImageReference.parse("registry.example.com/eriksf/hellogo:0.0.2");
    assertThat(ref.registry()).isEqualTo("registry.example.com");
    assertThat(ref.apiHost()).isEqualTo("registry.example.com");
    assertThat(ref.repository()).isEqualTo("eriksf/hellogo");
    assertThat(ref.tag()).contains("0.0.2");
    assertThat(ref.digest()).isEmpty();
    assertThat(ref.reference()).isEqualTo("0.0.2");
    assertThat(ref.isDefaultRegistry()).isFalse();
    assertThat(ref.toString()).isEqualTo("registry.example.com/eriksf/hellogo:0.0.2");
  }

  @Test
  void hostWithPortAndDefaultTag() {
    ImageReference ref = ImageReference.parse("registry.example.com:5000/team/app");
    assertThat(ref.registry()).isEqualTo("registry.example.com:5000");
    assertThat(ref.repository()).isEqualTo("team/app");
    assertThat(ref.tag()).isEmpty();
    assertThat(ref.reference()).isEqualTo("latest");
  }

  @Test
  void localhostIsARegistryAndGetsNoLibraryPrefix() {
    ImageReference ref = ImageReference.parse("localhost/app");
    assertThat(ref.registry()).isEqualTo("localhost");
    assertThat(ref.repository()).isEqualTo("app");

    ImageReference withPort = ImageReference.parse("localhost:5000/a/b/c:v1");
    assertThat(withPort.registry()).isEqualTo("localhost:5000");
    assertThat(withPort.repository()).isEqualTo("a/b/c");
    assertThat(withPort.reference()).isEqualTo("v1");
  }

  @Test
  void ipAddressesWithPort() {
    ImageReference v4 = ImageReference.parse("127.0.0.1:41234/team/app:t");
    assertThat(v4.registry()).isEqualTo("127.0.0.1:41234");
    assertThat(v4.repository()).isEqualTo("team/app");
    assertThat(v4.reference()).isEqualTo("t");

    ImageReference v6 = ImageReference.parse("[::1]:5000/app:t");
    assertThat(v6.registry()).isEqualTo("[::1]:5000");
    assertThat(v6.repository()).isEqualTo("app");
    assertThat(v6.reference()).isEqualTo("t");
  }

  @Test
  void singleNameOnDefaultRegistryGetsLibraryPrefix() {
    ImageReference ref = ImageReference.parse("busybox");
    assertThat(ref.registry()).isEqualTo(DEFAULT_REGISTRY);
    assertThat(ref.apiHost()).isEqualTo(DEFAULT_REGISTRY_API_HOST);
    assertThat(ref.repository()).isEqualTo("library/busybox");
    assertThat(ref.reference()).isEqualTo("latest");
    assertThat(ref.name()).isEqualTo("busybox");
    assertThat(ref.isDefaultRegistry()).isTrue();
  }

  @Test
  void twoComponentNameOnDefaultRegistry() {
    ImageReference ref = ImageReference.parse("team/app:v1");
    assertThat(ref.registry()).isEqualTo(DEFAULT_REGISTRY);
    assertThat(ref.repository()).isEqualTo("team/app");
  }

  @Test
  void explicitDefaultRegistryAndItsAliases() {
    ImageReference explicit = ImageReference.parse(DEFAULT_REGISTRY + "/busybox:1.36");
    assertThat(explicit.registry()).isEqualTo(DEFAULT_REGISTRY);
    assertThat(explicit.repository()).isEqualTo("library/busybox");
    assertThat(explicit.apiHost()).isEqualTo(DEFAULT_REGISTRY_API_HOST);

    ImageReference alias = ImageReference.parse(DEFAULT_REGISTRY_INDEX_HOST + "/busybox");
    assertThat(alias.registry()).isEqualTo(DEFAULT_REGISTRY_INDEX_HOST);
    assertThat(alias.isDefaultRegistry()).isTrue();
    assertThat(alias.repository()).isEqualTo("library/busybox");
    assertThat(alias.apiHost()).isEqualTo(DEFAULT_REGISTRY_API_HOST);
  }

  @Test
  void digestOnlyAndTagPlusDigest() {
    ImageReference byDigest = ImageReference.parse("registry.example.com/app@" + DIGEST);
    assertThat(byDigest.tag()).isEmpty();
    assertThat(byDigest.digest()).contains(DIGEST);
    assertThat(byDigest.reference()).isEqualTo(DIGEST);

    ImageReference both = ImageReference.parse("registry.example.com:5000/app:1.0@" + DIGEST);
    assertThat(both.tag()).contains("1.0");
    assertThat(both.digest()).contains(DIGEST);
    assertThat(both.reference()).isEqualTo(DIGEST);
    assertThat(both.toString()).isEqualTo("registry.example.com:5000/app:1.0@" + DIGEST);
  }

  @Test
  void upperCaseFirstComponentIsAHost() {
    ImageReference ref = ImageReference.parse("Registry.Example.com/team/app");
    assertThat(ref.registry()).isEqualTo("Registry.Example.com");
    assertThat(ref.repository()).isEqualTo("team/app");
  }

  @Test
  void separatorsInRepositoryNames() {
    ImageReference ref = ImageReference.parse("registry.example.com/my-team/app_v2/a.b/c__d/e---f");
    assertThat(ref.repository()).isEqualTo("my-team/app_v2/a.b/c__d/e---f");
  }

  @Test
  void withDigestKeepsTheUsersSpelling() {
    assertThat(
            ImageReference.parse("registry.example.com/eriksf/hellogo:0.0.2")
                .withDigest(DIGEST)
                .toString())
        .isEqualTo("registry.example.com/eriksf/hellogo@" + DIGEST);
    assertThat(ImageReference.parse("busybox:1.36").withDigest(DIGEST).toString())
        .isEqualTo("busybox@" + DIGEST);
    assertThat(ImageReference.parse("localhost:5000/app").withDigest(DIGEST).toString())
        .isEqualTo("localhost:5000/app@" + DIGEST);
    assertThat(ImageReference.parse(DEFAULT_REGISTRY + "/busybox").withDigest(DIGEST).toString())
        .isEqualTo(DEFAULT_REGISTRY + "/busybox@" + DIGEST);

    ImageReference pinned =
        ImageReference.parse("registry.example.com/app:1.0@" + OTHER_DIGEST).withDigest(DIGEST);
    assertThat(pinned.toString()).isEqualTo("registry.example.com/app@" + DIGEST);
    assertThat(pinned.tag()).isEmpty();
    assertThat(pinned.repository()).isEqualTo("app");
    assertThat(pinned.reference()).isEqualTo(DIGEST);
  }

  @Test
  void withDigestRejectsAnInvalidDigest() {
    ImageReference ref = ImageReference.parse("registry.example.com/app");
    assertThatThrownBy(() -> ref.withDigest("sha256:abc"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("64");
    assertThatThrownBy(() -> ref.withDigest("nonsense"))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void equality() {
    assertThat(ImageReference.parse("registry.example.com/app:1"))
        .isEqualTo(ImageReference.parse("registry.example.com/app:1"))
        .hasSameHashCodeAs(ImageReference.parse("registry.example.com/app:1"))
        .isNotEqualTo(ImageReference.parse("registry.example.com/app:2"));
  }

  @Test
  void longestTagIsAccepted() {
    String tag = "a" + "b".repeat(127);
    assertThat(ImageReference.parse("app:" + tag).reference()).isEqualTo(tag);
    assertThatThrownBy(() -> ImageReference.parse("app:" + tag + "c"))
        .hasMessageContaining("tag");
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        " app",
        "app ",
        "app:",
        "app:-x",
        "app:.x",
        "app@",
        "app@sha256:abc",
        "app@sha256:A2C2AB69A2C2AB69A2C2AB69A2C2AB69A2C2AB69A2C2AB69A2C2AB69A2C2AB69",
        "app@nodigest",
        "a//b",
        "/app",
        "app/",
        "registry.example.com/",
        "registry.example.com:99999/app",
        "registry.example.com:/app",
        "-host.example.com/app",
        "app_",
        "a/-b",
        "team/App",
        "registry.example.com/Team/app",
        "app:tag:tag",
      })
  void invalidReferences(String text) {
    assertThatThrownBy(() -> ImageReference.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("image reference");
  }

  @Test
  void upperCaseRepositoryHasAClearMessage() {
    assertThatThrownBy(() -> ImageReference.parse("registry.example.com/Team/app"))
        .hasMessageContaining("lowercase");
  }

  @Test
  void nameLongerThan255IsRejected() {
    String name = "registry.example.com/" + "a".repeat(250);
    assertThatThrownBy(() -> ImageReference.parse(name)).hasMessageContaining("255");
  }

  @Test
  void nullIsRejected() {
    assertThatThrownBy(() -> ImageReference.parse(null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
