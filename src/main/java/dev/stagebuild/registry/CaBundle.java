package dev.stagebuild.registry;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * PEM certificates of the certificate authorities a registry's TLS certificate may chain to, trusted
 * in addition to the JVM's default ones. Parsing is bounded and strict: text outside the PEM blocks
 * is allowed (bundles often carry comments), but every block must be a {@code CERTIFICATE} that
 * parses as X.509, and a private key is refused (it has no business in a CA bundle, and a ConfigMap
 * is readable by many).
 */
public final class CaBundle {
  /** The largest bundle accepted, in characters. */
  public static final int MAX_CHARS = 512 * 1024;
  /** The most certificates in one bundle. */
  public static final int MAX_CERTIFICATES = 256;

  private static final Pattern BEGIN = Pattern.compile("-----BEGIN ([A-Z0-9 ]{1,40})-----");
  private static final Pattern END = Pattern.compile("-----END ([A-Z0-9 ]{1,40})-----");

  private final List<X509Certificate> certificates;
  private final String fingerprint;

  private CaBundle(List<X509Certificate> certificates, String fingerprint) {
    this.certificates = List.copyOf(certificates);
    this.fingerprint = fingerprint;
  }

  /**
   * Reads PEM text.
   *
   * @throws IllegalArgumentException with a message that says what is wrong and where
   */
  public static CaBundle parse(String pem) {
    if (pem == null || pem.isBlank()) {
      throw new IllegalArgumentException("it is empty: it must hold PEM certificates (-----BEGIN CERTIFICATE-----)");
    }
    if (pem.length() > MAX_CHARS) {
      throw new IllegalArgumentException("it has " + pem.length() + " characters, more than the " + MAX_CHARS
          + " a CA bundle may have");
    }
    CertificateFactory factory;
    try {
      factory = CertificateFactory.getInstance("X.509");
    } catch (CertificateException e) {
      throw new IllegalStateException("no X.509 support in this JVM", e);
    }
    List<X509Certificate> certs = new ArrayList<>();
    // One pass over the lines (linear in the text, whatever it holds).
    String type = null;
    StringBuilder body = new StringBuilder();
    int n = 0;
    for (String raw : pem.split("\n", -1)) {
      String line = raw.strip();
      Matcher begin = BEGIN.matcher(line);
      Matcher end = END.matcher(line);
      if (type == null) {
        if (begin.matches()) {
          n++;
          type = begin.group(1);
          body.setLength(0);
          if (type.contains("PRIVATE KEY")) {
            throw new IllegalArgumentException("PEM block " + n + " is a " + type
                + ": a CA bundle holds certificates only; remove the key (and treat it as disclosed)");
          }
          if (!type.equals("CERTIFICATE")) {
            throw new IllegalArgumentException("PEM block " + n + " is a " + type + ", not a CERTIFICATE");
          }
        } else if (end.matches()) {
          throw new IllegalArgumentException("an -----END " + end.group(1) + "----- line has no -----BEGIN line");
        }
        continue;
      }
      if (begin.matches()) {
        throw new IllegalArgumentException("PEM block " + n + " (" + type + ") has no -----END line");
      }
      if (!end.matches()) {
        body.append(line);
        continue;
      }
      if (!type.equals(end.group(1))) {
        throw new IllegalArgumentException("PEM block " + n + " begins as " + type + " but ends as " + end.group(1));
      }
      if (certs.size() == MAX_CERTIFICATES) {
        throw new IllegalArgumentException("it holds more than " + MAX_CERTIFICATES + " certificates");
      }
      certs.add(certificate(factory, body.toString(), n));
      type = null;
    }
    if (type != null) {
      throw new IllegalArgumentException("PEM block " + n + " (" + type + ") has no -----END line");
    }
    if (certs.isEmpty()) {
      throw new IllegalArgumentException("it holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
    }
    return new CaBundle(certs, fingerprint(certs));
  }

  private static X509Certificate certificate(CertificateFactory factory, String base64, int n) {
    byte[] der;
    try {
      der = Base64.getDecoder().decode(base64);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("PEM block " + n + " (CERTIFICATE) is not valid base64");
    }
    try {
      return (X509Certificate) factory.generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException | ClassCastException e) {
      throw new IllegalArgumentException("PEM block " + n + " is not a valid X.509 certificate"
          + (e.getMessage() == null ? "" : " (" + shorten(e.getMessage()) + ")"));
    }
  }

  public List<X509Certificate> certificates() {
    return certificates;
  }

  /** A hex SHA-256 over the certificates' DER: equal bundles have equal fingerprints. */
  public String fingerprint() {
    return fingerprint;
  }

  /** A TLS context that trusts the JVM's default authorities and this bundle's certificates. */
  SSLContext sslContext() throws GeneralSecurityException {
    TrustManagerFactory combined = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    combined.init(trustAnchors());
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, combined.getTrustManagers(), null);
    return ssl;
  }

  /** The JVM's default trust anchors and this bundle's certificates, in one key store. */
  KeyStore trustAnchors() throws GeneralSecurityException {
    TrustManagerFactory defaults = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    defaults.init((KeyStore) null);
    KeyStore anchors = KeyStore.getInstance(KeyStore.getDefaultType());
    try {
      anchors.load(null, null);
    } catch (java.io.IOException e) {
      throw new GeneralSecurityException(e);
    }
    int i = 0;
    for (TrustManager tm : defaults.getTrustManagers()) {
      if (tm instanceof X509TrustManager x) {
        for (X509Certificate c : x.getAcceptedIssuers()) {
          anchors.setCertificateEntry("default-" + i++, c);
        }
      }
    }
    for (X509Certificate c : certificates) {
      anchors.setCertificateEntry("bundle-" + i++, c);
    }
    return anchors;
  }

  private static String fingerprint(List<X509Certificate> certs) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (X509Certificate c : certs) {
        sha.update(c.getEncoded());
      }
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException | CertificateException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String shorten(String s) {
    String clean = s.replaceAll("\\p{Cntrl}", " ").strip();
    return clean.length() > 120 ? clean.substring(0, 120) + "..." : clean;
  }

  @Override
  public String toString() {
    return "CaBundle[" + certificates.size() + " certificates, sha256 " + fingerprint.substring(0, 12) + "]";
  }

  /** The PEM text's bytes, for callers that hold it as bytes. */
  public static CaBundle parse(byte[] pem) {
    return parse(new String(pem, StandardCharsets.UTF_8));
  }
}
