package dev.stagebuild.testing.e2e;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The host's buildah with storage of its own (vfs, under the test environment's directory), chroot
 * isolation, and a registries.conf without search registries, so nothing reaches the internet.
 */
public final class Buildah {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

  private final Path binary;
  private final Path root;
  private final Path runRoot;
  private final Map<String, String> env;

  Buildah(Path binary, Path dir) {
    this.binary = binary;
    this.root = dir.resolve("storage");
    this.runRoot = dir.resolve("run");
    Map<String, String> e = new LinkedHashMap<>(Proc.hostEnv());
    e.put("HOME", dir.resolve("home").toString());
    e.put("TMPDIR", dir.resolve("tmp").toString());
    e.put("CONTAINERS_REGISTRIES_CONF", dir.resolve("registries.conf").toString());
    e.put("BUILDAH_ISOLATION", "chroot");
    e.put("STORAGE_DRIVER", "vfs");
    this.env = Map.copyOf(e);
  }

  /** {@code buildah --root .. --runroot .. --storage-driver vfs <args>}. */
  public List<String> command(List<String> args) {
    List<String> cmd = new ArrayList<>(List.of(binary.toString(), "--root", root.toString(), "--runroot",
        runRoot.toString(), "--storage-driver", "vfs"));
    cmd.addAll(args);
    return cmd;
  }

  public Map<String, String> env() {
    return env;
  }

  public Proc.Result run(List<String> args, Path log, Duration timeout) {
    return Proc.run(command(args), env, null, log, timeout);
  }

  public Proc.Result run(String... args) {
    return run(List.of(args), null, DEFAULT_TIMEOUT);
  }

  /** Runs and fails on a non-zero exit; returns the trimmed output. */
  public String ok(String... args) {
    return run(args).check().trimmed();
  }

  /** The last line of the output: buildah prints progress before the value asked for. */
  public String lastLine(String... args) {
    String[] lines = ok(args).split("\n");
    return lines[lines.length - 1].strip();
  }

  /** Removes every container, then every image: the storage as it was before the test. */
  public void reset() {
    run("rm", "--all");
    run("rmi", "--all", "--force");
  }

  /**
   * Removes every container, then every image but those named {@code keep} (as pulled: name:tag),
   * which the next build would only pull again from the same registry.
   */
  public void resetKeeping(java.util.Set<String> keep) {
    run("rm", "--all");
    for (String line : ok("images", "--no-trunc", "--format", "{{.ID}} {{.Name}}:{{.Tag}}").lines().toList()) {
      String[] f = line.strip().split(" ", 2);
      if (f.length == 2 && !keep.contains(f[1])) {
        run("rmi", "--force", f[0]);
      }
    }
  }

  /** Mounts an image's root file system in a new working container; call {@link Mounted#close()}. */
  public Mounted mount(String image) {
    String container = lastLine("from", "--pull=never", "--quiet", image);
    try {
      return new Mounted(this, container, Path.of(lastLine("mount", container)));
    } catch (RuntimeException e) {
      run("rm", container);
      throw e;
    }
  }

  /** A working container with its root mounted. */
  public record Mounted(Buildah buildah, String container, Path root) implements AutoCloseable {
    @Override
    public void close() {
      buildah.run("umount", container);
      buildah.run("rm", container);
    }
  }
}
