package dev.stagebuild.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;
import java.util.function.Supplier;

/**
 * The command line: {@code stagebuild COMMAND [ARGS]} (or {@code kubectl stagebuild ...} through
 * deploy/cli/kubectl-stagebuild). Nothing here starts the operator: {@code operator} returns
 * {@link #START_OPERATOR} and {@link Main} starts it.
 *
 * <p>Exit codes: 0 done, 1 the command failed (message on stderr), 2 usage.
 */
public final class Cli {
  public static final int OK = 0;
  public static final int FAILED = 1;
  public static final int USAGE = 2;
  /** Not an exit code: the caller starts the operator. */
  public static final int START_OPERATOR = -1;

  static final String USAGE_TEXT = """
      usage: stagebuild COMMAND [ARGS]      (as a kubectl plugin: kubectl stagebuild COMMAND [ARGS])
      Commands:
        operator   run the operator (what the container image runs)
        plan       show how a Dockerfile or StageBuild would be built: pods, waves, graph (no cluster)
        logs       print or follow the logs of a build's stages
        status     a build's stages with a timeline, its conditions, digest and size
        version    print the version
      Run 'stagebuild COMMAND --help' for a command's options.""";

  private static final List<String> COMMANDS = List.of("operator", "plan", "logs", "status", "version");

  private final Supplier<KubernetesClient> clients;
  private final ClusterProbe probe;

  Cli(Supplier<KubernetesClient> clients, ClusterProbe probe) {
    this.clients = clients;
    this.probe = probe;
  }

  /** Kubernetes clients from the default configuration (KUBECONFIG, ~/.kube/config, in-cluster). */
  static Cli standard() {
    return new Cli(KubeClients::fromDefaultConfig, ClusterProbe.standard());
  }

  int run(List<String> args, InputStream in, PrintStream out, PrintStream err) {
    if (args.isEmpty()) {
      err.println(USAGE_TEXT);
      return USAGE;
    }
    String command = args.get(0);
    List<String> rest = args.subList(1, args.size());
    switch (command) {
      case "-h", "--help", "help" -> {
        // 'help COMMAND' is 'COMMAND --help'; anything else after help is the general usage
        boolean named = !rest.isEmpty() && COMMANDS.contains(rest.get(0));
        return named ? run(List.of(rest.get(0), "--help"), in, out, err) : help(out);
      }
      case "version", "--version" -> {
        return VersionCommand.run(rest, out, err);
      }
      case "plan" -> {
        return PlanCommand.run(rest, in, out, err);
      }
      case "operator" -> {
        return OperatorCommand.run(rest, probe, out, err);
      }
      case "logs" -> {
        return LogsCommand.run(rest, clients, out, err);
      }
      case "status" -> {
        return StatusCommand.run(rest, clients, out, err);
      }
      default -> {
        err.println("error: unknown command \"" + command + "\"");
        err.println(USAGE_TEXT);
        return USAGE;
      }
    }
  }

  private static int help(PrintStream out) {
    out.println(USAGE_TEXT);
    return OK;
  }
}
