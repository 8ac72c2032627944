package dev.stagebuild.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.stagebuild.registry.RegistryException.Reason;
import dev.stagebuild.registry.testing.LocalRegistry;
import dev.stagebuild.registry.testing.RequiresLocalRegistry;
import dev.stagebuild.registry.testing.TestImages;
import dev.stagebuild.registry.testing.TestImages.Format;
import dev.stagebuild.registry.testing.TestImages.PushedImage;
import dev.stagebuild.registry.testing.TestImages.PushedIndex;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link RegistryClient} against a real docker-registry: anonymous, Basic auth, TLS. */
@RequiresLocalRegistry
@Timeout(10)
class RegistryClientTest {

  static LocalRegistry open;
  static LocalRegistry basic;
  static TestImages openImages;
  static TestImages basicImages;

  final RegistryClient client = RegistryClient.builder()
      .connectTimeout(Duration.ofSeconds(2))
      .requestTimeout(Duration.ofSeconds(3))
      .build();

  @BeforeAll
  static void startRegistries() {
    open = LocalRegistry.start();
    basic = LocalRegistry.builder().basicAuth("alice", "correct horse").start();
    openImages = TestImages.on(open);
    basicImages = TestImages.on(basic);
  }

  @AfterAll
  static void stopRegistries() {
    if (open != null) {
      open.close();
    }
    if (basic != null) {
      basic.close();
    }
  }

  static RegistryException failure(ThrowingInspect call) {
    RegistryException e = catchThrowableOfType(RegistryException.class, call::run);
    assertThat(e).as("expected a RegistryException").isNotNull();
    return e;
  }

  interface ThrowingInspect {
    void run() throws Exception;
  }

  // --- anonymous ---

  @Test
  void ociImageDigestAndSize() throws Exception {
    PushedImage pushed = openImages.push("team/oci", "1.0", TestImages.image().randomLayers(4000, 1500));
    ImageReference ref = ImageReference.parse(open.image("team/oci:1.0"));

    ImageInfo info = client.inspect(ref, Credentials.anonymous(), true);

    assertThat(info.digest()).isEqualTo(pushed.digest());
    assertThat(info.size()).isEqualTo(pushed.expectedSize());
    assertThat(info.mediaType()).isEqualTo(Format.OCI.manifestType);
    assertThat(info.isIndex()).isFalse();
    assertThat(info.platforms()).isEmpty();
    assertThat(info.pinned().toString()).isEqualTo(open.host() + "/team/oci@" + pushed.digest());
  }

  @Test
  void dockerImageDigestAndSize() throws Exception {
    PushedImage pushed =
        openImages.push("team/docker", "v2", TestImages.image().format(Format.DOCKER).randomLayers(10, 20, 30));
    ImageInfo info = client.inspect(ImageReference.parse(open.image("team/docker:v2")), null, true);
    assertThat(info.digest()).isEqualTo(pushed.digest());
    assertThat(info.size()).isEqualTo(pushed.expectedSize());
    assertThat(info.mediaType()).isEqualTo(Format.DOCKER.manifestType);
  }

  @Test
  void byDigest() throws Exception {
    PushedImage pushed = openImages.push("team/pinned", "x", TestImages.image().randomLayers(100));
    ImageInfo info = client.inspect(ImageReference.parse(pushed.referenceByDigest()), null, true);
    assertThat(info.digest()).isEqualTo(pushed.digest());
    assertThat(info.size()).isEqualTo(pushed.expectedSize());
  }

