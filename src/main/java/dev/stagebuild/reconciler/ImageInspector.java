package dev.stagebuild.reconciler;

import dev.stagebuild.api.PlatformImage;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.registry.Credentials;
import dev.stagebuild.registry.DockerConfig;
import dev.stagebuild.registry.ImageInfo;
import dev.stagebuild.registry.ImageReference;
import dev.stagebuild.registry.RegistryClient;
import dev.stagebuild.registry.RegistryException;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.Base64;
import java.util.List;

/** Asks the registry for the pushed image's size, with the build's push secret. */
public class ImageInspector {
  private final RegistryClient registry;

  public ImageInspector(RegistryClient registry) {
    this.registry = registry;
  }

  Inspection inspect(ClusterView cluster, StageBuild sb, String digest) {
    var output = sb.getSpec().output;
    ImageReference ref;
    try {
      ref = ImageReference.parse(output.image).withDigest(digest);
    } catch (RuntimeException e) {
      return Inspection.failed("InvalidSpec", "spec.output.image '" + output.image + "' is not an image reference: "
          + e.getMessage());
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
        credentials = DockerConfig.parse(Base64.getDecoder().decode(data)).credentialsFor(ref);
      } catch (RuntimeException e) {
        return Inspection.failed("InvalidSecret", "Secret " + output.pushSecretRef.name
            + " does not hold a valid .dockerconfigjson: " + e.getMessage());
      }
    }
    try {
      ImageInfo info = registry.inspect(ref, credentials, Boolean.TRUE.equals(output.insecure));
      List<PlatformImage> platforms = info.platforms().stream().map(p -> {
        PlatformImage pi = new PlatformImage();
        pi.platform = p.platform();
        pi.digest = p.digest();
        pi.size = p.size();
        return pi;
      }).toList();
      return Inspection.of(info.size(), platforms);
    } catch (RegistryException e) {
      return Inspection.failed(e.reason().conditionReason(), "the image was pushed as " + digest + ", but its size could not be read: "
          + e.getMessage());
    }
  }
}
