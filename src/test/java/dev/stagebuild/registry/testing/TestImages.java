package dev.stagebuild.registry.testing;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;
import java.util.function.Function;

/**
 * Pushes small synthetic images to a registry through the plain distribution HTTP API (monolithic
 * blob upload: {@code POST} then {@code PUT ?digest=}, then {@code PUT} of the manifest), and
 * reports what it pushed: digests and the expected size, computed here from the uploaded bytes
 * and independent of the production registry client.
 *
 * <pre>{@code
 * TestImages images = TestImages.on(registry);
 * PushedImage app = images.push("team/app", "1.0", TestImages.image().randomLayers(2048, 512));
 * PushedIndex multi = images.pushIndex("team/app", "multi", Format.OCI,
 *     TestImages.image().platform("linux/amd64").randomLayers(1000),
 *     TestImages.image().platform("linux/arm64/v8").randomLayers(3000));
 * }</pre>
 *
 * <p>Thread-safe; one instance per registry.
 */
public final class TestImages {

  /** Manifest flavour. */
  public enum Format {
    OCI(
        "application/vnd.oci.image.manifest.v1+json",
        "application/vnd.oci.image.index.v1+json",
        "application/vnd.oci.image.config.v1+json",
        "application/vnd.oci.image.layer.v1.tar+gzip"),
    DOCKER(
        "application/vnd.docker.distribution.manifest.v2+json",
        "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.docker.container.image.v1+json",
        "application/vnd.docker.image.rootfs.diff.tar.gzip");

    public final String manifestType;
    public final String indexType;
    public final String configType;
    public final String layerType;

    Format(String manifestType, String indexType, String configType, String layerType) {
      this.manifestType = manifestType;
      this.indexType = indexType;
      this.configType = configType;
      this.layerType = layerType;
    }
  }

  /** A blob as pushed: digest, size in bytes, media type. */
  public record PushedBlob(String digest, long size, String mediaType) {}

  /** An image manifest as pushed. */
  public record PushedImage(
      String host,
      String repository,
      String tag,
      String digest,
      String mediaType,
      String platform,
      byte[] manifest,
      PushedBlob config,
      List<PushedBlob> layers) {

    /** Config size plus layer sizes: the byte counts this harness uploaded. */
    public long expectedSize() {
      long size = config.size();
      for (PushedBlob layer : layers) {
        size += layer.size();
      }
      return size;
    }

    /** {@code host/repository:tag} ({@code @digest} if pushed without a tag). */
    public String reference() {
      return tag == null ? referenceByDigest() : host + "/" + repository + ":" + tag;
    }

    /** {@code host/repository@digest}. */
    public String referenceByDigest() {
      return host + "/" + repository + "@" + digest;
    }
  }

  /** An index (or Docker manifest list) as pushed, with its platform manifests in order. */
  public record PushedIndex(
      String host,
      String repository,
      String tag,
      String digest,
      String mediaType,
      byte[] manifest,
      List<PushedImage> platforms) {

    /** The platform manifest for {@code os/arch[/variant]}. */
    public PushedImage platform(String platform) {
      return platforms.stream()
          .filter(p -> p.platform().equals(platform))
          .findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no platform " + platform));
    }

    /**
     * The size StageBuild reports for an index: that of the first linux/amd64 platform, else the
     * first platform's.
     */
    public long expectedSize() {
      return platforms.stream()
          .filter(p -> p.platform().equals("linux/amd64"))
          .findFirst()
          .orElse(platforms.get(0))
          .expectedSize();
    }

    public String reference() {
      return host + "/" + repository + ":" + tag;
    }

    public String referenceByDigest() {
      return host + "/" + repository + "@" + digest;
    }
  }

  /** What to push: format, platform, layers and a little container config. */
  public static final class ImageSpec {
    private Format format = Format.OCI;
    private String platform = "linux/amd64";
    private final List<TestLayer> layers = new ArrayList<>();
    private final List<Integer> randomLayerSizes = new ArrayList<>();
    private Long seed;
    private final List<String> env = new ArrayList<>();
    private List<String> cmd;
    private List<String> entrypoint;
    private String workingDir;

    private ImageSpec() {}

    public ImageSpec format(Format format) {
      this.format = Objects.requireNonNull(format);
      return this;
    }

    /** {@code os/architecture[/variant]} (default linux/amd64). */
    public ImageSpec platform(String platform) {
      if (platform.split("/").length < 2 || platform.split("/").length > 3) {
        throw new IllegalArgumentException("platform must be os/arch[/variant]: " + platform);
      }
      this.platform = platform;
      return this;
    }

    /** Layers of one file each with that many random bytes (added after explicit layers). */
    public ImageSpec randomLayers(int... contentSizes) {
      Arrays.stream(contentSizes).forEach(randomLayerSizes::add);
      return this;
    }

    /** An explicit layer (e.g. built with {@link TestLayer#builder()}). */
    public ImageSpec layer(TestLayer layer) {
      layers.add(Objects.requireNonNull(layer));
      return this;
    }

