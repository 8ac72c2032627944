package dev.stagebuild.cli;

import java.io.PrintStream;
import java.util.List;

/**
 * {@code operator}: runs the operator, but first checks with one cheap request that a cluster
 * answers, so that a machine without one gets a one-line error in seconds rather than informer
 * stack traces for half a minute. In a pod, an API server that does not answer is an outage the
 * operator waits out instead ({@code ClusterProbe}, {@code OperatorStartup}).
 */
final class OperatorCommand {
  static final String USAGE_TEXT = """
      usage: stagebuild operator
        Runs the operator: reconciles StageBuilds in every namespace of the cluster it finds the
        standard way (in-cluster service account, else KUBECONFIG, else ~/.kube/config). Settings
        are environment variables (README.md, "Install"). Outside a pod, exits 1 at once when no
        cluster answers; an API server that fails (429, 5xx) is waited for.""";

  private OperatorCommand() {}

  static int run(List<String> args, ClusterProbe probe, PrintStream out, PrintStream err) {
    if (args.equals(List.of("--help")) || args.equals(List.of("-h"))) {
      out.println(USAGE_TEXT);
      return Cli.OK;
    }
    if (!args.isEmpty()) {
      err.println("error: operator takes no arguments, got " + String.join(" ", args));
      err.println(USAGE_TEXT);
      return Cli.USAGE;
    }
    String problem = probe.problem();
    if (problem != null) {
      err.println("error: " + problem);
      return Cli.FAILED;
    }
    return Cli.START_OPERATOR;
  }
}
