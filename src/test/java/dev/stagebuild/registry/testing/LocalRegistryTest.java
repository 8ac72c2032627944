package dev.stagebuild.registry.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagebuild.registry.testing.TestImages.Format;
import dev.stagebuild.registry.testing.TestImages.PushedImage;
import dev.stagebuild.registry.testing.TestImages.PushedIndex;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;

/** Tests of the real-registry harness itself. */
class LocalRegistryTest {

  static final HttpClient HTTP = TestHttp.client(Duration.ofSeconds(2));

  static HttpResponse<String> get(URI uri, String authorization) throws Exception {
    // docker-registry 2.x answers 404 for an OCI manifest unless the client accepts OCI
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(3)).GET()
        .header("Accept", Format.OCI.manifestType + "," + Format.DOCKER.manifestType);
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  // --- the skip/fail decision (no binary needed) ---

  @Test
  void enabledWhenTheBinaryIsThere() {
    ConditionEvaluationResult r = LocalRegistryCondition.decide(true, "true", "/usr/bin/docker-registry");
    assertThat(r.isDisabled()).isFalse();
  }

  @Test
  void skippedWithAnInstallHintWhenMissingOutsideCi() {
    for (String ci : new String[] {null, "", "false", "0"}) {
      ConditionEvaluationResult r = LocalRegistryCondition.decide(false, ci, "/nowhere/docker-registry");
      assertThat(r.isDisabled()).as("CI=%s", ci).isTrue();
      assertThat(r.getReason()).get().asString()
          .contains("install docker-registry (apt-get install docker-registry) to run real-registry tests")
          .contains("/nowhere/docker-registry");
    }
  }

