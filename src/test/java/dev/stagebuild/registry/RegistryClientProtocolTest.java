package dev.stagebuild.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.stagebuild.registry.RegistryException.Reason;
import dev.stagebuild.registry.testing.TestCertificates;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What a real docker-registry will not do on demand: broken answers, redirects, odd challenges.
 * An in-JVM fake registry (JDK HttpServer) serves scripted responses.
 */
@Timeout(10)
class RegistryClientProtocolTest {

  static final String OCI = Manifests.OCI_MANIFEST;
  static final String CONFIG = "sha256:" + "c".repeat(64);
  static final String LAYER = "sha256:" + "1".repeat(64);

  /** A scripted response. */
  record Reply(int status, Map<String, String> headers, byte[] body) {
    static Reply of(int status, String contentType, String body) {
      return new Reply(status, contentType == null ? Map.of() : Map.of("Content-Type", contentType),
          body.getBytes(StandardCharsets.UTF_8));
    }

    Reply with(String header, String value) {
      Map<String, String> h = new java.util.LinkedHashMap<>(headers);
      h.put(header, value);
      return new Reply(status, h, body);
    }
  }

  /** A request the fake received. */
  record Seen(String method, String path, String query, String authorization, String accept, String target) {}

  /** One fake HTTP server: path → reply function. */
  static final class Fake implements AutoCloseable {
    final HttpServer server;
    final Map<String, java.util.function.Function<Seen, Reply>> routes = new ConcurrentHashMap<>();
    final List<Seen> seen = new CopyOnWriteArrayList<>();

    Fake() throws IOException {
      this(0);
    }

    Fake(int port) throws IOException {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
      server.createContext("/", this::handle);
      server.start();
    }

    String host() {
      return "127.0.0.1:" + server.getAddress().getPort();
    }

    Fake on(String path, java.util.function.Function<Seen, Reply> reply) {
      routes.put(path, reply);
      return this;
    }

    Fake on(String path, Reply reply) {
      return on(path, s -> reply);
    }

    private void handle(HttpExchange ex) throws IOException {
      try (ex) {
        Seen s = new Seen(ex.getRequestMethod(), ex.getRequestURI().getRawPath(),
            ex.getRequestURI().getRawQuery(), ex.getRequestHeaders().getFirst("Authorization"),
            ex.getRequestHeaders().getFirst("Accept"), ex.getRequestURI().toString());
        seen.add(s);
        ex.getRequestBody().readAllBytes();
        Reply r = routes.getOrDefault(s.path(), x -> Reply.of(404, "application/json",
            "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository name not known to registry\"}]}"))
            .apply(s);
        r.headers().forEach((k, v) -> ex.getResponseHeaders().add(k, v));
        ex.sendResponseHeaders(r.status(), r.body().length == 0 ? -1 : r.body().length);
        if (r.body().length > 0) {
          ex.getResponseBody().write(r.body());
        }
      }
    }

    @Override
    public void close() {
      server.stop(0);
    }
  }

