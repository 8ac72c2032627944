package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/**
 * A key of a ConfigMap in the StageBuild's namespace that holds PEM certificates of the authorities
 * the output registry's certificate may chain to. A ConfigMap, not a Secret: CA certificates are
 * public, the usual tools (trust-manager, OpenShift's CA injection, kube-root-ca.crt) publish
 * bundles as ConfigMaps, and the bundle is mounted in every stage pod, where any RUN can read it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class CaBundleRef {
  public static final String DEFAULT_KEY = "ca.crt";

  @Required
  @Size(max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  @JsonPropertyDescription("Name of the ConfigMap in the StageBuild's namespace.")
  public String name;

  @Size(max = 253)
  @Pattern("^[-._a-zA-Z0-9]+$")
  @JsonPropertyDescription("The key whose value is the PEM bundle (default ca.crt).")
  public String key;

  public CaBundleRef() {}

  public CaBundleRef(String name, String key) {
    this.name = name;
    this.key = key;
  }

  /** The key, or {@link #DEFAULT_KEY}. */
  public String keyOrDefault() {
    return key == null || key.isEmpty() ? DEFAULT_KEY : key;
  }
}
