package dev.stagebuild.testing.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagebuild.registry.testing.LocalRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;

/**
 * Asks the registry directly, with plain HTTP and none of the operator's code, what a tag is: the
 * manifest's digest (the registry's Docker-Content-Digest, checked against the bytes) and the image
 * size as config.size plus the layers' sizes.
 */
public final class RegistryProbe {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String ACCEPT = String.join(",",
      "application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json");

  /** What the registry serves for a tag. */
  public record Served(String digest, String mediaType, long configSize, long layersSize, int layers) {
    public long size() {
      return configSize + layersSize;
    }
  }

  private RegistryProbe() {}

  public static Served tag(LocalRegistry registry, String repository, String tag) {
    try {
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      HttpRequest req = HttpRequest.newBuilder(
              URI.create(registry.url() + "/v2/" + repository + "/manifests/" + tag))
          .header("Accept", ACCEPT).timeout(Duration.ofSeconds(10)).GET().build();
      HttpResponse<byte[]> r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
      if (r.statusCode() != 200) {
        throw new IllegalStateException("GET manifest " + repository + ":" + tag + ": HTTP " + r.statusCode());
      }
      String computed = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(r.body()));
      String header = r.headers().firstValue("Docker-Content-Digest").orElse(computed);
      if (!header.equals(computed)) {
        throw new IllegalStateException("registry says " + header + " for a manifest whose bytes hash to " + computed);
      }
      JsonNode m = JSON.readTree(r.body());
      long layers = 0;
      for (JsonNode l : m.path("layers")) {
        layers += l.path("size").asLong();
      }
      return new Served(computed, m.path("mediaType").asText(r.headers().firstValue("Content-Type").orElse("")),
          m.path("config").path("size").asLong(), layers, m.path("layers").size());
    } catch (IOException | java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
