package dev.stagebuild.registry;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** HTTPS_PROXY / HTTP_PROXY / NO_PROXY as Kubernetes components read them. */
class EnvironmentProxiesTest {

  static String via(EnvironmentProxies p, String url) {
    InetSocketAddress a = p.proxyFor(URI.create(url));
    return a == null ? "direct" : a.getHostString() + ":" + a.getPort();
  }

  @Test
  void noVariablesNoProxy() {
    EnvironmentProxies p = EnvironmentProxies.from(Map.of());
    assertThat(via(p, "https://registry.example.org/v2/")).isEqualTo("direct");
    assertThat(p.select(URI.create("https://registry.example.org/v2/"))).containsExactly(Proxy.NO_PROXY);
    assertThat(p.problem(URI.create("https://registry.example.org/v2/"))).isNull();
  }

  @Test
  void eachSchemeItsVariableUpperCaseFirst() {
    EnvironmentProxies p = EnvironmentProxies.from(Map.of("HTTPS_PROXY", "http://secure-proxy:3128",
        "https_proxy", "http://ignored:1", "http_proxy", "plain-proxy"));
    assertThat(via(p, "https://registry.example.org/v2/")).isEqualTo("secure-proxy:3128");
    assertThat(via(p, "http://registry.example.org:5000/v2/")).isEqualTo("plain-proxy:80");
    assertThat(p.select(URI.create("https://registry.example.org/v2/")).get(0).type()).isEqualTo(Proxy.Type.HTTP);
    assertThat(p.describe(URI.create("https://registry.example.org/v2/")))
        .isEqualTo("through proxy secure-proxy:3128 (HTTPS_PROXY)");
    assertThat(via(EnvironmentProxies.from(Map.of("https_proxy", "http://lower:8080")), "https://r.example/"))
        .isEqualTo("lower:8080");
    assertThat(via(EnvironmentProxies.from(Map.of("HTTP_PROXY", "http://p:1")), "https://r.example/"))
        .as("HTTP_PROXY is for http:// only").isEqualTo("direct");
  }

  @Test
  void loopbackAndLocalhostAlwaysGoDirect() {
    EnvironmentProxies p = EnvironmentProxies.from(Map.of("HTTPS_PROXY", "http://proxy:3128",
        "HTTP_PROXY", "http://proxy:3128"));
    for (String url : new String[] {"http://127.0.0.1:5000/v2/", "https://127.1.2.3/", "https://[::1]:5000/",
        "https://localhost:5000/", "http://LOCALHOST/", "https://registry.localhost/"}) {
      assertThat(via(p, url)).as(url).isEqualTo("direct");
    }
    assertThat(via(p, "https://10.0.0.1/")).isEqualTo("proxy:3128");
  }

  @Test
  void noProxyEntries() {
    EnvironmentProxies p = EnvironmentProxies.from(Map.of("HTTPS_PROXY", "http://proxy:3128",
        "NO_PROXY", " example.org, .svc ,*.cluster.local,10.0.0.0/8,192.168.1.7,registry.corp:5000,[fd00::1],"
            + "fd12::/16,bad/99,"));
    // a domain: itself and its subdomains
    assertThat(via(p, "https://example.org/")).isEqualTo("direct");
    assertThat(via(p, "https://registry.example.org/")).isEqualTo("direct");
    assertThat(via(p, "https://REGISTRY.Example.ORG./")).isEqualTo("direct");
    assertThat(via(p, "https://notexample.org/")).isEqualTo("proxy:3128");
    // a leading dot or *.: subdomains only
    assertThat(via(p, "https://registry.ns.svc/")).isEqualTo("direct");
    assertThat(via(p, "https://svc/")).isEqualTo("proxy:3128");
    assertThat(via(p, "https://a.b.cluster.local/")).isEqualTo("direct");
    assertThat(via(p, "https://cluster.local/")).isEqualTo("proxy:3128");
    // addresses and ranges
    assertThat(via(p, "https://10.20.30.40:5000/")).isEqualTo("direct");
    assertThat(via(p, "https://11.0.0.1/")).isEqualTo("proxy:3128");
    assertThat(via(p, "https://192.168.1.7/")).isEqualTo("direct");
    assertThat(via(p, "https://192.168.1.8/")).isEqualTo("proxy:3128");
    assertThat(via(p, "https://[fd00::1]:5000/")).isEqualTo("direct");
    assertThat(via(p, "https://[fd12:3::9]/")).isEqualTo("direct");
    assertThat(via(p, "https://[fd13::9]/")).isEqualTo("proxy:3128");
    // a port: that port only
    assertThat(via(p, "https://registry.corp:5000/")).isEqualTo("direct");
    assertThat(via(p, "https://registry.corp/")).isEqualTo("proxy:3128");
    // a domain entry never matches an address by its text
    assertThat(via(EnvironmentProxies.from(Map.of("HTTPS_PROXY", "http://proxy:3128", "NO_PROXY", "0.0.1")),
        "https://10.0.0.1/")).isEqualTo("proxy:3128");
  }

  @Test
  void aStarMeansNoProxyAtAll() {
    EnvironmentProxies p = EnvironmentProxies.from(Map.of("HTTPS_PROXY", "http://proxy:3128", "no_proxy", "*"));
    assertThat(via(p, "https://registry.example.org/")).isEqualTo("direct");
  }

  @Test
  void proxiesThisClientCannotUseAreReportedNotIgnored() {
    URI registry = URI.create("https://registry.example.org/v2/");
    EnvironmentProxies withCredentials = EnvironmentProxies.from(Map.of("HTTPS_PROXY",
        "http://user:s3cret@proxy:3128"));
    assertThat(withCredentials.problem(registry)).contains("HTTPS_PROXY", "cannot send proxy credentials")
        .doesNotContain("s3cret");
    assertThat(EnvironmentProxies.from(Map.of("HTTPS_PROXY", "https://proxy:3128")).problem(registry))
        .contains("only use an http:// proxy", "not https://");
    assertThat(EnvironmentProxies.from(Map.of("HTTPS_PROXY", "socks5://proxy:1080")).problem(registry))
        .contains("not socks5://");
    // where the proxy would not be used anyway, it is no problem
    assertThat(EnvironmentProxies.from(Map.of("HTTPS_PROXY", "socks5://proxy:1080", "NO_PROXY",
        "example.org")).problem(registry)).isNull();
    assertThat(withCredentials.problem(URI.create("https://127.0.0.1:5000/v2/"))).isNull();
  }
}
