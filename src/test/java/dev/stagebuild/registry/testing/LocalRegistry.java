package dev.stagebuild.registry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * A real registry for tests: the {@code docker-registry} binary (Debian package {@code
 * docker-registry}, distribution 2.x) serving on 127.0.0.1 with a free port and a temporary
 * storage directory, optionally with htpasswd Basic auth, token auth (with a {@link TokenServer})
 * and/or a self-signed TLS certificate.
 *
 * <pre>{@code
 * try (LocalRegistry registry = LocalRegistry.builder().basicAuth("alice", "pw").start()) {
 *   TestImages.PushedImage image = TestImages.on(registry).push("team/app", "1.0", TestImages.image());
 *   // registry.image("team/app:1.0") is "127.0.0.1:<port>/team/app:1.0"
 * }
 * }</pre>
 *
 * <p>Annotate test classes with {@link RequiresLocalRegistry} so that they are skipped when the
 * binary is missing on a developer machine, and fail when {@code CI=true}.
 *
 * <p>The binary is {@code /usr/bin/docker-registry} unless the system property {@value
 * #BINARY_PROPERTY} or the environment variable {@value #BINARY_ENV} names another.
 */
public final class LocalRegistry implements AutoCloseable {

  public static final String BINARY_PROPERTY = "stagebuild.docker-registry";
  public static final String BINARY_ENV = "STAGEBUILD_DOCKER_REGISTRY";
  public static final String DEFAULT_BINARY = "/usr/bin/docker-registry";

  /** What to tell a person whose machine lacks the binary. */
  public static final String INSTALL_HINT =
      "install docker-registry (apt-get install docker-registry) to run real-registry tests";

  /** How the registry authenticates clients. */
  public enum Auth {
    NONE,
    BASIC,
    TOKEN
  }

  private static final int START_ATTEMPTS = 5;

  private final Path directory;
  private final Path logFile;
  private final int port;
  private final boolean tls;
  private final Auth auth;
  private final String username;
  private final String password;
  private final TokenServer tokenServer;
  private final Process process;
  private final Thread shutdownHook;
  private volatile boolean closed;

  private LocalRegistry(Builder b, Path directory, Path logFile, int port, Process process) {
    this.directory = directory;
    this.logFile = logFile;
    this.port = port;
    this.tls = b.tls;
    this.auth = b.auth;
    this.username = b.username;
    this.password = b.password;
    this.tokenServer = b.tokenServer;
    this.process = process;
    this.shutdownHook = new Thread(process::destroyForcibly, "local-registry-stop-" + port);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  // --- availability ----------------------------------------------------------------------------

  /** The binary to run, from the system property, the environment, or the default path. */
  public static Path binary() {
    String configured = System.getProperty(BINARY_PROPERTY);
    if (configured == null || configured.isBlank()) {
      configured = System.getenv(BINARY_ENV);
    }
    return Paths.get(configured == null || configured.isBlank() ? DEFAULT_BINARY : configured);
  }

  /** Whether the docker-registry binary is installed (an executable file). */
  public static boolean available() {
    Path binary = binary();
    return Files.isRegularFile(binary) && Files.isExecutable(binary);
  }

  // --- starting --------------------------------------------------------------------------------

  /** Starts an anonymous plain-HTTP registry. */
  public static LocalRegistry start() {
    return builder().start();
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Options for a {@link LocalRegistry}. */
  public static final class Builder {
    private Auth auth = Auth.NONE;
    private String username;
    private String password;
    private TokenServer tokenServer;
    private boolean tls;
    private TestCertificates.KeyAndCertificate issuer;
    private Duration startupTimeout = Duration.ofSeconds(20);

    private Builder() {}

    /** HTTP Basic auth with one user (htpasswd file, bcrypt). */
    public Builder basicAuth(String username, String password) {
      if (username.contains(":")) {
        throw new IllegalArgumentException("htpasswd user names cannot contain ':'");
      }
      this.auth = Auth.BASIC;
      this.username = username;
      this.password = password;
      this.tokenServer = null;
      return this;
    }

    /** Bearer token auth, with tokens from the given token service. */
    public Builder tokenAuth(TokenServer tokenServer) {
      this.auth = Auth.TOKEN;
      this.tokenServer = tokenServer;
      this.username = null;
      this.password = null;
      return this;
    }

    /** Serve HTTPS with a self-signed certificate for 127.0.0.1 and localhost. */
    public Builder tls() {
      this.tls = true;
      return this;
    }

    /**
     * Serve HTTPS with a certificate for 127.0.0.1 and localhost that {@code authority} issued
     * (a private CA: clients trust the registry only if they trust that authority).
     */
    public Builder tls(TestCertificates.KeyAndCertificate authority) {
      this.tls = true;
      this.issuer = authority;
      return this;
    }

    /** How long to wait for {@code /v2/} to answer (default 20 s). */
    public Builder startupTimeout(Duration timeout) {
      this.startupTimeout = timeout;
      return this;
    }

    /**
     * Starts the registry and waits until it answers.
     *
     * @throws IllegalStateException if the binary is missing or the registry does not come up
     *     (the message includes the end of its log)
     */
    public LocalRegistry start() {
      if (!available()) {
        throw new IllegalStateException("no docker-registry binary at " + binary() + ": " + INSTALL_HINT);
      }
      try {
        return startWithRetries(this);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot start docker-registry", e);
      }
    }
  }

  private static LocalRegistry startWithRetries(Builder b) throws IOException {
    Path directory = Files.createTempDirectory("stagebuild-registry-");
    try {
      Files.createDirectories(directory.resolve("storage"));
      writeAuthFiles(b, directory);
      String lastLog = "";
      for (int attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
        int port = freePort();
        Path config = directory.resolve("config.yml");
        Files.writeString(config, config(b, directory, port), StandardCharsets.UTF_8);
        Path logFile = directory.resolve("registry-" + attempt + ".log");
        ProcessBuilder pb = new ProcessBuilder(binary().toString(), "serve", config.toString())
            .directory(directory.toFile())
            .redirectErrorStream(true)
            .redirectOutput(logFile.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("REGISTRY_"));
        Process process = pb.start();
        LocalRegistry registry = new LocalRegistry(b, directory, logFile, port, process);
        if (registry.awaitReady(b.startupTimeout)) {
          return registry;
        }
        lastLog = registry.log();
        registry.stopProcess();
        if (!lastLog.contains("address already in use")) {
          break; // not a port race: retrying will not help
        }
      }
      throw new IllegalStateException("docker-registry did not start; its log:\n" + tail(lastLog));
    } catch (IOException | RuntimeException e) {
      deleteRecursively(directory);
      throw e;
    }
  }

  private static void writeAuthFiles(Builder b, Path directory) throws IOException {
    if (b.auth == Auth.BASIC) {
      byte[] salt = new byte[16];
      new SecureRandom().nextBytes(salt);
      // cost 5 keeps tests fast; Go's bcrypt accepts the $2y$ prefix htpasswd -B writes too
      String hash = OpenBSDBCrypt.generate("2y", b.password.toCharArray(), salt, 5);
      Files.writeString(directory.resolve("htpasswd"), b.username + ":" + hash + "\n",
          StandardCharsets.UTF_8);
    }
    if (b.tls) {
      TestCertificates.KeyAndCertificate cert = b.issuer != null
          ? TestCertificates.issuedBy(b.issuer, "127.0.0.1", List.of("localhost"), List.of("127.0.0.1"))
          : TestCertificates.selfSigned("127.0.0.1", List.of("localhost"), List.of("127.0.0.1"));
      cert.writeCertificatePem(directory.resolve("tls.crt"));
      cert.writePrivateKeyPem(directory.resolve("tls.key"));
    }
  }

  private static String config(Builder b, Path dir, int port) {
    byte[] secret = new byte[16];
    new SecureRandom().nextBytes(secret);
    StringBuilder yml = new StringBuilder();
    yml.append("version: 0.1\n")
        .append("log:\n  level: info\n  formatter: text\n")
        .append("storage:\n")
        .append("  filesystem:\n    rootdirectory: ").append(quote(dir.resolve("storage"))).append('\n')
        .append("  delete:\n    enabled: true\n")
        .append("  maintenance:\n    uploadpurging:\n      enabled: false\n")
        .append("http:\n")
        .append("  addr: 127.0.0.1:").append(port).append('\n')
        .append("  secret: ").append(HexFormat.of().formatHex(secret)).append('\n');
    if (b.tls) {
      yml.append("  tls:\n")
          .append("    certificate: ").append(quote(dir.resolve("tls.crt"))).append('\n')
          .append("    key: ").append(quote(dir.resolve("tls.key"))).append('\n');
    }
    if (b.auth == Auth.BASIC) {
      yml.append("auth:\n  htpasswd:\n    realm: stagebuild-test\n    path: ")
          .append(quote(dir.resolve("htpasswd"))).append('\n');
    } else if (b.auth == Auth.TOKEN) {
      yml.append("auth:\n  token:\n")
          .append("    realm: ").append(quote(b.tokenServer.realm().toString())).append('\n')
          .append("    service: ").append(quote(b.tokenServer.service())).append('\n')
          .append("    issuer: ").append(quote(b.tokenServer.issuer())).append('\n')
          .append("    rootcertbundle: ").append(quote(b.tokenServer.rootCertBundle())).append('\n');
    }
    return yml.toString();
  }

  private static String quote(Object value) {
    return "\"" + value.toString().replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  private boolean awaitReady(Duration timeout) {
    HttpClient client = TestHttp.client(Duration.ofSeconds(1));
    HttpRequest ping = HttpRequest.newBuilder(url().resolve("/v2/"))
        .timeout(Duration.ofSeconds(1))
        .GET()
        .build();
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        return false;
      }
      try {
        HttpResponse<Void> r = client.send(ping, HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200 || r.statusCode() == 401) {
          return true;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  // --- using it --------------------------------------------------------------------------------

  /** {@code 127.0.0.1:<port>}: the registry part of image references. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** {@code http://127.0.0.1:<port>} (https with {@link Builder#tls()}). */
  public URI url() {
    return URI.create((tls ? "https" : "http") + "://" + host());
  }

  /** Whether it serves HTTPS (with a self-signed certificate). */
  public boolean tls() {
    return tls;
  }

  public Auth auth() {
    return auth;
  }

  /** An image reference on this registry, e.g. {@code image("team/app:1.0")}. */
  public String image(String repositoryAndReference) {
    return host() + "/" + repositoryAndReference;
  }

  /** The Basic auth user, if any. */
  public Optional<String> username() {
    return Optional.ofNullable(username);
  }

  /** The Basic auth password, if any. */
  public Optional<String> password() {
    return Optional.ofNullable(password);
  }

  /** The token service, with {@link Auth#TOKEN}. */
  public Optional<TokenServer> tokenServer() {
    return Optional.ofNullable(tokenServer);
  }

  /**
   * An {@code Authorization} header value that may push to and pull from {@code repository},
   * or empty for an anonymous registry. For token auth the token is minted directly, without
   * the token service's HTTP endpoint.
   */
  public Optional<String> authorization(String repository) {
    switch (auth) {
      case BASIC:
        return Optional.of("Basic " + base64(username + ":" + password));
      case TOKEN:
        return Optional.of("Bearer " + tokenServer.mint("stagebuild-test-harness", repository, "pull", "push"));
      default:
        return Optional.empty();
    }
  }

  /**
   * A {@code .dockerconfigjson} with this registry's Basic auth user (empty {@code auths} for
   * other modes).
   */
  public byte[] dockerConfigJson() {
    if (auth == Auth.BASIC) {
      return dockerConfigJson(username, password);
    }
    return "{\"auths\":{}}".getBytes(StandardCharsets.UTF_8);
  }

  /** A {@code .dockerconfigjson} with the given user and password for this registry. */
  public byte[] dockerConfigJson(String user, String pass) {
    return ("{\"auths\":{\"" + host() + "\":{\"auth\":\"" + base64(user + ":" + pass) + "\"}}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** The storage directory (blobs and repositories). */
  public Path storageDirectory() {
    return directory.resolve("storage");
  }

  /** What the registry has logged so far. */
  public String log() {
    try {
      return Files.readString(logFile, StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  /** Whether the registry process is still running. */
  public boolean isRunning() {
    return process.isAlive();
  }

  /** Stops the registry and deletes its storage. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopProcess();
    deleteRecursively(directory);
  }

  private void stopProcess() {
    process.destroy();
    try {
      if (!process.waitFor(5, java.util.concurrent.TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(5, java.util.concurrent.TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down already
    }
  }

  @Override
  public String toString() {
    return "LocalRegistry[" + url() + ", auth=" + auth.name().toLowerCase(Locale.ROOT) + "]";
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static String tail(String log) {
    String[] lines = log.split("\n");
    int from = Math.max(0, lines.length - 30);
    return String.join("\n", List.of(lines).subList(from, lines.length));
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort
        }
      });
    } catch (IOException e) {
      // best effort
    }
  }
}
