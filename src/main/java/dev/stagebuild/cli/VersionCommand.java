package dev.stagebuild.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.Properties;

/** {@code version}: the project version, from the pom.properties Maven puts in the packaged jar. */
final class VersionCommand {
  static final String USAGE_TEXT = "usage: stagebuild version";
  private static final String POM_PROPERTIES = "/META-INF/maven/dev.stagebuild/stagebuild-operator/pom.properties";

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
    out.println("stagebuild " + version());
    return Cli.OK;
  }

  /** The version, or "development build" when not run from the packaged jar (e.g. in tests). */
  static String version() {
    try (InputStream in = VersionCommand.class.getResourceAsStream(POM_PROPERTIES)) {
      if (in == null) {
        return "development build";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", "development build");
    } catch (IOException e) {
      return "development build";
    }
  }
}
