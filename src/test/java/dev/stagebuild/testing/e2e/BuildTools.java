package dev.stagebuild.testing.e2e;

import dev.stagebuild.registry.testing.LocalRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The host tools the end-to-end tests run: buildah (as root, vfs storage, chroot isolation),
 * busybox (the static one: it is copied into the base image), git, and docker-registry.
 */
public final class BuildTools {
  /** What to tell a person whose machine lacks them. */
  public static final String INSTALL_HINT =
      "apt-get install buildah busybox-static docker-registry git (and run the tests as root)";

  private BuildTools() {}

  /** Searches the host PATH (and /usr/sbin, /usr/bin, /bin) for an executable. */
  public static Optional<Path> find(String tool) {
    List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
    dirs.addAll(List.of("/usr/sbin", "/usr/bin", "/bin"));
    for (String dir : dirs) {
      if (!dir.isEmpty()) {
        Path p = Path.of(dir, tool);
        if (Files.isRegularFile(p) && Files.isExecutable(p)) {
          return Optional.of(p);
        }
      }
    }
    return Optional.empty();
  }

  public static Path require(String tool) {
    return find(tool).orElseThrow(() -> new IllegalStateException(tool + " not found: " + INSTALL_HINT));
  }

  /** What is missing for the end-to-end tests on this machine; empty when they can run. */
  public static List<String> missing() {
    List<String> missing = new ArrayList<>();
    for (String tool : List.of("buildah", "busybox", "git")) {
      if (find(tool).isEmpty()) {
        missing.add(tool);
      }
    }
    if (!LocalRegistry.available()) {
      missing.add("docker-registry (" + LocalRegistry.binary() + ")");
    }
    find("busybox").ifPresent(b -> {
      if (!isStatic(b)) {
        missing.add("a static busybox (busybox-static; " + b + " is dynamically linked)");
      }
    });
    if (!isRoot()) {
      missing.add("root (buildah runs as root with vfs storage)");
    }
    return missing;
  }

  static boolean isRoot() {
    try {
      return ((Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid")) == 0;
    } catch (Exception e) {
      return "root".equals(System.getProperty("user.name"));
    }
  }

  /** A static ELF has no PT_INTERP program header: no ".interp" path string (/lib.../ld-...). */
  static boolean isStatic(Path binary) {
    try {
      byte[] head = Files.readAllBytes(binary);
      String s = new String(head, 0, Math.min(head.length, 4096), java.nio.charset.StandardCharsets.ISO_8859_1);
      return !s.contains("/ld-linux") && !s.contains("/ld-musl");
    } catch (Exception e) {
      return false;
    }
  }
}
