package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class Output {
  @Required
  @Size(min = 1, max = 512)
  @Pattern("^[a-z0-9A-Z][^\\s]*$")
  @JsonPropertyDescription("The image reference to push, e.g. registry.example.com/team/app:1.0.")
  public String image;

  @JsonPropertyDescription("A kubernetes.io/dockerconfigjson Secret used to push, to pull base images, and to read the pushed image's manifest.")
  public LocalObjectRef pushSecretRef;

  @JsonPropertyDescription("The registry speaks plain HTTP (or has a certificate that cannot be verified); skips TLS verification in the executor too.")
  public Boolean insecure;

  @JsonPropertyDescription("A ConfigMap key with PEM certificates of the authorities the registry's certificate chains to, trusted besides the default ones by the operator's look-up and by the executor (--registry-certificate for this registry's host). Not with insecure.")
  public CaBundleRef caBundleRef;
}
