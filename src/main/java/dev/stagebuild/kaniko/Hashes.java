package dev.stagebuild.kaniko;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Short, stable hashes used to keep derived names unique once they had to be changed. */
final class Hashes {
  private Hashes() {}

  /** The first {@code hexChars} lower-case hex digits of sha256(text, UTF-8). */
  static String sha256Hex(String text, int hexChars) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, hexChars);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }

  /**
   * Returns {@code candidate} when it is unchanged from the original and short enough; otherwise a
   * prefix of it plus {@code -<8 hex of sha256(original)>}, at most {@code max} characters, so that
   * two originals that sanitize to the same text still get different results.
   */
  static String fit(String original, String candidate, int max) {
    if (candidate.equals(original) && candidate.length() <= max && !candidate.isEmpty()) {
      return candidate;
    }
    String suffix = sha256Hex(original, 8);
    String prefix = candidate.length() > max - suffix.length() - 1
        ? candidate.substring(0, max - suffix.length() - 1)
        : candidate;
    // The prefix must not end in a separator: "a--1234abcd" is legal but "a.-" is not a label.
    prefix = prefix.replaceAll("[^a-zA-Z0-9]+$", "");
    return prefix.isEmpty() ? suffix : prefix + "-" + suffix;
  }
}
