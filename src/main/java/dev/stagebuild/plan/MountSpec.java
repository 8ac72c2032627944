package dev.stagebuild.plan;

import dev.stagebuild.dockerfile.GoBool;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The parts of a {@code RUN --mount=...} value the planner looks at: its type (bind when not
 * given) and {@code from}. The value is comma-separated {@code key=value} fields, a field may be
 * double-quoted (CSV style, {@code ""} for a quote). An empty field ({@code a=1,,b=2}, a trailing
 * comma) is not among the fields; {@code emptyField} says there was one (BuildKit refuses it).
 */
record MountSpec(String type, String from, String source, List<String[]> fields, boolean emptyField) {

  /** The value of a field (the last one of that key; "" for a bare key), or null without one. */
  String field(String... keys) {
    String[] f = last(keys);
    return f == null ? null : f[1] == null ? "" : f[1];
  }

  /**
   * The id of a secret mount as BuildKit reads it ({@code dispatchSecret}): {@code source=}, else
   * {@code id=}, else the file name of the target; null when there is none. (kaniko reads only
   * {@code id=}: the planner writes the id there.)
   */
  String secretId() {
    String source = field("source", "src");
    if (source != null && !source.isEmpty()) {
      return source;
    }
    String id = field("id");
    if (id != null && !id.isEmpty()) {
      return id;
    }
    String target = field("target", "dst", "destination");
    if (target == null) {
      return null;
    }
    String t = target;
    while (t.endsWith("/")) {
      t = t.substring(0, t.length() - 1);
    }
    String base = t.substring(t.lastIndexOf('/') + 1);
    return base.isEmpty() || base.equals(".") ? null : base;
  }

  /** Whether a secret mount fails without its secret: a bare {@code required}, or a true value. */
  boolean required() {
    String[] r = last("required");
    return r != null && (r[1] == null || GoBool.isTrue(r[1]));
  }

  /**
   * A {@code required=} value BuildKit (and so kaniko) refuses to parse, an empty one too, or one
   * with a variable (BuildKit expands it first; the planner does not); null when there is none.
   */
  String unreadableRequired() {
    String[] r = last("required");
    return r == null || r[1] == null || GoBool.parses(r[1]) ? null : r[1];
  }

  /** The last field of one of {@code keys} ({@code [key, value]}, value null for a bare key), or null. */
  private String[] last(String... keys) {
    String[] found = null;
    for (String[] f : fields) {
      for (String k : keys) {
        if (f[0].equals(k)) {
          found = f;
        }
      }
    }
    return found;
  }

  /** The field keys BuildKit reads as the source path. */
  static boolean isSourceKey(String key) {
    return key.equals("source") || key.equals("src");
  }

  /**
   * The value written back, fields in their order, a field with a comma or a quote in CSV quotes,
   * the field {@code key} (for "source": any of its spellings) set to {@code value}, added at the
   * end when there was none.
   */
  String with(String key, String value) {
    List<String> out = new ArrayList<>();
    boolean done = false;
    for (String[] f : fields) {
      boolean match = key.equals("source") ? isSourceKey(f[0]) : f[0].equals(key);
      if (match) {
        if (!done) {
          out.add(csv(key + "=" + value));
          done = true;
        }
        continue;
      }
      out.add(csv(f[1] == null ? f[0] : f[0] + "=" + f[1]));
    }
    if (!done) {
      out.add(csv(key + "=" + value));
    }
    return String.join(",", out);
  }

  /** The value written back without the fields of these keys, the others in their order. */
  String without(String... keys) {
    java.util.Set<String> drop = java.util.Set.of(keys);
    List<String> out = new ArrayList<>();
    for (String[] f : fields) {
      if (!drop.contains(f[0])) {
        out.add(csv(f[1] == null ? f[0] : f[0] + "=" + f[1]));
      }
    }
    return String.join(",", out);
  }

  private static String csv(String field) {
    if (field.indexOf(',') < 0 && field.indexOf('"') < 0) {
      return field;
    }
    return '"' + field.replace("\"", "\"\"") + '"';
  }

  static MountSpec parse(String value) {
    String type = "bind";
    String from = null;
    String source = null;
    List<String[]> fields = new ArrayList<>();
    boolean emptyField = false;
    int i = 0;
    int n = value.length();
    while (i <= n) {
      StringBuilder field = new StringBuilder();
      if (i < n && value.charAt(i) == '"') {
        i++;
        while (i < n) {
          char c = value.charAt(i);
          if (c == '"') {
            if (i + 1 < n && value.charAt(i + 1) == '"') {
              field.append('"');
              i += 2;
              continue;
            }
            i++;
            break;
          }
          field.append(c);
          i++;
        }
        while (i < n && value.charAt(i) != ',') {
          field.append(value.charAt(i++));
        }
      } else {
        while (i < n && value.charAt(i) != ',') {
          field.append(value.charAt(i++));
        }
      }
      String f = field.toString();
      int eq = f.indexOf('=');
      String key = (eq < 0 ? f : f.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
      String v = eq < 0 ? "" : f.substring(eq + 1);
      if (!f.isEmpty()) {
        fields.add(new String[] {key, eq < 0 ? null : v});
      } else {
        emptyField = true;
      }
      if (key.equals("type")) {
        type = v.toLowerCase(Locale.ROOT);
      } else if (key.equals("from")) {
        from = v;
      } else if (isSourceKey(key)) {
        source = v;
      }
      i++;
    }
    return new MountSpec(type, from, source, List.copyOf(fields), emptyField);
  }
}
