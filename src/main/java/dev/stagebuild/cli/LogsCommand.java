package dev.stagebuild.cli;

import dev.stagebuild.RootCause;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code logs NAME [-n NS] [-f] [--stage S]}: the logs of the current build's pods in plan order
 * ({@link LogSources}), each line prefixed {@code [stage] }; {@code -f} is {@link LogFollower}.
 */
final class LogsCommand {
  static final String USAGE_TEXT = """
      usage: stagebuild logs NAME [-n NAMESPACE] [-f] [--stage STAGE]
        The logs of the current build of StageBuild NAME: the source pod, then every stage's pod in
        plan order, each line prefixed with [stage]. Uses kubectl's configuration.
        -n, --namespace NS   the StageBuild's namespace (default: the kubeconfig context's)
        -f, --follow         follow the stages as they start, until the build ends (stages that
                             run at the same time interleave, line by line)
        --stage STAGE        only the pod that builds STAGE""";

  private LogsCommand() {}

  static int run(List<String> args, Supplier<KubernetesClient> clients, PrintStream out, PrintStream err) {
    return run(args, clients, out, err, Duration.ofSeconds(1));
  }

  static int run(List<String> args, Supplier<KubernetesClient> clients, PrintStream out, PrintStream err,
      Duration poll) {
    CommandLine.Parsed parsed = CommandLine.oneName(args, Set.of("--namespace", "--stage"), Set.of("--follow"),
        Map.of("-n", "--namespace", "-f", "--follow", "-h", "--help"), USAGE_TEXT, out, err);
    if (parsed.line() == null) {
      return parsed.exit();
    }
    CommandLine c = parsed.line();
    KubernetesClient client = clients.get();
    try {
      String ns = c.values.getOrDefault("--namespace", KubeClients.defaultNamespace(client));
      Run run = new Run(client, ns, c.words.get(0), c.values.get("--stage"), out, err, poll);
      return c.switches.contains("--follow")
          ? new LogFollower(client, ns, c.words.get(0), c.values.get("--stage"), out, err, poll).run()
          : run.once();
    } catch (KubernetesClientException e) {
      err.println("error: " + ClusterProbe.failure(client, e));
      return Cli.FAILED;
    } catch (UncheckedIOException e) {
      err.println("error: " + RootCause.message(e));
      return Cli.FAILED;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Cli.FAILED;
    } finally {
      client.close();
    }
  }

  /** One invocation's state. */
  private static final class Run {
    final KubernetesClient client;
    final String ns;
    final String name;
    final String stage;
    final PrintStream out;
    final PrintStream err;
    final Duration poll;

    Run(KubernetesClient client, String ns, String name, String stage, PrintStream out, PrintStream err,
        Duration poll) {
      this.client = client;
      this.ns = ns;
      this.name = name;
      this.stage = stage;
      this.out = out;
      this.err = err;
      this.poll = poll;
    }

    StageBuild read() {
      return LogsCommand.read(client, ns, name, err);
    }

    boolean stageKnown(StageBuildStatus status) {
      return LogsCommand.stageKnown(status, name, stage, err);
    }

    int once() {
      StageBuild sb = read();
      if (sb == null) {
        return Cli.FAILED;
      }
      StageBuildStatus status = sb.getStatus();
      if (status == null || status.stages.isEmpty()) {
        err.println("stagebuild " + name + " has no stages yet: the operator has not planned it");
        return stage == null ? Cli.OK : Cli.FAILED;
      }
      if (!stageKnown(status)) {
        return Cli.FAILED;
      }
      int code = Cli.OK;
      for (LogSources.Source s : LogSources.of(status, stage)) {
        if (s.pod() == null) {
          err.println("[" + s.prefix() + "] no pod yet (" + s.phase() + ")");
          continue;
        }
        PodResource pod = client.pods().inNamespace(ns).withName(s.pod());
        if (pod.get() == null) {
          err.println("error: pod " + s.pod() + " of stage " + s.prefix() + " not found in namespace " + ns);
          code = Cli.FAILED;
          continue;
        }
        try {
          print(s.prefix(), pod.getLog());
        } catch (KubernetesClientException e) {
          err.println("[" + s.prefix() + "] no log from pod " + s.pod() + ": " + RootCause.message(e));
        }
      }
      return code;
    }

    private void print(String prefix, String log) {
      if (log == null || log.isEmpty()) {
        return;
      }
      log.lines().forEach(line -> out.println("[" + prefix + "] " + line));
      out.flush();
    }
  }

  /** The StageBuild, or null after printing why there is none to read. */
  static StageBuild read(KubernetesClient client, String ns, String name, PrintStream err) {
    StageBuild sb = client.resources(StageBuild.class).inNamespace(ns).withName(name).get();
    if (sb == null) {
      err.println("error: stagebuild \"" + name + "\" not found in namespace \"" + ns + "\"");
    }
    return sb;
  }

  /** Checks --stage against the build's stages; false after printing why. */
  static boolean stageKnown(StageBuildStatus status, String name, String stage, PrintStream err) {
    if (stage == null || LogSources.hasStage(status, stage)) {
      return true;
    }
    err.println("error: build " + name + " has no stage \"" + stage + "\"; its stages: "
        + String.join(", ", status.stages.stream().map(s -> s.name).toList()));
    return false;
  }

  /** The build's Succeeded condition is True or False. */
  static boolean ended(StageBuildStatus status) {
    if (status == null) {
      return false;
    }
    for (Condition c : status.conditions) {
      if ("Succeeded".equals(c.getType())) {
        return !"Unknown".equals(c.getStatus());
      }
    }
    return false;
  }
}
