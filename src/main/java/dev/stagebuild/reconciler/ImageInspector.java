package dev.stagebuild.reconciler;

import dev.stagebuild.api.PlatformImage;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.registry.Credentials;
import dev.stagebuild.registry.DockerConfig;
import dev.stagebuild.registry.ImageInfo;
import dev.stagebuild.registry.ImageReference;
import dev.stagebuild.registry.PushCheck;
import dev.stagebuild.registry.RegistryClient;
import dev.stagebuild.registry.RegistryException;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.Base64;
import java.util.List;

/**
 * Asks the registry, with the build's push secret and CA bundle, what the pushed tag holds: the
 * digest the final pod reported is checked against it before its size is reported.
 */
public class ImageInspector {
  private final RegistryClient registry;

  public ImageInspector(RegistryClient registry) {
    this.registry = registry;
  }

  Inspection inspect(ClusterView cluster, StageBuild sb, String digest) {
    var output = sb.getSpec().output;
    ImageReference tag;
    try {
      tag = ImageReference.parse(output.image);
      tag.withDigest(digest);
    } catch (RuntimeException e) {
      return Inspection.failed("InvalidSpec", "spec.output.image '" + output.image + "' is not an image reference: "
          + e.getMessage());
    }
    if (tag.digest().isPresent()) {
      return Inspection.failed("InvalidSpec", "spec.output.image '" + output.image
          + "' names a digest: the executor pushes to a tag, and the pushed digest is checked against it");
    }
    Credentials credentials = null;
    if (output.pushSecretRef != null) {
      Secret secret = cluster.secret(output.pushSecretRef.name);
      String data = secret == null || secret.getData() == null ? null
          : secret.getData().get(Prerequisites.DOCKER_CONFIG_KEY);
      if (data == null) {
        return Inspection.failed("SecretNotFound", "Secret " + output.pushSecretRef.name
            + " with key .dockerconfigjson is needed to read the image's size from the registry");
      }
      try {
        credentials = DockerConfig.parse(Base64.getDecoder().decode(data)).credentialsFor(tag);
      } catch (RuntimeException e) {
        return Inspection.failed("InvalidSecret", "Secret " + output.pushSecretRef.name
            + " does not hold a valid .dockerconfigjson: " + e.getMessage());
      }
    }
    CaBundles.Read ca = CaBundles.read(cluster, sb);
    if (ca.problem() != null) {
      return Inspection.failed(ca.problem().reason(), ca.problem().message());
    }
    try {
      return inspection(output.image,
          registry.verifyPushed(tag, digest, credentials, Boolean.TRUE.equals(output.insecure), ca.bundle()));
    } catch (RegistryException e) {
      return Inspection.failed(e.reason().conditionReason(), "the image was pushed as " + digest
          + ", but the registry could not be asked about it: " + e.getMessage());
    }
  }

  /**
   * What the registry's answer means for the build. The reported digest is kept when the tag
   * resolves to it, and also when the tag has moved on (or was deleted) but the repository holds
   * the digest: another push to the same tag after this one is legitimate, and the digest is then
   * the one image this build pushed. When the repository does not hold the digest at all, the
   * digest is withdrawn.
   */
  static Inspection inspection(String image, PushCheck check) {
    String reported = check.reportedDigest();
    switch (check.verdict()) {
      case VERIFIED:
        return Inspection.of(check.image().size(), platforms(check.image()));
      case TAG_MOVED: {
        String now = check.tagDigest() == null ? "no longer exists" : "now resolves to " + check.tagDigest();
        return Inspection.tagMoved(check.image().size(), platforms(check.image()), "size read for the pushed digest "
            + reported + "; the tag " + image + " " + now + " (pushed or deleted after this build), so use"
            + " status.output.imageRef, not the tag");
      }
      case MISMATCH: {
        String message = "the final pod reported " + reported + " as the digest it pushed to " + image
            + ", but the registry holds no manifest with that digest in the repository, and the tag resolves to "
            + check.tagDigest() + ": the reported digest is withdrawn. Rebuild, and read the final pod's log"
            + " if it happens again";
        return Inspection.withdrawn("DigestMismatch", message);
      }
      default: {
        String message = "the final pod reported " + reported + " as the digest it pushed to " + image
            + ", but the registry has neither that digest nor the tag (deleted since, or never pushed):"
            + " the reported digest is withdrawn. Rebuild";
        return Inspection.withdrawn("ImageNotFound", message);
      }
    }
  }

  private static List<PlatformImage> platforms(ImageInfo info) {
    return info.platforms().stream().map(p -> {
      PlatformImage pi = new PlatformImage();
      pi.platform = p.platform();
      pi.digest = p.digest();
      pi.size = p.size();
      return pi;
    }).toList();
  }
}
