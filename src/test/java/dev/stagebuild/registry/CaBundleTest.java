package dev.stagebuild.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagebuild.registry.testing.TestCertificates;
import org.junit.jupiter.api.Test;

/** Parsing of CA bundles: what is accepted, and the message for what is not. */
class CaBundleTest {
  static final TestCertificates.KeyAndCertificate A = TestCertificates.authority("A");
  static final TestCertificates.KeyAndCertificate B = TestCertificates.authority("B");

  @Test
  void certificatesWithCommentsBetweenThem() {
    CaBundle bundle = CaBundle.parse("# A\n" + A.certificatePem() + "\nsome text\r\n"
        + B.certificatePem().replace("\n", "\r\n"));
    assertThat(bundle.certificates()).containsExactly(A.certificate(), B.certificate());
    assertThat(bundle.fingerprint()).hasSize(64)
        .isEqualTo(CaBundle.parse(A.certificatePem() + B.certificatePem()).fingerprint())
        .isNotEqualTo(CaBundle.parse(A.certificatePem()).fingerprint());
  }

  @Test
  void whatIsRefused() {
    assertThatThrownBy(() -> CaBundle.parse("")).hasMessageContaining("empty");
    assertThatThrownBy(() -> CaBundle.parse("just text")).hasMessageContaining("no PEM certificate");
    assertThatThrownBy(() -> CaBundle.parse(A.certificatePem() + A.privateKeyPem()))
        .hasMessageContaining("PEM block 2 is a PRIVATE KEY").hasMessageContaining("certificates only")
        .hasMessageNotContaining(A.privateKeyPem().split("\n")[1]);
    String pem = A.certificatePem();
    assertThatThrownBy(() -> CaBundle.parse(pem.substring(0, pem.indexOf("-----END"))))
        .hasMessageContaining("has no -----END line");
    assertThatThrownBy(() -> CaBundle.parse(pem.replace("-----BEGIN CERTIFICATE-----\n",
        "-----BEGIN CERTIFICATE-----\n!!")))
        .hasMessageContaining("PEM block 1 (CERTIFICATE) is not valid base64");
    assertThatThrownBy(() -> CaBundle.parse("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"))
        .hasMessageContaining("PEM block 1 is not a valid X.509 certificate");
    assertThatThrownBy(() -> CaBundle.parse(pem.replace("END CERTIFICATE", "END PUBLIC KEY")))
        .hasMessageContaining("begins as CERTIFICATE but ends as PUBLIC KEY");
    assertThatThrownBy(() -> CaBundle.parse("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"))
        .hasMessageContaining("is a PUBLIC KEY, not a CERTIFICATE");
  }

  @Test
  void bounded() {
    assertThatThrownBy(() -> CaBundle.parse("#".repeat(CaBundle.MAX_CHARS + 1)))
        .hasMessageContaining("more than the " + CaBundle.MAX_CHARS);
    assertThatThrownBy(() -> CaBundle.parse(A.certificatePem().repeat(CaBundle.MAX_CERTIFICATES + 1)))
        .hasMessageContaining("more than " + CaBundle.MAX_CERTIFICATES + " certificates");
    // many unterminated BEGIN lines are refused at the second one, in one pass
    assertThatThrownBy(() -> CaBundle.parse("-----BEGIN CERTIFICATE-----\n".repeat(10_000)))
        .hasMessageContaining("PEM block 1 (CERTIFICATE) has no -----END line");
  }
}
