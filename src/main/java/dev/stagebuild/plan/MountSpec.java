package dev.stagebuild.plan;

import java.util.Locale;

/**
 * The parts of a {@code RUN --mount=...} value the planner looks at: its type (bind when not
 * given) and {@code from}. The value is comma-separated {@code key=value} fields, a field may be
 * double-quoted (CSV style, {@code ""} for a quote).
 */
record MountSpec(String type, String from) {

  static MountSpec parse(String value) {
    String type = "bind";
    String from = null;
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
      if (key.equals("type")) {
        type = v.toLowerCase(Locale.ROOT);
      } else if (key.equals("from")) {
        from = v;
      }
      i++;
    }
    return new MountSpec(type, from);
  }
}
