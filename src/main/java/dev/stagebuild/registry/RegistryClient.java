package dev.stagebuild.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagebuild.registry.LimitedBodyHandler.BodyTooLargeException;
import dev.stagebuild.registry.RegistryException.Reason;
import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;
import org.jboss.logging.Logger;

/**
 * Reads image manifests from an OCI / Docker registry (distribution API v2) to report an image's
 * digest and compressed size.
 *
 * <p>Authentication follows the registry's {@code WWW-Authenticate} challenge: HTTP Basic with the
 * given user and password, or a bearer token from the challenge's realm (requested with the
 * given credentials, an identity token, or anonymously). Tokens are cached per realm, service,
 * scope and credentials until they expire, and challenges per registry, so that repeated calls
 * need no extra round trips; every cache is bounded in size and age.
 *
 * <p>Requests go through the proxies of {@code HTTPS_PROXY}/{@code HTTP_PROXY}/{@code NO_PROXY}
 * ({@link EnvironmentProxies}). A call may bring a {@link CaBundle} to trust besides the JVM's
 * default authorities. {@link #verifyPushed} checks a pushed digest against the tag it was pushed
 * to.
 *
 * <p>One instance is meant to be shared: it is thread-safe and holds the HTTP client and the
 * caches. Credentials are never logged and never appear in exception messages.
 */
public final class RegistryClient {

  private static final Logger LOG = Logger.getLogger(RegistryClient.class);

  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  public static final Duration DEFAULT_REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** The distribution spec lets registries refuse manifests above 4 MiB; so do we. */
  static final int MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
  /**
   * The most image manifests an index may list (attestations aside): each is one request, and each
   * becomes an entry of status.output.platforms, which must stay far below the API server's object
   * limit. A kaniko push is one manifest; multi-platform images list a few dozen at most.
   */
  static final int MAX_PLATFORMS = 128;

  private static final int MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;
  private static final int MAX_REDIRECTS = 5;
  private static final int MAX_CACHED_TOKENS = 1024;
  /** Tokens are used at most this long, whatever their own lifetime. */
  private static final Duration MAX_TOKEN_AGE = Duration.ofHours(1);
  /** Registries whose challenge or TLS fallback is remembered, and for how long. */
  static final int MAX_REMEMBERED_HOSTS = 1024;
  static final Duration HOST_MEMORY = Duration.ofHours(1);
  /** HTTP clients kept for distinct CA bundles (each has its own connection pool). */
  static final int MAX_BUNDLE_CLIENTS = 32;
  /**
   * How long an endpoint that could not be connected to (refused, connect timeout, unknown host)
   * is answered from memory: a build farm's builds that end together while their registry is down
   * do not each make an attempt (or wait out a connect timeout). As long as the default connect
   * timeout, so that look-ups queued behind a timed-out attempt are answered at once.
   */
  static final Duration UNREACHABLE_MEMORY = Duration.ofSeconds(10);
  /** Tokens are not used in the last few seconds before they expire. */
  private static final Duration EXPIRY_MARGIN = Duration.ofSeconds(5);
  /** The lifetime of a token whose response has no {@code expires_in} (distribution spec). */
  private static final Duration DEFAULT_TOKEN_LIFETIME = Duration.ofSeconds(60);

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Duration connectTimeout;
  private final Duration requestTimeout;
  private final Clock clock;
  private final String userAgent;
  private final java.util.Set<String> tokenRealmHosts;
  private final EnvironmentProxies proxies;
  private final HttpClient verifyingClient;
  private volatile HttpClient trustingClient;

  // Every cache is bounded in size and age: registries are named by StageBuild authors.

  /** The last challenge seen per registry origin (scheme://host), for authenticating up front. */
  private final BoundedCache<String, AuthChallenge> challenges;

  private final BoundedCache<TokenKey, CachedToken> tokens;

  /** Insecure registries that turned out to speak TLS after all. */
  private final BoundedCache<String, Boolean> tlsHosts;

  /** A client per CA bundle (by fingerprint) that trusts it besides the JVM's defaults. */
  private final BoundedCache<String, HttpClient> bundleClients;

  /** Why an endpoint (and the proxy to it) could not be connected to, for {@link #UNREACHABLE_MEMORY}. */
  private final BoundedCache<String, String> unreachable;

  /** A client with the default timeouts and the environment's proxies. */
  public RegistryClient() {
    this(builder().proxies(EnvironmentProxies.fromEnvironment()));
  }

