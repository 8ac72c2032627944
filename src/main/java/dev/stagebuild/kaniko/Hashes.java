package dev.stagebuild.kaniko;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** Short, stable hashes used to keep derived names unique once they had to be changed. */
final class Hashes {
  private static final Pattern TRAILING_NON_ALNUM = Pattern.compile("[^a-zA-Z0-9]+$");

  private Hashes() {}

  /** The first {@code hexChars} lower-case hex digits of sha256(text, UTF-8). */
  static String sha256Hex(String text, int hexChars) {
    byte[] digest = SHA256.get().digest(text.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(digest, 0, (hexChars + 1) / 2).substring(0, hexChars);
  }

  /** One digest per thread: every pass derives pod names, and getInstance looks the provider up each time. */
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  });

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
    prefix = TRAILING_NON_ALNUM.matcher(prefix).replaceAll("");
    return prefix.isEmpty() ? suffix : prefix + "-" + suffix;
  }
}
