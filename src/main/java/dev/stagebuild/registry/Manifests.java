package dev.stagebuild.registry;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagebuild.registry.RegistryException.Reason;
import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/** Media types, manifest parsing and size computation. Pure: no I/O. */
final class Manifests {

  static final String OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
  static final String OCI_INDEX = "application/vnd.oci.image.index.v1+json";
  static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
  static final String DOCKER_MANIFEST_LIST =
      "application/vnd.docker.distribution.manifest.list.v2+json";
  private static final String DOCKER_SCHEMA1 =
      "application/vnd.docker.distribution.manifest.v1+json";
  private static final String DOCKER_SCHEMA1_SIGNED =
      "application/vnd.docker.distribution.manifest.v1+prettyjws";

  /** The {@code Accept} header for manifest requests: every type this client understands. */
  static final String ACCEPT =
      String.join(", ", OCI_INDEX, DOCKER_MANIFEST_LIST, OCI_MANIFEST, DOCKER_MANIFEST);

  private static final Set<String> IMAGE_TYPES = Set.of(OCI_MANIFEST, DOCKER_MANIFEST);
  private static final Set<String> INDEX_TYPES = Set.of(OCI_INDEX, DOCKER_MANIFEST_LIST);
  private static final Set<String> GENERIC_CONTENT_TYPES =
      Set.of("", "application/json", "text/plain", "application/octet-stream");

  /** The annotation by which BuildKit marks attestation manifests in an index. */
  private static final String REFERENCE_TYPE_ANNOTATION = "vnd.docker.reference.type";

  private static final Pattern DIGEST =
      Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");
  private static final Pattern SHA256 = Pattern.compile("sha256:[a-f0-9]{64}");
  /** An os, architecture or variant of an index entry's platform (it goes to the status as it is). */
  private static final Pattern PLATFORM_PART = Pattern.compile("[A-Za-z0-9._+-]{1,64}");

  private static final ObjectMapper JSON = new ObjectMapper();

  private Manifests() {}

  /** A parsed manifest: a single image or an index of per-platform manifests. */
  sealed interface Parsed permits Image, Index {
    String mediaType();
  }

  /** An image manifest and its sizes. */
  record Image(String mediaType, long configSize, List<Long> layerSizes) implements Parsed {
    /** Config size plus the sizes of all layers. */
    long size() {
      long total = configSize;
      for (long layer : layerSizes) {
        total += layer; // overflow ruled out when parsing
      }
      return total;
    }
  }

  /** An index (or Docker manifest list). */
  record Index(String mediaType, List<Descriptor> manifests) implements Parsed {}

  /** One entry of an index. */
  record Descriptor(
      String mediaType, String digest, long size, String platform, boolean attestation) {

    boolean isImageManifest() {
      return IMAGE_TYPES.contains(mediaType);
    }
  }

  static boolean isImageManifest(String mediaType) {
    return IMAGE_TYPES.contains(mediaType);
  }

  static boolean isIndex(String mediaType) {
    return INDEX_TYPES.contains(mediaType);
  }

  /**
   * Parses a manifest body.
   *
   * @param contentType the response's {@code Content-Type}, or null
   * @param what names the manifest in error messages, e.g. {@code
   *     registry.example.com/team/app:1.0}
   */
  static Parsed parse(byte[] body, String contentType, String what) throws RegistryException {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JacksonException e) {
      throw protocol(what, "the manifest is not valid JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw protocol(what, "the manifest could not be read: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw protocol(what, "the manifest is not a JSON object");
    }

    String mediaType = mediaTypeOf(root, contentType, what);
    if (IMAGE_TYPES.contains(mediaType)) {
      return parseImage(root, mediaType, what);
    }
    return parseIndex(root, mediaType, what);
  }

  private static String mediaTypeOf(JsonNode root, String contentType, String what)
      throws RegistryException {
    String header = contentType == null ? "" : stripParameters(contentType);
    JsonNode field = root.get("mediaType");
    String declared = field != null && field.isTextual() ? field.textValue() : "";

    String mediaType;
    if (!GENERIC_CONTENT_TYPES.contains(header)) {
      mediaType = header;
    } else if (!declared.isEmpty()) {
      mediaType = declared;
    } else if (root.has("schemaVersion") && root.get("schemaVersion").asInt() == 1) {
      mediaType = DOCKER_SCHEMA1;
    } else if (root.has("manifests")) {
      mediaType = OCI_INDEX; // OCI allows omitting mediaType
    } else if (root.has("config") && root.has("layers")) {
      mediaType = OCI_MANIFEST;
    } else {
      throw protocol(what, "the manifest has no media type and is neither an image nor an index");
    }

    if (mediaType.equals(DOCKER_SCHEMA1) || mediaType.equals(DOCKER_SCHEMA1_SIGNED)) {
      throw protocol(
          what,
          "it is a Docker schema 1 manifest, which is deprecated and not supported; push the image"
              + " again with a current client");
    }
    if (!IMAGE_TYPES.contains(mediaType) && !INDEX_TYPES.contains(mediaType)) {
      throw protocol(
          what,
          "unsupported manifest media type '"
              + mediaType
              + "'; expected an OCI image manifest or index, or a Docker v2 manifest or manifest"
              + " list");
    }
    return mediaType;
  }

  private static String stripParameters(String contentType) {
    int semicolon = contentType.indexOf(';');
    String type = semicolon >= 0 ? contentType.substring(0, semicolon) : contentType;
    return type.trim().toLowerCase(Locale.ROOT);
  }

