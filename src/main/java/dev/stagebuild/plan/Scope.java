package dev.stagebuild.plan;

import dev.stagebuild.dockerfile.WordExpander;
import dev.stagebuild.dockerfile.WordExpander.Variable;
import java.util.HashMap;
import java.util.Map;

/**
 * The variables visible at one point of a Dockerfile, as far as the planner can know them. A stage
 * that starts from an external image inherits that image's environment, which the planner cannot
 * see: there, a variable no ARG or ENV set is unknown rather than unset.
 */
final class Scope implements WordExpander.Env {
  private final Map<String, Variable> variables;
  private final boolean imageEnvironmentUnknown;

  private Scope(Map<String, Variable> variables, boolean imageEnvironmentUnknown) {
    this.variables = variables;
    this.imageEnvironmentUnknown = imageEnvironmentUnknown;
  }

  /** The global scope (before the first FROM): nothing comes from an image. */
  static Scope global() {
    return new Scope(new HashMap<>(), false);
  }

  /** The scope at the start of a stage built on an image ({@code scratch} has no environment). */
  static Scope forImage(String image) {
    return new Scope(new HashMap<>(), !image.equals("scratch"));
  }

  /** A copy to continue from, for a stage built on a stage that ended with this scope. */
  Scope copy() {
    return new Scope(new HashMap<>(variables), imageEnvironmentUnknown);
  }

  void set(String name, Variable value) {
    variables.put(name, value);
  }

  @Override
  public Variable get(String name) {
    Variable v = variables.get(name);
    if (v != null) {
      return v;
    }
    return imageEnvironmentUnknown ? Variable.UNKNOWN : Variable.UNSET;
  }
}
