package dev.stagebuild.testing.e2e;

import dev.stagebuild.registry.testing.LocalRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What every end-to-end test shares, started once per JVM: a real registry on loopback, buildah
 * storage of its own, and the base images in that registry — {@code <registry>/busybox:1} (the
 * host's static busybox and its applets, from scratch) and {@code <registry>/e2e/assets:1} (a few
 * files with owners, modes and a symlink, for {@code COPY --from=<image>}). Also the busybox applet
 * directory the pods' scripts run with, and the executor shim.
 */
public final class E2eEnvironment {
  private static E2eEnvironment shared;

  private final Path dir;
  private final LocalRegistry registry;
  private final Buildah buildah;
  private final Path busybox;
  private final Path applets;
  private final Path gitBin;
  private final Path shim;
  private final String baseImage;
  private final String assetsImage;
  private final Duration setupTime;

  /** The environment, started on first use; it stops when the JVM exits. */
  public static synchronized E2eEnvironment get() {
    if (shared == null) {
      shared = new E2eEnvironment();
      Runtime.getRuntime().addShutdownHook(new Thread(shared::stop, "e2e-environment-stop"));
    }
    return shared;
  }

  private E2eEnvironment() {
    long start = System.nanoTime();
    try {
      dir = Files.createTempDirectory("stagebuild-e2e-");
      for (String sub : List.of("home", "tmp", "bin", "git-bin")) {
        Files.createDirectories(dir.resolve(sub));
      }
      busybox = BuildTools.require("busybox");
      applets = dir.resolve("bin");
      Proc.run(List.of(busybox.toString(), "--install", "-s", applets.toString()), Proc.hostEnv(), dir, null,
          Duration.ofSeconds(30)).check();
      gitBin = dir.resolve("git-bin");
      Files.createSymbolicLink(gitBin.resolve("git"), BuildTools.require("git"));
      shim = dir.resolve("executor-shim");
      Files.writeString(shim, shimScript(busybox), StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(shim, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.writeString(dir.resolve("registries.conf"), """
          # end-to-end tests: no search registries, every image reference is fully qualified
          unqualified-search-registries = []
          short-name-mode = "disabled"
          """, StandardCharsets.UTF_8);
      registry = LocalRegistry.start();
      buildah = new Buildah(BuildTools.require("buildah"), dir);
      baseImage = registry.image("busybox:1");
      assetsImage = registry.image("e2e/assets:1");
      buildBusybox();
      buildAssets();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot set up the end-to-end environment", e);
    }
    setupTime = Duration.ofNanos(System.nanoTime() - start);
  }

  /**
   * The executor shim (fixed text, no pod data in it): it sends its arguments, NUL-terminated, to
   * the FIFO {@code request} next to the path it was started by, and exits with the code it reads
   * from the FIFO {@code response}. Each pod gets a symlink to it in its own directory.
   */
  static String shimScript(Path busybox) {
    return "#!" + busybox + " sh\n"
        + "# StageBuild e2e: stands in for /kaniko/executor and hands the call to the Java test runner.\n"
        + "set -eu\n"
        + "dir=${0%/*}\n"
        + "printf '%s\\0' \"$@\" >\"$dir/request\"\n"
        + "IFS= read -r rc <\"$dir/response\"\n"
        + "exit \"$rc\"\n";
  }

  /** busybox from scratch: /bin/busybox, a relative symlink per applet, /etc/passwd and group, Cmd sh. */
  private void buildBusybox() throws IOException {
    String container = buildah.lastLine("from", "--quiet", "scratch");
    try {
      Path root = Path.of(buildah.lastLine("mount", container));
      Path bin = Files.createDirectories(root.resolve("bin"));
      Files.copy(busybox, bin.resolve("busybox"));
      Files.setPosixFilePermissions(bin.resolve("busybox"), PosixFilePermissions.fromString("rwxr-xr-x"));
      String list = Proc.run(List.of(busybox.toString(), "--list"), Proc.hostEnv(), dir, null, Duration.ofSeconds(10))
          .check().output();
      for (String applet : list.split("\n")) {
        String name = applet.strip();
        if (!name.isEmpty() && !name.equals("busybox") && !name.contains("/")) {
          Files.createSymbolicLink(bin.resolve(name), Path.of("busybox"));
        }
      }
      Path etc = Files.createDirectories(root.resolve("etc"));
      Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\n"
          + "app:x:1000:1000:app:/home/app:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n");
      Files.writeString(etc.resolve("group"), "root:x:0:\napp:x:1000:\nnogroup:x:65534:\n");
      Files.createDirectories(root.resolve("root"));
      Path tmp = Files.createDirectories(root.resolve("tmp"));
      Proc.run(List.of("chmod", "1777", tmp.toString()), Proc.hostEnv(), null, null, Duration.ofSeconds(10)).check();
      buildah.ok("config", "--cmd", "[\"sh\"]", "--env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", container);
      commitAndPush(container, baseImage);
    } finally {
      buildah.run("rm", container);
    }
  }

  /** A small image to copy from: files owned by 1234:5678 and 0:0, an executable, a symlink. */
  private void buildAssets() throws IOException {
    String container = buildah.lastLine("from", "--quiet", "scratch");
    try {
      Path root = Path.of(buildah.lastLine("mount", container));
      Path assets = Files.createDirectories(root.resolve("assets"));
      Path data = assets.resolve("data.txt");
      Files.writeString(data, "assets from an image\n");
      Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rw-r-----"));
      Files.setAttribute(data, "unix:uid", 1234, LinkOption.NOFOLLOW_LINKS);
      Files.setAttribute(data, "unix:gid", 5678, LinkOption.NOFOLLOW_LINKS);
      Path tool = Files.createDirectories(assets.resolve("bin")).resolve("tool");
      Files.writeString(tool, "#!/bin/sh\necho tool from the assets image\n");
      Files.setPosixFilePermissions(tool, PosixFilePermissions.fromString("rwxr-xr-x"));
      Files.createSymbolicLink(assets.resolve("current"), Path.of("data.txt"));
      Files.setAttribute(assets.resolve("current"), "unix:uid", 1234, LinkOption.NOFOLLOW_LINKS);
      Files.writeString(Files.createDirectories(root.resolve("etc")).resolve("assets.conf"), "level=3\n");
      buildah.ok("config", "--label", "e2e.assets=1", container);
      commitAndPush(container, assetsImage);
    } finally {
      buildah.run("rm", container);
    }
  }

  private void commitAndPush(String container, String image) {
    String id = buildah.lastLine("commit", "--quiet", "--rm", container);
    try {
      buildah.ok("push", "--quiet", "--tls-verify=false", id, "docker://" + image);
    } finally {
      buildah.run("rmi", "--force", id);
    }
  }

  public LocalRegistry registry() {
    return registry;
  }

  public Buildah buildah() {
    return buildah;
  }

  /** The host's static busybox. */
  public Path busybox() {
    return busybox;
  }

  /** A directory of busybox applet symlinks, like the executor image's /busybox. */
  public Path applets() {
    return applets;
  }

  /** A directory with only {@code git} in it (a symlink to the host's). */
  public Path gitBin() {
    return gitBin;
  }

  public Path shim() {
    return shim;
  }

  /** {@code <registry>/busybox:1}. */
  public String baseImage() {
    return baseImage;
  }

  /** {@code <registry>/e2e/assets:1}. */
  public String assetsImage() {
    return assetsImage;
  }

  /** A new directory under the environment's. */
  public Path newDirectory(String prefix) {
    try {
      return Files.createTempDirectory(dir.resolve("tmp"), prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** How long starting the registry and building and pushing the base images took. */
  public Duration setupTime() {
    return setupTime;
  }

  /** The substitutions test resources use: {@code @REGISTRY@}, {@code @BASE@}, {@code @ASSETS@}. */
  public Map<String, String> substitutions() {
    return Map.of("@REGISTRY@", registry.host(), "@BASE@", baseImage, "@ASSETS@", assetsImage);
  }

  public String substitute(String text) {
    String out = text;
    for (var e : substitutions().entrySet()) {
      out = out.replace(e.getKey(), e.getValue());
    }
    return out;
  }

  private void stop() {
    try {
      buildah.reset();
    } catch (RuntimeException e) {
      // best effort at exit
    }
    registry.close();
    deleteTree(dir);
  }

  /** rm -rf without following symlinks (the storage holds whole root file systems). */
  public static void deleteTree(Path path) {
    if (path == null || !Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    Proc.run(List.of("rm", "-rf", "--one-file-system", path.toString()), Proc.hostEnv(), null, null,
        Duration.ofMinutes(2));
  }
}
