package dev.stagebuild.cli;

import java.util.ArrayList;
import java.util.List;

/** DOT and Mermaid text of a {@link PlanGraph}, with every Dockerfile-derived text escaped. */
final class GraphText {
  private GraphText() {}

  static String dot(PlanGraph g) {
    StringBuilder b = new StringBuilder();
    b.append("digraph stagebuild {\n");
    b.append("  rankdir=LR;\n");
    b.append("  node [shape=box, style=rounded];\n");
    b.append("  edge [fontsize=10];\n");
    for (PlanGraph.Wave w : g.waves()) {
      b.append("  subgraph cluster_").append(w.id()).append(" {\n");
      b.append("    label=\"wave ").append(w.index()).append("\";\n");
      b.append("    style=dashed;\n");
      for (PlanGraph.Pod p : w.pods()) {
        b.append("    subgraph cluster_").append(p.id()).append(" {\n");
        b.append("      label=").append(dotString(List.of(podLabel(p)))).append(";\n");
        b.append("      style=solid;\n");
        for (PlanGraph.Node n : p.stages()) {
          b.append("      ").append(n.id()).append(" [label=").append(dotString(nodeLabel(n))).append("];\n");
        }
        b.append("    }\n");
      }
      b.append("  }\n");
    }
    for (PlanGraph.Edge e : g.edges()) {
      b.append("  ").append(e.from()).append(" -> ").append(e.to()).append(" [label=")
          .append(dotString(edgeLabel(e))).append(e.copy() ? ", style=dashed" : "").append("];\n");
    }
    b.append("}\n");
    return b.toString();
  }

  static String mermaid(PlanGraph g) {
    StringBuilder b = new StringBuilder();
    b.append("flowchart LR\n");
    for (PlanGraph.Wave w : g.waves()) {
      b.append("  subgraph ").append(w.id()).append(" [\"wave ").append(w.index()).append("\"]\n");
      for (PlanGraph.Pod p : w.pods()) {
        b.append("    subgraph ").append(p.id()).append(' ').append(mermaidString(List.of(podLabel(p)), "[", "]"))
            .append('\n');
        for (PlanGraph.Node n : p.stages()) {
          b.append("      ").append(n.id()).append(mermaidString(nodeLabel(n), "[", "]")).append('\n');
        }
        b.append("    end\n");
      }
      b.append("  end\n");
    }
    for (PlanGraph.Edge e : g.edges()) {
      b.append("  ").append(e.from()).append(e.copy() ? " -.->" : " -->")
          .append(mermaidString(edgeLabel(e), "|", "|")).append(' ').append(e.to()).append('\n');
    }
    return b.toString();
  }

  private static String podLabel(PlanGraph.Pod p) {
    return "pod " + p.name() + (p.isFinal() ? " (pushes)" : "");
  }

  private static List<String> nodeLabel(PlanGraph.Node n) {
    return n.from() == null ? List.of(n.name()) : List.of(n.name(), "FROM " + n.from());
  }

  private static List<String> edgeLabel(PlanGraph.Edge e) {
    if (!e.copy()) {
      return List.of("FROM");
    }
    List<String> lines = new ArrayList<>();
    lines.add("COPY --from");
    lines.addAll(e.label());
    return lines;
  }

  /** A DOT double-quoted string: lines joined by DOT's \n escape; backslash, quote and ampersand escaped. */
  static String dotString(List<String> lines) {
    List<String> escaped = new ArrayList<>();
    for (String line : lines) {
      StringBuilder b = new StringBuilder();
      line.codePoints().forEach(c -> {
        if (c == '\\' || c == '"') {
          b.append('\\').appendCodePoint(c);
        } else if (c == '&') {
          b.append("&amp;"); // Graphviz reads &name; in any label as an entity
        } else if (c == '\n' || c == '\r') {
          b.append("\\n");
        } else if (Character.isISOControl(c)) {
          b.append(' ');
        } else {
          b.appendCodePoint(c);
        }
      });
      escaped.add(b.toString());
    }
    return "\"" + String.join("\\n", escaped) + "\"";
  }

  /**
   * A Mermaid quoted label between open and close ({@code ["..."]}, {@code |"..."|}): lines joined
   * by {@code <br>}, every character outside a small safe set written as an entity code
   * ({@code #34;}), so that quotes, brackets, pipes, {@code <}, {@code #} and newlines in Dockerfile
   * text stay text.
   */
  static String mermaidString(List<String> lines, String open, String close) {
    List<String> escaped = new ArrayList<>();
    for (String line : lines) {
      StringBuilder b = new StringBuilder();
      line.codePoints().forEach(c -> {
        boolean safe = c < 128 && (Character.isLetterOrDigit(c) || " ./_:=,+@*()-".indexOf(c) >= 0);
        if (safe) {
          b.appendCodePoint(c);
        } else {
          b.append('#').append(c).append(';');
        }
      });
      escaped.add(b.toString());
    }
    return open + "\"" + String.join("<br>", escaped) + "\"" + close;
  }
}
