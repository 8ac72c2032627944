package dev.stagebuild.security;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Removes credentials from text that goes to a StageBuild's status, its events or the operator's
 * log: the user-information part of URLs ({@code https://user:token@host/} becomes
 * {@code https://***@host/}), {@code Authorization}/{@code Bearer}/{@code Basic} values, and
 * {@code password=}/{@code token=}/{@code secret=}-style assignments. Pure and cheap: call it on
 * every message built from a pod's log, termination message, a spec field or an exception.
 */
public final class Redactor {
  /** What replaces a credential. */
  public static final String MASK = "***";

  /** scheme://userinfo@ : the userinfo (anything up to '@' without '/', whitespace or another '@'). */
  private static final Pattern URL_USERINFO =
      Pattern.compile("([A-Za-z][A-Za-z0-9+.-]*://)[^/\\s@]+@");
  private static final Pattern AUTH_HEADER =
      Pattern.compile("(?i)\\b((?:authorization:\\s*)?(?:bearer|basic)\\s+|authorization:\\s*)[A-Za-z0-9._~+/=-]{4,}");
  private static final Pattern ASSIGNMENT = Pattern.compile(
      "(?i)\\b((?:[a-z0-9_]*_)?(?:password|passwd|token|secret|api[_-]?key|access[_-]?key)[\"']?\\s*[=:]\\s*[\"']?)[^\\s\"'&,;]+");

  private Redactor() {}

  /** The text with every credential it recognises replaced by {@link #MASK}; null stays null. */
  public static String redact(String text) {
    if (text == null || text.isEmpty()) {
      return text;
    }
    String out = URL_USERINFO.matcher(text).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK + "@"));
    out = AUTH_HEADER.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
    out = ASSIGNMENT.matcher(out).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK));
    return out;
  }

  /** A URL without its user information, for messages that name a repository or registry. */
  public static String redactUrl(String url) {
    if (url == null) {
      return null;
    }
    return URL_USERINFO.matcher(url).replaceAll(m -> Matcher.quoteReplacement(m.group(1) + MASK + "@"));
  }

  /** True when the URL carries user information (a user name, or a user name and password). */
  public static boolean hasUserInfo(String url) {
    return url != null && URL_USERINFO.matcher(url).lookingAt();
  }
}
