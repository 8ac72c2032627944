package dev.stagebuild.reconciler;

import dev.stagebuild.ProjectVersion;
import io.fabric8.kubernetes.client.Config;
import io.quarkus.kubernetes.client.KubernetesConfigCustomizer;
import jakarta.inject.Singleton;

/**
 * The operator's requests to the API server name it ({@code stagebuild-operator/<version>}), not the
 * Fabric8 client: the API server's audit log (which records each request's User-Agent) then tells
 * the operator's requests from other Fabric8-based controllers'.
 */
@Singleton
public class OperatorUserAgent implements KubernetesConfigCustomizer {
  public static final String PRODUCT = "stagebuild-operator";

  /** The User-Agent: the product and the version, as RFC 9110 writes a product token. */
  public static String value() {
    return PRODUCT + "/" + ProjectVersion.get().replace(' ', '-');
  }

  @Override
  public void customize(Config config) {
    config.setUserAgent(value());
  }
}