  private RegistryClient(Builder builder) {
    this.connectTimeout = builder.connectTimeout;
    this.requestTimeout = builder.requestTimeout;
    this.clock = builder.clock;
    this.userAgent = builder.userAgent;
    this.tokenRealmHosts = builder.tokenRealmHosts;
    this.proxies = builder.proxies;
    this.challenges = new BoundedCache<>(builder.rememberedHosts, HOST_MEMORY, clock);
    this.tlsHosts = new BoundedCache<>(builder.rememberedHosts, HOST_MEMORY, clock);
    this.tokens = new BoundedCache<>(MAX_CACHED_TOKENS, MAX_TOKEN_AGE, clock);
    this.bundleClients = new BoundedCache<>(MAX_BUNDLE_CLIENTS, HOST_MEMORY, clock);
    this.unreachable = new BoundedCache<>(builder.rememberedHosts, UNREACHABLE_MEMORY, clock);
    this.verifyingClient = newHttpClient(builder.sslContext);
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Settings for a {@link RegistryClient}. */
  public static final class Builder {
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration requestTimeout = DEFAULT_REQUEST_TIMEOUT;
    private Clock clock = Clock.systemUTC();
    private String userAgent = "stagebuild-operator";
    private SSLContext sslContext;
    private java.util.Set<String> tokenRealmHosts = TokenRealms.allowlistFromEnvironment();
    private EnvironmentProxies proxies;
    private int rememberedHosts = MAX_REMEMBERED_HOSTS;

    private Builder() {}

    /** How many registries' challenges are remembered (for tests of the bound). */
    Builder rememberedHosts(int hosts) {
      this.rememberedHosts = hosts;
      return this;
    }

    /**
     * The proxies to use (default: those {@code HTTPS_PROXY}, {@code HTTP_PROXY} and {@code
     * NO_PROXY} of the operator's environment name; see {@link EnvironmentProxies}).
     */
    public Builder proxies(EnvironmentProxies proxies) {
      this.proxies = Objects.requireNonNull(proxies, "proxies");
      return this;
    }

    /**
     * Hosts a token realm may be on besides the registry's own host and parent domain (default:
     * {@code STAGEBUILD_TOKEN_REALM_HOSTS}); see {@link TokenRealms}.
     */
    public Builder tokenRealmHosts(java.util.Set<String> hosts) {
      this.tokenRealmHosts = TokenRealms.parse(String.join(",", Objects.requireNonNull(hosts, "hosts")));
      return this;
    }

    /**
     * The TLS context for registries that are not insecure, e.g. one that trusts a private CA
     * (default: the JDK's default trust store).
     */
    public Builder sslContext(SSLContext sslContext) {
      this.sslContext = Objects.requireNonNull(sslContext, "sslContext");
      return this;
    }

    /** How long to wait for a TCP connection (default 10 s). */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = positive(timeout, "connectTimeout");
      return this;
    }

    /** How long one HTTP exchange may take, body included (default 30 s). */
    public Builder requestTimeout(Duration timeout) {
      this.requestTimeout = positive(timeout, "requestTimeout");
      return this;
    }

    /** The clock for token expiry (for tests). */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock");
      return this;
    }

    public Builder userAgent(String userAgent) {
      this.userAgent = Objects.requireNonNull(userAgent, "userAgent");
      return this;
    }

    public RegistryClient build() {
      if (proxies == null) {
        proxies = EnvironmentProxies.fromEnvironment();
      }
      return new RegistryClient(this);
    }