  private static Image parseImage(JsonNode root, String mediaType, String what)
      throws RegistryException {
    JsonNode config = root.get("config");
    if (config == null || !config.isObject()) {
      throw protocol(what, "the image manifest has no \"config\" descriptor");
    }
    long configSize = sizeOf(config, "config", what);
    JsonNode layers = root.get("layers");
    List<Long> layerSizes = new ArrayList<>();
    if (layers != null && !layers.isNull()) {
      if (!layers.isArray()) {
        throw protocol(what, "\"layers\" of the image manifest is not a list");
      }
      long total = configSize;
      for (int i = 0; i < layers.size(); i++) {
        JsonNode layer = layers.get(i);
        if (!layer.isObject()) {
          throw protocol(what, "layers[" + i + "] is not a descriptor object");
        }
        long size = sizeOf(layer, "layers[" + i + "]", what);
        try {
          total = Math.addExact(total, size);
        } catch (ArithmeticException e) {
          throw protocol(what, "the sum of the layer sizes overflows");
        }
        layerSizes.add(size);
      }
    }
    return new Image(mediaType, configSize, List.copyOf(layerSizes));
  }

  private static Index parseIndex(JsonNode root, String mediaType, String what)
      throws RegistryException {
    JsonNode manifests = root.get("manifests");
    if (manifests == null || !manifests.isArray()) {
      throw protocol(what, "the index has no \"manifests\" list");
    }
    List<Descriptor> descriptors = new ArrayList<>();
    for (int i = 0; i < manifests.size(); i++) {
      JsonNode d = manifests.get(i);
      String where = "manifests[" + i + "]";
      if (!d.isObject()) {
        throw protocol(what, where + " is not a descriptor object");
      }
      JsonNode type = d.get("mediaType");
      if (type == null || !type.isTextual()) {
        throw protocol(what, where + " has no mediaType");
      }
      JsonNode digest = d.get("digest");
      if (digest == null || !digest.isTextual() || !isDigest(digest.textValue())) {
        throw protocol(what, where + " has no valid digest");
      }
      long size = sizeOf(d, where, what);
      descriptors.add(
          new Descriptor(
              stripParameters(type.textValue()),
              digest.textValue(),
              size,
              platformOf(d.get("platform")),
              isAttestation(d)));
    }
    return new Index(mediaType, List.copyOf(descriptors));
  }

  private static boolean isAttestation(JsonNode descriptor) {
    JsonNode annotations = descriptor.get("annotations");
    if (annotations == null || !annotations.isObject()) {
      return false;
    }
    JsonNode type = annotations.get(REFERENCE_TYPE_ANNOTATION);
    return type != null && type.isTextual() && type.textValue().equals("attestation-manifest");
  }

  /** {@code os/architecture[/variant]}, or {@code unknown}. */
  static String platformOf(JsonNode platform) {
    if (platform == null || !platform.isObject()) {
      return "unknown";
    }
    String os = platformPart(platform.path("os").asText(""));
    String arch = platformPart(platform.path("architecture").asText(""));
    String variant = platformPart(platform.path("variant").asText(""));
    if (os.isEmpty() && arch.isEmpty()) {
      return "unknown";
    }
    StringBuilder sb = new StringBuilder();
    sb.append(os.isEmpty() ? "unknown" : os).append('/').append(arch.isEmpty() ? "unknown" : arch);
    if (!variant.isEmpty()) {
      sb.append('/').append(variant);
    }
    return sb.toString();
  }

  /** A platform's os, architecture or variant as GOOS/GOARCH spell them; anything else is empty (unknown). */
  private static String platformPart(String text) {
    return PLATFORM_PART.matcher(text).matches() ? text : "";
  }

  private static long sizeOf(JsonNode descriptor, String where, String what)
      throws RegistryException {
    JsonNode size = descriptor.get("size");
    if (size == null || size.isNull()) {
      throw protocol(what, where + " has no size");
    }
    if (!size.isIntegralNumber() || !size.canConvertToLong() || size.longValue() < 0) {
      throw protocol(what, where + " has an invalid size: " + size);
    }
    return size.longValue();
  }

  /**
   * The index entry whose size stands for the whole index: the first linux/amd64 platform if
   * there is one, else the first entry.
   */
  static int representativeIndex(List<String> platforms) {
    for (int i = 0; i < platforms.size(); i++) {
      if (platforms.get(i).equals("linux/amd64")) {
        return i;
      }
    }
    for (int i = 0; i < platforms.size(); i++) {
      if (platforms.get(i).startsWith("linux/amd64/")) {
        return i;
      }
    }
    return 0;
  }

  static boolean isDigest(String s) {
    return s != null
        && DIGEST.matcher(s).matches()
        && (!s.startsWith("sha256:") || SHA256.matcher(s).matches());
  }

  static String sha256(byte[] bytes) {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      return "sha256:" + HexFormat.of().formatHex(md.digest(bytes));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /**
   * Whether {@code bytes} have the digest {@code digest}. Only sha256 can be checked; other
   * algorithms are accepted as they are.
   */
  static boolean matches(String digest, byte[] bytes) {
    if (!digest.startsWith("sha256:")) {
      return true;
    }
    return digest.equals(sha256(bytes));
  }

  private static RegistryException protocol(String what, String why) {
    return new RegistryException(
        Reason.PROTOCOL, "cannot read the manifest of " + what + ": " + why);
  }
}
