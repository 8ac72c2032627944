package dev.stagebuild.cli;

import java.util.Locale;

/** How {@code plan} prints its result ({@code -o}). */
public enum OutputFormat {
  /** For people: waves, stage graph, each pod's Dockerfile and exports. */
  TEXT,
  /** The plan as JSON. */
  JSON,
  /**
   * The plan as YAML. This is where the Kubernetes objects the operator would create (PVC,
   * ConfigMap, pods) are meant to be added; until then it prints the same content as JSON.
   */
  YAML,
  /** The stage graph for Graphviz ({@code dot -Tsvg}). */
  DOT,
  /** The stage graph as a Mermaid flowchart (renders in Markdown on GitHub and elsewhere). */
  MERMAID;

  /** The format named {@code name} (any case), or null. */
  static OutputFormat named(String name) {
    for (OutputFormat f : values()) {
      if (f.name().equals(name.toUpperCase(Locale.ROOT))) {
        return f;
      }
    }
    return null;
  }
}
