package dev.stagebuild.cli;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs Graphviz's {@code dot} on DOT text. Without it the test is skipped with an install hint on a
 * developer's machine but fails under CI=true, where .ci/run installs it.
 */
final class Graphviz {
  record Result(int exit, String svg, String stderr) {}

  private Graphviz() {}

  static Path dot() {
    for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/usr/bin:/bin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "dot"))) {
        return Path.of(dir, "dot");
      }
    }
    String why = "dot is not installed: DOT output is checked with Graphviz (apt-get install graphviz)";
    if ("true".equals(System.getenv("CI"))) {
      fail(why + " (CI=true: tests must not skip)");
    }
    Assumptions.abort(why + "; skipping");
    return null;
  }

  static Result svg(String dotText, Path workDir) throws IOException, InterruptedException {
    Path in = Files.writeString(Files.createTempFile(workDir, "graph", ".dot"), dotText);
    Path out = workDir.resolve(in.getFileName() + ".svg");
    Path err = workDir.resolve(in.getFileName() + ".err");
    Process p = new ProcessBuilder(dot().toString(), "-Tsvg", in.toString())
        .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("dot timed out");
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }
}