  @Test
  void failsWhenMissingInCi() {
    for (String ci : new String[] {"true", "TRUE", " true "}) {
      assertThatThrownBy(() -> LocalRegistryCondition.decide(false, ci, "/nowhere/docker-registry"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("CI=true")
          .hasMessageContaining("apt-get install docker-registry");
    }
  }

  // --- the registry ---

  @Test
  @RequiresLocalRegistry
  void startsOnLoopbackAndStopsOnClose() throws Exception {
    LocalRegistry registry = LocalRegistry.start();
    Path storage = registry.storageDirectory();
    URI url = registry.url();
    try (registry) {
      assertThat(registry.host()).startsWith("127.0.0.1:");
      assertThat(url.toString()).isEqualTo("http://" + registry.host());
      HttpResponse<String> r = get(url.resolve("/v2/"), null);
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Docker-Distribution-Api-Version")).contains("registry/2.0");
      assertThat(registry.isRunning()).isTrue();
      assertThat(Files.isDirectory(storage)).isTrue();
    }
    assertThat(registry.isRunning()).isFalse();
    assertThat(Files.exists(storage)).isFalse();
    assertThatThrownBy(() -> get(url.resolve("/v2/"), null)).isInstanceOf(ConnectException.class);
    registry.close(); // idempotent
  }

  @Test
  @RequiresLocalRegistry
  void pushedImageReadsBackByteForByte() throws Exception {
    try (LocalRegistry registry = LocalRegistry.start()) {
      TestImages images = TestImages.on(registry);
      PushedImage image =
          images.push("team/app", "1.0", TestImages.image().format(Format.DOCKER).randomLayers(3000, 100).seed(7));
      assertThat(image.reference()).isEqualTo(registry.host() + "/team/app:1.0");
      assertThat(image.mediaType()).isEqualTo(Format.DOCKER.manifestType);
      assertThat(image.layers()).hasSize(2);
      assertThat(image.layers().get(0).size()).isGreaterThan(3000); // random data does not shrink
      assertThat(image.expectedSize())
          .isEqualTo(image.config().size() + image.layers().get(0).size() + image.layers().get(1).size());

      byte[] stored = images.fetchManifest("team/app", "1.0");
      assertThat(stored).isEqualTo(image.manifest());
      assertThat(TestLayer.sha256(stored)).isEqualTo(image.digest());
      Map<String, Object> json = TestImages.parse(stored);
      assertThat(json).containsEntry("mediaType", Format.DOCKER.manifestType);

      HttpResponse<String> blob =
          get(registry.url().resolve("/v2/team/app/blobs/" + image.layers().get(0).digest()), null);
      assertThat(blob.statusCode()).isEqualTo(200);

      // the same seed gives the same bytes, hence the same digest
      PushedImage again =
          images.push("team/app", "1.1", TestImages.image().format(Format.DOCKER).randomLayers(3000, 100).seed(7));
      assertThat(again.digest()).isEqualTo(image.digest());
    }
  }

  @Test
  @RequiresLocalRegistry
  void pushesAnIndexOverTwoPlatforms() throws Exception {
    try (LocalRegistry registry = LocalRegistry.start()) {
      TestImages images = TestImages.on(registry);
      PushedIndex index =
          images.pushIndex(
              "multi",
              "v1",
              Format.OCI,
              TestImages.image().platform("linux/arm64/v8").randomLayers(500),
              TestImages.image().platform("linux/amd64").randomLayers(800, 900));
      assertThat(index.platforms()).extracting(PushedImage::platform)
          .containsExactly("linux/arm64/v8", "linux/amd64");
      assertThat(index.expectedSize()).isEqualTo(index.platform("linux/amd64").expectedSize());
      assertThat(images.fetchManifest("multi", "v1")).isEqualTo(index.manifest());
      assertThat(images.fetchManifest("multi", index.platform("linux/arm64/v8").digest()))
          .isEqualTo(index.platform("linux/arm64/v8").manifest());
    }
  }

  @Test
  @RequiresLocalRegistry
  void basicAuth() throws Exception {
    try (LocalRegistry registry = LocalRegistry.builder().basicAuth("alice", "wonder:land").start()) {
      assertThat(get(registry.url().resolve("/v2/"), null).statusCode()).isEqualTo(401);
      assertThat(get(registry.url().resolve("/v2/"), registry.authorization("x").orElseThrow()).statusCode())
          .isEqualTo(200);
      PushedImage image = TestImages.on(registry).push("private/app", "1", TestImages.image().randomLayers(10));
      assertThat(image.digest()).startsWith("sha256:");
      assertThat(new String(registry.dockerConfigJson())).contains(registry.host());
    }
  }

  @Test
  @RequiresLocalRegistry
  void tokenAuthWithTheTokenServer() throws Exception {
    try (TokenServer tokens = TokenServer.start().user("bob", "builder");
        LocalRegistry registry = LocalRegistry.builder().tokenAuth(tokens).start()) {
      HttpResponse<String> challenge = get(registry.url().resolve("/v2/"), null);
      assertThat(challenge.statusCode()).isEqualTo(401);
      assertThat(challenge.headers().firstValue("WWW-Authenticate").orElse(""))
          .startsWith("Bearer ")
          .contains(tokens.realm().toString())
          .contains(tokens.service());

      PushedImage image = TestImages.on(registry).push("team/app", "1", TestImages.image().randomLayers(10));
      String pull = "Bearer " + tokens.mint("bob", "team/app", "pull");
      assertThat(get(registry.url().resolve("/v2/team/app/manifests/1"), pull).statusCode()).isEqualTo(200);
      String other = "Bearer " + tokens.mint("bob", "team/other", "pull");
      assertThat(get(registry.url().resolve("/v2/team/app/manifests/1"), other).statusCode()).isEqualTo(401);
      assertThat(image.digest()).startsWith("sha256:");

      HttpResponse<String> issued =
          get(URI.create(tokens.realm() + "?service=" + tokens.service() + "&scope=repository:team/app:pull"),
              "Basic " + java.util.Base64.getEncoder().encodeToString("bob:builder".getBytes()));
      assertThat(issued.statusCode()).isEqualTo(200);
      assertThat(issued.body()).contains("\"token\"");
      assertThat(tokens.requests()).hasSize(1);
      assertThat(tokens.requests().get(0).user()).isEqualTo("bob");
      assertThat(tokens.requests().get(0).scopes()).containsExactly("repository:team/app:pull");
    }
  }

  @Test
  @RequiresLocalRegistry
  void tlsWithASelfSignedCertificate() throws Exception {
    try (LocalRegistry registry = LocalRegistry.builder().tls().start()) {
      assertThat(registry.url().getScheme()).isEqualTo("https");
      assertThat(get(registry.url().resolve("/v2/"), null).statusCode()).isEqualTo(200);
      PushedImage image = TestImages.on(registry).push("secure/app", "1", TestImages.image().randomLayers(10));
      assertThat(image.digest()).startsWith("sha256:");
    }
  }

  @Test
  @RequiresLocalRegistry
  void failsClearlyWhenTheRegistryCannotStart() {
    TokenServer broken = TokenServer.start();
    try {
      // a token server whose bundle is gone makes docker-registry exit at start-up
      Files.delete(broken.rootCertBundle());
      assertThatThrownBy(() -> LocalRegistry.builder().tokenAuth(broken).startupTimeout(Duration.ofSeconds(5)).start())
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("did not start");
    } catch (IOException e) {
      throw new AssertionError(e);
    } finally {
      broken.close();
    }
  }

  // --- layers ---

  @Test
  void layersAreValidTarArchives() throws Exception {
    TestLayer layer =
        TestLayer.builder()
            .directory("bin")
            .file("bin/hello", "#!/bin/sh\necho hi\n".getBytes(), 0755)
            .symlink("bin/hi", "hello")
            .file("a/" + "long-directory-name/".repeat(6) + "file.txt", "x")
            .build();
    assertThat(layer.digest()).isEqualTo(TestLayer.sha256(layer.compressed()));
    assertThat(layer.diffId()).isEqualTo(TestLayer.sha256(layer.tar()));
    assertThat(layer.size()).isEqualTo(layer.compressed().length);

    Path tarBinary = Path.of("/bin/tar");
    if (Files.isExecutable(tarBinary)) {
      Path file = Files.createTempFile("layer", ".tar.gz");
      try {
        Files.write(file, layer.compressed());
        Process p = new ProcessBuilder(tarBinary.toString(), "-tvzf", file.toString())
            .redirectErrorStream(true).start();
        String listing = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(listing).isZero();
        assertThat(listing).contains("bin/hello", "bin/hi -> hello", "long-directory-name/file.txt", "rwxr-xr-x");
      } finally {
        Files.delete(file);
      }
    }
    assertThatThrownBy(() -> TestLayer.builder().file("a", "1").file("a", "2"))
        .hasMessageContaining("duplicate");
    assertThat(List.of(TestLayer.random(100, new java.util.Random(1)).digest()))
        .containsExactly(TestLayer.random(100, new java.util.Random(1)).digest());
  }
}
