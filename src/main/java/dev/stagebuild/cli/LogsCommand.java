package dev.stagebuild.cli;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import io.fabric8.kubernetes.client.dsl.PodResource;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * {@code logs NAME [-n NS] [-f] [--stage S]}: the logs of the current build's pods in plan order
 * ({@link LogSources}), each line prefixed {@code [stage] }. With {@code -f}, waits for each pod
 * to start, follows its log to its end, goes on with the next, and returns when the build has
 * ended; pods are taken one at a time so that the output stays in plan order.
 */
final class LogsCommand {
  static final String USAGE_TEXT = """
      usage: stagebuild logs NAME [-n NAMESPACE] [-f] [--stage STAGE]
        The logs of the current build of StageBuild NAME: the source pod, then every stage's pod in
        plan order, each line prefixed with [stage]. Uses kubectl's configuration.
        -n, --namespace NS   the StageBuild's namespace (default: the kubeconfig context's)
        -f, --follow         follow the stages as they start, until the build ends (one pod at a
                             time in plan order; a parallel stage's log follows when the earlier ends)
        --stage STAGE        only the pod that builds STAGE""";

  private LogsCommand() {}

  static int run(List<String> args, Supplier<KubernetesClient> clients, PrintStream out, PrintStream err) {
    return run(args, clients, out, err, Duration.ofSeconds(1));
  }

  static int run(List<String> args, Supplier<KubernetesClient> clients, PrintStream out, PrintStream err,
      Duration poll) {
    CommandLine c;
    try {
      c = CommandLine.parse(args, Set.of("--namespace", "--stage"), Set.of("--follow"),
          Map.of("-n", "--namespace", "-f", "--follow", "-h", "--help"));
      if (!c.help() && c.words.size() != 1) {
        throw new IllegalArgumentException(c.words.isEmpty() ? "NAME is missing" : "one NAME only");
      }
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE_TEXT);
      return Cli.USAGE;
    }
    if (c.help()) {
      out.println(USAGE_TEXT);
      return Cli.OK;
    }
    KubernetesClient client = clients.get();
    try {
      String ns = c.values.getOrDefault("--namespace", KubeClients.defaultNamespace(client));
      Run run = new Run(client, ns, c.words.get(0), c.values.get("--stage"), out, err, poll);
      return c.switches.contains("--follow") ? run.follow() : run.once();
    } catch (KubernetesClientException e) {
      err.println("error: " + ClusterProbe.failure(client, e));
      return Cli.FAILED;
    } catch (UncheckedIOException e) {
      err.println("error: " + ClusterProbe.oneLine(e));
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

    /** The StageBuild, or null after printing why there is none to read. */
    StageBuild read() {
      StageBuild sb = client.resources(StageBuild.class).inNamespace(ns).withName(name).get();
      if (sb == null) {
        err.println("error: stagebuild \"" + name + "\" not found in namespace \"" + ns + "\"");
      }
      return sb;
    }

    /** Checks --stage against the build's stages; false after printing why. */
    boolean stageKnown(StageBuildStatus status) {
      if (stage == null || LogSources.hasStage(status, stage)) {
        return true;
      }
      err.println("error: build " + name + " has no stage \"" + stage + "\"; its stages: "
          + String.join(", ", status.stages.stream().map(s -> s.name).toList()));
      return false;
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
          err.println("[" + s.prefix() + "] no log from pod " + s.pod() + ": " + ClusterProbe.oneLine(e));
        }
      }
      return code;
    }

    int follow() throws InterruptedException {
      Follow state = new Follow();
      int failures = 0;
      while (true) {
        Integer result;
        try {
          result = followStep(state);
          failures = 0;
        } catch (KubernetesClientException e) {
          // a build runs for minutes: ride out a few dropped connections before giving up
          if (e.getCode() > 0 && e.getCode() < 500 || ++failures > 5) {
            throw e;
          }
          result = null;
        }
        if (result != null) {
          return result;
        }
        Thread.sleep(poll.toMillis());
      }
    }

    /** What follow() keeps between passes. */
    private static final class Follow {
      final Set<String> done = new HashSet<>();
      String buildId;
      boolean checked;
    }

    /** One pass: prints the logs of pods that started, in plan order; the exit code once done, else null. */
    private Integer followStep(Follow f) {
      StageBuild sb = read();
      if (sb == null) {
        return Cli.FAILED;
      }
      StageBuildStatus status = sb.getStatus();
      if (f.buildId == null && status != null) {
        f.buildId = status.buildId;
      } else if (status != null && !Objects.equals(f.buildId, status.buildId)) {
        err.println("build " + f.buildId + " of " + name + " was replaced by build " + status.buildId);
        return Cli.OK;
      }
      if (!f.checked && status != null && !status.stages.isEmpty()) {
        if (!stageKnown(status)) {
          return Cli.FAILED;
        }
        f.checked = true;
      }
      boolean ended = ended(status);
      boolean waiting = false;
      for (LogSources.Source s : LogSources.of(status, stage)) {
        if (s.pod() == null || f.done.contains(s.pod())) {
          if (s.pod() == null && !ended) {
            waiting = true;
            break; // plan order: a later pod's log waits for this stage's
          }
          continue;
        }
        Pod pod = client.pods().inNamespace(ns).withName(s.pod()).get();
        String phase = pod == null || pod.getStatus() == null ? null : pod.getStatus().getPhase();
        if (pod == null || phase == null || "Pending".equals(phase)) {
          if (ended) {
            f.done.add(s.pod());
            continue;
          }
          waiting = true;
          break;
        }
        stream(s);
        f.done.add(s.pod());
      }
      if (ended && !waiting && (f.checked || status.stages.isEmpty())) {
        return Cli.OK;
      }
      return null;
    }

    /** Follows one pod's log until its container ends. */
    private void stream(LogSources.Source s) {
      try (LogWatch watch = client.pods().inNamespace(ns).withName(s.pod()).watchLog();
          BufferedReader r = new BufferedReader(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          out.println("[" + s.prefix() + "] " + line);
        }
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      } catch (KubernetesClientException e) {
        err.println("[" + s.prefix() + "] no log from pod " + s.pod() + ": " + ClusterProbe.oneLine(e));
      }
    }

    private void print(String prefix, String log) {
      if (log == null || log.isEmpty()) {
        return;
      }
      log.lines().forEach(line -> out.println("[" + prefix + "] " + line));
      out.flush();
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
}
