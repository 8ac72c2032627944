package dev.stagebuild.reconciler;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/** RFC 3339 timestamps as Kubernetes writes them (seconds precision). */
public final class Times {
  /** 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z: Instant.toString writes other years otherwise. */
  private static final long FIRST_FOUR_DIGIT_YEAR = -62_167_219_200L;
  private static final long LAST_FOUR_DIGIT_YEAR = 253_402_300_799L;

  private Times() {}

  public static Instant parse(String text) {
    if (text == null || text.isBlank()) {
      return null;
    }
    Instant fast = parseSeconds(text);
    if (fast != null) {
      return fast;
    }
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException e) {
      return null;
    }
  }

  /**
   * The form Kubernetes writes, yyyy-MM-ddTHH:mm:ssZ, read without a DateTimeFormatter: every pass
   * parses each pod's timestamps, and Instant.parse was a tenth of the reconciler's allocations.
   * Fractions of a second (.1 to .123456789, what Instant.toString writes: other clients write
   * them) too: Instant.parse was most of a restart's parsing of statuses that had them (JFR).
   */
  private static Instant parseSeconds(String t) {
    int n = t.length();
    if (n < 20 || n > 30 || n == 21 || t.charAt(4) != '-' || t.charAt(7) != '-' || t.charAt(10) != 'T'
        || t.charAt(13) != ':' || t.charAt(16) != ':' || t.charAt(n - 1) != 'Z' || (n > 20 && t.charAt(19) != '.')) {
      return null;
    }
    int nanos = 0;
    if (n > 20) {
      nanos = digits(t, 20, n - 1);
      if (nanos < 0) {
        return null;
      }
      for (int i = n - 1; i < 29; i++) {
        nanos *= 10;
      }
    }
    int year = digits(t, 0, 4);
    int month = digits(t, 5, 7);
    int day = digits(t, 8, 10);
    int hour = digits(t, 11, 13);
    int minute = digits(t, 14, 16);
    int second = digits(t, 17, 19);
    if (year < 0 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
      return null;
    }
    try {
      return LocalDateTime.of(year, month, day, hour, minute, second, nanos).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      return null;
    }
  }

  private static int digits(String t, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      n = n * 10 + (c - '0');
    }
    return n;
  }

  /**
   * yyyy-MM-ddTHH:mm:ssZ, written without a DateTimeFormatter as {@link #parseSeconds} reads it:
   * status decisions format several times per stage and pass, and C2 inlining Instant.toString's
   * formatter into them made the decider's stage loop a 0.6 s compilation (LogCompilation).
   */
  public static String format(Instant instant) {
    if (instant == null) {
      return null;
    }
    long seconds = instant.getEpochSecond();
    if (seconds < FIRST_FOUR_DIGIT_YEAR || seconds > LAST_FOUR_DIGIT_YEAR) {
      return instant.truncatedTo(ChronoUnit.SECONDS).toString();
    }
    LocalDateTime t = LocalDateTime.ofEpochSecond(seconds, 0, ZoneOffset.UTC);
    int[] fields = {t.getYear(), t.getMonthValue(), t.getDayOfMonth(), t.getHour(), t.getMinute(), t.getSecond()};
    char[] c = "0000-00-00T00:00:00Z".toCharArray();
    for (int i = 0; i < fields.length; i++) {
      // Each field's digits end where the template's do: at 3, 6, 9, 12, 15 and 18.
      for (int at = 3 * i + 3, value = fields[i]; value > 0; at--, value /= 10) {
        c[at] = (char) ('0' + value % 10);
      }
    }
    return new String(c);
  }
}
