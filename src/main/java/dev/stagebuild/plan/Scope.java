package dev.stagebuild.plan;

import dev.stagebuild.dockerfile.WordExpander;
import dev.stagebuild.dockerfile.WordExpander.Variable;
import java.util.HashMap;
import java.util.Map;

/**
 * The variables visible at one point of a Dockerfile, as far as the planner can know them. A stage
 * that starts from an external image inherits that image's environment, which the planner cannot
 * see: there, a variable no ARG or ENV set is unknown rather than unset.
 *
 * <p>A stage built on another continues from its parent's scope: it adds a layer on top instead of
 * copying it (a long FROM chain would copy quadratically). Layers are merged when the top one is
 * at least half as big as the one below, so each variable is copied O(log n) times and a lookup
 * visits O(log n) layers.
 */
final class Scope implements WordExpander.Env {
  private final Scope below;
  private final int layers;
  private final Map<String, Variable> variables;
  private final boolean imageEnvironmentUnknown;

  private Scope(Scope below, Map<String, Variable> variables, boolean imageEnvironmentUnknown) {
    this.below = below;
    this.layers = below == null ? 1 : below.layers + 1;
    this.variables = variables;
    this.imageEnvironmentUnknown = imageEnvironmentUnknown;
  }

  /** The global scope (before the first FROM): nothing comes from an image. */
  static Scope global() {
    return new Scope(null, new HashMap<>(), false);
  }

  /** The scope at the start of a stage built on an image ({@code scratch} has no environment). */
  static Scope forImage(String image) {
    return new Scope(null, new HashMap<>(), !image.equals("scratch"));
  }

  /**
   * A scope to continue from, for a stage built on the stage that ended with this one. This scope
   * must not change afterwards (children share it).
   */
  Scope child() {
    Scope top = variables.isEmpty() && below != null ? below : this;
    while (top.below != null && top.variables.size() * 2 >= top.below.variables.size()) {
      Map<String, Variable> merged = new HashMap<>(top.below.variables);
      merged.putAll(top.variables);
      top = new Scope(top.below.below, merged, imageEnvironmentUnknown);
    }
    return new Scope(top, new HashMap<>(), imageEnvironmentUnknown);
  }

  void set(String name, Variable value) {
    variables.put(name, value);
  }

  /** Whether an ARG or ENV of the Dockerfile set the variable (in this stage or one it is built on). */
  boolean isSet(String name) {
    for (Scope s = this; s != null; s = s.below) {
      if (s.variables.containsKey(name)) {
        return true;
      }
    }
    return false;
  }

  @Override
  public Variable get(String name) {
    for (Scope s = this; s != null; s = s.below) {
      Variable v = s.variables.get(name);
      if (v != null) {
        return v;
      }
    }
    return imageEnvironmentUnknown ? Variable.UNKNOWN : Variable.UNSET;
  }
}
