package dev.stagebuild.cli;

import dev.stagebuild.api.OutputStatus;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildStatus;
import dev.stagebuild.api.StageStatus;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code status}'s page for one StageBuild, like {@code kubectl describe}: the build, a table of
 * its stages with a timeline bar each, the conditions and the pushed image. Pure: the time "now"
 * (for running stages) is a parameter.
 */
final class StatusView {
  static final int BAR = 30;
  private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss").withZone(ZoneOffset.UTC);

  private StatusView() {}

  static String render(StageBuild sb, Instant now) {
    StringBuilder b = new StringBuilder();
    StageBuildStatus st = sb.getStatus() == null ? new StageBuildStatus() : sb.getStatus();
    field(b, "Name", sb.getMetadata().getName());
    field(b, "Namespace", sb.getMetadata().getNamespace());
    if (sb.getSpec() != null && sb.getSpec().output != null) {
      field(b, "Image", sb.getSpec().output.image);
    }
    field(b, "Build", st.buildId == null ? "(not started)" : st.buildId
        + (st.observedGeneration == null ? "" : " (generation " + st.observedGeneration + ")"));
    Instant start = Times.parse(st.startTime);
    Instant end = Times.parse(st.completionTime);
    field(b, "Started", st.startTime);
    if (end != null) {
      field(b, "Completed", st.completionTime + (start == null ? "" : " (" + duration(start, end) + ")"));
    } else if (start != null) {
      field(b, "Running for", duration(start, now));
    }
    if (st.source != null) {
      field(b, "Source", join(st.source.podName, st.source.phase,
          st.source.commit == null ? null : "commit " + st.source.commit));
    }
    field(b, "Stages done", st.stagesDone);

    b.append('\n').append(stages(st, start, end, now));
    for (StageStatus s : st.stages) {
      if (s.message != null && !s.message.isBlank() && !"Succeeded".equals(s.phase)) {
        b.append("  ").append(clean(s.name)).append(": ").append(indent(clean(s.message).strip())).append('\n');
      }
    }

    b.append("\nConditions:\n");
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"TYPE", "STATUS", "REASON", "SINCE", "MESSAGE"});
    for (Condition c : st.conditions) {
      rows.add(new String[] {c.getType(), c.getStatus(), c.getReason(), c.getLastTransitionTime(),
          firstLine(c.getMessage())});
    }
    if (st.conditions.isEmpty()) {
      b.append("  (none yet: the operator has not seen this StageBuild)\n");
    } else {
      table(b, rows);
    }

    OutputStatus out = st.output;
    b.append("\nImage:\n");
    if (out == null || out.digest == null) {
      b.append("  (not pushed yet)\n");
    } else {
      field(b, "  Digest", out.digest);
      field(b, "  Ref", out.imageRef);
      field(b, "  Size", out.size == null ? "(not known yet)" : out.sizeText + " (" + out.size + " bytes)");
    }
    return b.toString();
  }

  /** The stage table; the timeline spans the build's start to its end (or now). */
  static String stages(StageBuildStatus st, Instant buildStart, Instant buildEnd, Instant now) {
    Instant t0 = buildStart;
    for (StageStatus s : st.stages) {
      Instant a = Times.parse(s.startTime);
      if (a != null && (t0 == null || a.isBefore(t0))) {
        t0 = a;
      }
    }
    Instant t1 = buildEnd != null ? buildEnd : now;
    for (StageStatus s : st.stages) {
      Instant e = Times.parse(s.completionTime);
      if (e != null && e.isAfter(t1)) {
        t1 = e;
      }
    }
    List<String[]> rows = new ArrayList<>();
    rows.add(new String[] {"STAGE", "PHASE", "ATTEMPTS", "POD", "START", "DURATION",
        "TIMELINE" + (t0 == null ? "" : " (" + duration(t0, t1) + ")")});
    for (StageStatus s : st.stages) {
      Instant a = Times.parse(s.startTime);
      Instant e = Times.parse(s.completionTime);
      boolean running = e == null && a != null && ("Running".equals(s.phase) || "Pending".equals(s.phase));
      Instant stop = e != null ? e : running ? now : null;
      rows.add(new String[] {s.name, s.phase, s.attempts == null ? "-" : s.attempts.toString(), s.podName,
          a == null ? "-" : CLOCK.format(a), a == null || stop == null ? "-" : duration(a, stop),
          bar(t0, t1, a, stop, running)});
    }
    StringBuilder b = new StringBuilder();
    if (st.stages.isEmpty()) {
      return "Stages: (not planned yet)\n";
    }
    table(b, rows);
    return b.toString();
  }

  /** |   ######     | : where [from, to] lies in [t0, t1]; a running stage ends in '>'. */
  static String bar(Instant t0, Instant t1, Instant from, Instant to, boolean running) {
    char[] cells = " ".repeat(BAR).toCharArray();
    if (t0 != null && from != null && to != null) {
      double span = Math.max(1, Duration.between(t0, t1).toMillis());
      int i = (int) Math.floor(Duration.between(t0, from).toMillis() / span * BAR);
      int j = (int) Math.ceil(Duration.between(t0, to).toMillis() / span * BAR);
      i = Math.max(0, Math.min(BAR - 1, i));
      j = Math.max(i + 1, Math.min(BAR, j));
      for (int k = i; k < j; k++) {
        cells[k] = '#';
      }
      if (running) {
        cells[j - 1] = '>';
      }
    }
    return "|" + new String(cells) + "|";
  }

  static String duration(Instant a, Instant b) {
    long s = Math.max(0, Duration.between(a, b).toSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format("%dm%02ds", s / 60, s % 60);
    }
    return String.format("%dh%02dm", s / 3600, (s % 3600) / 60);
  }

  private static void field(StringBuilder b, String name, String value) {
    if (value != null) {
      b.append(String.format("%-13s%s%n", name + ":", clean(value)));
    }
  }

  /** Columns padded to their widest cell; the last column is not padded. */
  private static void table(StringBuilder b, List<String[]> rows) {
    int n = rows.get(0).length;
    int[] width = new int[n];
    for (String[] r : rows) {
      for (int i = 0; i < n; i++) {
        width[i] = Math.max(width[i], cell(r[i]).length());
      }
    }
    for (String[] r : rows) {
      StringBuilder line = new StringBuilder("  ");
      for (int i = 0; i < n; i++) {
        line.append(i == n - 1 ? cell(r[i]) : String.format("%-" + width[i] + "s  ", cell(r[i])));
      }
      b.append(line.toString().stripTrailing()).append('\n');
    }
  }

  private static String cell(String s) {
    return s == null ? "-" : firstLine(s);
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "-";
    }
    String c = clean(s).strip();
    int nl = c.indexOf('\n');
    return nl < 0 ? c : c.substring(0, nl) + " ...";
  }

  private static String indent(String s) {
    return s.replace("\n", "\n    ");
  }

  private static String join(String... parts) {
    List<String> p = new ArrayList<>();
    for (String s : parts) {
      if (s != null) {
        p.add(s);
      }
    }
    return String.join("  ", p);
  }

  /** Status text comes from logs and users: control characters (terminal escapes) become '?'. */
  static String clean(String s) {
    return TerminalText.printable(s, false);
  }

  /** RFC 3339 times of the status, or null when absent or unreadable. */
  static final class Times {
    private Times() {}

    static Instant parse(String s) {
      try {
        return s == null ? null : Instant.parse(s);
      } catch (DateTimeParseException e) {
        return null;
      }
    }
  }
}
