package dev.stagebuild.registry.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A token service for docker-registry's {@code auth: token:} mode, on 127.0.0.1 (JDK {@code
 * HttpServer}). It signs JWTs (ES256, with the certificate in {@code x5c}) with a key whose
 * self-signed certificate is the registry's {@code rootcertbundle}.
 *
 * <p>{@code GET /token?service=..&scope=..} with optional Basic auth, and {@code POST /token} with
 * {@code grant_type=refresh_token} (identity tokens) or {@code grant_type=password}. Known users
 * get every action they ask for; anonymous requests get {@code pull} only if {@link
 * #anonymousPull(boolean)} is on, otherwise a token without access (which the registry then
 * refuses). Wrong passwords get 401. Every request is recorded for assertions.
 */
public final class TokenServer implements AutoCloseable {

  /** Which field(s) the token response carries the token in. */
  public enum TokenField {
    TOKEN,
    ACCESS_TOKEN,
    BOTH
  }

  /** One request the token service received. */
  public record TokenRequest(
      String method, String user, String grantType, String service, List<String> scopes) {}

  public static final String SERVICE = "stagebuild-test-registry";
  public static final String ISSUER = "stagebuild-test-token-service";

  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpServer server;
  private final ExecutorService executor;
  private final TestCertificates.KeyAndCertificate signingKey;
  private final Path directory;
  private final Path rootCertBundle;
  private final Map<String, String> users = new ConcurrentHashMap<>();
  private final Map<String, String> identityTokens = new ConcurrentHashMap<>();
  private final List<TokenRequest> requests = new CopyOnWriteArrayList<>();
  private volatile boolean anonymousPull;
  private volatile boolean oauthPost = true;
  private volatile TokenField tokenField = TokenField.TOKEN;
  private volatile Duration expiresIn = Duration.ofMinutes(5);

  private TokenServer() throws IOException {
    this.signingKey = TestCertificates.selfSigned("stagebuild test token signer", List.of(), List.of());
    this.directory = Files.createTempDirectory("stagebuild-token-");
    this.rootCertBundle = signingKey.writeCertificatePem(directory.resolve("token-root.pem"));
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    this.executor = Executors.newFixedThreadPool(2, r -> {
      Thread t = new Thread(r, "token-server");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/token", this::handle);
    server.start();
  }

  /** Starts a token service on a free loopback port. */
  public static TokenServer start() {
    try {
      return new TokenServer();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the test token service", e);
    }
  }

  /** Adds a user that gets every action it asks for. */
  public TokenServer user(String name, String password) {
    users.put(name, password);
    return this;
  }

  /** Accepts {@code refreshToken} (an identity token) as the given user at {@code POST /token}. */
  public TokenServer identityToken(String refreshToken, String user) {
    identityTokens.put(refreshToken, user);
    return this;
  }

  /** Whether anonymous requests get pull access (default: no access at all). */
  public TokenServer anonymousPull(boolean allowed) {
    this.anonymousPull = allowed;
    return this;
  }

  /** Whether {@code POST /token} (OAuth2) is served; if not, it answers 404 (default: served). */
  public TokenServer oauthPost(boolean served) {
    this.oauthPost = served;
    return this;
  }

  /** Which response field holds the token (default {@code token}). */
  public TokenServer tokenField(TokenField field) {
    this.tokenField = field;
    return this;
  }

  /** The {@code expires_in} of issued tokens, and their JWT lifetime (default 5 minutes). */
  public TokenServer expiresIn(Duration lifetime) {
    this.expiresIn = lifetime;
    return this;
  }

  /** The realm URL to put in the registry's configuration. */
  public URI realm() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/token");
  }

  public String service() {
    return SERVICE;
  }

  public String issuer() {
    return ISSUER;
  }

  /** The PEM file with the certificate the registry must trust ({@code rootcertbundle}). */
  public Path rootCertBundle() {
    return rootCertBundle;
  }

  /** The requests received so far, oldest first. */
  public List<TokenRequest> requests() {
    return List.copyOf(requests);
  }

  public void clearRequests() {
    requests.clear();
  }

  /**
   * A signed token as the service would issue it, without HTTP (e.g. for pushing test images).
   */
  public String mint(String subject, String repository, String... actions) {
    return sign(subject, Map.of(repository, new LinkedHashSet<>(List.of(actions))));
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
    try {
      Files.deleteIfExists(rootCertBundle);
      Files.deleteIfExists(directory);
    } catch (IOException e) {
      // a temp file left behind is not worth failing a test for
    }
  }

  // ---------------------------------------------------------------------------------------------

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      Map<String, List<String>> params = new LinkedHashMap<>();
      parseForm(exchange.getRequestURI().getRawQuery(), params);
      if (method.equals("POST")) {
        if (!oauthPost) {
          record(method, null, null, params);
          respond(exchange, 404, "{\"error\":\"not_found\"}");
          return;
        }
        parseForm(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8), params);
      } else if (!method.equals("GET")) {
        respond(exchange, 405, "{}");
        return;
      }