  Fake fake;
  final RegistryClient client = RegistryClient.builder()
      .connectTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(3)).build();

  @BeforeEach
  void startFake() throws IOException {
    fake = new Fake();
  }

  @AfterEach
  void stopFake() {
    fake.close();
  }

  static String manifest(long configSize, long... layers) {
    StringBuilder sb = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + OCI + "\",")
        .append("\"config\":{\"mediaType\":\"application/vnd.oci.image.config.v1+json\",\"digest\":\"")
        .append(CONFIG).append("\",\"size\":").append(configSize).append("},\"layers\":[");
    for (int i = 0; i < layers.length; i++) {
      sb.append(i == 0 ? "" : ",").append("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",")
          .append("\"digest\":\"").append(LAYER).append("\",\"size\":").append(layers[i]).append("}");
    }
    return sb.append("]}").toString();
  }

  ImageReference ref(String rest) {
    return ImageReference.parse(fake.host() + "/" + rest);
  }

  RegistryException failure(RegistryClientTest.ThrowingInspect call) {
    RegistryException e = catchThrowableOfType(RegistryException.class, call::run);
    assertThat(e).as("expected a RegistryException").isNotNull();
    return e;
  }

  @Test
  void acceptsEveryManifestTypeAndComputesTheDigestWithoutTheHeader() throws Exception {
    String body = manifest(100, 1000, 2000);
    fake.on("/v2/team/app/manifests/1", Reply.of(200, OCI, body));

    ImageInfo info = client.inspect(ref("team/app:1"), null, true);

    assertThat(info.digest()).isEqualTo(Manifests.sha256(body.getBytes(StandardCharsets.UTF_8)));
    assertThat(info.size()).isEqualTo(3100);
    assertThat(fake.seen.get(0).accept())
        .contains(Manifests.OCI_MANIFEST, Manifests.OCI_INDEX, Manifests.DOCKER_MANIFEST,
            Manifests.DOCKER_MANIFEST_LIST);
  }

  @Test
  void digestHeaderIsTrustedForTags() throws Exception {
    String digest = "sha256:" + "d".repeat(64);
    fake.on("/v2/app/manifests/1",
        Reply.of(200, OCI, manifest(1, 2)).with("Docker-Content-Digest", digest));
    assertThat(client.inspect(ref("app:1"), null, true).digest()).isEqualTo(digest);
  }

  @Test
  void contentNotMatchingTheRequestedDigestIsAProtocolError() {
    String digest = "sha256:" + "d".repeat(64);
    fake.on("/v2/app/manifests/" + digest, Reply.of(200, OCI, manifest(1, 2)));
    RegistryException e = failure(() -> client.inspect(ref("app@" + digest), null, true));
    assertThat(e.reason()).isEqualTo(Reason.PROTOCOL);
    assertThat(e.getMessage()).contains("does not match the requested digest");
  }

  @Test
  void serverErrorIsAProtocolErrorWithTheRegistryMessage() {
    fake.on("/v2/app/manifests/1", Reply.of(503, "application/json",
        "{\"errors\":[{\"code\":\"UNAVAILABLE\",\"message\":\"storage backend down\"}]}"));
    RegistryException e = failure(() -> client.inspect(ref("app:1"), null, true));
    assertThat(e.reason()).isEqualTo(Reason.PROTOCOL);
    assertThat(e.getMessage()).contains("HTTP 503", "UNAVAILABLE: storage backend down", "try again later");
  }

  @Test
  void badJsonAndUnknownMediaTypes() {
    fake.on("/v2/app/manifests/json", Reply.of(200, OCI, "{not json"));
    fake.on("/v2/app/manifests/type", Reply.of(200, "application/vnd.example.other+json", manifest(1)));
    assertThat(failure(() -> client.inspect(ref("app:json"), null, true)))
        .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL))
        .hasMessageContaining("not valid JSON");
    assertThat(failure(() -> client.inspect(ref("app:type"), null, true)))
        .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL))
        .hasMessageContaining("application/vnd.example.other+json");
  }

  @Test
  void oversizedManifestIsRefused() {
    byte[] huge = new byte[RegistryClient.MAX_MANIFEST_BYTES + 10];
    java.util.Arrays.fill(huge, (byte) ' ');
    fake.on("/v2/app/manifests/big", new Reply(200, Map.of("Content-Type", OCI), huge));
    RegistryException e = failure(() -> client.inspect(ref("app:big"), null, true));
    assertThat(e.reason()).isEqualTo(Reason.PROTOCOL);
    assertThat(e.getMessage()).contains("more than " + RegistryClient.MAX_MANIFEST_BYTES + " bytes");
  }

  @Test
  void theMediaTypesOfSkippedEntriesAreFewAndShortInTheMessage() {
    // the registry is the author's: the message is kept among the remembered answers
    StringBuilder entries = new StringBuilder();
    for (int n = 0; n < 20; n++) {
      entries.append(n == 0 ? "" : ",").append("{\"mediaType\":\"application/x-").append(n).append("-")
          .append("t".repeat(100_000)).append("\",\"digest\":\"sha256:").append("e".repeat(64)).append("\",\"size\":10}");
    }
    fake.on("/v2/app/manifests/idx", Reply.of(200, Manifests.OCI_INDEX,
        "{\"schemaVersion\":2,\"mediaType\":\"" + Manifests.OCI_INDEX + "\",\"manifests\":[" + entries + "]}"));
    RegistryException e = failure(() -> client.inspect(ref("app:idx"), null, true));
    assertThat(e.getMessage()).contains("lists no image manifests", "application/x-4-").doesNotContain("application/x-5-")
        .hasSizeLessThan(1_000);
  }

  @Test
  void indexWithoutImageManifests() {
    String nested = "sha256:" + "e".repeat(64);
    fake.on("/v2/app/manifests/idx", Reply.of(200, Manifests.OCI_INDEX,
        "{\"schemaVersion\":2,\"mediaType\":\"" + Manifests.OCI_INDEX + "\",\"manifests\":[{\"mediaType\":\""
            + Manifests.OCI_INDEX + "\",\"digest\":\"" + nested + "\",\"size\":10}]}"));
    RegistryException e = failure(() -> client.inspect(ref("app:idx"), null, true));
    assertThat(e.reason()).isEqualTo(Reason.PROTOCOL);
    assertThat(e.getMessage()).contains("lists no image manifests").contains(Manifests.OCI_INDEX);
  }

  @Test
  void attestationManifestsInAnIndexAreNotPlatforms() throws Exception {
    String image = manifest(10, 20);
    String imageDigest = Manifests.sha256(image.getBytes(StandardCharsets.UTF_8));
    String attestation = "sha256:" + "a".repeat(64);
    fake.on("/v2/app/manifests/" + imageDigest, Reply.of(200, OCI, image));
    fake.on("/v2/app/manifests/idx", Reply.of(200, Manifests.OCI_INDEX,
        "{\"schemaVersion\":2,\"mediaType\":\"" + Manifests.OCI_INDEX + "\",\"manifests\":["
            + "{\"mediaType\":\"" + OCI + "\",\"digest\":\"" + imageDigest + "\",\"size\":" + image.length()
            + ",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\"}},"
            + "{\"mediaType\":\"" + OCI + "\",\"digest\":\"" + attestation + "\",\"size\":5,"
            + "\"platform\":{\"os\":\"unknown\",\"architecture\":\"unknown\"},"
            + "\"annotations\":{\"vnd.docker.reference.type\":\"attestation-manifest\"}}]}"));
    ImageInfo info = client.inspect(ref("app:idx"), null, true);
    assertThat(info.platforms()).containsExactly(new PlatformManifest("linux/arm64", imageDigest, OCI, 30));
    assertThat(info.size()).isEqualTo(30);
    assertThat(fake.seen).extracting(Seen::path).doesNotContain("/v2/app/manifests/" + attestation);
  }

  /** An index of {@code n} entries for one image manifest, the first with an architecture of {@code longArch} characters. */
  static String indexOf(String imageDigest, int imageLength, int n, int longArch) {
    StringBuilder idx = new StringBuilder("{\"schemaVersion\":2,\"mediaType\":\"" + Manifests.OCI_INDEX
        + "\",\"manifests\":[");
    for (int i = 0; i < n; i++) {
      idx.append(i == 0 ? "" : ",").append("{\"mediaType\":\"").append(OCI).append("\",\"digest\":\"")
          .append(imageDigest).append("\",\"size\":").append(imageLength)
          .append(",\"platform\":{\"os\":\"linux\",\"architecture\":\"")
          .append(i == 0 ? "x".repeat(longArch) : "arch" + i).append("\"}}");
    }
    return idx.append("]}").toString();
  }

  @Test
  void anIndexWithMoreImageManifestsThanAStatusHoldsIsAProtocolErrorBeforeAnyIsFetched() {
    // The author chooses the registry: its index becomes status.output.platforms, one request each.
    String image = manifest(10, 20);
    String imageDigest = Manifests.sha256(image.getBytes(StandardCharsets.UTF_8));
    fake.on("/v2/app/manifests/" + imageDigest, Reply.of(200, OCI, image));
    fake.on("/v2/app/manifests/idx", Reply.of(200, Manifests.OCI_INDEX,
        indexOf(imageDigest, image.length(), RegistryClient.MAX_PLATFORMS + 1, 5)));
    RegistryException e = failure(() -> client.inspect(ref("app:idx"), null, true));
    assertThat(e.reason()).isEqualTo(Reason.PROTOCOL);
    assertThat(e.getMessage()).contains("more than " + RegistryClient.MAX_PLATFORMS + " image manifests");
    assertThat(fake.seen).extracting(Seen::path).doesNotContain("/v2/app/manifests/" + imageDigest);
  }

  @Test
  void aPlatformIsShortWhateverTheIndexSays() throws Exception {
    String image = manifest(10, 20);
    String imageDigest = Manifests.sha256(image.getBytes(StandardCharsets.UTF_8));
    fake.on("/v2/app/manifests/" + imageDigest, Reply.of(200, OCI, image));
    fake.on("/v2/app/manifests/idx", Reply.of(200, Manifests.OCI_INDEX,
        indexOf(imageDigest, image.length(), RegistryClient.MAX_PLATFORMS, 1_000_000)));
    ImageInfo info = client.inspect(ref("app:idx"), null, true);
    assertThat(info.platforms()).hasSize(RegistryClient.MAX_PLATFORMS);
    assertThat(info.platforms().get(0).platform()).isEqualTo("linux/unknown");
    assertThat(info.platforms().get(1).platform()).isEqualTo("linux/arch1");
    assertThat(info.platforms()).allSatisfy(p -> assertThat(p.platform()).hasSizeLessThanOrEqualTo(3 * 64 + 2));
  }

  @Test
  void basicChallengeThenUpFrontAuthentication() throws Exception {
    String expected = "Basic " + Base64.getEncoder().encodeToString("u:p".getBytes(StandardCharsets.UTF_8));
    fake.on("/v2/app/manifests/1", s -> expected.equals(s.authorization())
        ? Reply.of(200, OCI, manifest(1, 1))
        : Reply.of(401, "application/json", "{}").with("WWW-Authenticate", "Basic realm=\"fake\""));

    client.inspect(ref("app:1"), Credentials.basic("u", "p"), true);
    assertThat(fake.seen).extracting(Seen::authorization).containsExactly(null, expected);

    fake.seen.clear();
    client.inspect(ref("app:1"), Credentials.basic("u", "p"), true);
    assertThat(fake.seen).extracting(Seen::authorization).containsExactly(expected);
  }

  @Test
  void bearerRealmWithQueryAndQuotedCommas() throws Exception {
    String realm = "http://" + fake.host() + "/auth?tenant=a,b";
    fake.on("/auth", s -> Reply.of(200, "application/json", "{\"access_token\":\"tok-1\"}"));
    fake.on("/v2/team/app/manifests/1", s -> "Bearer tok-1".equals(s.authorization())
        ? Reply.of(200, OCI, manifest(5, 5))
        : Reply.of(401, "application/json", "{}").with("WWW-Authenticate",
            "Bearer realm=\"" + realm + "\",service=\"fake registry\",scope=\"repository:team/app:pull,push\""));

    ImageInfo info = client.inspect(ref("team/app:1"), null, true);

    assertThat(info.size()).isEqualTo(10);
    Seen tokenRequest = fake.seen.stream().filter(s -> s.path().equals("/auth")).findFirst().orElseThrow();
    assertThat(tokenRequest.query())
        .startsWith("tenant=a,b&")
        .contains("service=fake+registry")
        .contains("scope=repository%3Ateam%2Fapp%3Apull%2Cpush");
    assertThat(tokenRequest.authorization()).isNull();
  }

  @Test
  void redirectsDropAuthorizationAcrossOrigins() throws Exception {
    try (Fake other = new Fake()) {
      other.on("/blobs/manifest", Reply.of(200, OCI, manifest(7, 8)));
      String expected = "Basic " + Base64.getEncoder().encodeToString("u:p".getBytes(StandardCharsets.UTF_8));
      fake.on("/v2/app/manifests/1", s -> expected.equals(s.authorization())
          ? Reply.of(307, null, "").with("Location", "http://" + other.host() + "/blobs/manifest")
          : Reply.of(401, null, "").with("WWW-Authenticate", "Basic realm=\"fake\""));

      ImageInfo info = client.inspect(ref("app:1"), Credentials.basic("u", "p"), true);

      assertThat(info.size()).isEqualTo(15);
      assertThat(other.seen).hasSize(1);
      assertThat(other.seen.get(0).authorization()).isNull();
    }
  }

  @Test
  void unsupportedChallengeScheme() {
    fake.on("/v2/app/manifests/1", Reply.of(401, null, "").with("WWW-Authenticate", "Negotiate"));
    RegistryException e = failure(() -> client.inspect(ref("app:1"), Credentials.basic("u", "p"), true));
    assertThat(e.reason()).isEqualTo(Reason.PROTOCOL);
    assertThat(e.getMessage()).contains("Negotiate");
  }

  @Test
  void brokenTokenResponses() {
    fake.on("/v2/app/manifests/1", Reply.of(401, null, "").with("WWW-Authenticate",
        "Bearer realm=\"http://" + fake.host() + "/auth\",service=\"s\""));
    fake.on("/auth", Reply.of(200, "application/json", "<html>"));
    assertThat(failure(() -> client.inspect(ref("app:1"), null, true)))
        .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL))
        .hasMessageContaining("not JSON");

    fake.on("/auth", Reply.of(200, "application/json", "{\"expires_in\":300}"));
    assertThat(failure(() -> client.inspect(ref("app:1"), null, true)))
        .hasMessageContaining("without \"token\" or \"access_token\"");

    fake.on("/auth", Reply.of(500, "application/json", "{}"));
    assertThat(failure(() -> client.inspect(ref("app:1"), null, true)))
        .satisfies(e -> assertThat(e.reason()).isEqualTo(Reason.PROTOCOL))
        .hasMessageContaining("HTTP 500");
  }

  @Test
  void unreachableTokenServiceNamesIt() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    fake.on("/v2/app/manifests/1", Reply.of(401, null, "").with("WWW-Authenticate",
        "Bearer realm=\"http://127.0.0.1:" + closedPort + "/token\",service=\"s\""));
    RegistryException e = failure(() -> client.inspect(ref("app:1"), null, true));
    assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(e.getMessage()).contains("token service http://127.0.0.1:" + closedPort + "/token");
  }

  @Test
  void aRegistryThatRefusedTheConnectionIsAnsweredFromMemoryForAFewSeconds() throws Exception {
    // A farm's builds that end together while their registry is down: one connection attempt.
    var clock = new dev.stagebuild.testing.MutableClock(java.time.Instant.now());
    RegistryClient client = RegistryClient.builder().clock(clock).connectTimeout(Duration.ofSeconds(2))
        .requestTimeout(Duration.ofSeconds(3)).build();
    int port;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    ImageReference image = ImageReference.parse("127.0.0.1:" + port + "/app:1");
    RegistryException first = failure(() -> client.inspect(image, null, true));
    assertThat(first.reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(first.getMessage()).contains("http://127.0.0.1:" + port, "is the registry running")
        .doesNotContain("not tried again");
    Fake bound;
    try {
      bound = new Fake(port);
    } catch (java.net.BindException taken) {
      org.junit.jupiter.api.Assumptions.assumeTrue(false, "port " + port + " was taken meanwhile");
      return;
    }
    try (Fake revived = bound) {
      revived.on("/v2/app/manifests/1", Reply.of(200, OCI, manifest(10, 20)));
      RegistryException remembered = failure(() -> client.inspect(image, null, true));
      assertThat(remembered.reason()).isEqualTo(Reason.UNREACHABLE);
      assertThat(remembered.getMessage()).contains("is the registry running", "not tried again");
      assertThat(revived.seen).isEmpty();
      clock.advance(RegistryClient.UNREACHABLE_MEMORY);
      assertThat(client.inspect(image, null, true).size()).isEqualTo(30);
      assertThat(revived.seen).hasSize(1);
    }
  }

  @Test
  void aRegistryThatAnsweredWithAnErrorIsAskedAgain() {
    fake.on("/v2/app/manifests/1", Reply.of(500, "application/json", "{}"));
    assertThat(failure(() -> client.inspect(ref("app:1"), null, true)).reason()).isEqualTo(Reason.PROTOCOL);
    assertThat(failure(() -> client.inspect(ref("app:1"), null, true)).reason()).isEqualTo(Reason.PROTOCOL);
    assertThat(fake.seen).hasSize(2);
  }

  @Test
  void aTokenRealmOnAnotherHostIsNeverContacted() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    // the registry is 127.0.0.1: "localhost" (or a metadata address) is another host to the operator
    for (String realm : List.of("http://localhost:" + closedPort + "/token", "http://169.254.169.254/latest")) {
      fake.on("/v2/app/manifests/1", Reply.of(401, null, "").with("WWW-Authenticate",
          "Bearer realm=\"" + realm + "\",service=\"s\""));
      RegistryException e = failure(() -> client.inspect(ref("app:1"), null, true));
      assertThat(e.reason()).as(realm).isEqualTo(Reason.PROTOCOL);
      assertThat(e.getMessage()).as(realm).contains("token service on another host", "STAGEBUILD_TOKEN_REALM_HOSTS");
    }
    // allowed by the operator's allowlist: contacted (and unreachable here)
    RegistryClient allowing = RegistryClient.builder().tokenRealmHosts(java.util.Set.of("localhost")).build();
    fake.on("/v2/app/manifests/1", Reply.of(401, null, "").with("WWW-Authenticate",
        "Bearer realm=\"http://localhost:" + closedPort + "/token\",service=\"s\""));
    assertThat(failure(() -> allowing.inspect(ref("app:1"), null, true)).reason()).isEqualTo(Reason.UNREACHABLE);
  }

  @Test
  void tokenRealmHosts() {
    java.util.Set<String> none = java.util.Set.of();
    assertThat(TokenRealms.allowed("registry-1.example.org", "auth.example.org", none)).isTrue();
    assertThat(TokenRealms.allowed("reg.example.org:5000", "reg.example.org", none)).isTrue();
    assertThat(TokenRealms.allowed("127.0.0.1:5000", "127.0.0.1", none)).isTrue();
    assertThat(TokenRealms.allowed("[::1]:5000", "[::1]", none)).isTrue();
    assertThat(TokenRealms.allowed("reg.example.org", "evil.test", none)).isFalse();
    assertThat(TokenRealms.allowed("reg.example.org", "169.254.169.254", none)).isFalse();
    assertThat(TokenRealms.allowed("10.0.0.1", "10.0.0.2", none)).isFalse();
    assertThat(TokenRealms.allowed("registry:5000", "kubernetes", none)).isFalse();
    assertThat(TokenRealms.allowed("example.org", "auth.example.org", none)).isFalse();
    assertThat(TokenRealms.allowed("reg.example.org", "auth.other.test", java.util.Set.of("auth.other.test"))).isTrue();
  }

  @Test
  void noCredentialsOverPlainHttpToTheRealmOfATlsRegistry() throws Exception {
    TestCertificates.KeyAndCertificate cert =
        TestCertificates.selfSigned("127.0.0.1", List.of("localhost"), List.of("127.0.0.1"));
    KeyStore keys = KeyStore.getInstance("PKCS12");
    keys.load(null, null);
    keys.setKeyEntry("server", cert.privateKey(), new char[0], new Certificate[] {cert.certificate()});
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(keys, new char[0]);
    SSLContext serverSsl = SSLContext.getInstance("TLS");
    serverSsl.init(kmf.getKeyManagers(), null, null);

    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", cert.certificate());
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext clientSsl = SSLContext.getInstance("TLS");
    clientSsl.init(null, tmf.getTrustManagers(), null);

    HttpsServer tls = HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    tls.setHttpsConfigurator(new HttpsConfigurator(serverSsl));
    List<String> paths = new CopyOnWriteArrayList<>();
    tls.createContext("/", ex -> {
      try (ex) {
        paths.add(ex.getRequestURI().getPath());
        ex.getResponseHeaders().add("WWW-Authenticate",
            "Bearer realm=\"http://" + fake.host() + "/auth\",service=\"s\"");
        ex.sendResponseHeaders(401, -1);
      }
    });
    tls.start();
    try {
      RegistryClient trusting = RegistryClient.builder().sslContext(clientSsl).build();
      ImageReference ref = ImageReference.parse("127.0.0.1:" + tls.getAddress().getPort() + "/app:1");

      RegistryException e = failure(() -> trusting.inspect(ref, Credentials.basic("u", "p"), false));

      assertThat(e.reason()).isEqualTo(Reason.PROTOCOL);
      assertThat(e.getMessage()).contains("plain HTTP").contains("refusing to send the password of user 'u'");
      assertThat(paths).containsExactly("/v2/app/manifests/1");
      assertThat(fake.seen).isEmpty(); // the realm never saw the credentials
    } finally {
      tls.stop(0);
    }
  }

  @Test
  void messagesNeverContainSecrets() {
    List<RegistryException> errors = new ArrayList<>();
    fake.on("/v2/app/manifests/1", Reply.of(401, null, "").with("WWW-Authenticate",
        "Bearer realm=\"http://" + fake.host() + "/auth\",service=\"s\""));
    fake.on("/auth", Reply.of(401, "application/json", "{}"));
    for (Credentials c : List.of(Credentials.basic("u", "pw-SECRET"),
        Credentials.identityToken("u", "id-SECRET"), Credentials.registryToken("reg-SECRET"))) {
      errors.add(failure(() -> client.inspect(ref("app:1"), c, true)));
    }
    assertThat(errors).allSatisfy(e -> {
      assertThat(e.reason()).isEqualTo(Reason.UNAUTHORIZED);
      assertThat(e.getMessage()).doesNotContain("SECRET");
      assertThat(String.valueOf(e.getCause())).doesNotContain("SECRET");
    });
  }

  // --- proxies (HTTP_PROXY / HTTPS_PROXY / NO_PROXY) -------------------------------------------

  RegistryClient proxied(Map<String, String> env) {
    return RegistryClient.builder().connectTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(3))
        .proxies(EnvironmentProxies.from(env)).build();
  }

  @Test
  void requestsGoThroughTheProxyTheEnvironmentNames() throws Exception {
    // The fake plays the proxy: it gets the absolute URL of a registry it is not.
    fake.on("/v2/app/manifests/1", Reply.of(200, OCI, manifest(5, 6)));
    RegistryClient client = proxied(Map.of("HTTP_PROXY", "http://" + fake.host()));
    ImageInfo info = client.inspect(ImageReference.parse("registry.stagebuild.invalid:5000/app:1"), null, true);
    assertThat(info.size()).isEqualTo(11);
    assertThat(fake.seen).extracting(Seen::target)
        .containsExactly("http://registry.stagebuild.invalid:5000/v2/app/manifests/1");

    fake.seen.clear();
    RegistryClient bypassing = proxied(Map.of("HTTP_PROXY", "http://" + fake.host(),
        "NO_PROXY", "stagebuild.invalid"));
    RegistryException e = failure(() -> bypassing.inspect(
        ImageReference.parse("registry.stagebuild.invalid:5000/app:1"), null, true));
    assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(e.getMessage()).contains("cannot be resolved").doesNotContain("through proxy");
    assertThat(fake.seen).isEmpty();
  }

  @Test
  void anUnreachableProxyIsNamed() throws Exception {
    int closedPort;
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = s.getLocalPort();
    }
    RegistryClient client = proxied(Map.of("HTTPS_PROXY", "http://127.0.0.1:" + closedPort));
    RegistryException e = failure(() -> client.inspect(ImageReference.parse("registry.stagebuild.invalid/app:1"),
        null, false));
    assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(e.getMessage()).contains("through proxy 127.0.0.1:" + closedPort + " (HTTPS_PROXY)",
        "is the proxy running");
  }

  @Test
  void aProxyThisClientCannotUseFailsTheLookUpWithoutSendingAnything() {
    RegistryClient client = proxied(Map.of("HTTP_PROXY", "http://user:pw-SECRET@" + fake.host()));
    RegistryException e = failure(() -> client.inspect(ImageReference.parse("registry.stagebuild.invalid/app:1"),
        null, true));
    assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(e.getMessage()).contains("HTTP_PROXY cannot be used", "proxy credentials").doesNotContain("SECRET");
    assertThat(fake.seen).isEmpty();
  }

  @Test
  void whatTheClientRemembersPerRegistryIsBounded() throws Exception {
    // Every registry host an author names leaves a challenge behind: they must not pile up.
    fake.on("/v2/app/manifests/1", Reply.of(401, "application/json", "{}")
        .with("WWW-Authenticate", "Basic realm=\"fake\""));
    RegistryClient client = RegistryClient.builder().rememberedHosts(20)
        .proxies(EnvironmentProxies.from(Map.of("HTTP_PROXY", "http://" + fake.host()))).build();
    int hosts = 30;
    for (int i = 0; i < hosts; i++) {
      ImageReference ref = ImageReference.parse("r" + i + ".stagebuild.invalid/app:1");
      assertThat(failure(() -> client.inspect(ref, null, true)).reason()).isEqualTo(Reason.UNAUTHORIZED);
    }
    assertThat(fake.seen).hasSize(hosts);
    assertThat(client.rememberedChallengeCount()).isEqualTo(20);
  }
}
