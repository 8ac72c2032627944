package dev.stagebuild.cli;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

/** The client the {@code logs} and {@code status} commands use: kubectl's configuration. */
final class KubeClients {
  private KubeClients() {}

  static KubernetesClient fromDefaultConfig() {
    // A person is waiting: fail after one retry rather than Fabric8's default ten.
    Config config = new ConfigBuilder(Config.autoConfigure(null)).withRequestRetryBackoffLimit(1)
        .withConnectionTimeout(10_000).build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** The namespace to use when -n is not given: the kubeconfig context's, else default. */
  static String defaultNamespace(KubernetesClient client) {
    String ns = client.getNamespace();
    return ns == null || ns.isBlank() ? "default" : ns;
  }
}
