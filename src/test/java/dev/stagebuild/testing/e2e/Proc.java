package dev.stagebuild.testing.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs a host process with an exact environment, its output in a file, and a time limit. */
public final class Proc {
  /** How a process ended: its exit code and its output (stdout and stderr together). */
  public record Result(List<String> command, int exit, String output) {
    public boolean ok() {
      return exit == 0;
    }

    /** Throws with the command and the end of its output unless it exited 0. */
    public Result check() {
      if (exit != 0) {
        throw new IllegalStateException(String.join(" ", command) + " exited " + exit + ":\n" + tail(output, 40, 4000));
      }
      return this;
    }

    public String trimmed() {
      return output.strip();
    }
  }

  private Proc() {}

  /**
   * Runs {@code command} in {@code dir} with exactly {@code env} (nothing inherited), appending
   * stdout and stderr to {@code log} when given.
   */
  public static Result run(List<String> command, Map<String, String> env, Path dir, Path log, Duration timeout) {
    try {
      Path out = log != null ? log : Files.createTempFile("stagebuild-proc-", ".log");
      long start = Files.exists(out) ? Files.size(out) : 0;
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(out.toFile()))
          .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
      if (dir != null) {
        pb.directory(dir.toFile());
      }
      pb.environment().clear();
      pb.environment().putAll(env);
      Process p = pb.start();
      int exit = await(p, timeout);
      byte[] all = Files.readAllBytes(out);
      String output = new String(all, (int) Math.min(start, all.length), (int) Math.max(0, all.length - start),
          StandardCharsets.UTF_8);
      if (log == null) {
        Files.deleteIfExists(out);
      }
      return new Result(List.copyOf(command), exit, output);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run " + command, e);
    }
  }

  /** Waits for a started process; kills it (and its children) after {@code timeout}: exit 137. */
  public static int await(Process p, Duration timeout) {
    try {
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
        p.waitFor(10, TimeUnit.SECONDS);
        return 137;
      }
      return p.exitValue();
    } catch (InterruptedException e) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      return 137;
    }
  }

  /** The host environment's PATH and a few harmless variables, for host tools. */
  public static Map<String, String> hostEnv() {
    return Map.of("PATH", System.getenv().getOrDefault("PATH", "/usr/sbin:/usr/bin:/sbin:/bin"),
        "LANG", "C.UTF-8");
  }

  /** The last {@code lines} lines of {@code text}, at most {@code bytes} characters. */
  public static String tail(String text, int lines, int bytes) {
    String t = text.endsWith("\n") ? text.substring(0, text.length() - 1) : text;
    List<String> all = List.of(t.split("\n", -1));
    List<String> last = new ArrayList<>(all.subList(Math.max(0, all.size() - lines), all.size()));
    String joined = String.join("\n", last);
    return joined.length() <= bytes ? joined : joined.substring(joined.length() - bytes);
  }
}
