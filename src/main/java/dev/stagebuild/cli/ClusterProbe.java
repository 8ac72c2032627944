package dev.stagebuild.cli;

import dev.stagebuild.RootCause;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Whether a Kubernetes API server answers, found the way the operator's client finds it. */
interface ClusterProbe {
  /** Null when the API server answered; otherwise one line saying where we looked and what failed. */
  String problem();

  String SERVICE_ACCOUNT_TOKEN = "/var/run/secrets/kubernetes.io/serviceaccount/token";

  static ClusterProbe standard() {
    return () -> probe(System.getenv(), homeConfig(), Path.of(SERVICE_ACCOUNT_TOKEN));
  }

  static Path homeConfig() {
    return Path.of(System.getProperty("user.home"), ".kube", "config");
  }

  /** One line for a failed request of the logs and status commands. */
  static String failure(KubernetesClient client, KubernetesClientException e) {
    if (e.getCode() > 0) {
      return "the Kubernetes API server answered HTTP " + e.getCode() + ": " + RootCause.message(e);
    }
    return "cannot reach the Kubernetes API server at " + client.getMasterUrl() + " (" + RootCause.message(e) + "); "
        + whereWeLooked(System.getenv(), homeConfig(), Path.of(SERVICE_ACCOUNT_TOKEN));
  }

  static String probe(Map<String, String> env, Path homeConfig, Path token) {
    String where = whereWeLooked(env, homeConfig, token);
    Config config;
    try {
      // Short timeouts and no retries: this is a yes/no question, asked before anything starts.
      config = new ConfigBuilder(Config.autoConfigure(null)).withRequestRetryBackoffLimit(0)
          .withConnectionTimeout(5_000).withRequestTimeout(5_000).build();
    } catch (RuntimeException e) {
      return "cannot read the Kubernetes client configuration (" + RootCause.message(e) + "); " + where;
    }
    try (KubernetesClient client = new KubernetesClientBuilder().withConfig(config).build()) {
      client.getKubernetesVersion();
      return null;
    } catch (KubernetesClientException e) {
      if (e.getCode() == 401 && !inCluster(env, token)) {
        // (in a pod, the service account's token is rotated by the kubelet: the start waits for it)
        return "the Kubernetes API server at " + config.getMasterUrl() + " refused the credentials (HTTP 401); " + where;
      }
      if (e.getCode() > 0) {
        return null; // it answered; what it may do is for RBAC to say, not this probe
      }
      return unreachable(config, e, env, token, where);
    } catch (RuntimeException e) {
      return unreachable(config, e, env, token, where);
    }
  }

  /**
   * In a pod the API server is there, so not reaching it is an outage (a control-plane upgrade, a
   * restarting API server): the operator starts and waits for it, alive and not ready, rather than
   * exit into the kubelet's restart back-off. Outside a cluster it is a configuration to fix.
   */
  private static String unreachable(Config config, RuntimeException e, Map<String, String> env, Path token, String where) {
    if (inCluster(env, token)) {
      return null;
    }
    return "no Kubernetes API server reachable at " + config.getMasterUrl() + " (" + RootCause.message(e) + "); " + where;
  }

  static boolean inCluster(Map<String, String> env, Path token) {
    return env.get("KUBERNETES_SERVICE_HOST") != null && Files.isRegularFile(token);
  }

  /** The three places the client looks, and what each held. */
  static String whereWeLooked(Map<String, String> env, Path homeConfig, Path token) {
    boolean inCluster = inCluster(env, token);
    String kubeconfig = env.get("KUBECONFIG");
    String kubeconfigText = kubeconfig == null || kubeconfig.isBlank() ? "not set" : kubeconfig;
    if (kubeconfig != null && !kubeconfig.isBlank()
        && java.util.Arrays.stream(kubeconfig.split(java.io.File.pathSeparator)).noneMatch(f -> Files.isRegularFile(Path.of(f)))) {
      kubeconfigText += ": no such file";
    }
    return "looked for an in-cluster service account (" + (inCluster ? "found" : "none") + "), KUBECONFIG ("
        + kubeconfigText + "), ~/.kube/config ("
        + (Files.isRegularFile(homeConfig) ? homeConfig : "none") + ")";
  }
}
