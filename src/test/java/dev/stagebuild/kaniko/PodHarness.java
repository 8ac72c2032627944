package dev.stagebuild.kaniko;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plays the kubelet for one rendered pod: mounts are directories under a temp dir, the pod's env
 * paths are remapped onto them, and its command runs with the host's busybox.
 */
final class PodHarness {
  private PodHarness() {}

  /** Deletes a directory tree without following symlinks. */
  static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (var paths = Files.walk(dir)) {
      for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** Writes a ConfigMap's data the way the kubelet does: files in a timestamped dir, ..data, and symlinks. */
  static void mountConfigMap(Map<String, String> data, Path dir) throws IOException {
    Files.createDirectories(dir);
    Path stamped = Files.createDirectories(dir.resolve("..2025_01_01_00_00_00.000000001"));
    for (var e : data.entrySet()) {
      Files.writeString(stamped.resolve(e.getKey()), e.getValue());
    }
    Files.createSymbolicLink(dir.resolve("..data"), stamped.getFileName());
    for (String key : data.keySet()) {
      Files.createSymbolicLink(dir.resolve(key), Path.of("..data", key));
    }
  }

  /** The container's env, with each variable named in {@code remap} set to the given host path. */
  static Map<String, String> env(Container c, Map<String, String> remap, Map<String, String> extra) {
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvVar e : c.getEnv()) {
      env.put(e.getName(), remap.getOrDefault(e.getName(), e.getValue()));
    }
    env.putAll(extra);
    return env;
  }

  /** The container's command and args with its shell replaced by {@code busybox sh}. */
  static List<String> command(Pod pod, Path busybox) {
    Container c = pod.getSpec().getContainers().get(0);
    List<String> cmd = new ArrayList<>();
    cmd.add(busybox.toString());
    cmd.add("sh");
    cmd.addAll(c.getCommand().subList(1, c.getCommand().size()));
    if (c.getArgs() != null) {
      cmd.addAll(c.getArgs());
    }
    return cmd;
  }
}