  @Test
  void ociIndexReportsEachPlatformAndAmd64Size() throws Exception {
    PushedIndex pushed =
        openImages.pushIndex(
            "team/multi",
            "1.0",
            Format.OCI,
            TestImages.image().platform("linux/arm64/v8").randomLayers(3000),
            TestImages.image().platform("linux/amd64").randomLayers(1000, 200));

    ImageInfo info = client.inspect(ImageReference.parse(pushed.reference()), null, true);

    assertThat(info.isIndex()).isTrue();
    assertThat(info.mediaType()).isEqualTo(Format.OCI.indexType);
    assertThat(info.digest()).isEqualTo(pushed.digest());
    assertThat(info.platforms())
        .containsExactly(
            new PlatformManifest(
                "linux/arm64/v8",
                pushed.platform("linux/arm64/v8").digest(),
                Format.OCI.manifestType,
                pushed.platform("linux/arm64/v8").expectedSize()),
            new PlatformManifest(
                "linux/amd64",
                pushed.platform("linux/amd64").digest(),
                Format.OCI.manifestType,
                pushed.platform("linux/amd64").expectedSize()));
    assertThat(info.size()).isEqualTo(pushed.platform("linux/amd64").expectedSize());
    assertThat(info.size()).isEqualTo(pushed.expectedSize());
  }

  @Test
  void dockerManifestListWithoutAmd64UsesTheFirstPlatform() throws Exception {
    PushedIndex pushed =
        openImages.pushIndex(
            "team/list",
            "2",
            Format.DOCKER,
            TestImages.image().platform("linux/s390x").randomLayers(700),
            TestImages.image().platform("linux/arm/v7").randomLayers(300));
    ImageInfo info = client.inspect(ImageReference.parse(pushed.reference()), null, true);
    assertThat(info.mediaType()).isEqualTo(Format.DOCKER.indexType);
    assertThat(info.platforms()).extracting(PlatformManifest::platform)
        .containsExactly("linux/s390x", "linux/arm/v7");
    assertThat(info.size()).isEqualTo(pushed.platform("linux/s390x").expectedSize());
  }

  @Test
  void unknownTagIsNotFound() throws Exception {
    openImages.push("team/exists", "1", TestImages.image().randomLayers(10));
    RegistryException e = failure(() ->
        client.inspect(ImageReference.parse(open.image("team/exists:2")), null, true));
    assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
    assertThat(e.getMessage()).contains(open.image("team/exists:2")).contains("no manifest 2");
  }

  @Test
  void unknownRepositoryIsNotFound() {
    RegistryException e = failure(() ->
        client.inspect(ImageReference.parse(open.image("team/never-pushed:1")), null, true));
    assertThat(e.reason()).isEqualTo(Reason.NOT_FOUND);
    assertThat(e.getMessage()).contains("team/never-pushed");
  }

