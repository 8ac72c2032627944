package dev.stagebuild.plan;

import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A platform as BuildKit reads a {@code FROM --platform} value: containerd's {@code platforms.Parse}
 * and {@code Normalize} (github.com/containerd/platforms, vendored by moby/buildkit), so that
 * {@code amd64}, {@code linux/x86_64} and {@code linux/amd64} are one platform, and
 * {@code linux/arm64/v8} is {@code linux/arm64}. BuildKit runs on Linux, so an architecture alone
 * means Linux; an OS alone means the builder's architecture, which the plan takes to be the node's
 * (TARGETPLATFORM's).
 */
final class PlatformSpec {
  private PlatformSpec() {}

  private static final Pattern OS = Pattern.compile("^([A-Za-z0-9_-]+)(?:\\(([A-Za-z0-9_.-]*)((?:\\+[A-Za-z0-9_.-]+)*)\\))?$");
  private static final Pattern COMPONENT = Pattern.compile("^[A-Za-z0-9_.-]+$");
  private static final java.util.Set<String> KNOWN_OS = java.util.Set.of("aix", "android", "darwin", "dragonfly",
      "freebsd", "hurd", "illumos", "ios", "js", "linux", "nacl", "netbsd", "openbsd", "plan9", "solaris", "wasip1",
      "windows", "zos");
  private static final java.util.Set<String> KNOWN_ARCH = java.util.Set.of("386", "amd64", "amd64p32", "arm", "armbe",
      "arm64", "arm64be", "ppc64", "ppc64le", "loong64", "mips", "mipsle", "mips64", "mips64le", "mips64p32",
      "mips64p32le", "ppc", "riscv", "riscv64", "s390", "s390x", "sparc", "sparc64", "wasm");

  /**
   * The normalized {@code os[(version)]/arch[/variant]} of {@code specifier}, or null when BuildKit
   * cannot parse it. {@code node} (normalized) gives the architecture of an OS-only specifier.
   */
  static String normalize(String specifier, String node) {
    if (specifier.contains("*")) {
      return null;
    }
    String[] parts = specifier.split("/", 4);
    if (parts.length > 3) {
      return null;
    }
    Matcher m = OS.matcher(parts[0]);
    if (!m.matches()) {
      return null;
    }
    for (int i = 1; i < parts.length; i++) {
      if (!COMPONENT.matcher(parts[i]).matches()) {
        return null;
      }
    }
    String os = m.group(1).toLowerCase(Locale.ROOT);
    if (os.equals("macos")) {
      os = "darwin";
    }
    String osVersion = m.group(2) == null ? "" : "(" + m.group(2) + (m.group(3) == null ? "" : m.group(3)) + ")";
    String[] arch;
    if (parts.length == 1) {
      if (KNOWN_OS.contains(os) && osVersion.isEmpty()) {
        String[] n = node == null ? null : node.split("/", 3);
        if (n == null || n.length < 2) {
          return null;
        }
        return os + "/" + n[1] + (n.length > 2 ? "/" + n[2] : "");
      }
      arch = arch(parts[0], "");
      if (arch[0].equals("arm") && arch[1].equals("v7")) {
        arch[1] = "";
      }
      if (!KNOWN_ARCH.contains(arch[0])) {
        return null;
      }
      os = "linux";
      osVersion = "";
    } else if (parts.length == 2) {
      arch = arch(parts[1], "");
      if (arch[0].equals("arm") && arch[1].equals("v7")) {
        arch[1] = "";
      }
    } else {
      arch = arch(parts[1], parts[2]);
      if (arch[0].equals("arm64") && arch[1].isEmpty()) {
        arch[1] = "v8";
      }
    }
    arch = arch(arch[0], arch[1]); // Normalize
    return os + osVersion + "/" + arch[0] + (arch[1].isEmpty() ? "" : "/" + arch[1]);
  }

  /** containerd's normalizeArch. */
  private static String[] arch(String arch, String variant) {
    arch = arch.toLowerCase(Locale.ROOT);
    variant = variant.toLowerCase(Locale.ROOT);
    switch (arch) {
      case "i386" -> {
        arch = "386";
        variant = "";
      }
      case "x86_64", "x86-64", "amd64" -> {
        arch = "amd64";
        if (variant.equals("v1")) {
          variant = "";
        }
      }
      case "aarch64", "arm64" -> {
        arch = "arm64";
        switch (variant) {
          case "8", "v8", "v8.0" -> variant = "";
          case "9", "9.0", "v9.0" -> variant = "v9";
          default -> { }
        }
      }
      case "armhf" -> {
        arch = "arm";
        variant = "v7";
      }
      case "armel" -> {
        arch = "arm";
        variant = "v6";
      }
      case "arm" -> {
        switch (variant) {
          case "", "7" -> variant = "v7";
          case "5", "6", "8" -> variant = "v" + variant;
          default -> { }
        }
      }
      default -> { }
    }
    return new String[] {arch, variant};
  }
}
