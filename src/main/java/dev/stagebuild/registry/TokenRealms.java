package dev.stagebuild.registry;

import java.util.Arrays;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Where the operator may fetch a registry's bearer tokens. A registry names its token service
 * (the challenge's {@code realm}) itself, and the registry is whatever host a StageBuild's
 * {@code output.image} names: an unchecked realm would let a StageBuild author make the operator
 * send requests (with the push Secret's credentials) to any address it can reach. A realm is
 * accepted on the registry's own host (any port), on a host of the same parent domain
 * ({@code auth.example.org} for {@code registry.example.org}; never for IP addresses or
 * single-label hosts), or on a host the operator's allowlist names
 * ({@code STAGEBUILD_TOKEN_REALM_HOSTS}, comma-separated).
 */
public final class TokenRealms {
  /** The environment variable with the operator's allowlist. */
  public static final String ALLOWLIST_ENV = "STAGEBUILD_TOKEN_REALM_HOSTS";

  private TokenRealms() {}

  /** The allowlist in {@link #ALLOWLIST_ENV} (empty when unset). */
  public static Set<String> allowlistFromEnvironment() {
    return parse(System.getenv(ALLOWLIST_ENV));
  }

  static Set<String> parse(String commaSeparated) {
    if (commaSeparated == null || commaSeparated.isBlank()) {
      return Set.of();
    }
    return Arrays.stream(commaSeparated.split(",")).map(s -> s.strip().toLowerCase(Locale.ROOT))
        .filter(s -> !s.isEmpty()).collect(Collectors.toUnmodifiableSet());
  }

  /**
   * @param registryHost the registry's host, with or without a port
   * @param realmHost the realm URL's host
   * @return true when tokens may be requested there
   */
  public static boolean allowed(String registryHost, String realmHost, Set<String> allowlist) {
    if (registryHost == null || realmHost == null) {
      return false;
    }
    String registry = withoutPort(registryHost.toLowerCase(Locale.ROOT));
    String realm = stripBrackets(realmHost.toLowerCase(Locale.ROOT));
    if (registry.equals(realm) || allowlist.contains(realm)) {
      return true;
    }
    if (isIpLiteral(registry) || isIpLiteral(realm)) {
      return false;
    }
    String parent = parentDomain(registry);
    return parent != null && parent.equals(parentDomain(realm));
  }

  private static String withoutPort(String host) {
    if (host.startsWith("[")) {
      int end = host.indexOf(']');
      return end > 0 ? host.substring(1, end) : host;
    }
    int colon = host.lastIndexOf(':');
    return colon > 0 && host.indexOf(':') == colon ? host.substring(0, colon) : host;
  }

  private static String stripBrackets(String host) {
    return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
  }

  private static boolean isIpLiteral(String host) {
    return host.contains(":") || host.matches("[0-9.]+");
  }

  /** The last two labels of a host of three labels or more, else null. */
  private static String parentDomain(String host) {
    String[] labels = host.split("\\.");
    if (labels.length < 3) {
      return null;
    }
    return labels[labels.length - 2] + "." + labels[labels.length - 1];
  }
}
