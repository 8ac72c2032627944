package dev.stagebuild.registry.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;

/**
 * An image layer: a tar archive (POSIX ustar), gzip-compressed. The digest is of the compressed
 * bytes (what a manifest lists), the diff ID of the uncompressed tar (what an image config lists).
 */
public final class TestLayer {

  private final byte[] tar;
  private final byte[] compressed;
  private final String digest;
  private final String diffId;

  private TestLayer(byte[] tar) {
    this.tar = tar;
    this.compressed = gzip(tar);
    this.digest = sha256(compressed);
    this.diffId = sha256(tar);
  }

  /** A layer with one file of {@code contentBytes} random bytes (so it hardly compresses). */
  public static TestLayer random(int contentBytes, Random random) {
    byte[] content = new byte[contentBytes];
    random.nextBytes(content);
    return builder()
        .directory("random")
        .file("random/" + Long.toHexString(random.nextLong()) + ".bin", content)
        .build();
  }

  /** A layer from an existing uncompressed tar archive. */
  public static TestLayer ofTar(byte[] tar) {
    return new TestLayer(tar.clone());
  }

  public static Builder builder() {
    return new Builder();
  }

  /** The uncompressed tar. */
  public byte[] tar() {
    return tar.clone();
  }

  /** The tar.gz bytes, as pushed. */
  public byte[] compressed() {
    return compressed.clone();
  }

  /** The compressed size in bytes: what a manifest lists as the layer's size. */
  public long size() {
    return compressed.length;
  }

  /** {@code sha256:...} of the compressed bytes. */
  public String digest() {
    return digest;
  }

  /** {@code sha256:...} of the uncompressed tar. */
  public String diffId() {
    return diffId;
  }

  /** Builds a tar of directories, files and symbolic links, in the order given. */
  public static final class Builder {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final List<String> names = new ArrayList<>();

    private Builder() {}

    /** A directory (mode 0755); a leading {@code /} is dropped. */
    public Builder directory(String path) {
      entry(path.endsWith("/") ? path : path + "/", '5', 0755, new byte[0], "");
      return this;
    }

    /** A regular file (mode 0644). */
    public Builder file(String path, byte[] content) {
      return file(path, content, 0644);
    }

    /** A regular file with the given mode (e.g. 0755). */
    public Builder file(String path, byte[] content, int mode) {
      entry(path, '0', mode, content, "");
      return this;
    }

    /** A text file, UTF-8. */
    public Builder file(String path, String content) {
      return file(path, content.getBytes(StandardCharsets.UTF_8));
    }

    /** A symbolic link to {@code target}. */
    public Builder symlink(String path, String target) {
      entry(path, '2', 0777, new byte[0], target);
      return this;
    }

    public TestLayer build() {
      ByteArrayOutputStream tar = new ByteArrayOutputStream();
      tar.writeBytes(out.toByteArray());
      tar.writeBytes(new byte[1024]); // two zero blocks end the archive
      return new TestLayer(tar.toByteArray());
    }

    private void entry(String path, char type, int mode, byte[] content, String linkTarget) {
      String name = path.startsWith("/") ? path.substring(1) : path;
      if (name.isEmpty() || name.equals("/")) {
        throw new IllegalArgumentException("empty path");
      }
      if (names.contains(name)) {
        throw new IllegalArgumentException("duplicate path " + name);
      }
      names.add(name);

      byte[] header = new byte[512];
      byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
      String prefix = "";
      if (nameBytes.length > 100) {
        int split = name.lastIndexOf('/', name.length() - 2);
        while (split > 0
            && (name.substring(0, split).getBytes(StandardCharsets.UTF_8).length > 155
                || name.substring(split + 1).getBytes(StandardCharsets.UTF_8).length > 100)) {
          split = name.lastIndexOf('/', split - 1);
        }
        if (split <= 0) {
          throw new IllegalArgumentException("path too long for ustar: " + name);
        }
        prefix = name.substring(0, split);
        name = name.substring(split + 1);
      }
      put(header, 0, 100, name);
      octal(header, 100, 8, mode);
      octal(header, 108, 8, 0); // uid
      octal(header, 116, 8, 0); // gid
      octal(header, 124, 12, content.length);
      octal(header, 136, 12, 0); // mtime
      header[156] = (byte) type;
      put(header, 157, 100, linkTarget);
      put(header, 257, 6, "ustar");
      put(header, 263, 2, "00");
      put(header, 265, 32, "root");
      put(header, 297, 32, "root");
      put(header, 345, 155, prefix);
      for (int i = 148; i < 156; i++) {
        header[i] = ' ';
      }
      long sum = 0;
      for (byte b : header) {
        sum += b & 0xff;
      }
      String checksum = String.format("%06o", sum);
      put(header, 148, 6, checksum);
      header[154] = 0;
      header[155] = ' ';

      out.writeBytes(header);
      out.writeBytes(content);
      int pad = (512 - content.length % 512) % 512;
      out.writeBytes(new byte[pad]);
    }

    private static void put(byte[] header, int offset, int length, String value) {
      byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
      if (bytes.length > length) {
        throw new IllegalArgumentException("'" + value + "' does not fit a ustar field of " + length);
      }
      System.arraycopy(bytes, 0, header, offset, bytes.length);
    }

    private static void octal(byte[] header, int offset, int length, long value) {
      String digits = Long.toOctalString(value);
      if (digits.length() > length - 1) {
        throw new IllegalArgumentException("value " + value + " too large for ustar");
      }
      String padded = "0".repeat(length - 1 - digits.length()) + digits;
      put(header, offset, length - 1, padded);
      header[offset + length - 1] = 0;
    }
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
      gz.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static String sha256(byte[] data) {
    try {
      return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
