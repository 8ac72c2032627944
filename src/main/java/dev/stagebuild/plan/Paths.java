package dev.stagebuild.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Cleaning of COPY/ADD source paths, textually like Go's {@code path.Clean} but keeping what
 * matters to COPY: glob characters are ordinary characters of a segment, and a trailing
 * {@code /} or {@code /.} is kept because it is part of how the user wrote the source.
 */
final class Paths {
  private Paths() {}

  /**
   * A context source made relative to the context root: leading slashes dropped (context paths
   * are relative to the root whatever their form), {@code .} and empty segments removed,
   * {@code ..} applied. Returns {@code "."} for the root itself and null when the path leaves the
   * context.
   */
  static String cleanRelative(String path) {
    List<String> segments = segments(path, false);
    if (segments == null) {
      return null;
    }
    String joined = String.join("/", segments);
    return joined.isEmpty() ? "." : joined + suffix(path);
  }

  /** Whether a wildcard holds a bracket expression that starts with {@code !} ({@code [!a]}). */
  static boolean bangClass(String pattern) {
    for (int i = 0; i + 1 < pattern.length(); i++) {
      char c = pattern.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '[' && pattern.charAt(i + 1) == '!') {
        return true;
      }
    }
    return false;
  }

  /**
   * A context source made relative to the context root the way BuildKit reads it
   * ({@code NormalizePath("/", src)}): {@code ..} stops at the root, so the result never leaves
   * the context. {@code "."} for the root; a trailing {@code /} or {@code /.} is kept.
   */
  static String clampRelative(String path) {
    String joined = String.join("/", segments(path, true));
    return joined.isEmpty() ? "." : joined + suffix(path);
  }

  /** Whether a path has a {@code ..} segment. */
  static boolean climbs(String path) {
    for (String segment : path.split("/", -1)) {
      if (segment.equals("..")) {
        return true;
      }
    }
    return false;
  }

  /**
   * Paths whose files in a running stage pod are not the image's: kernel file systems, the files
   * the kubelet mounts, the executor's own directories. Exporting them would hand a consumer the
   * live pod's files.
   */
  static final List<String> LIVE_ONLY = List.of("/proc", "/sys", "/dev", "/etc/resolv.conf", "/etc/hostname",
      "/etc/hosts", "/kaniko", "/busybox");

  /** The live-only path an absolute cleaned path is, or is under; null when none. */
  static String liveOnly(String absolute) {
    for (String p : LIVE_ONLY) {
      if (absolute.equals(p) || absolute.startsWith(p + "/")) {
        return p;
      }
    }
    return null;
  }

  /**
   * A path inside a stage's file system made absolute and cleaned; {@code ..} stops at the root,
   * as it does in a file system. No trailing slash: this is the form of the export list.
   */
  static String cleanAbsolute(String path) {
    return "/" + String.join("/", segments(path, true));
  }

  /**
   * A cleaned absolute path (the export list's form) as a path below {@code dir}, the root being
   * {@code dir/.}; {@code escape} is applied to the part below (a Dockerfile word needs it).
   */
  static String below(String dir, String absolute, UnaryOperator<String> escape) {
    String relative = absolute.substring(1);
    return dir + "/" + (relative.isEmpty() ? "." : escape.apply(relative));
  }

  /** {@code "/."} for {@code .}, {@code x/.}; {@code "/"} for {@code x/}; else nothing. */
  private static String suffix(String path) {
    if (path.equals(".") || path.endsWith("/.")) {
      return "/.";
    }
    if (path.endsWith("/") && path.length() > 1) {
      return "/";
    }
    return "";
  }

  /** The segments of a cleaned path; null when {@code ..} climbs above the start (relative only). */
  private static List<String> segments(String path, boolean absolute) {
    List<String> out = new ArrayList<>();
    int i = 0;
    int n = path.length();
    while (i <= n) {
      int slash = path.indexOf('/', i);
      int end = slash < 0 ? n : slash;
      String segment = path.substring(i, end);
      if (segment.equals("..")) {
        if (!out.isEmpty()) {
          out.remove(out.size() - 1);
        } else if (!absolute) {
          return null;
        }
      } else if (!segment.isEmpty() && !segment.equals(".")) {
        out.add(segment);
      }
      if (slash < 0) {
        break;
      }
      i = slash + 1;
    }
    return out;
  }

  /** Whether an ADD source is fetched from the network (URL or git) rather than the context. */
  static boolean isRemote(String source) {
    return source.startsWith("http://") || source.startsWith("https://") || source.startsWith("git://")
        || source.startsWith("git@") || source.startsWith("ssh://");
  }

  /** Drops leading slashes of a source written with variables or quotes (where cleaning is not safe). */
  static String withoutLeadingSlashes(String source) {
    int i = 0;
    while (i < source.length() && source.charAt(i) == '/') {
      i++;
    }
    return source.substring(i);
  }
}