  @Test
  void concurrentCallsOnOneClient() throws Exception {
    PushedImage pushed = openImages.push("team/shared", "1", TestImages.image().randomLayers(50));
    ImageReference ref = ImageReference.parse(pushed.reference());
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<ImageInfo>> results = new ArrayList<>();
      for (int i = 0; i < 12; i++) {
        results.add(pool.submit(() -> client.inspect(ref, null, true)));
      }
      for (Future<ImageInfo> f : results) {
        assertThat(f.get().digest()).isEqualTo(pushed.digest());
      }
    } finally {
      pool.shutdownNow();
    }
  }

  // --- Basic auth ---

  @Test
  void basicAuthWithTheRightPassword() throws Exception {
    PushedImage pushed = basicImages.push("private/app", "1", TestImages.image().randomLayers(64));
    ImageReference ref = ImageReference.parse(basic.image("private/app:1"));
    Credentials creds = DockerConfig.parse(basic.dockerConfigJson()).credentialsFor(ref);
    assertThat(creds.username()).contains("alice");

    ImageInfo info = client.inspect(ref, creds, true);
    assertThat(info.digest()).isEqualTo(pushed.digest());
    assertThat(info.size()).isEqualTo(pushed.expectedSize());

    // the second call authenticates up front from the remembered challenge
    assertThat(client.inspect(ref, creds, true).digest()).isEqualTo(pushed.digest());
  }

  @Test
  void basicAuthWithAWrongPasswordIsUnauthorized() throws Exception {
    basicImages.push("private/app2", "1", TestImages.image().randomLayers(64));
    ImageReference ref = ImageReference.parse(basic.image("private/app2:1"));
    Credentials wrong = DockerConfig.parse(basic.dockerConfigJson("alice", "s3cret-wrong")).credentialsFor(ref);

    RegistryException e = failure(() -> client.inspect(ref, wrong, true));

    assertThat(e.reason()).isEqualTo(Reason.UNAUTHORIZED);
    assertThat(e.getMessage())
        .contains(basic.host())
        .contains("user 'alice'")
        .doesNotContain("s3cret-wrong")
        .doesNotContain(java.util.Base64.getEncoder()
            .encodeToString("alice:s3cret-wrong".getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void basicAuthRegistryWithoutCredentialsIsUnauthorized() {
    RegistryException e = failure(() ->
        client.inspect(ImageReference.parse(basic.image("private/app:1")), Credentials.anonymous(), true));
    assertThat(e.reason()).isEqualTo(Reason.UNAUTHORIZED);
    assertThat(e.getMessage()).contains("no credentials for " + basic.host());
  }

  // --- unreachable ---

  @Test
  void closedPortIsUnreachableQuickly() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    ImageReference ref = ImageReference.parse("127.0.0.1:" + port + "/team/app:1");
    long start = System.nanoTime();
    RegistryException e = failure(() -> client.inspect(ref, null, true));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
    assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(e.getMessage()).contains("127.0.0.1:" + port).contains("team/app:1");
  }

  @Test
  void silentServerIsUnreachableAfterTheRequestTimeout() throws Exception {
    RegistryClient impatient = RegistryClient.builder()
        .connectTimeout(Duration.ofMillis(500))
        .requestTimeout(Duration.ofMillis(500))
        .build();
    // accepts connections (backlog) but never answers
    try (ServerSocket silent = new ServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
      ImageReference ref = ImageReference.parse("127.0.0.1:" + silent.getLocalPort() + "/app:1");
      long start = System.nanoTime();
      RegistryException e = failure(() -> impatient.inspect(ref, null, true));
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
      assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
      assertThat(e.getMessage()).contains("127.0.0.1:" + silent.getLocalPort()).contains("500 ms");
    }
  }

  @Test
  void unknownHostIsUnreachable() {
    // .invalid never resolves (RFC 6761)
    long start = System.nanoTime();
    RegistryException e = failure(() ->
        client.inspect(ImageReference.parse("registry.stagebuild.invalid/app:1"), null, false));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
    assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(e.getMessage()).contains("registry.stagebuild.invalid");
  }

  @Test
  void plainHttpRegistryNotMarkedInsecureFailsTheTlsHandshake() throws Exception {
    openImages.push("team/plain", "1", TestImages.image().randomLayers(10));
    RegistryException e = failure(() ->
        client.inspect(ImageReference.parse(open.image("team/plain:1")), null, false));
    assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(e.getMessage()).contains(open.host()).contains("TLS").contains("insecure");
  }

  // --- TLS with a self-signed certificate ---

  @Test
  void selfSignedTlsRegistry() throws Exception {
    try (LocalRegistry tls = LocalRegistry.builder().tls().start()) {
      PushedImage pushed = TestImages.on(tls).push("secure/app", "1", TestImages.image().randomLayers(99));
      ImageReference ref = ImageReference.parse(tls.image("secure/app:1"));

      // insecure: plain HTTP first; the registry says it speaks TLS; any certificate is accepted
      ImageInfo info = client.inspect(ref, null, true);
      assertThat(info.digest()).isEqualTo(pushed.digest());
      assertThat(info.size()).isEqualTo(pushed.expectedSize());

      RegistryException e = failure(() -> client.inspect(ref, null, false));
      assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
      assertThat(e.getMessage()).contains("TLS");
    }
  }
}
