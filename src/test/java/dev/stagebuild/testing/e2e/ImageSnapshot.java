package dev.stagebuild.testing.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * What an image is, for comparing two builds: every file (path, type, mode with the setuid, setgid
 * and sticky bits, owner, content hash, symlink target — not timestamps) and the parts of the
 * config a Dockerfile sets (Env, Cmd, Entrypoint, WorkingDir, User, Labels, ExposedPorts).
 */
public record ImageSnapshot(Map<String, Entry> files, Map<String, JsonNode> config) {
  public static final List<String> CONFIG_FIELDS = List.of("Env", "Cmd", "Entrypoint", "WorkingDir", "User",
      "Labels", "ExposedPorts");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One file system entry; {@code content} is the SHA-256 of a file, the target of a symlink, else empty. */
  public record Entry(char type, int mode, int uid, int gid, String content) {
    @Override
    public String toString() {
      return type + String.format(" %04o %d:%d", mode, uid, gid) + (content.isEmpty() ? "" : " " + content);
    }
  }

  /** Reads an image that is in buildah's storage (an ID or a name). */
  public static ImageSnapshot of(Buildah buildah, String image) {
    Map<String, JsonNode> config = new LinkedHashMap<>();
    try {
      JsonNode inspect = JSON.readTree(buildah.ok("inspect", "--type", "image", image));
      JsonNode c = inspect.path("OCIv1").path("config");
      for (String field : CONFIG_FIELDS) {
        JsonNode v = c.get(field);
        config.put(field, v == null || v.isNull() || (v.isContainerNode() && v.isEmpty()) ? null : v);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    try (Buildah.Mounted m = buildah.mount(image)) {
      return new ImageSnapshot(walk(m.root()), config);
    }
  }

  /** Every entry below {@code root}, keyed by its absolute path in the image ({@code /} for the root). */
  public static Map<String, Entry> walk(Path root) {
    Map<String, Entry> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        String rel = root.relativize(p).toString();
        files.put("/" + rel, entry(p));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return files;
  }

  static Entry entry(Path p) throws IOException {
    Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
    int mode = (Integer) a.get("mode");
    int uid = (Integer) a.get("uid");
    int gid = (Integer) a.get("gid");
    int perm = mode & 07777;
    if (Files.isSymbolicLink(p)) {
      return new Entry('l', perm, uid, gid, Files.readSymbolicLink(p).toString());
    }
    if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      return new Entry('d', perm, uid, gid, "");
    }
    if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      return new Entry('f', perm, uid, gid, sha256(p));
    }
    return new Entry('?', mode, uid, gid, "");
  }

  private static String sha256(Path p) throws IOException {
    try (InputStream in = Files.newInputStream(p)) {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[65536];
      int n;
      while ((n = in.read(buf)) > 0) {
        md.update(buf, 0, n);
      }
      return HexFormat.of().formatHex(md.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The differences from {@code other}, one line each; empty when the images are the same. */
  public List<String> differences(ImageSnapshot other, String mine, String theirs) {
    List<String> out = new ArrayList<>();
    Set<String> paths = new TreeSet<>(files.keySet());
    paths.addAll(other.files.keySet());
    for (String p : paths) {
      Entry a = files.get(p);
      Entry b = other.files.get(p);
      if (a == null) {
        out.add(p + ": only in " + theirs + " (" + b + ")");
      } else if (b == null) {
        out.add(p + ": only in " + mine + " (" + a + ")");
      } else if (!a.equals(b)) {
        out.add(p + ": " + mine + " " + a + ", " + theirs + " " + b);
      }
    }
    for (String field : CONFIG_FIELDS) {
      JsonNode a = config.get(field);
      JsonNode b = other.config.get(field);
      if (a == null ? b != null : !a.equals(b)) {
        out.add("config " + field + ": " + mine + " " + a + ", " + theirs + " " + b);
      }
    }
    return out;
  }

  /** A short listing for reports: paths of regular files and symlinks outside /bin. */
  public List<String> interestingPaths() {
    return files.entrySet().stream().filter(e -> !e.getKey().startsWith("/bin/") || e.getKey().equals("/bin/busybox"))
        .map(e -> e.getKey() + " " + e.getValue()).toList();
  }
}
