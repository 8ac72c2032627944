package dev.stagebuild.cli;

import dev.stagebuild.api.StageBuild;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/** {@code status NAME [-n NAMESPACE]}: reads the StageBuild and prints {@link StatusView}. */
final class StatusCommand {
  static final String USAGE_TEXT = """
      usage: stagebuild status NAME [-n NAMESPACE]
        The build's stages (phase, attempts, pod, start, duration, timeline), its conditions and
        the pushed image's digest and size. Uses kubectl's configuration (KUBECONFIG, ~/.kube/config).
        -n, --namespace NS   the StageBuild's namespace (default: the kubeconfig context's)""";

  private StatusCommand() {}

  static int run(List<String> args, Supplier<KubernetesClient> clients, PrintStream out, PrintStream err) {
    CommandLine.Parsed parsed = CommandLine.oneName(args, Set.of("--namespace"), Set.of(),
        Map.of("-n", "--namespace", "-h", "--help"), USAGE_TEXT, out, err);
    if (parsed.line() == null) {
      return parsed.exit();
    }
    CommandLine c = parsed.line();
    String name = c.words.get(0);
    KubernetesClient client = clients.get();
    try {
      String ns = c.values.getOrDefault("--namespace", KubeClients.defaultNamespace(client));
      StageBuild sb = client.resources(StageBuild.class).inNamespace(ns).withName(name).get();
      if (sb == null) {
        err.println("error: stagebuild \"" + name + "\" not found in namespace \"" + ns + "\"");
        return Cli.FAILED;
      }
      out.print(StatusView.render(sb, Instant.now()));
      return Cli.OK;
    } catch (KubernetesClientException e) {
      err.println("error: " + ClusterProbe.failure(client, e));
      return Cli.FAILED;
    } finally {
      client.close();
    }
  }
}
