package dev.stagebuild.kaniko;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Runs the pod scripts for real with busybox (and git). Missing tools skip the test on a
 * developer's machine but fail it under CI=true, where .ci/run must have installed them.
 */
final class ShellTools {
  static final String PACKAGES = "Debian packages busybox-static and git";

  private ShellTools() {}

  static Path require(String tool) {
    for (String dir : (System.getenv().getOrDefault("PATH", "") + ":/bin:/usr/bin").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return Path.of(dir, tool);
      }
    }
    String why = tool + " is not installed: the script tests need the " + PACKAGES;
    if ("true".equals(System.getenv("CI"))) {
      fail(why + " (CI=true: tests must not skip)");
    }
    Assumptions.abort(why + "; skipping");
    return null;
  }

  /** A directory holding only busybox's applets, like the executor image's /busybox. */
  static Path appletDir(Path busybox, Path parent) throws IOException, InterruptedException {
    Path dir = Files.createDirectories(parent.resolve("busybox-bin"));
    Result r = run(List.of(busybox.toString(), "--install", "-s", dir.toString()), Map.of(), parent);
    if (r.exit() != 0) {
      throw new IllegalStateException("busybox --install failed: " + r.stderr());
    }
    return dir;
  }

  record Result(int exit, String stdout, String stderr) {}

  static Result run(List<String> command, Map<String, String> env, Path workDir)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command)).directory(workDir.toFile());
    pb.environment().clear();
    pb.environment().putAll(env);
    Path out = Files.createTempFile(workDir, "stdout", ".txt");
    Path err = Files.createTempFile(workDir, "stderr", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(new File("/dev/null"));
    Process p = pb.start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IllegalStateException("timed out: " + command.get(0));
    }
    Result result = new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
    Files.delete(out);
    Files.delete(err);
    return result;
  }
}
