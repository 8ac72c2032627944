package dev.stagebuild.registry;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The registry credentials of a {@code kubernetes.io/dockerconfigjson} secret (its {@code
 * .dockerconfigjson} key), or of a legacy {@code kubernetes.io/dockercfg} secret.
 *
 * <p>Understood entry forms, keyed by registry:
 *
 * <ul>
 *   <li>{@code {"auth": "base64(user:password)"}}
 *   <li>{@code {"username": "...", "password": "..."}}
 *   <li>{@code {"identitytoken": "..."}} (an OAuth2 refresh token; a user name may be given too)
 *   <li>{@code {"registrytoken": "..."}} (a bearer token sent as it is)
 * </ul>
 *
 * <p>Keys are matched by host the way the docker CLI does: a scheme and a path are ignored
 * ({@code https://registry.example.com/v1/} means {@code registry.example.com}), case does not
 * matter, a port must match, and all spellings of Docker Hub are one registry. Credential helpers
 * ({@code credsStore}, {@code credHelpers}) cannot work inside a cluster and are ignored.
 *
 * <p>Immutable and thread-safe. {@link #toString()} never shows secrets.
 */
public final class DockerConfig {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final DockerConfig EMPTY = new DockerConfig(Map.of());

  private final Map<String, Credentials> byHost;

  private DockerConfig(Map<String, Credentials> byHost) {
    this.byHost = byHost;
  }

  /** A config without any credentials. */
  public static DockerConfig empty() {
    return EMPTY;
  }

  /**
   * Parses the content of a {@code .dockerconfigjson} (or {@code .dockercfg}) secret key.
   *
   * @throws IllegalArgumentException when the content is not a docker config; the message names
   *     the problem and the registry key, never a secret
   */
  public static DockerConfig parse(byte[] content) {
    if (content == null || content.length == 0) {
      throw new IllegalArgumentException("docker config is empty");
    }
    JsonNode root;
    try {
      root = JSON.readTree(content);
    } catch (JacksonException e) {
      // Jackson messages may quote the input, which holds secrets: report only where it broke.
      JsonLocation at = e.getLocation();
      String where =
          at == null ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
      throw new IllegalArgumentException("docker config is not valid JSON" + where, null);
    } catch (IOException e) {
      throw new IllegalArgumentException("docker config could not be read", null);
    }
    if (root == null || !root.isObject()) {
      throw new IllegalArgumentException("docker config must be a JSON object");
    }

    JsonNode auths = root.get("auths");
    if (auths == null || auths.isNull()) {
      // The legacy .dockercfg format: registries at the top level. A .dockerconfigjson without
      // "auths" (e.g. only credsStore) has no usable entries.
      auths = looksLikeLegacyFormat(root) ? root : JSON.createObjectNode();
    } else if (!auths.isObject()) {
      throw new IllegalArgumentException("docker config: \"auths\" must be a JSON object");
    }

    Map<String, Credentials> byHost = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : auths.properties()) {
      String key = entry.getKey();
      String host = normalizeHost(key);
      if (host.isEmpty()) {
        throw new IllegalArgumentException("docker config: registry key '" + key + "' has no host");
      }
      Credentials credentials = parseEntry(key, entry.getValue());
      Credentials previous = byHost.get(host);
      if (previous == null || previous.isAnonymous()) {
        byHost.put(host, credentials);
      }
    }
    return new DockerConfig(Collections.unmodifiableMap(byHost));
  }

  private static boolean looksLikeLegacyFormat(JsonNode root) {
    if (root.size() == 0) {
      return false;
    }
    for (Map.Entry<String, JsonNode> entry : root.properties()) {
      JsonNode value = entry.getValue();
      if (!value.isObject()
          || !(value.has("auth") || value.has("username") || value.has("identitytoken"))) {
        return false;
      }
    }
    return true;
  }

  private static Credentials parseEntry(String key, JsonNode entry) {
    if (!entry.isObject()) {
      throw new IllegalArgumentException(
          "docker config: the entry for registry '" + key + "' must be a JSON object");
    }
    String username = text(key, entry, "username");
    String password = text(key, entry, "password");
    String auth = text(key, entry, "auth");
    String identityToken = text(key, entry, "identitytoken");
    String registryToken = text(key, entry, "registrytoken");

    if (auth != null && !auth.isEmpty()) {
      String decoded = decodeAuth(key, auth);
      int colon = decoded.indexOf(':');
      if (colon < 0) {
        throw new IllegalArgumentException(
            "docker config: \"auth\" for registry '"
                + key
                + "' must be the base64 encoding of <username>:<password>");
      }
      username = decoded.substring(0, colon);
      password = decoded.substring(colon + 1);
    }

    if (registryToken != null && !registryToken.isEmpty()) {
      return Credentials.registryToken(registryToken);
    }
    if (identityToken != null && !identityToken.isEmpty()) {
      return Credentials.identityToken(emptyToNull(username), identityToken);
    }
    if ((username == null || username.isEmpty()) && (password == null || password.isEmpty())) {
      return Credentials.anonymous();
    }
    if (username == null || username.isEmpty()) {
      throw new IllegalArgumentException(
          "docker config: the entry for registry '" + key + "' has a password but no username");
    }
    return Credentials.basic(username, password == null ? "" : password);
  }

  private static String decodeAuth(String key, String auth) {
    String compact = auth.replaceAll("\\s", "");
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(compact);
    } catch (IllegalArgumentException e) {
      try {
        bytes = Base64.getUrlDecoder().decode(compact);
      } catch (IllegalArgumentException e2) {
        throw new IllegalArgumentException(
            "docker config: \"auth\" for registry '" + key + "' is not valid base64", null);
      }
    }
    return new String(bytes, StandardCharsets.UTF_8);
  }

  private static String text(String key, JsonNode entry, String field) {
    JsonNode node = entry.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw new IllegalArgumentException(
          "docker config: \"" + field + "\" for registry '" + key + "' must be a string");
    }
    return node.textValue();
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
  }

  /**
   * The host a docker config key or an image's registry means: lower case, without scheme and
   * path, with every spelling of Docker Hub folded into {@link ImageReference#DEFAULT_REGISTRY}.
   */
  static String normalizeHost(String keyOrHost) {
    String host = keyOrHost.trim().toLowerCase(Locale.ROOT);
    int scheme = host.indexOf("://");
    if (scheme >= 0) {
      host = host.substring(scheme + 3);
    }
    int slash = host.indexOf('/');
    if (slash >= 0) {
      host = host.substring(0, slash);
    }
    if (ImageReference.isDefaultRegistry(host)) {
      return ImageReference.DEFAULT_REGISTRY;
    }
    return host;
  }

  /**
   * The credentials for a registry host as written in an image reference (e.g. {@code
   * registry.example.com:5000}); anonymous if the config has none for it.
   */
  public Credentials credentialsFor(String registryHost) {
    return byHost.getOrDefault(normalizeHost(registryHost), Credentials.anonymous());
  }

  /** The credentials for the registry of an image reference. */
  public Credentials credentialsFor(ImageReference reference) {
    return credentialsFor(reference.registry());
  }

  /** The registry hosts this config has entries for, normalized. */
  public Set<String> registries() {
    return byHost.keySet();
  }

  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder("DockerConfig{");
    String sep = "";
    for (Map.Entry<String, Credentials> e : byHost.entrySet()) {
      sb.append(sep).append(e.getKey()).append(": ").append(e.getValue().describe());
      sep = ", ";
    }
    return sb.append('}').toString();
  }
}