    private static Duration positive(Duration d, String name) {
      Objects.requireNonNull(d, name);
      if (d.isZero() || d.isNegative()) {
        throw new IllegalArgumentException(name + " must be positive");
      }
      return d;
    }
  }

  /**
   * Reads the manifest that {@code reference} points to and reports its digest and size; for an
   * index (or Docker manifest list), also each platform's manifest.
   *
   * @param credentials what to authenticate with; null means anonymous
   * @param insecure the registry speaks plain HTTP (if it turns out to speak TLS after all, any
   *     certificate is accepted)
   * @throws RegistryException with a {@link Reason} and a message that says what to do
   */
  public ImageInfo inspect(ImageReference reference, Credentials credentials, boolean insecure)
      throws RegistryException {
    return inspect(reference, credentials, insecure, null);
  }

  /**
   * As {@link #inspect(ImageReference, Credentials, boolean)}, trusting the certificates of
   * {@code caBundle} (if not null) besides the JVM's default authorities.
   */
  public ImageInfo inspect(ImageReference reference, Credentials credentials, boolean insecure,
      CaBundle caBundle) throws RegistryException {
    Objects.requireNonNull(reference, "reference");
    Call call = new Call(reference, credentials == null ? Credentials.anonymous() : credentials, insecure,
        caBundle);
    return call.inspect();
  }

  /**
   * Checks a pushed image: reads what {@code tag} resolves to and, unless that is {@code
   * reportedDigest}, whether the tag's repository holds a manifest under {@code reportedDigest}.
   * The image reported back is always that of {@code reportedDigest} (its manifest's content
   * checked against the digest), never whatever else the tag holds.
   *
   * @param tag the reference pushed to (a tag, or none for {@code latest}; not a digest)
   * @param reportedDigest the digest the push reported
   * @throws RegistryException when the registry could not be asked (unreachable, unauthorized,
   *     a broken answer); a tag or digest that does not exist is a {@link PushCheck} verdict
   */
  public PushCheck verifyPushed(ImageReference tag, String reportedDigest, Credentials credentials,
      boolean insecure, CaBundle caBundle) throws RegistryException {
    Objects.requireNonNull(tag, "tag");
    Objects.requireNonNull(reportedDigest, "reportedDigest");
    if (tag.digest().isPresent()) {
      throw new IllegalArgumentException("verifyPushed needs the pushed tag, not a digest: " + tag);
    }
    tag.withDigest(reportedDigest); // checks that it is a digest
    Call call = new Call(tag, credentials == null ? Credentials.anonymous() : credentials, insecure, caBundle);
    return call.verify(reportedDigest);
  }

  /** Forgets cached tokens and challenges. */
  public void clearCaches() {
    tokens.clear();
    challenges.clear();
    tlsHosts.clear();
    bundleClients.clear();
    unreachable.clear();
  }

  /** The number of cached tokens (for tests). */
  int cachedTokenCount() {
    return tokens.size();
  }

  /** The number of registries whose challenge is remembered (for tests). */
  int rememberedChallengeCount() {
    return challenges.size();
  }

  // ---------------------------------------------------------------------------------------------

  /** The state of one {@link #inspect} call. */
  private final class Call {
    private final ImageReference ref;
    private final Credentials credentials;
    private final boolean insecure;
    private final CaBundle caBundle;
    private final String host;
    private String scheme;
    private String authorization;
    private TokenKey tokenKey;
    private boolean reauthenticated;
    private boolean preauthenticated;

    Call(ImageReference ref, Credentials credentials, boolean insecure, CaBundle caBundle) {
      this.ref = ref;
      this.credentials = credentials;
      this.insecure = insecure;
      this.caBundle = caBundle;
      this.host = ref.apiHost();
      this.scheme = insecure && !tlsHosts.containsKey(host) ? "http" : "https";
    }

    HttpClient http() {
      if (insecure) {
        return trustingClient();
      }
      return caBundle == null ? verifyingClient : bundleClient(caBundle);
    }

    String origin() {
      return scheme + "://" + host;
    }

    ImageInfo inspect() throws RegistryException {
      String what = ref.toString();
      Response top = fetchManifest(ref.reference(), what);
      String digest;
      if (ref.digest().isPresent()) {
        digest = ref.digest().get();
        checkContent(digest, top, what);
      } else {
        digest = digestOf(top);
      }
      return describe(ref, top, digest, what);
    }

    PushCheck verify(String reported) throws RegistryException {
      String tagWhat = ref.toString();
      String tagDigest = null;
      Response tagged = null;
      try {
        tagged = fetchManifest(ref.reference(), tagWhat);
      } catch (RegistryException e) {
        if (e.reason() != Reason.NOT_FOUND) {
          throw e;
        }
      }
      ImageReference pinned = ref.withDigest(reported);
      String pinnedWhat = pinned.toString();
      if (tagged != null) {
        // What the tag resolves to, from the content (a registry serves the bytes it stores), not
        // from the digest header: only sha256 digests are reported by builds.
        tagDigest = reported.startsWith("sha256:") ? Manifests.sha256(tagged.body) : digestOf(tagged);
        if (reported.equals(tagDigest)) {
          return new PushCheck(PushCheck.Verdict.VERIFIED, reported, tagDigest,
              describe(pinned, tagged, reported, pinnedWhat));
        }
      }
      Response byDigestResponse = null;
      try {
        byDigestResponse = fetchManifest(reported, pinnedWhat);
      } catch (RegistryException e) {
        if (e.reason() != Reason.NOT_FOUND) {
          throw e;
        }
      }
      ImageInfo byDigest = null;
      if (byDigestResponse != null) {
        checkContent(reported, byDigestResponse, pinnedWhat);
        // a platform manifest of an index that is missing is an error, not a verdict
        byDigest = describe(pinned, byDigestResponse, reported, pinnedWhat);
      }
      PushCheck.Verdict verdict = PushCheck.decide(reported, tagDigest, byDigest != null);
      return new PushCheck(verdict, reported, tagDigest, byDigest);
    }

    private String digestOf(Response r) {
      String header = r.headers.firstValue("Docker-Content-Digest").orElse("").trim();
      return Manifests.isDigest(header) ? header : Manifests.sha256(r.body);
    }

    private void checkContent(String digest, Response r, String what) throws RegistryException {
      if (!Manifests.matches(digest, r.body)) {
        throw new RegistryException(
            Reason.PROTOCOL,
            "registry "
                + host
                + " returned a manifest for "
                + what
                + " whose content does not match the requested digest");
      }
    }

    /** The image that {@code top} (the manifest under {@code digest}) describes. */
    private ImageInfo describe(ImageReference reference, Response top, String digest, String what)
        throws RegistryException {
      Manifests.Parsed parsed = Manifests.parse(top.body, top.contentType(), what);
      ImageReference ref = reference;

      if (parsed instanceof Manifests.Image) {
        Manifests.Image image = (Manifests.Image) parsed;
        return new ImageInfo(ref, digest, image.mediaType(), image.size(), List.of());
      }

      Manifests.Index index = (Manifests.Index) parsed;
      long images = index.manifests().stream().filter(d -> !d.attestation() && d.isImageManifest()).count();
      if (images > MAX_PLATFORMS) {
        throw new RegistryException(Reason.PROTOCOL, "index " + what + " lists " + images + " image manifests,"
            + " more than " + MAX_PLATFORMS + " image manifests StageBuild reads");
      }
      List<PlatformManifest> platforms = new ArrayList<>();
      List<String> skipped = new ArrayList<>();
      for (Manifests.Descriptor d : index.manifests()) {
        if (d.attestation()) {
          continue;
        }
        if (!d.isImageManifest()) {
          // the registry is the author's: only a few, short ones go into the message kept in memory
          String type = String.valueOf(d.mediaType());
          type = type.length() > 128 ? type.substring(0, 128) + "..." : type;
          if (skipped.size() < 5 && !skipped.contains(type)) {
            skipped.add(type);
          }
          LOG.debugf(
              "%s: skipping index entry %s of media type %s", what, d.digest(), d.mediaType());
          continue;
        }
        String childWhat = ref.name() + "@" + d.digest() + " (" + d.platform() + ")";
        Response child = fetchManifest(d.digest(), childWhat);
        if (!Manifests.matches(d.digest(), child.body)) {
          throw new RegistryException(
              Reason.PROTOCOL,
              "registry "
                  + host
                  + " returned a manifest for "
                  + childWhat
                  + " whose content does not match its digest");
        }
        Manifests.Parsed childParsed = Manifests.parse(child.body, child.contentType(), childWhat);
        if (!(childParsed instanceof Manifests.Image)) {
          throw new RegistryException(
              Reason.PROTOCOL,
              "index " + what + " lists " + childWhat + " as an image, but it is an index");
        }
        Manifests.Image image = (Manifests.Image) childParsed;
        platforms.add(
            new PlatformManifest(d.platform(), d.digest(), image.mediaType(), image.size()));
      }
      if (platforms.isEmpty()) {
        throw new RegistryException(
            Reason.PROTOCOL,
            "index "
                + what
                + " lists no image manifests"
                + (skipped.isEmpty() ? "" : " (only entries of media types " + skipped + ")"));
      }
      List<String> names = new ArrayList<>();
      platforms.forEach(p -> names.add(p.platform()));
      long size = platforms.get(Manifests.representativeIndex(names)).size();
      return new ImageInfo(ref, digest, index.mediaType(), size, platforms);
    }

    Response fetchManifest(String reference, String what) throws RegistryException {
      Response r = registryGet("/v2/" + ref.repository() + "/manifests/" + reference, what);
      switch (r.status) {
        case 200:
          return r;
        case 404:
          throw notFound(r, reference, what);
        case 401:
        case 403:
          throw unauthorized(r, what);
        default:
          throw new RegistryException(
              Reason.PROTOCOL,
              "registry "
                  + host
                  + " answered HTTP "
                  + r.status
                  + " when asked for the manifest of "
                  + what
                  + errorSuffix(r)
                  + (r.status >= 500 || r.status == 429 ? "; try again later" : ""));
      }
    }

    /** GET from the registry with authentication; 401 comes back only if auth failed. */
    Response registryGet(String path, String what) throws RegistryException {
      if (!preauthenticated) {
        preauthenticated = true;
        authorization = preauthorize();
      }
      Response r = exchangeWithSchemeFallback(path, what);
      if (r.status == 401 && !reauthenticated) {
        reauthenticated = true;
        List<AuthChallenge> offered =
            AuthChallenge.parseAll(r.headers.allValues("WWW-Authenticate"));
        if (tokenKey != null) {
          tokens.remove(tokenKey); // a cached token that the registry no longer accepts
        }
        authorization = authenticate(offered, r, what);
        r = exchangeWithSchemeFallback(path, what);
      }
      return r;
    }

    private Response exchangeWithSchemeFallback(String path, String what) throws RegistryException {
      Response r = exchange(path, what);
      if (insecure && scheme.equals("http") && r.status == 400 && speaksTls(r)) {
        LOG.debugf("%s speaks TLS on its port; switching to https", host);
        tlsHosts.put(host, Boolean.TRUE);
        scheme = "https";
        r = exchange(path, what);
      }
      return r;
    }

    private boolean speaksTls(Response r) {
      String body = new String(r.body, StandardCharsets.UTF_8);
      return body.contains("HTTP request to an HTTPS server");
    }

    private Response exchange(String path, String what) throws RegistryException {
      URI uri = URI.create(origin() + path);
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("Accept", Manifests.ACCEPT);
      return send(http(), "GET", uri, headers, authorization, null, MAX_MANIFEST_BYTES, insecure,
          "registry " + host, what);
    }

    /** An Authorization header from what earlier calls learned, or null. */
    private String preauthorize() throws RegistryException {
      if (credentials.kind() == Credentials.Kind.REGISTRY_TOKEN) {
        return "Bearer " + credentials.secret();
      }
      AuthChallenge known = challenges.get(origin());
      if (known == null) {
        return null;
      }
      if (known.isBearer()) {
        return "Bearer " + token(known, defaultScope(), ref.toString());
      }
      if (known.isBasic() && credentials.kind() == Credentials.Kind.BASIC) {
        return basicHeader(credentials.username().orElse(""), credentials.secret());
      }
      return null;
    }

    private String defaultScope() {
      return "repository:" + ref.repository() + ":pull";
    }

    /** The Authorization header that answers one of the challenges. */
    private String authenticate(List<AuthChallenge> offered, Response r, String what)
        throws RegistryException {
      if (credentials.kind() == Credentials.Kind.REGISTRY_TOKEN) {
        throw unauthorized(r, what);
      }
      AuthChallenge bearer = null;
      AuthChallenge basic = null;
      for (AuthChallenge c : offered) {
        if (c.isBearer() && bearer == null && c.realm() != null) {
          bearer = c;
        } else if (c.isBasic() && basic == null) {
          basic = c;
        }
      }
      if (bearer != null) {
        challenges.put(origin(), bearer);
        String scope = bearer.scope() != null && !bearer.scope().isBlank()
            ? bearer.scope()
            : defaultScope();
        return "Bearer " + token(bearer, scope, what);
      }
      if (basic != null || offered.isEmpty()) {
        if (basic != null) {
          challenges.put(origin(), basic);
        }
        if (credentials.kind() == Credentials.Kind.BASIC) {
          return basicHeader(credentials.username().orElse(""), credentials.secret());
        }
        throw unauthorized(r, what);
      }
      List<String> schemes = new ArrayList<>();
      offered.forEach(c -> schemes.add(c.scheme()));
      throw new RegistryException(
          Reason.PROTOCOL,
          "registry "
              + host
              + " asks for authentication schemes "
              + schemes
              + " for "
              + what
              + "; only Bearer and Basic are supported");
    }

    /** A bearer token for the challenge's realm and the scope, from the cache or the realm. */
    private String token(AuthChallenge challenge, String scope, String what)
        throws RegistryException {
      String realm = challenge.realm();
      String service = challenge.service();
      TokenKey key = new TokenKey(realm, service, scope, credentials);
      tokenKey = key;
      Instant now = clock.instant();
      CachedToken cached = tokens.get(key);
      if (cached != null && now.isBefore(cached.usableUntil)) {
        return cached.token;
      }
      CachedToken fresh = requestToken(realm, service, scope, what);
      putToken(key, fresh);
      return fresh.token;
    }

    private CachedToken requestToken(String realm, String service, String scope, String what)
        throws RegistryException {
      URI realmUri;
      try {
        realmUri = new URI(realm);
      } catch (URISyntaxException e) {
        throw new RegistryException(
            Reason.PROTOCOL, "registry " + host + " names an invalid token realm '" + realm + "'");
      }
      String realmScheme = lower(realmUri.getScheme());
      if (!("http".equals(realmScheme) || "https".equals(realmScheme))
          || realmUri.getHost() == null) {
        throw new RegistryException(
            Reason.PROTOCOL, "registry " + host + " names an invalid token realm '" + realm + "'");
      }
      String realmName = realmScheme + "://" + realmUri.getRawAuthority() + realmUri.getRawPath();
      if (!TokenRealms.allowed(host, realmUri.getHost(), tokenRealmHosts)) {
        throw new RegistryException(
            Reason.PROTOCOL,
            "registry " + host + " names a token service on another host (" + realmName + "); refusing"
                + " to request tokens there (allow the host with " + TokenRealms.ALLOWLIST_ENV + ")");
      }
      if ("http".equals(realmScheme) && !insecure && !credentials.isAnonymous()) {
        throw new RegistryException(
            Reason.PROTOCOL,
            "the token service "
                + realmName
                + " of registry "
                + host
                + " uses plain HTTP; refusing to send "
                + credentials.describe()
                + " over it (mark the registry insecure if that is intended)");
      }
      String label = "token service " + realmName;
      HttpClient client = http();
      long started = System.nanoTime();

      Response r = null;
      if (credentials.kind() == Credentials.Kind.IDENTITY_TOKEN) {
        StringBuilder form = new StringBuilder();
        form.append("grant_type=refresh_token");
        appendParam(form, "refresh_token", credentials.secret());
        if (service != null) {
          appendParam(form, "service", service);
        }
        appendParam(form, "scope", scope);
        appendParam(form, "client_id", userAgent);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Content-Type", "application/x-www-form-urlencoded");
        headers.put("Accept", "application/json");
        r = send(client, "POST", realmUri, headers, null,
            form.toString().getBytes(StandardCharsets.UTF_8), MAX_TOKEN_RESPONSE_BYTES, insecure,
            label, what);
        if (r.status == 404 || r.status == 405) {
          r = null; // no OAuth2 endpoint: fall back to GET as the token spec says
        }
      }
      if (r == null) {
        StringBuilder query = new StringBuilder();
        if (service != null) {
          appendParam(query, "service", service);
        }
        for (String s : scope.trim().split("\\s+")) {
          appendParam(query, "scope", s);
        }
        String auth = null;
        if (credentials.kind() == Credentials.Kind.BASIC) {
          auth = basicHeader(credentials.username().orElse(""), credentials.secret());
          appendParam(query, "account", credentials.username().orElse(""));
        } else if (credentials.kind() == Credentials.Kind.IDENTITY_TOKEN
            && credentials.username().isPresent()) {
          auth = basicHeader(credentials.username().get(), credentials.secret());
        }
        String base = realmUri.toString();
        URI uri = URI.create(base + (realmUri.getRawQuery() == null ? "?" : "&") + query);
        Map<String, String> headers = new LinkedHashMap<>();
        headers.put("Accept", "application/json");
        r = send(client, "GET", uri, headers, auth, null, MAX_TOKEN_RESPONSE_BYTES, insecure, label,
            what);
      }
      LOG.debugf("%s answered HTTP %d for scope %s in %d ms", label, r.status, scope,
          (System.nanoTime() - started) / 1_000_000);

      if (r.status == 401 || r.status == 403) {
        throw new RegistryException(
            Reason.UNAUTHORIZED,
            "the "
                + label
                + " of registry "
                + host
                + " rejected "
                + credentials.describe()
                + " (HTTP "
                + r.status
                + ") for "
                + scope
                + "; check the credentials for "
                + ref.registry()
                + " in the push secret");
      }
      if (r.status != 200) {
        throw new RegistryException(
            Reason.PROTOCOL,
            "the " + label + " of registry " + host + " answered HTTP " + r.status
                + " to a token request for " + scope);
      }
      JsonNode body;
      try {
        body = JSON.readTree(r.body);
      } catch (IOException e) {
        body = null;
      }
      if (body == null || !body.isObject()) {
        throw new RegistryException(
            Reason.PROTOCOL,
            "the " + label + " of registry " + host + " sent a response that is not JSON");
      }
      String token = textOrEmpty(body.get("token"));
      if (token.isEmpty()) {
        token = textOrEmpty(body.get("access_token"));
      }
      if (token.isEmpty()) {
        throw new RegistryException(
            Reason.PROTOCOL,
            "the " + label + " of registry " + host
                + " sent a response without \"token\" or \"access_token\"");
      }
      Duration lifetime = DEFAULT_TOKEN_LIFETIME;
      JsonNode expiresIn = body.get("expires_in");
      if (expiresIn != null && expiresIn.isNumber() && expiresIn.asLong() > 0) {
        lifetime = Duration.ofSeconds(expiresIn.asLong());
      }
      Duration margin = lifetime.compareTo(EXPIRY_MARGIN.multipliedBy(2)) > 0
          ? EXPIRY_MARGIN
          : lifetime.dividedBy(2);
      return new CachedToken(token, clock.instant().plus(lifetime).minus(margin));
    }

    private RegistryException unauthorized(Response r, String what) {
      List<AuthChallenge> offered = AuthChallenge.parseAll(r.headers.allValues("WWW-Authenticate"));
      String error = null;
      for (AuthChallenge c : offered) {
        if (c.param("error") != null) {
          error = c.param("error");
        }
      }
      StringBuilder msg = new StringBuilder();
      msg.append("registry ").append(host).append(" denied access to ").append(what)
          .append(" (HTTP ").append(r.status);
      if (error != null) {
        msg.append(", ").append(error);
      }
      msg.append(")");
      String registryError = registryErrors(r);
      if (!registryError.isEmpty()) {
        msg.append(": ").append(registryError);
      }
      if (credentials.isAnonymous()) {
        msg.append("; no credentials for ").append(ref.registry())
            .append(" were given, so access was anonymous: add them to the push secret");
      } else {
        msg.append("; tried ").append(credentials.describe())
            .append(": check those credentials in the push secret, and that they may pull ")
            .append(ref.repository());
      }
      return new RegistryException(Reason.UNAUTHORIZED, msg.toString());
    }

    private RegistryException notFound(Response r, String reference, String what) {
      String codes = registryErrors(r);
      String detail;
      if (codes.contains("NAME_UNKNOWN")) {
        detail = "repository " + ref.repository() + " does not exist on " + host;
      } else {
        detail = "repository " + ref.repository() + " on " + host + " has no manifest " + reference;
      }
      return new RegistryException(Reason.NOT_FOUND, "image " + what + " not found: " + detail
          + (codes.isEmpty() ? "" : " (" + codes + ")"));
    }

    private String errorSuffix(Response r) {
      String errors = registryErrors(r);
      return errors.isEmpty() ? "" : ": " + errors;
    }
  }

  // ---------------------------------------------------------------------------------------------

  private record TokenKey(String realm, String service, String scope, Credentials credentials) {}

  private record CachedToken(String token, Instant usableUntil) {}

  private void putToken(TokenKey key, CachedToken token) {
    tokens.put(key, token, token.usableUntil);
  }

  private record Response(int status, HttpHeaders headers, byte[] body, URI uri) {
    String contentType() {
      return headers.firstValue("Content-Type").orElse(null);
    }
  }

  /**
   * One HTTP exchange, following redirects by hand so that the Authorization header only goes
   * to the origin it was meant for. All I/O failures become {@link Reason#UNREACHABLE}.
   */
  private Response send(HttpClient client, String method, URI uri, Map<String, String> headers,
      String authorization, byte[] body, int maxBody, boolean insecure, String peer, String what)
      throws RegistryException {
    URI current = uri;
    String auth = authorization;
    for (int hop = 0; ; hop++) {
      String proxyProblem = proxies.problem(current);
      if (proxyProblem != null) {
        throw new RegistryException(Reason.UNREACHABLE, "cannot reach " + peer + " at " + current.getScheme()
            + "://" + current.getRawAuthority() + " to read " + what + ": " + proxyProblem);
      }
      HttpRequest.Builder b = HttpRequest.newBuilder(current).timeout(requestTimeout)
          .header("User-Agent", userAgent);
      headers.forEach(b::header);
      if (auth != null) {
        b.header("Authorization", auth);
      }
      if (body != null) {
        b.method(method, HttpRequest.BodyPublishers.ofByteArray(body));
      } else {
        b.method(method, HttpRequest.BodyPublishers.noBody());
      }
      Response r = execute(client, b.build(), maxBody, peer, what, client != verifyingClient
          && client != trustingClient);
      LOG.debugf("%s %s -> HTTP %d", method, current, r.status);
      boolean redirect = r.status == 301 || r.status == 302 || r.status == 303
          || r.status == 307 || r.status == 308;
      if (!redirect || !method.equals("GET")) {
        return r;
      }
      Optional<String> location = r.headers.firstValue("Location");
      if (location.isEmpty()) {
        return r;
      }
      if (hop >= MAX_REDIRECTS) {
        throw new RegistryException(
            Reason.PROTOCOL,
            peer + " redirected more than " + MAX_REDIRECTS + " times for " + what);
      }
      URI next;
      try {
        next = current.resolve(new URI(location.get()));
      } catch (URISyntaxException | IllegalArgumentException e) {
        throw new RegistryException(
            Reason.PROTOCOL, peer + " redirected to an invalid location for " + what);
      }
      String nextScheme = next.getScheme() == null ? "" : next.getScheme().toLowerCase(Locale.ROOT);
      if (!(nextScheme.equals("https") || (nextScheme.equals("http")
          && (insecure || "http".equalsIgnoreCase(current.getScheme()))))) {
        throw new RegistryException(
            Reason.PROTOCOL,
            peer + " redirected " + what + " to " + nextScheme + "://" + next.getRawAuthority()
                + ", which this client does not follow from " + current.getScheme());
      }
      if (!sameOrigin(current, next)) {
        auth = null;
      }
      current = next;
    }
  }

  private static boolean sameOrigin(URI a, URI b) {
    return Objects.equals(lower(a.getScheme()), lower(b.getScheme()))
        && Objects.equals(lower(a.getHost()), lower(b.getHost()))
        && port(a) == port(b);
  }

  private static String lower(String s) {
    return s == null ? null : s.toLowerCase(Locale.ROOT);
  }

  private static int port(URI u) {
    if (u.getPort() >= 0) {
      return u.getPort();
    }
    return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
  }

  private Response execute(HttpClient client, HttpRequest request, int maxBody, String peer,
      String what, boolean withCaBundle) throws RegistryException {
    String route = endpoint(request) + " " + proxies.describe(request.uri());
    String remembered = unreachable.get(route);
    if (remembered != null) {
      throw unreachable(request, peer, what, remembered + " (an attempt less than "
          + seconds(UNREACHABLE_MEMORY) + " ago; not tried again until then)", null);
    }
    CompletableFuture<java.net.http.HttpResponse<byte[]>> future =
        client.sendAsync(request, new LimitedBodyHandler(maxBody));
    try {
      // The request timeout bounds the wait for the response headers; this bounds the body too.
      java.net.http.HttpResponse<byte[]> response =
          future.get(requestTimeout.toMillis() + 1000, TimeUnit.MILLISECONDS);
      // Reachable after all (an attempt that was under way when another failed): forget that failure.
      unreachable.remove(route);
      return new Response(response.statusCode(), response.headers(), response.body(),
          request.uri());
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new RegistryException(
          Reason.UNREACHABLE, "interrupted while talking to " + peer + " about " + what, e);
    } catch (TimeoutException e) {
      future.cancel(true);
      throw new RegistryException(
          Reason.UNREACHABLE,
          peer + " did not answer within " + seconds(requestTimeout) + " (" + endpoint(request)
              + ") while reading " + what);
    } catch (ExecutionException e) {
      throw ioFailure(e.getCause() == null ? e : e.getCause(), request, route, peer, what, withCaBundle);
    }
  }

  private RegistryException ioFailure(Throwable t, HttpRequest request, String route, String peer, String what,
      boolean withCaBundle) {
    BodyTooLargeException big = find(t, BodyTooLargeException.class);
    if (big != null) {
      return new RegistryException(
          Reason.PROTOCOL, peer + " sent more than " + big.limit + " bytes for " + what);
    }
    String cause;
    SSLException ssl = find(t, SSLException.class);
    ConnectException refused = find(t, ConnectException.class);
    // Set by the branches that mean no connection was made: the endpoint is remembered as unreachable.
    boolean noConnection = false;
    if (find(t, HttpConnectTimeoutException.class) != null) {
      cause = "connecting timed out after " + seconds(connectTimeout);
      noConnection = true;
    } else if (find(t, HttpTimeoutException.class) != null) {
      cause = "no answer within " + seconds(requestTimeout);
    } else if (find(t, UnresolvedAddressException.class) != null
        || find(t, UnknownHostException.class) != null) {
      java.net.InetSocketAddress proxy = proxies.proxyFor(request.uri());
      cause = proxy != null
          ? "the proxy's host name " + proxy.getHostString() + " cannot be resolved (DNS)"
          : "host name " + request.uri().getHost() + " cannot be resolved (DNS)";
      noConnection = true;
    } else if (ssl != null) {
      String m = String.valueOf(ssl.getMessage());
      String why;
      boolean untrusted = m.contains("PKIX") || m.contains("certification path");
      if (untrusted) {
        why = withCaBundle
            ? "its certificate is not trusted, not even with the CA bundle of spec.output.caBundleRef"
            : "its certificate is not trusted (self-signed or from an unknown authority)";
      } else if (m.contains("plaintext") || m.contains("Unrecognized SSL message")) {
        why = "it does not speak TLS (plain HTTP?)";
      } else {
        why = m;
      }
      if (untrusted && withCaBundle) {
        cause = "TLS handshake failed: " + why + ": the bundle must hold the certificate of the authority"
            + " that signed the registry's certificate (or of one above it)";
      } else {
        cause = "TLS handshake failed: " + why
            + (untrusted
                ? "; if its certificate comes from a private authority, put that authority's certificate"
                    + " in a ConfigMap and name it in spec.output.caBundleRef"
                : "")
            + "; if the registry speaks plain HTTP or has a certificate that cannot be verified,"
            + " mark it insecure";
      }
    } else if (refused != null) {
      String m = refused.getMessage();
      cause = (m == null || m.isBlank() ? "connection refused" : m)
          + (proxies.proxyFor(request.uri()) != null
              ? " (is the proxy running, and are its host and port right?)"
              : " (is the registry running, and are host and port right?)");
      noConnection = true;
    } else {
      cause = t.getClass().getSimpleName() + (t.getMessage() == null ? "" : ": " + t.getMessage());
    }
    if (noConnection) {
      unreachable.put(route, cause);
    }
    return unreachable(request, peer, what, cause, t);
  }

  private RegistryException unreachable(HttpRequest request, String peer, String what, String cause, Throwable t) {
    String via = proxies.describe(request.uri());
    return new RegistryException(
        Reason.UNREACHABLE,
        "cannot reach " + peer + " at " + endpoint(request) + (via.isEmpty() ? "" : " " + via)
            + " to read " + what + ": " + cause,
        t);
  }

  private static String endpoint(HttpRequest request) {
    URI u = request.uri();
    return u.getScheme() + "://" + u.getRawAuthority();
  }

  @SuppressWarnings("unchecked")
  private static <T extends Throwable> T find(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (type.isInstance(c)) {
        return (T) c;
      }
      if (c.getCause() == c) {
        break;
      }
    }
    return null;
  }

  private static String seconds(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + " s" : ms + " ms";
  }

  private static String basicHeader(String user, String password) {
    String pair = user + ":" + password;
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  private static void appendParam(StringBuilder sb, String name, String value) {
    if (sb.length() > 0) {
      sb.append('&');
    }
    sb.append(URLEncoder.encode(name, StandardCharsets.UTF_8)).append('=')
        .append(URLEncoder.encode(value, StandardCharsets.UTF_8));
  }

  private static String textOrEmpty(JsonNode node) {
    return node != null && node.isTextual() ? node.textValue() : "";
  }

  /** The registry's error codes and messages from an error body, shortened, or "". */
  static String registryErrors(Response r) {
    return registryErrors(r.body);
  }

  static String registryErrors(byte[] body) {
    if (body == null || body.length == 0) {
      return "";
    }
    try {
      JsonNode root = JSON.readTree(body);
      JsonNode errors = root == null ? null : root.get("errors");
      if (errors != null && errors.isArray()) {
        List<String> parts = new ArrayList<>();
        for (JsonNode e : errors) {
          String code = textOrEmpty(e.get("code"));
          String message = textOrEmpty(e.get("message"));
          parts.add(code.isEmpty() ? message : message.isEmpty() ? code : code + ": " + message);
          if (parts.size() == 3) {
            break;
          }
        }
        return shorten(String.join("; ", parts));
      }
    } catch (IOException | RuntimeException e) {
      // not JSON: fall through
    }
    return "";
  }

  private static String shorten(String s) {
    String clean = s.replaceAll("[\\p{Cntrl}]", " ").trim();
    return clean.length() > 300 ? clean.substring(0, 300) + "..." : clean;
  }

  // ---------------------------------------------------------------------------------------------

  private HttpClient trustingClient() {
    HttpClient c = trustingClient;
    if (c == null) {
      synchronized (this) {
        c = trustingClient;
        if (c == null) {
          try {
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(null, new TrustManager[] {new TrustEverything()}, null);
            c = newHttpClient(ssl);
          } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS for insecure registries", e);
          }
          trustingClient = c;
        }
      }
    }
    return c;
  }

  /** The client that trusts {@code bundle} besides the JVM's authorities (one per distinct bundle). */
  private HttpClient bundleClient(CaBundle bundle) {
    return bundleClients.computeIfAbsent(bundle.fingerprint(), k -> {
      try {
        return newHttpClient(bundle.sslContext());
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("cannot set up TLS with the CA bundle " + bundle, e);
      }
    });
  }

  private HttpClient newHttpClient(SSLContext ssl) {
    HttpClient.Builder b = HttpClient.newBuilder()
        .proxy(proxies)
        .connectTimeout(connectTimeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .version(HttpClient.Version.HTTP_1_1);
    if (ssl != null) {
      b.sslContext(ssl);
    }
    return b.build();
  }

  /**
   * Accepts any server certificate and any host name, for registries marked insecure. Being an
   * {@link X509ExtendedTrustManager}, it also replaces the JDK's host name check.
   */
  private static final class TrustEverything extends X509ExtendedTrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
