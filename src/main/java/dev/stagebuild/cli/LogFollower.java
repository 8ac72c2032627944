package dev.stagebuild.cli;

import dev.stagebuild.RootCause;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.LogWatch;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * {@code logs -f}: polls the StageBuild; a pod that has already ended is printed whole, in plan
 * order; a running pod's log is followed on its own thread, so stages that run at the same time
 * interleave line by line (each line prefixed). Returns when the build has ended and every log
 * has been read, or when a new build replaces the one followed.
 */
final class LogFollower {
  private final KubernetesClient client;
  private final String ns;
  private final String name;
  private final String stage;
  private final PrintStream out;
  private final PrintStream err;
  private final Duration poll;

  private final Set<String> done = ConcurrentHashMap.newKeySet();
  /** Pods whose logs are being followed on a thread, and their open streams (closed on return). */
  private final Set<String> following = ConcurrentHashMap.newKeySet();
  private final Set<LogWatch> open = ConcurrentHashMap.newKeySet();
  private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "stagebuild-logs");
    t.setDaemon(true);
    return t;
  });
  /** Held while printing a line, or a whole finished pod's log so that it stays in one piece. */
  private final Object printing = new Object();
  private String buildId;
  private boolean checked;

  LogFollower(KubernetesClient client, String ns, String name, String stage, PrintStream out, PrintStream err,
      Duration poll) {
    this.client = client;
    this.ns = ns;
    this.name = name;
    this.stage = stage;
    this.out = out;
    this.err = err;
    this.poll = poll;
  }

  int run() throws InterruptedException {
    int failures = 0;
    try {
      while (true) {
        Integer result;
        try {
          result = step();
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
    } finally {
      open.forEach(LogWatch::close);
      threads.shutdownNow();
    }
  }

  /** One pass; the exit code once done, else null. */
  private Integer step() {
    StageBuild sb = LogsCommand.read(client, ns, name, err);
    if (sb == null) {
      return Cli.FAILED;
    }
    StageBuildStatus status = sb.getStatus();
    if (buildId == null && status != null) {
      buildId = status.buildId;
    } else if (status != null && !Objects.equals(buildId, status.buildId)) {
      err.println("build " + buildId + " of " + name + " was replaced by build " + status.buildId);
      return Cli.OK;
    }
    if (!checked && status != null && !status.stages.isEmpty()) {
      if (!LogsCommand.stageKnown(status, name, stage, err)) {
        return Cli.FAILED;
      }
      checked = true;
    }
    boolean ended = LogsCommand.ended(status);
    List<LogSources.Source> sources = LogSources.of(status, stage);
    for (LogSources.Source s : sources) {
      if (s.pod() == null || done.contains(s.pod()) || following.contains(s.pod())) {
        continue;
      }
      Pod pod = client.pods().inNamespace(ns).withName(s.pod()).get();
      String phase = pod == null || pod.getStatus() == null ? null : pod.getStatus().getPhase();
      if (pod == null || phase == null || "Pending".equals(phase)) {
        if (ended) {
          done.add(s.pod()); // never started; the build will not start it now
        }
        continue;
      }
      if ("Succeeded".equals(phase) || "Failed".equals(phase)) {
        LogWatch watch = client.pods().inNamespace(ns).withName(s.pod()).watchLog();
        synchronized (printing) {
          copy(s, watch);
        }
      } else {
        following.add(s.pod());
        // opening the stream waits for the server's answer: on the thread too
        threads.submit(() -> copy(s, null));
      }
    }
    boolean allRead = sources.stream().allMatch(s -> s.pod() == null || done.contains(s.pod()));
    if (ended && following.isEmpty() && allRead && (checked || status.stages.isEmpty())) {
      return Cli.OK;
    }
    return null;
  }

  /** Prints one pod's log, line by line, until it ends; opens the stream when {@code opened} is null. */
  private void copy(LogSources.Source s, LogWatch opened) {
    LogWatch watch = null;
    try {
      watch = opened != null ? opened : client.pods().inNamespace(ns).withName(s.pod()).watchLog();
      open.add(watch);
      copyLines(s, watch);
    } catch (IOException | KubernetesClientException e) {
      err.println("[" + s.prefix() + "] log of pod " + s.pod() + " ended early: " + RootCause.message(e));
    } finally {
      if (watch != null) {
        watch.close();
        open.remove(watch);
      }
      done.add(s.pod());
      following.remove(s.pod());
    }
  }

  private void copyLines(LogSources.Source s, LogWatch watch) throws IOException {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(watch.getOutput(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        synchronized (printing) {
          out.println("[" + s.prefix() + "] " + line);
        }
      }
      out.flush();
    }
  }
}
