package dev.stagebuild.registry;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 7235): a scheme such as {@code Bearer}
 * or {@code Basic} and its parameters, e.g. {@code Bearer
 * realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push"}.
 * Parameter names are case-insensitive; quoted values may contain commas, spaces and
 * backslash-escaped quotes.
 */
final class AuthChallenge {

  private final String scheme;
  private final Map<String, String> params;

  AuthChallenge(String scheme, Map<String, String> params) {
    this.scheme = scheme;
    this.params = Collections.unmodifiableMap(new LinkedHashMap<>(params));
  }

  String scheme() {
    return scheme;
  }

  boolean isBearer() {
    return scheme.equalsIgnoreCase("Bearer");
  }

  boolean isBasic() {
    return scheme.equalsIgnoreCase("Basic");
  }

  /** A parameter by case-insensitive name, or null. */
  String param(String name) {
    return params.get(name.toLowerCase(Locale.ROOT));
  }

  /** All parameters, names in lower case. */
  Map<String, String> params() {
    return params;
  }

  String realm() {
    return param("realm");
  }

  String service() {
    return param("service");
  }

  String scope() {
    return param("scope");
  }

  @Override
  public String toString() {
    return scheme + " " + params;
  }

  /** Parses every challenge of every given header value; unparseable parts are skipped. */
  static List<AuthChallenge> parseAll(List<String> headerValues) {
    List<AuthChallenge> all = new ArrayList<>();
    for (String value : headerValues) {
      all.addAll(parse(value));
    }
    return all;
  }

  /** Parses the challenges of one {@code WWW-Authenticate} header value. */
  static List<AuthChallenge> parse(String header) {
    List<AuthChallenge> challenges = new ArrayList<>();
    if (header == null) {
      return challenges;
    }
    String scheme = null;
    Map<String, String> params = null;
    int n = header.length();
    int i = 0;
    while (i < n) {
      i = skip(header, i, " \t,");
      if (i >= n) {
        break;
      }
      int start = i;
      while (i < n && isTokenChar(header.charAt(i))) {
        i++;
      }
      if (i == start) {
        i++; // not a token character where a token belongs: skip it
        continue;
      }
      String token = header.substring(start, i);
      int afterSpace = skip(header, i, " \t");
      if (afterSpace < n && header.charAt(afterSpace) == '=') {
        // an auth-param of the current challenge
        int v = skip(header, afterSpace + 1, " \t");
        String value;
        if (v < n && header.charAt(v) == '"') {
          StringBuilder sb = new StringBuilder();
          int q = v + 1;
          while (q < n && header.charAt(q) != '"') {
            char c = header.charAt(q);
            if (c == '\\' && q + 1 < n) {
              q++;
              c = header.charAt(q);
            }
            sb.append(c);
            q++;
          }
          value = sb.toString();
          i = Math.min(q + 1, n);
        } else {
          int q = v;
          while (q < n && header.charAt(q) != ',' && header.charAt(q) != ' '
              && header.charAt(q) != '\t') {
            q++;
          }
          value = header.substring(v, q);
          i = q;
        }
        if (params != null) {
          params.putIfAbsent(token.toLowerCase(Locale.ROOT), value);
        }
      } else {
        if (scheme != null) {
          challenges.add(new AuthChallenge(scheme, params));
        }
        scheme = token;
        params = new LinkedHashMap<>();
        i = afterSpace;
      }
    }
    if (scheme != null) {
      challenges.add(new AuthChallenge(scheme, params));
    }
    return challenges;
  }

  private static int skip(String s, int i, String chars) {
    while (i < s.length() && chars.indexOf(s.charAt(i)) >= 0) {
      i++;
    }
    return i;
  }

  private static boolean isTokenChar(char c) {
    if (c <= 32 || c >= 127) {
      return false;
    }
    return "()<>@,;:\\\"/[]?={} \t".indexOf(c) < 0;
  }
}
