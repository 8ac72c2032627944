package dev.stagebuild.registry;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A parsed image reference such as {@code registry.example.com:5000/team/app:1.0} or
 * {@code app@sha256:...}, following the grammar of the distribution reference package: an
 * optional registry host (with port), a repository path, and a tag and/or a digest.
 *
 * <p>A first path component is a registry host when it contains a {@code .} or a {@code :},
 * is {@code localhost}, or contains an upper-case letter; otherwise the reference names a
 * repository on the default registry (Docker Hub), where a single-component name gets the
 * {@code library/} prefix.
 *
 * <p>The reference remembers how the user spelled the name, so that {@link #withDigest(String)}
 * gives back a pinned reference in the same spelling (for {@code status.output.imageRef}).
 * Instances are immutable.
 */
public final class ImageReference {

  /** The registry that a reference without a registry host refers to (Docker Hub). */
  public static final String DEFAULT_REGISTRY = "docker.io";

  /** The host that serves the registry API for {@link #DEFAULT_REGISTRY}. */
  public static final String DEFAULT_REGISTRY_API_HOST = "registry-1.docker.io";

  /** The legacy index host of the default registry, as used in docker config files. */
  public static final String DEFAULT_REGISTRY_INDEX_HOST = "index.docker.io";

  /** Host names that all mean {@link #DEFAULT_REGISTRY}. */
  public static final Set<String> DEFAULT_REGISTRY_ALIASES =
      Set.of(DEFAULT_REGISTRY, DEFAULT_REGISTRY_INDEX_HOST, DEFAULT_REGISTRY_API_HOST);

  /** The tag used when a reference has neither a tag nor a digest. */
  public static final String DEFAULT_TAG = "latest";

  private static final int MAX_NAME_LENGTH = 255;

  private static final String HOST_LABEL = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
  private static final Pattern HOST =
      Pattern.compile(
          "(?:" + HOST_LABEL + "(?:\\." + HOST_LABEL + ")*|\\[[0-9a-fA-F:.]+])(?::[0-9]{1,5})?");
  private static final Pattern PATH_COMPONENT =
      Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[\\w][\\w.-]{0,127}");
  private static final Pattern DIGEST =
      Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");
  private static final Pattern SHA256_HEX = Pattern.compile("[a-f0-9]{64}");

  private final String givenName;
  private final String registry;
  private final String repository;
  private final String tag;
  private final String digest;

  private ImageReference(
      String givenName, String registry, String repository, String tag, String digest) {
    this.givenName = givenName;
    this.registry = registry;
    this.repository = repository;
    this.tag = tag;
    this.digest = digest;
  }

  /**
   * Parses an image reference.
   *
   * @throws IllegalArgumentException with a message that names the problem when the text is not
   *     a valid reference
   */
  public static ImageReference parse(String text) {
    if (text == null || text.isEmpty()) {
      throw new IllegalArgumentException("image reference is empty");
    }
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (Character.isWhitespace(c) || Character.isISOControl(c)) {
        throw invalid(text, "it contains whitespace or a control character");
      }
    }

    String rest = text;
    String digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = rest.substring(at + 1);
      rest = rest.substring(0, at);
      checkDigest(text, digest);
    }

    String tag = null;
    int lastColon = rest.lastIndexOf(':');
    if (lastColon > rest.lastIndexOf('/') && lastColon > rest.lastIndexOf(']')) {
      tag = rest.substring(lastColon + 1);
      rest = rest.substring(0, lastColon);
      if (!TAG.matcher(tag).matches()) {
        throw invalid(
            text,
            "tag '"
                + tag
                + "' must be 1 to 128 letters, digits, '_', '.' or '-' and not start with '.' or '-'");
      }
    }

    String name = rest;
    if (name.isEmpty()) {
      throw invalid(text, "the repository name is missing");
    }
    if (name.length() > MAX_NAME_LENGTH) {
      throw invalid(text, "the name is longer than " + MAX_NAME_LENGTH + " characters");
    }

    String registry;
    String path;
    int slash = name.indexOf('/');
    String first = slash < 0 ? name : name.substring(0, slash);
    if (slash >= 0 && looksLikeHost(first)) {
      registry = first;
      path = name.substring(slash + 1);
      if (!HOST.matcher(registry).matches() || !validPort(registry)) {
        throw invalid(text, "registry host '" + registry + "' is not a valid host[:port]");
      }
    } else {
      registry = DEFAULT_REGISTRY;
      path = name;
    }

    if (path.isEmpty()) {
      throw invalid(text, "the repository name is missing after the registry host");
    }
    for (String component : path.split("/", -1)) {
      if (!PATH_COMPONENT.matcher(component).matches()) {
        if (!component.equals(component.toLowerCase(Locale.ROOT))) {
          throw invalid(text, "repository name must be lowercase");
        }
        throw invalid(
            text,
            "repository path component '"
                + component
                + "' must be lowercase letters and digits, separated by '.', '_', '__' or '-'");
      }
    }

    String repository = path;
    if (isDefaultRegistry(registry) && !path.contains("/")) {
      repository = "library/" + path;
    }
    return new ImageReference(name, registry, repository, tag, digest);
  }

  private static boolean looksLikeHost(String first) {
    return first.contains(".")
        || first.contains(":")
        || first.equals("localhost")
        || !first.equals(first.toLowerCase(Locale.ROOT));
  }

  private static boolean validPort(String host) {
    int colon = host.lastIndexOf(':');
    if (colon < 0 || colon < host.lastIndexOf(']')) {
      return true;
    }
    int port = Integer.parseInt(host.substring(colon + 1));
    return port > 0 && port <= 65535;
  }

  private static void checkDigest(String text, String digest) {
    if (!DIGEST.matcher(digest).matches()) {
      throw invalid(text, "digest '" + digest + "' is not of the form <algorithm>:<hex>");
    }
    if (digest.startsWith("sha256:") && !SHA256_HEX.matcher(digest.substring(7)).matches()) {
      throw invalid(text, "a sha256 digest must have 64 lowercase hex digits");
    }
  }

  private static IllegalArgumentException invalid(String text, String why) {
    return new IllegalArgumentException("invalid image reference '" + text + "': " + why);
  }

  /** Whether the host (in any spelling or case) is the default registry, Docker Hub. */
  static boolean isDefaultRegistry(String host) {
    return DEFAULT_REGISTRY_ALIASES.contains(host.toLowerCase(Locale.ROOT));
  }

  /**
   * The registry host as the user gave it, with port if any; {@link #DEFAULT_REGISTRY} when the
   * reference had no registry host.
   */
  public String registry() {
    return registry;
  }

  /** The host[:port] to send registry API requests to. */
  public String apiHost() {
    return isDefaultRegistry(registry) ? DEFAULT_REGISTRY_API_HOST : registry;
  }

  /** Whether this reference points to the default registry (Docker Hub). */
  public boolean isDefaultRegistry() {
    return isDefaultRegistry(registry);
  }

  /**
   * The repository path within the registry, as the registry API wants it (with {@code library/}
   * for single-component names on the default registry).
   */
  public String repository() {
    return repository;
  }

  /** The tag as given; empty if the reference had no tag. */
  public Optional<String> tag() {
    return Optional.ofNullable(tag);
  }

  /** The digest as given; empty if the reference had no digest. */
  public Optional<String> digest() {
    return Optional.ofNullable(digest);
  }

  /**
   * What to ask the registry for: the digest if there is one, else the tag ({@value #DEFAULT_TAG}
   * if none was given).
   */
  public String reference() {
    if (digest != null) {
      return digest;
    }
    return tag != null ? tag : DEFAULT_TAG;
  }

  /** The name without tag or digest, in the spelling the user gave (e.g. {@code team/app}). */
  public String name() {
    return givenName;
  }

  /**
   * The same image pinned to a digest, in the spelling the user gave: {@code
   * registry.example.com/team/app:1.0} with {@code sha256:abc...} gives {@code
   * registry.example.com/team/app@sha256:abc...}. Any tag is dropped.
   *
   * @throws IllegalArgumentException if the digest is not valid
   */
  public ImageReference withDigest(String digest) {
    Objects.requireNonNull(digest, "digest");
    checkDigest(givenName + "@" + digest, digest);
    return new ImageReference(givenName, registry, repository, null, digest);
  }

  /** The reference in the spelling the user gave: name, then {@code :tag}, then {@code @digest}. */
  @Override
  public String toString() {
    StringBuilder sb = new StringBuilder(givenName);
    if (tag != null) {
      sb.append(':').append(tag);
    }
    if (digest != null) {
      sb.append('@').append(digest);
    }
    return sb.toString();
  }

  @Override
  public boolean equals(Object o) {
    if (this == o) {
      return true;
    }
    if (!(o instanceof ImageReference)) {
      return false;
    }
    ImageReference other = (ImageReference) o;
    return givenName.equals(other.givenName)
        && Objects.equals(tag, other.tag)
        && Objects.equals(digest, other.digest);
  }

  @Override
  public int hashCode() {
    return Objects.hash(givenName, tag, digest);
  }
}
