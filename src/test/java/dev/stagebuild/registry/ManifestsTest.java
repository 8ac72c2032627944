package dev.stagebuild.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagebuild.registry.RegistryException.Reason;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ManifestsTest {

  static final String D1 = "sha256:" + "1".repeat(64);
  static final String D2 = "sha256:" + "2".repeat(64);
  static final String D3 = "sha256:" + "3".repeat(64);

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static String image(String mediaType, long config, long... layers) {
    StringBuilder sb = new StringBuilder("{\"schemaVersion\":2,");
    if (mediaType != null) {
      sb.append("\"mediaType\":\"").append(mediaType).append("\",");
    }
    sb.append("\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"")
        .append(D1)
        .append("\",\"size\":")
        .append(config)
        .append("},\"layers\":[");
    for (int i = 0; i < layers.length; i++) {
      sb.append(i == 0 ? "" : ",")
          .append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"")
          .append(D2)
          .append("\",\"size\":")
          .append(layers[i])
          .append("}");
    }
    return sb.append("]}").toString();
  }

  static Manifests.Image parseImage(String body, String contentType) throws RegistryException {
    return (Manifests.Image) Manifests.parse(bytes(body), contentType, "test-image");
  }

  @Test
  void ociManifestSizeIsConfigPlusLayers() throws Exception {
    Manifests.Image m =
        parseImage(image(Manifests.OCI_MANIFEST, 1469, 2_000_000, 3_500, 0), Manifests.OCI_MANIFEST);
    assertThat(m.mediaType()).isEqualTo(Manifests.OCI_MANIFEST);
    assertThat(m.configSize()).isEqualTo(1469);
    assertThat(m.layerSizes()).containsExactly(2_000_000L, 3_500L, 0L);
    assertThat(m.size()).isEqualTo(1469 + 2_000_000 + 3_500);
  }

  @Test
  void dockerManifestSize() throws Exception {
    Manifests.Image m =
        parseImage(image(Manifests.DOCKER_MANIFEST, 7023, 9_600_000L), Manifests.DOCKER_MANIFEST);
    assertThat(m.mediaType()).isEqualTo(Manifests.DOCKER_MANIFEST);
    assertThat(m.size()).isEqualTo(9_607_023L);
  }

  @Test
  void largeSizesDoNotOverflowAnInt() throws Exception {
    Manifests.Image m = parseImage(image(Manifests.OCI_MANIFEST, 10, 3_000_000_000L, 3_000_000_000L), null);
    assertThat(m.size()).isEqualTo(6_000_000_010L);
  }

  @Test
  void manifestWithoutLayers() throws Exception {
    assertThat(parseImage(image(Manifests.OCI_MANIFEST, 42), null).size()).isEqualTo(42);
  }

  @Test
  void mediaTypeFromTheBodyWhenTheContentTypeIsGeneric() throws Exception {
    assertThat(
            parseImage(image(Manifests.DOCKER_MANIFEST, 1, 2), "application/json; charset=utf-8")
                .mediaType())
        .isEqualTo(Manifests.DOCKER_MANIFEST);
    assertThat(parseImage(image(Manifests.DOCKER_MANIFEST, 1, 2), null).mediaType())
        .isEqualTo(Manifests.DOCKER_MANIFEST);
  }

  @Test
  void contentTypeParametersAndCaseAreIgnored() throws Exception {
    assertThat(
            parseImage(
                    image(null, 1, 2),
                    "Application/VND.oci.image.manifest.v1+json; charset=utf-8")
                .mediaType())
        .isEqualTo(Manifests.OCI_MANIFEST);
  }

  @Test
  void ociManifestWithoutMediaTypeIsInferred() throws Exception {
    assertThat(parseImage(image(null, 5, 6), null).mediaType()).isEqualTo(Manifests.OCI_MANIFEST);
  }

  static String index(String mediaType, String entries) {
    return "{\"schemaVersion\":2"
        + (mediaType == null ? "" : ",\"mediaType\":\"" + mediaType + "\"")
        + ",\"manifests\":["
        + entries
        + "]}";
  }

  static String entry(String mediaType, String digest, long size, String platformJson) {
    return "{\"mediaType\":\""
        + mediaType
        + "\",\"digest\":\""
        + digest
        + "\",\"size\":"
        + size
        + (platformJson == null ? "" : ",\"platform\":" + platformJson)
        + "}";
  }

  @Test
  void indexEntriesWithPlatforms() throws Exception {
    String body =
        index(
            Manifests.OCI_INDEX,
            entry(Manifests.OCI_MANIFEST, D1, 500, "{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}")
                + ","
                + entry(Manifests.OCI_MANIFEST, D2, 501, "{\"os\":\"linux\",\"architecture\":\"amd64\"}")
                + ","
                + "{\"mediaType\":\""
                + Manifests.OCI_MANIFEST
                + "\",\"digest\":\""
                + D3
                + "\",\"size\":566,\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"},"
                + "\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"}}");
    Manifests.Index idx = (Manifests.Index) Manifests.parse(bytes(body), Manifests.OCI_INDEX, "x");
    assertThat(idx.mediaType()).isEqualTo(Manifests.OCI_INDEX);
    assertThat(idx.manifests())
        .extracting(Manifests.Descriptor::platform)
        .containsExactly("linux/arm64/v8", "linux/amd64", "unknown/unknown");
    assertThat(idx.manifests()).extracting(Manifests.Descriptor::attestation)
        .containsExactly(false, false, true);
    assertThat(idx.manifests().get(0).digest()).isEqualTo(D1);
    assertThat(idx.manifests().get(0).size()).isEqualTo(500);
    assertThat(idx.manifests().get(0).isImageManifest()).isTrue();
  }

  @Test
  void dockerManifestListAndMissingPlatform() throws Exception {
    String body =
        index(Manifests.DOCKER_MANIFEST_LIST, entry(Manifests.DOCKER_MANIFEST, D1, 10, null));
    Manifests.Index idx = (Manifests.Index) Manifests.parse(bytes(body), "application/json", "x");
    assertThat(idx.mediaType()).isEqualTo(Manifests.DOCKER_MANIFEST_LIST);
    assertThat(idx.manifests().get(0).platform()).isEqualTo("unknown");
  }

  @Test
  void ociIndexWithoutMediaTypeIsInferred() throws Exception {
    String body = index(null, entry(Manifests.OCI_MANIFEST, D1, 10, null));
    assertThat(Manifests.parse(bytes(body), null, "x").mediaType()).isEqualTo(Manifests.OCI_INDEX);
  }

  @Test
  void representativePlatformIsFirstLinuxAmd64ElseFirst() {
    assertThat(Manifests.representativeIndex(List.of("linux/arm64/v8", "linux/amd64", "linux/amd64")))
        .isEqualTo(1);
    assertThat(Manifests.representativeIndex(List.of("linux/amd64/v3", "linux/amd64"))).isEqualTo(1);
    assertThat(Manifests.representativeIndex(List.of("linux/arm64", "linux/amd64/v2"))).isEqualTo(1);
    assertThat(Manifests.representativeIndex(List.of("linux/arm64", "windows/amd64"))).isEqualTo(0);
  }

  @Test
  void schemaOneIsRejectedWithAnExplanation() {
    assertThatThrownBy(() -> Manifests.parse(bytes("{\"schemaVersion\":1,\"fsLayers\":[]}"), null, "old:1"))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("old:1")
        .hasMessageContaining("schema 1")
        .extracting(e -> ((RegistryException) e).reason())
        .isEqualTo(Reason.PROTOCOL);
    assertThatThrownBy(
            () ->
                Manifests.parse(
                    bytes("{\"schemaVersion\":1}"),
                    "application/vnd.docker.distribution.manifest.v1+prettyjws",
                    "x"))
        .hasMessageContaining("schema 1");
  }

  @Test
  void unknownMediaTypeIsAProtocolError() {
    assertThatThrownBy(
            () -> Manifests.parse(bytes(image(null, 1, 1)), "application/vnd.example.thing+json", "x"))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("application/vnd.example.thing+json")
        .extracting(e -> ((RegistryException) e).reason())
        .isEqualTo(Reason.PROTOCOL);
  }

  @Test
  void brokenManifests() {
    assertProtocol("not json", "not valid JSON");
    assertProtocol("[1,2]", "not a JSON object");
    assertProtocol("{\"schemaVersion\":2}", "neither an image nor an index");
    assertProtocol("{\"mediaType\":\"" + Manifests.OCI_MANIFEST + "\",\"layers\":[]}", "\"config\"");
    assertProtocol(image(Manifests.OCI_MANIFEST, 1).replace(",\"size\":1", ""), "config has no size");
    assertProtocol(image(Manifests.OCI_MANIFEST, 1, -5), "layers[0] has an invalid size");
    assertProtocol(image(Manifests.OCI_MANIFEST, 1, 2).replace("\"size\":2", "\"size\":2.5"), "invalid size");
    assertProtocol(image(Manifests.OCI_MANIFEST, 1, 2).replace("\"size\":2", "\"size\":\"2\""), "invalid size");
    assertProtocol(
        image(Manifests.OCI_MANIFEST, 1, Long.MAX_VALUE, Long.MAX_VALUE), "overflows");
    assertProtocol(
        "{\"mediaType\":\"" + Manifests.OCI_MANIFEST + "\",\"config\":{\"size\":1},\"layers\":{}}",
        "not a list");
    assertProtocol(index(Manifests.OCI_INDEX, "").replace(",\"manifests\":[]", ""), "no \"manifests\"");
    assertProtocol(index(Manifests.OCI_INDEX, entry(Manifests.OCI_MANIFEST, "sha256:xyz", 1, null)), "no valid digest");
  }

  private static void assertProtocol(String body, String messagePart) {
    assertThatThrownBy(() -> Manifests.parse(bytes(body), null, "the-image"))
        .isInstanceOf(RegistryException.class)
        .hasMessageContaining("the-image")
        .hasMessageContaining(messagePart)
        .extracting(e -> ((RegistryException) e).reason())
        .isEqualTo(Reason.PROTOCOL);
  }

  @Test
  void digests() {
    byte[] body = bytes("hello");
    String d = Manifests.sha256(body);
    assertThat(d).isEqualTo("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");
    assertThat(Manifests.matches(d, body)).isTrue();
    assertThat(Manifests.matches(D1, body)).isFalse();
    assertThat(Manifests.matches("sha512:abc", body)).isTrue();
    assertThat(Manifests.isDigest(d)).isTrue();
    assertThat(Manifests.isDigest("sha256:abc")).isFalse();
    assertThat(Manifests.isDigest("")).isFalse();
    assertThat(Manifests.isDigest(null)).isFalse();
  }
}