      String user = null;
      boolean authenticated = false;
      String grantType = first(params, "grant_type");
      String authorization = exchange.getRequestHeaders().getFirst("Authorization");
      if (method.equals("POST") && "refresh_token".equals(grantType)) {
        user = identityTokens.get(first(params, "refresh_token"));
        authenticated = user != null;
        if (!authenticated) {
          record(method, null, grantType, params);
          respond(exchange, 401, "{\"error\":\"invalid_grant\"}");
          return;
        }
      } else if (method.equals("POST") && "password".equals(grantType)) {
        user = first(params, "username");
        authenticated = user != null && first(params, "password") != null
            && first(params, "password").equals(users.get(user));
        if (!authenticated) {
          record(method, user, grantType, params);
          respond(exchange, 401, "{\"error\":\"invalid_grant\"}");
          return;
        }
      } else if (authorization != null) {
        String[] pair = decodeBasic(authorization);
        String who = null;
        if (pair != null && pair[1].equals(users.get(pair[0]))) {
          who = pair[0];
        } else if (pair != null && identityTokens.containsKey(pair[1])) {
          who = identityTokens.get(pair[1]); // an identity token used as a password
        }
        if (who == null) {
          record(method, pair == null ? "?" : pair[0], grantType, params);
          exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"token\"");
          respond(exchange, 401,
              "{\"errors\":[{\"code\":\"UNAUTHORIZED\",\"message\":\"bad credentials\"}]}");
          return;
        }
        user = who;
        authenticated = true;
      }
      record(method, user, grantType, params);

      String service = first(params, "service");
      if (service != null && !service.equals(SERVICE)) {
        respond(exchange, 400, "{\"error\":\"unknown service\"}");
        return;
      }
      Map<String, Set<String>> granted = new LinkedHashMap<>();
      for (String scope : params.getOrDefault("scope", List.of())) {
        for (String one : scope.split(" ")) {
          String[] parts = one.split(":");
          if (parts.length < 3 || !parts[0].equals("repository")) {
            continue;
          }
          String repository = String.join(":", List.of(parts).subList(1, parts.length - 1));
          Set<String> actions = granted.computeIfAbsent(repository, r -> new LinkedHashSet<>());
          for (String action : parts[parts.length - 1].split(",")) {
            if (authenticated || (anonymousPull && action.equals("pull"))) {
              actions.add(action);
            }
          }
        }
      }
      String token = sign(user == null ? "" : user, granted);
      ObjectNode body = JSON.createObjectNode();
      if (tokenField != TokenField.ACCESS_TOKEN) {
        body.put("token", token);
      }
      if (tokenField != TokenField.TOKEN) {
        body.put("access_token", token);
      }
      body.put("expires_in", expiresIn.toSeconds());
      body.put("issued_at", Instant.now().toString());
      respond(exchange, 200, JSON.writeValueAsString(body));
    }
  }

  private void record(String method, String user, String grantType, Map<String, List<String>> params) {
    requests.add(new TokenRequest(method, user, grantType, first(params, "service"),
        List.copyOf(params.getOrDefault("scope", List.of()))));
  }

  private String sign(String subject, Map<String, Set<String>> access) {
    try {
      long now = Instant.now().getEpochSecond();
      ObjectNode header = JSON.createObjectNode();
      header.put("typ", "JWT");
      header.put("alg", "ES256");
      header.putArray("x5c").add(signingKey.certificateBase64Der());
      ObjectNode claims = JSON.createObjectNode();
      claims.put("iss", ISSUER);
      claims.put("sub", subject);
      claims.put("aud", SERVICE);
      claims.put("exp", now + Math.max(1, expiresIn.toSeconds()));
      claims.put("nbf", now - 1);
      claims.put("iat", now);
      claims.put("jti", UUID.randomUUID().toString());
      ArrayNode list = claims.putArray("access");
      access.forEach((repository, actions) -> {
        ObjectNode entry = list.addObject();
        entry.put("type", "repository");
        entry.put("name", repository);
        ArrayNode a = entry.putArray("actions");
        actions.forEach(a::add);
      });
      Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
      String signingInput = b64.encodeToString(JSON.writeValueAsBytes(header)) + "."
          + b64.encodeToString(JSON.writeValueAsBytes(claims));
      Signature signature = Signature.getInstance("SHA256withECDSAinP1363Format");
      signature.initSign(signingKey.privateKey());
      signature.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput + "." + b64.encodeToString(signature.sign());
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot sign a test token", e);
    }
  }

  private static String[] decodeBasic(String authorization) {
    if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
      return null;
    }
    try {
      String pair = new String(Base64.getDecoder().decode(authorization.substring(6).trim()),
          StandardCharsets.UTF_8);
      int colon = pair.indexOf(':');
      return colon < 0 ? null : new String[] {pair.substring(0, colon), pair.substring(colon + 1)};
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static void parseForm(String raw, Map<String, List<String>> into) {
    if (raw == null || raw.isEmpty()) {
      return;
    }
    for (String pair : raw.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      into.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
    }
  }

  private static String first(Map<String, List<String>> params, String name) {
    List<String> values = params.get(name);
    return values == null || values.isEmpty() ? null : values.get(0);
  }

  private static void respond(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }
}
