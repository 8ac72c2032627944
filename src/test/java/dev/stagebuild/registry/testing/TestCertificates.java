package dev.stagebuild.registry.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.ContentSigner;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Self-signed EC P-256 certificates for test servers (TLS) and token signing. */
public final class TestCertificates {

  private TestCertificates() {}

  /** A private key and its self-signed certificate. */
  public record KeyAndCertificate(PrivateKey privateKey, X509Certificate certificate) {

    /** The certificate as PEM ({@code CERTIFICATE}). */
    public String certificatePem() {
      try {
        return pem("CERTIFICATE", certificate.getEncoded());
      } catch (CertificateException e) {
        throw new IllegalStateException(e);
      }
    }

    /** The private key as PKCS#8 PEM ({@code PRIVATE KEY}). */
    public String privateKeyPem() {
      return pem("PRIVATE KEY", privateKey.getEncoded());
    }

    /** The DER of the certificate, base64 (as a JWS {@code x5c} entry wants it). */
    public String certificateBase64Der() {
      try {
        return Base64.getEncoder().encodeToString(certificate.getEncoded());
      } catch (CertificateException e) {
        throw new IllegalStateException(e);
      }
    }

    public Path writeCertificatePem(Path file) {
      return write(file, certificatePem());
    }

    public Path writePrivateKeyPem(Path file) {
      return write(file, privateKeyPem());
    }
  }

  /**
   * A self-signed certificate valid for a day, for the given DNS names and IP addresses.
   *
   * @param commonName the subject CN
   */
  public static KeyAndCertificate selfSigned(
      String commonName, List<String> dnsNames, List<String> ipAddresses) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair keys = generator.generateKeyPair();

      Instant now = Instant.now();
      X500Name name = new X500Name("CN=" + commonName);
      X509v3CertificateBuilder builder =
          new JcaX509v3CertificateBuilder(
              name,
              new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE),
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(Duration.ofDays(1))),
              name,
              keys.getPublic());
      List<GeneralName> alternatives = new ArrayList<>();
      dnsNames.forEach(d -> alternatives.add(new GeneralName(GeneralName.dNSName, d)));
      ipAddresses.forEach(ip -> alternatives.add(new GeneralName(GeneralName.iPAddress, ip)));
      if (!alternatives.isEmpty()) {
        builder.addExtension(
            Extension.subjectAlternativeName,
            false,
            new GeneralNames(alternatives.toArray(new GeneralName[0])));
      }
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
      builder.addExtension(
          Extension.keyUsage,
          true,
          new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyCertSign));
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate());
      X509Certificate certificate =
          new JcaX509CertificateConverter().getCertificate(builder.build(signer));
      return new KeyAndCertificate(keys.getPrivate(), certificate);
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot create a self-signed certificate", e);
    }
  }

  /** A certificate authority (self-signed, may sign certificates) valid for a day. */
  public static KeyAndCertificate authority(String commonName) {
    return selfSigned(commonName, List.of(), List.of());
  }

  /**
   * A server certificate for the given DNS names and IP addresses, issued by {@code issuer}
   * (not a CA itself), valid for a day.
   */
  public static KeyAndCertificate issuedBy(KeyAndCertificate issuer, String commonName, List<String> dnsNames,
      List<String> ipAddresses) {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
      KeyPair keys = generator.generateKeyPair();
      Instant now = Instant.now();
      X509v3CertificateBuilder builder = new JcaX509v3CertificateBuilder(
          issuer.certificate(),
          new BigInteger(64, new SecureRandom()).abs().add(BigInteger.ONE),
          Date.from(now.minus(Duration.ofHours(1))),
          Date.from(now.plus(Duration.ofDays(1))),
          new X500Name("CN=" + commonName),
          keys.getPublic());
      List<GeneralName> alternatives = new ArrayList<>();
      dnsNames.forEach(d -> alternatives.add(new GeneralName(GeneralName.dNSName, d)));
      ipAddresses.forEach(ip -> alternatives.add(new GeneralName(GeneralName.iPAddress, ip)));
      builder.addExtension(Extension.subjectAlternativeName, false,
          new GeneralNames(alternatives.toArray(new GeneralName[0])));
      builder.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      builder.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      ContentSigner signer = new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.privateKey());
      return new KeyAndCertificate(keys.getPrivate(),
          new JcaX509CertificateConverter().getCertificate(builder.build(signer)));
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot issue a certificate", e);
    }
  }

  private static String pem(String type, byte[] der) {
    String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }

  private static Path write(Path file, String content) {
    try {
      return Files.writeString(file, content, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
