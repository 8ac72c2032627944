package dev.stagebuild.cli;

import dev.stagebuild.ProjectVersion;
import java.io.PrintStream;
import java.util.List;

/** {@code version}: the project version. */
final class VersionCommand {
  static final String USAGE_TEXT = "usage: stagebuild version";

  private VersionCommand() {}

  static int run(List<String> args, PrintStream out, PrintStream err) {
    if (args.equals(List.of("--help")) || args.equals(List.of("-h"))) {
      out.println(USAGE_TEXT);
      return Cli.OK;
    }
    if (!args.isEmpty()) {
      err.println("error: version takes no arguments");
      err.println(USAGE_TEXT);
      return Cli.USAGE;
    }
    out.println("stagebuild " + ProjectVersion.get());
    return Cli.OK;
  }
}
