package dev.stagebuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line's dispatch, usage and exit codes; nothing here may reach a cluster. */
class CliTest {
  final AtomicInteger clientsMade = new AtomicInteger();
  final AtomicInteger probes = new AtomicInteger();

  CliRun run(String... args) {
    return CliRun.of(() -> {
      clientsMade.incrementAndGet();
      throw new AssertionError("no client expected");
    }, () -> {
      probes.incrementAndGet();
      return "no cluster here";
    }, args);
  }

  @Test
  void noArgumentsIsAUsageErrorAndStartsNothing() {
    CliRun r = run();
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).startsWith("usage: stagebuild COMMAND").contains("operator", "plan", "logs", "status", "version");
    assertThat(probes).hasValue(0);
  }

  @Test
  void helpListsTheCommands() {
    for (String h : new String[] {"--help", "-h", "help"}) {
      CliRun r = run(h);
      assertThat(r.code()).as(h).isZero();
      assertThat(r.out()).as(h).startsWith("usage: stagebuild COMMAND");
    }
    assertThat(probes).hasValue(0);
  }

  @Test
  void helpOfHelpIsTheUsage() {
    for (String[] args : new String[][] {{"help", "-h"}, {"-h", "--help"}, {"--help", "help"}, {"help", "nope"}}) {
      CliRun r = run(args);
      assertThat(r.code()).as(String.join(" ", args)).isZero();
      assertThat(r.out()).as(String.join(" ", args)).startsWith("usage: stagebuild COMMAND");
    }
  }

  @Test
  void unknownCommandIsAUsageError() {
    CliRun r = run("frobnicate");
    assertThat(r.code()).isEqualTo(2);
    assertThat(r.err()).startsWith("error: unknown command \"frobnicate\"\nusage: stagebuild COMMAND");
    assertThat(probes).hasValue(0);
  }

  @Test
  void everyCommandHasHelp() {
    Map<String, String> usage = Map.of("operator", "usage: stagebuild operator", "plan", "usage: stagebuild plan",
        "logs", "usage: stagebuild logs NAME", "status", "usage: stagebuild status NAME",
        "version", "usage: stagebuild version");
    usage.forEach((command, first) -> {
      CliRun r = run(command, "--help");
      assertThat(r.code()).as(command).isZero();
      assertThat(r.out()).as(command).startsWith(first);
      assertThat(run("help", command).out()).as("help " + command).startsWith(first);
    });
    assertThat(probes).hasValue(0);
    assertThat(clientsMade).hasValue(0);
  }

  @Test
  void commandUsageErrorsExit2WithTheCommandsUsage() {
    assertThat(run("logs").err()).startsWith("error: NAME is missing\nusage: stagebuild logs");
    assertThat(run("logs").code()).isEqualTo(2);
    assertThat(run("logs", "a", "b").code()).isEqualTo(2);
    assertThat(run("logs", "a", "-n").err()).startsWith("error: -n needs a value");
    assertThat(run("logs", "a", "--tail").err()).startsWith("error: unknown option --tail");
    assertThat(run("status").code()).isEqualTo(2);
    assertThat(run("status", "x", "--stage", "s").err()).startsWith("error: unknown option --stage");
    assertThat(run("version", "extra").code()).isEqualTo(2);
    assertThat(run("operator", "--watch-namespace", "x").code()).isEqualTo(2);
    assertThat(run("plan").code()).isEqualTo(2);
    assertThat(run("plan", "-o", "png", "f").err()).contains("(text, json, yaml, dot or mermaid)");
    assertThat(clientsMade).hasValue(0);
    assertThat(probes).hasValue(0);
  }

  @Test
  void version() {
    CliRun r = run("version");
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("stagebuild ").endsWith("\n");
    assertThat(run("--version").out()).isEqualTo(r.out());
  }

  @Test
  void operatorWithoutAClusterFailsInOneLine() {
    CliRun r = run("operator");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("error: no cluster here\n");
    assertThat(probes).hasValue(1);
  }

  @Test
  void operatorWithAClusterIsStartedByTheCaller() {
    CliRun r = CliRun.of(() -> null, () -> null, "operator");
    assertThat(r.code()).isEqualTo(Cli.START_OPERATOR);
    assertThat(r.out() + r.err()).isEmpty();
  }

  @Test
  void probeNamesWhereItLooked(@TempDir Path dir) throws Exception {
    Path home = dir.resolve("config");
    Path token = dir.resolve("token");
    assertThat(ClusterProbe.whereWeLooked(Map.of(), home, token)).isEqualTo(
        "looked for an in-cluster service account (none), KUBECONFIG (not set), ~/.kube/config (none)");
    Files.writeString(home, "x");
    Files.writeString(token, "t");
    assertThat(ClusterProbe.whereWeLooked(Map.of("KUBECONFIG", dir.resolve("nope").toString(),
        "KUBERNETES_SERVICE_HOST", "10.0.0.1"), home, token)).isEqualTo(
        "looked for an in-cluster service account (found), KUBECONFIG (" + dir.resolve("nope")
            + ": no such file), ~/.kube/config (" + home + ")");
  }

  @Test
  void anApiServerAPodCannotReachIsAnOutageToWaitForNotAnError(@TempDir Path dir) throws Exception {
    Path home = dir.resolve("config");
    Path token = dir.resolve("token");
    Files.writeString(token, "t");
    // Nothing answers at 127.0.0.1:1 (the address the client finds here is the test JVM's, not these maps').
    System.setProperty("kubernetes.master", "https://127.0.0.1:1");
    try {
      assertThat(ClusterProbe.probe(Map.of("KUBERNETES_SERVICE_HOST", "10.0.0.1"), home, token)).isNull();
      assertThat(ClusterProbe.probe(Map.of(), home, token)).startsWith("no Kubernetes API server reachable at https://127.0.0.1:1/");
    } finally {
      System.clearProperty("kubernetes.master");
    }
  }
}
