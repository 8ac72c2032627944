package dev.stagebuild.cli;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A parsed command line of the cluster commands: positional words, options with a value
 * ({@code -n NS}, {@code --namespace=NS}) and switches ({@code -f}). Short names map to long ones.
 */
final class CommandLine {
  final List<String> words = new ArrayList<>();
  final Map<String, String> values = new HashMap<>();
  final Set<String> switches = new HashSet<>();

  /** A command line, or the exit code of a command that has already answered (its usage or help). */
  record Parsed(CommandLine line, int exit) {}

  /**
   * Parses the command line of a command that takes one NAME: a usage error prints the usage
   * (exit 2), {@code --help} prints it too (exit 0); either way there is no line to run.
   */
  static Parsed oneName(List<String> args, Set<String> withValue, Set<String> flags, Map<String, String> shortNames,
      String usage, java.io.PrintStream out, java.io.PrintStream err) {
    CommandLine c;
    try {
      c = parse(args, withValue, flags, shortNames);
      if (!c.help() && c.words.size() != 1) {
        throw new IllegalArgumentException(c.words.isEmpty() ? "NAME is missing" : "one NAME only");
      }
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(usage);
      return new Parsed(null, Cli.USAGE);
    }
    if (c.help()) {
      out.println(usage);
      return new Parsed(null, Cli.OK);
    }
    return new Parsed(c, Cli.OK);
  }

  /**
   * @param withValue long option names that take a value
   * @param flags long option names that do not
   * @param shortNames short name to long name, e.g. -n to --namespace
   * @throws IllegalArgumentException for an unknown option or a missing value (a usage error)
   */
  static CommandLine parse(List<String> args, Set<String> withValue, Set<String> flags, Map<String, String> shortNames) {
    CommandLine c = new CommandLine();
    boolean onlyWords = false;
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (onlyWords || !a.startsWith("-") || a.equals("-")) {
        c.words.add(a);
        continue;
      }
      if (a.equals("--")) {
        onlyWords = true;
        continue;
      }
      String name = a;
      String value = null;
      int eq = a.indexOf('=');
      if (a.startsWith("--") && eq > 0) {
        name = a.substring(0, eq);
        value = a.substring(eq + 1);
      }
      name = shortNames.getOrDefault(name, name);
      if (name.equals("--help")) {
        c.switches.add(name);
      } else if (flags.contains(name) && value == null) {
        c.switches.add(name);
      } else if (withValue.contains(name)) {
        if (value == null) {
          if (i + 1 >= args.size()) {
            throw new IllegalArgumentException(a + " needs a value");
          }
          value = args.get(++i);
        }
        c.values.put(name, value);
      } else {
        throw new IllegalArgumentException("unknown option " + a);
      }
    }
    return c;
  }

  boolean help() {
    return switches.contains("--help");
  }
}
