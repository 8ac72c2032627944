package dev.stagebuild.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.stagebuild.registry.RegistryException.Reason;
import dev.stagebuild.registry.testing.LocalRegistry;
import dev.stagebuild.registry.testing.RequiresLocalRegistry;
import dev.stagebuild.registry.testing.TestCertificates;
import dev.stagebuild.registry.testing.TestImages;
import dev.stagebuild.registry.testing.TestImages.PushedImage;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A TLS docker-registry whose certificate a private CA issued: reached only with that CA's bundle. */
@RequiresLocalRegistry
@Timeout(15)
class RegistryClientCaBundleTest {
  static TestCertificates.KeyAndCertificate authority;
  static LocalRegistry registry;
  static PushedImage pushed;

  final RegistryClient client = RegistryClient.builder()
      .connectTimeout(Duration.ofSeconds(2)).requestTimeout(Duration.ofSeconds(3)).build();

  @BeforeAll
  static void start() {
    authority = TestCertificates.authority("StageBuild test CA");
    registry = LocalRegistry.builder().tls(authority).start();
    pushed = TestImages.on(registry).push("secure/app", "1", TestImages.image().randomLayers(123));
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  ImageReference tag() {
    return ImageReference.parse(registry.image("secure/app:1"));
  }

  @Test
  void theBundleMakesTheRegistryTrusted() throws Exception {
    CaBundle bundle = CaBundle.parse("# our CA\n" + authority.certificatePem());
    PushCheck check = client.verifyPushed(tag(), pushed.digest(), null, false, bundle);
    assertThat(check.verdict()).isEqualTo(PushCheck.Verdict.VERIFIED);
    assertThat(check.image().size()).isEqualTo(pushed.expectedSize());
    assertThat(client.inspect(tag(), null, false, bundle).digest()).isEqualTo(pushed.digest());
  }

  @Test
  void withoutTheBundleTheHandshakeFailsAndTheMessageSaysWhatToDo() {
    RegistryException e = catchThrowableOfType(RegistryException.class,
        () -> client.verifyPushed(tag(), pushed.digest(), null, false, null));
    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(e.getMessage()).contains(registry.host(), "TLS handshake failed", "not trusted",
        "spec.output.caBundleRef");
  }

  @Test
  void anotherAuthoritysBundleDoesNotHelp() {
    CaBundle other = CaBundle.parse(TestCertificates.authority("someone else").certificatePem());
    RegistryException e = catchThrowableOfType(RegistryException.class,
        () -> client.verifyPushed(tag(), pushed.digest(), null, false, other));
    assertThat(e).isNotNull();
    assertThat(e.reason()).isEqualTo(Reason.UNREACHABLE);
    assertThat(e.getMessage()).contains("not even with the CA bundle of spec.output.caBundleRef");
  }

  @Test
  void theBundleIsTrustedBesidesTheDefaultAuthoritiesNotInsteadOfThem() throws Exception {
    CaBundle bundle = CaBundle.parse(authority.certificatePem());
    javax.net.ssl.TrustManagerFactory tmf = javax.net.ssl.TrustManagerFactory.getInstance(
        javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
    tmf.init((java.security.KeyStore) null);
    var defaults = ((javax.net.ssl.X509TrustManager) tmf.getTrustManagers()[0]).getAcceptedIssuers();
    assertThat(defaults).as("the JVM has default authorities to keep").isNotEmpty();
    java.security.KeyStore anchors = bundle.trustAnchors();
    assertThat(anchors.size()).isEqualTo(defaults.length + 1);
    assertThat(anchors.getCertificateAlias(defaults[0])).isNotNull();
    assertThat(anchors.getCertificateAlias(authority.certificate())).isNotNull();
  }
}