    /** Seed for the random layers, to get the same bytes again (default: random). */
    public ImageSpec seed(long seed) {
      this.seed = seed;
      return this;
    }

    public ImageSpec env(String name, String value) {
      env.add(name + "=" + value);
      return this;
    }

    public ImageSpec cmd(String... cmd) {
      this.cmd = List.of(cmd);
      return this;
    }

    public ImageSpec entrypoint(String... entrypoint) {
      this.entrypoint = List.of(entrypoint);
      return this;
    }

    public ImageSpec workingDir(String dir) {
      this.workingDir = dir;
      return this;
    }

    public Format format() {
      return format;
    }

    public String platform() {
      return platform;
    }
  }

  /** A new spec: OCI, linux/amd64, no layers until you add some. */
  public static ImageSpec image() {
    return new ImageSpec();
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final URI registryUrl;
  private final String host;
  private final Function<String, Optional<String>> authorization;
  private final HttpClient http = TestHttp.client(Duration.ofSeconds(5));

  private TestImages(URI registryUrl, Function<String, Optional<String>> authorization) {
    this.registryUrl = registryUrl;
    this.host = registryUrl.getRawAuthority();
    this.authorization = authorization;
  }

  /** Pushes to a {@link LocalRegistry}, authenticated as it requires. */
  public static TestImages on(LocalRegistry registry) {
    return new TestImages(registry.url(), registry::authorization);
  }

  /**
   * Pushes to any registry URL ({@code http(s)://host:port}); {@code authorization} gives the
   * {@code Authorization} header value for a repository, if one is needed.
   */
  public static TestImages on(URI registryUrl, Function<String, Optional<String>> authorization) {
    return new TestImages(registryUrl, authorization);
  }

  /** Pushes an image manifest under {@code tag} (or by digest only if tag is null). */
  public PushedImage push(String repository, String tag, ImageSpec spec) {
    Optional<String> auth = authorization.apply(repository);
    return pushImage(repository, tag, spec, auth);
  }

  /**
   * Pushes each platform image by digest, then an index (OCI) or manifest list (Docker) over them
   * under {@code tag}. Every spec gets the index's format.
   */
  public PushedIndex pushIndex(String repository, String tag, Format format, ImageSpec... platforms) {
    if (platforms.length == 0) {
      throw new IllegalArgumentException("an index needs at least one platform");
    }
    Optional<String> auth = authorization.apply(repository);
    List<PushedImage> images = new ArrayList<>();
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", format.indexType);
    ArrayNode manifests = index.putArray("manifests");
    for (ImageSpec spec : platforms) {
      spec.format(format);
      PushedImage image = pushImage(repository, null, spec, auth);
      images.add(image);
      ObjectNode d = manifests.addObject();
      d.put("mediaType", image.mediaType());
      d.put("digest", image.digest());
      d.put("size", image.manifest().length);
      String[] p = image.platform().split("/");
      ObjectNode platform = d.putObject("platform");
      platform.put("architecture", p[1]);
      platform.put("os", p[0]);
      if (p.length > 2) {
        platform.put("variant", p[2]);
      }
    }
    byte[] body = bytes(index);
    String digest = TestLayer.sha256(body);
    putManifest(repository, tag, format.indexType, body, digest, auth);
    return new PushedIndex(host, repository, tag, digest, format.indexType, body, List.copyOf(images));
  }

  /** Reads a manifest back with plain HTTP (for checks that must not use production code). */
  public byte[] fetchManifest(String repository, String reference) {
    Optional<String> auth = authorization.apply(repository);
    HttpRequest.Builder b = HttpRequest.newBuilder(url("/v2/" + repository + "/manifests/" + reference))
        .header("Accept", String.join(",", Format.OCI.manifestType, Format.OCI.indexType,
            Format.DOCKER.manifestType, Format.DOCKER.indexType))
        .GET();
    auth.ifPresent(a -> b.header("Authorization", a));
    HttpResponse<byte[]> r = send(b.build());
    expect(r, 200, "GET manifest " + repository + ":" + reference);
    return r.body();
  }

  // ---------------------------------------------------------------------------------------------

  private PushedImage pushImage(String repository, String tag, ImageSpec spec, Optional<String> auth) {
    Format format = spec.format;
    Random random = spec.seed == null ? new Random() : new Random(spec.seed);
    List<TestLayer> layers = new ArrayList<>(spec.layers);
    for (int size : spec.randomLayerSizes) {
      layers.add(TestLayer.random(size, random));
    }

    String[] p = spec.platform.split("/");
    ObjectNode config = JSON.createObjectNode();
    config.put("architecture", p[1]);
    config.put("os", p[0]);
    if (p.length > 2) {
      config.put("variant", p[2]);
    }
    config.put("created", "1970-01-01T00:00:00Z");
    ObjectNode containerConfig = config.putObject("config");
    if (!spec.env.isEmpty()) {
      ArrayNode env = containerConfig.putArray("Env");
      spec.env.forEach(env::add);
    }
    if (spec.cmd != null) {
      ArrayNode cmd = containerConfig.putArray("Cmd");
      spec.cmd.forEach(cmd::add);
    }
    if (spec.entrypoint != null) {
      ArrayNode ep = containerConfig.putArray("Entrypoint");
      spec.entrypoint.forEach(ep::add);
    }
    if (spec.workingDir != null) {
      containerConfig.put("WorkingDir", spec.workingDir);
    }
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    ArrayNode diffIds = rootfs.putArray("diff_ids");
    layers.forEach(l -> diffIds.add(l.diffId()));
    byte[] configBytes = bytes(config);

    PushedBlob configBlob = new PushedBlob(TestLayer.sha256(configBytes), configBytes.length, format.configType);
    uploadBlob(repository, configBytes, configBlob.digest(), auth);
    List<PushedBlob> layerBlobs = new ArrayList<>();
    for (TestLayer layer : layers) {
      byte[] compressed = layer.compressed();
      uploadBlob(repository, compressed, layer.digest(), auth);
      layerBlobs.add(new PushedBlob(layer.digest(), compressed.length, format.layerType));
    }

    ObjectNode manifest = JSON.createObjectNode();
    manifest.put("schemaVersion", 2);
    manifest.put("mediaType", format.manifestType);
    descriptor(manifest.putObject("config"), configBlob);
    ArrayNode layerList = manifest.putArray("layers");
    layerBlobs.forEach(b -> descriptor(layerList.addObject(), b));
    byte[] body = bytes(manifest);
    String digest = TestLayer.sha256(body);
    putManifest(repository, tag == null ? digest : tag, format.manifestType, body, digest, auth);
    return new PushedImage(host, repository, tag, digest, format.manifestType, spec.platform, body,
        configBlob, List.copyOf(layerBlobs));
  }

  private static void descriptor(ObjectNode node, PushedBlob blob) {
    node.put("mediaType", blob.mediaType());
    node.put("digest", blob.digest());
    node.put("size", blob.size());
  }

  private void uploadBlob(String repository, byte[] content, String digest, Optional<String> auth) {
    HttpRequest.Builder head = HttpRequest.newBuilder(url("/v2/" + repository + "/blobs/" + digest))
        .method("HEAD", HttpRequest.BodyPublishers.noBody());
    auth.ifPresent(a -> head.header("Authorization", a));
    if (send(head.build()).statusCode() == 200) {
      return;
    }

    HttpRequest.Builder start = HttpRequest.newBuilder(url("/v2/" + repository + "/blobs/uploads/"))
        .POST(HttpRequest.BodyPublishers.noBody());
    auth.ifPresent(a -> start.header("Authorization", a));
    HttpResponse<byte[]> started = send(start.build());
    expect(started, 202, "start blob upload to " + repository);
    String location = started.headers().firstValue("Location")
        .orElseThrow(() -> new IllegalStateException("blob upload answer without Location"));
    URI uploadUri = registryUrl.resolve(location);
    String separator = uploadUri.getRawQuery() == null ? "?" : "&";
    URI put = URI.create(uploadUri + separator + "digest=" + URLEncoder.encode(digest, StandardCharsets.UTF_8));

    HttpRequest.Builder finish = HttpRequest.newBuilder(put)
        .header("Content-Type", "application/octet-stream")
        .PUT(HttpRequest.BodyPublishers.ofByteArray(content));
    auth.ifPresent(a -> finish.header("Authorization", a));
    expect(send(finish.build()), 201, "upload blob " + digest + " to " + repository);
  }

  private void putManifest(String repository, String reference, String mediaType, byte[] body,
      String digest, Optional<String> auth) {
    HttpRequest.Builder b = HttpRequest.newBuilder(url("/v2/" + repository + "/manifests/" + reference))
        .header("Content-Type", mediaType)
        .PUT(HttpRequest.BodyPublishers.ofByteArray(body));
    auth.ifPresent(a -> b.header("Authorization", a));
    HttpResponse<byte[]> r = send(b.build());
    expect(r, 201, "put manifest " + repository + ":" + reference);
    String answered = r.headers().firstValue("Docker-Content-Digest").orElse(digest);
    if (!answered.equals(digest)) {
      throw new IllegalStateException(
          "registry computed digest " + answered + " for a manifest whose bytes hash to " + digest);
    }
  }

  private URI url(String path) {
    return registryUrl.resolve(path);
  }

  private HttpResponse<byte[]> send(HttpRequest request) {
    try {
      return http.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw new UncheckedIOException(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void expect(HttpResponse<byte[]> r, int status, String what) {
    if (r.statusCode() != status) {
      throw new IllegalStateException(what + ": expected HTTP " + status + " but got "
          + r.statusCode() + ": " + new String(r.body(), StandardCharsets.UTF_8));
    }
  }

  private static byte[] bytes(ObjectNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** For debugging: the JSON of a pushed manifest. */
  public static Map<String, Object> parse(byte[] manifest) {
    try {
      @SuppressWarnings("unchecked")
      Map<String, Object> map = JSON.readValue(manifest, LinkedHashMap.class);
      return map;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
