package dev.stagebuild.registry;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The proxies that {@code HTTPS_PROXY}, {@code HTTP_PROXY} and {@code NO_PROXY} (or their lower-case
 * spellings; upper case wins) name, with the meaning Kubernetes components give them (Go's
 * {@code http.ProxyFromEnvironment}): {@code https://} requests go through {@code HTTPS_PROXY},
 * {@code http://} ones through {@code HTTP_PROXY}; a proxy URL without a scheme is {@code http://};
 * loopback addresses and {@code localhost} always go direct. {@code NO_PROXY} is a comma-separated
 * list of
 *
 * <ul>
 *   <li>{@code *}: nothing is proxied;
 *   <li>an IP address or a CIDR range ({@code 10.0.0.0/8});
 *   <li>a domain name, which matches itself and its subdomains ({@code example.org});
 *   <li>a domain name with a leading {@code .} or {@code *.}, which matches its subdomains only;
 * </ul>
 *
 * <p>an IP address or domain name may end with {@code :port} to match that port only.
 *
 * <p>{@code java.net.http} follows only the {@code https.proxyHost} style system properties, so the
 * operator's registry client uses this selector instead. It cannot tunnel through an {@code
 * https://} or SOCKS proxy, nor send proxy credentials: such a setting is not ignored (requests
 * would then go direct, past the proxy a cluster may require) but reported by {@link #problem} for
 * each request it would apply to.
 */
public final class EnvironmentProxies extends ProxySelector {
  private static final Pattern PORT = Pattern.compile("[0-9]{1,5}");

  /** One scheme's proxy, or why it cannot be used; {@code proxy} null means direct. */
  private record Setting(String variable, String value, Proxy proxy, String problem) {}

  /** One {@code NO_PROXY} entry. */
  private record Exclusion(String domain, boolean subdomainsOnly, byte[] network, int prefixBits, int port) {
    boolean matches(String host, byte[] ip, int requestPort) {
      if (port >= 0 && port != requestPort) {
        return false;
      }
      if (network != null) {
        return ip != null && ip.length == network.length && inPrefix(ip, network, prefixBits);
      }
      if (ip != null) {
        return false;
      }
      if (host.equals(domain)) {
        return !subdomainsOnly;
      }
      return host.endsWith("." + domain);
    }
  }

  private final Setting https;
  private final Setting http;
  private final boolean noProxyAll;
  private final List<Exclusion> exclusions;

  private EnvironmentProxies(Setting https, Setting http, boolean noProxyAll, List<Exclusion> exclusions) {
    this.https = https;
    this.http = http;
    this.noProxyAll = noProxyAll;
    this.exclusions = List.copyOf(exclusions);
  }

  /** The operator's own environment. */
  public static EnvironmentProxies fromEnvironment() {
    return from(System.getenv());
  }

  /** The proxies the given environment names (pure: for tests). */
  public static EnvironmentProxies from(Map<String, String> env) {
    Objects.requireNonNull(env, "env");
    Setting https = setting(env, "HTTPS_PROXY", "https_proxy");
    Setting http = setting(env, "HTTP_PROXY", "http_proxy");
    String noProxy = first(env, "NO_PROXY", "no_proxy");
    boolean all = false;
    List<Exclusion> exclusions = new ArrayList<>();
    if (noProxy != null) {
      for (String raw : noProxy.split(",")) {
        String entry = raw.strip().toLowerCase(Locale.ROOT);
        if (entry.isEmpty()) {
          continue;
        }
        if (entry.equals("*")) {
          all = true;
          continue;
        }
        Exclusion e = exclusion(entry);
        if (e != null) {
          exclusions.add(e);
        }
      }
    }
    return new EnvironmentProxies(https, http, all, exclusions);
  }

  /** No proxy at all. */
  public static EnvironmentProxies none() {
    return from(Map.of());
  }

  @Override
  public List<Proxy> select(URI uri) {
    Setting s = settingFor(uri);
    return List.of(s == null || s.proxy == null ? Proxy.NO_PROXY : s.proxy);
  }

  @Override
  public void connectFailed(URI uri, SocketAddress sa, IOException ioe) {
    // nothing to learn: there is one proxy per scheme
  }

  /** The proxy a request to {@code uri} goes through, or null when it goes direct. */
  public InetSocketAddress proxyFor(URI uri) {
    Setting s = settingFor(uri);
    return s == null || s.proxy == null ? null : (InetSocketAddress) s.proxy.address();
  }

  /**
   * Why a request to {@code uri} cannot go through the proxy the environment names for it (an
   * unsupported proxy URL), or null.
   */
  public String problem(URI uri) {
    Setting s = settingFor(uri);
    return s == null ? null : s.problem;
  }

  /** E.g. {@code through proxy proxy.corp:3128 (HTTPS_PROXY)}, or "" when {@code uri} goes direct. */
  public String describe(URI uri) {
    Setting s = settingFor(uri);
    if (s == null || s.proxy == null) {
      return "";
    }
    InetSocketAddress a = (InetSocketAddress) s.proxy.address();
    return "through proxy " + a.getHostString() + ":" + a.getPort() + " (" + s.variable + ")";
  }

  private Setting settingFor(URI uri) {
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    Setting s = scheme.equals("https") ? https : scheme.equals("http") ? http : null;
    if (s == null || (s.proxy == null && s.problem == null)) {
      return null;
    }
    String host = uri.getHost();
    if (host == null || bypass(host, uri.getPort() >= 0 ? uri.getPort() : scheme.equals("https") ? 443 : 80)) {
      return null;
    }
    return s;
  }

  private boolean bypass(String rawHost, int port) {
    String host = rawHost.toLowerCase(Locale.ROOT);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    while (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    if (host.equals("localhost") || host.endsWith(".localhost")) {
      return true;
    }
    byte[] ip = ipLiteral(host);
    if (ip != null && isLoopback(ip)) {
      return true;
    }
    if (noProxyAll) {
      return true;
    }
    for (Exclusion e : exclusions) {
      if (e.matches(host, ip, port)) {
        return true;
      }
    }
    return false;
  }

  // --- parsing ---------------------------------------------------------------------------------

  private static String first(Map<String, String> env, String upper, String lower) {
    String v = env.get(upper);
    if (v == null || v.isBlank()) {
      v = env.get(lower);
    }
    return v == null || v.isBlank() ? null : v.strip();
  }

  private static Setting setting(Map<String, String> env, String upper, String lower) {
    String value = first(env, upper, lower);
    String variable = env.get(upper) != null && !env.get(upper).isBlank() ? upper : lower;
    if (value == null) {
      return new Setting(upper, null, null, null);
    }
    String text = value.contains("://") ? value : "http://" + value;
    URI u;
    try {
      u = new URI(text);
    } catch (URISyntaxException e) {
      return unusable(variable, value, "it is not a URL");
    }
    String scheme = u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http")) {
      return unusable(variable, value, "the operator's registry client can only use an http:// proxy (it"
          + " tunnels TLS through it with CONNECT), not " + scheme + "://");
    }
    if (u.getRawUserInfo() != null) {
      return unusable(variable, value, "the operator's registry client cannot send proxy credentials;"
          + " allow the operator's address at the proxy, or list the registry in NO_PROXY");
    }
    String host = u.getHost();
    if (host == null || host.isEmpty()) {
      return unusable(variable, value, "it names no host");
    }
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port = u.getPort() >= 0 ? u.getPort() : 80;
    if (port < 1 || port > 65535) {
      return unusable(variable, value, "its port is out of range");
    }
    return new Setting(variable, value, new Proxy(Proxy.Type.HTTP, InetSocketAddress.createUnresolved(host, port)),
        null);
  }

  private static Setting unusable(String variable, String value, String why) {
    // The value may hold credentials: the message names the variable only.
    return new Setting(variable, value, null, "the operator's " + variable + " cannot be used: " + why);
  }

  /** One NO_PROXY entry, or null when it can match nothing. */
  private static Exclusion exclusion(String entry) {
    String e = entry;
    int prefixBits = -1;
    int slash = e.indexOf('/');
    if (slash >= 0) {
      String bits = e.substring(slash + 1);
      byte[] network = ipLiteral(e.substring(0, slash));
      if (network == null || !bits.matches("[0-9]{1,3}")) {
        return null;
      }
      prefixBits = Integer.parseInt(bits);
      if (prefixBits > network.length * 8) {
        return null;
      }
      return new Exclusion(null, false, network, prefixBits, -1);
    }
    int port = -1;
    if (e.startsWith("[")) {
      int end = e.indexOf(']');
      if (end < 0) {
        return null;
      }
      String rest = e.substring(end + 1);
      if (rest.startsWith(":") && PORT.matcher(rest.substring(1)).matches()) {
        port = Integer.parseInt(rest.substring(1));
      } else if (!rest.isEmpty()) {
        return null;
      }
      e = e.substring(1, end);
    } else {
      int colon = e.lastIndexOf(':');
      if (colon > 0 && e.indexOf(':') == colon && PORT.matcher(e.substring(colon + 1)).matches()) {
        port = Integer.parseInt(e.substring(colon + 1));
        e = e.substring(0, colon);
      }
    }
    byte[] ip = ipLiteral(e);
    if (ip != null) {
      return new Exclusion(null, false, ip, ip.length * 8, port);
    }
    boolean subdomainsOnly = false;
    if (e.startsWith("*.")) {
      e = e.substring(2);
      subdomainsOnly = true;
    } else if (e.startsWith(".")) {
      e = e.substring(1);
      subdomainsOnly = true;
    }
    while (e.endsWith(".")) {
      e = e.substring(0, e.length() - 1);
    }
    if (e.isEmpty() || e.contains("*")) {
      return null;
    }
    return new Exclusion(e, subdomainsOnly, null, -1, port);
  }

  /** The address of an IPv4 or IPv6 literal, without any name look-up; null for anything else. */
  static byte[] ipLiteral(String host) {
    if (host.isEmpty()) {
      return null;
    }
    boolean v4 = host.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}");
    boolean v6 = host.contains(":") && host.matches("[0-9a-f:.]+");
    if (!v4 && !v6) {
      return null;
    }
    if (v4) {
      for (String part : host.split("\\.")) {
        if (Integer.parseInt(part) > 255) {
          return null;
        }
      }
    }
    try {
      // a literal: InetAddress parses it without asking DNS
      return InetAddress.getByName(host).getAddress();
    } catch (UnknownHostException e) {
      return null;
    }
  }

  private static boolean isLoopback(byte[] ip) {
    if (ip.length == 4) {
      return (ip[0] & 0xff) == 127;
    }
    for (int i = 0; i < 15; i++) {
      if (ip[i] != 0) {
        return false;
      }
    }
    return ip[15] == 1;
  }

  private static boolean inPrefix(byte[] ip, byte[] network, int bits) {
    int full = bits / 8;
    for (int i = 0; i < full; i++) {
      if (ip[i] != network[i]) {
        return false;
      }
    }
    int rest = bits % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (ip[full] & mask) == (network[full] & mask);
  }
}
