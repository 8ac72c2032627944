package dev.stagebuild;

/** Untrusted or long text shortened for a message, a status field or a log line. */
public final class Texts {
  private Texts() {}

  /**
   * {@code text} at most {@code max} characters, ending in {@code marker} when shortened; a surrogate
   * pair is never split (half a character would reach the API server as U+FFFD). {@code max} must be
   * longer than {@code marker}.
   */
  public static String cut(String text, int max, String marker) {
    if (text.length() <= max) {
      return text;
    }
    int end = max - marker.length();
    if (Character.isHighSurrogate(text.charAt(end - 1))) {
      end--;
    }
    return text.substring(0, end) + marker;
  }
}
