package dev.stagebuild.it;

import static dev.stagebuild.testing.Builds.DIAMOND;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.Planner;
import dev.stagebuild.reconciler.Conditions;
import dev.stagebuild.reconciler.FinishedBuilds;
import dev.stagebuild.reconciler.ReferenceMain;
import dev.stagebuild.testing.BuildLatencies;
import dev.stagebuild.testing.Builds;
import dev.stagebuild.testing.MockCluster;
import dev.stagebuild.testing.PodOutcome;
import dev.stagebuild.testing.RequestKinds;
import dev.stagebuild.testing.Stats;
import dev.stagebuild.testing.TestKubelet;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged operator ({@code java -jar quarkus-run.jar operator}) against the reference operator
 * ({@link ReferenceMain}: the least operator that creates the same pods and writes the same final
 * status), each a process of its own under {@code -Xmx256m} with the JVM's defaults otherwise, each
 * on its own mock API server and test kubelet in this JVM: the set-up of the load runs of issue 12.
 * Both processes stay up while their herds alternate, so each side's JIT warms up in its own process.
 * Prints figures and ratios operator/reference, prefixed with {@code [jar-benchmark]}; asserts only
 * that the builds ended (the machine is shared: only ratios from the same run mean something).
 *
 * <p>CPU is the process's (user + system, from /proc), RSS its resident set: everything either
 * JVM does, the JIT and GC included. Properties: {@code jarBenchmark.herds} (6: herds 3 to 6 are the
 * warm ones, each side first in two of them),
 * {@code jarBenchmark.finished} (1,000), {@code jarBenchmark.restarts} (1), {@code jarBenchmark.aa} (the
 * reference on both sides), and
 * {@code jarBenchmark.operatorJvm} / {@code referenceJvm} (extra JVM options, e.g. a JFR recording).
 */
@EnabledOnOs(value = OS.LINUX, disabledReason = "reads process CPU and RSS from /proc")
class PackagedJarBenchmarkIT {
  static final String NS = "bench";
  static final int HERDS = Integer.getInteger("jarBenchmark.herds", 6);
  static final int BUILDS = 100;
  static final int FINISHED = Integer.getInteger("jarBenchmark.finished", 1000);
  static final String HEAP = "-Xmx256m";
  /** Linux's USER_HZ: the unit of utime and stime in /proc/<pid>/stat. */
  static final double TICKS_PER_SECOND = 100;

  enum Kind { OPERATOR, REFERENCE }

  /**
   * What runs on the "operator" side: the operator, or with {@code -DjarBenchmark.aa=true} the
   * reference again (an A/A run: its ratios show how far two identical processes drift apart in
   * this set-up, the noise the operator's ratios are read against).
   */
  static final Kind FIRST = Boolean.getBoolean("jarBenchmark.aa") ? Kind.REFERENCE : Kind.OPERATOR;

  /** @param jitMs of cpuMs, what the JIT's compiler threads used */
  record Herd(long wallMs, double cpuMs, double jitMs, List<Long> handoffs) {
    double buildsPerSecond() {
      return BUILDS * 1000.0 / wallMs;
    }

    double cpuMsPerBuild() {
      return cpuMs / BUILDS;
    }

    static double totalCpuMsPerBuild(List<Herd> herds) {
      return herds.stream().mapToDouble(Herd::cpuMs).sum() / (BUILDS * herds.size());
    }

    static double totalJitMsPerBuild(List<Herd> herds) {
      return herds.stream().mapToDouble(Herd::jitMs).sum() / (BUILDS * herds.size());
    }

    double cpuMsPerBuildWithoutJit() {
      return (cpuMs - jitMs) / BUILDS;
    }

    double p99() {
      return percentile(handoffs, 99);
    }
  }

  record Restart(double ms, double cpuMs, double rssMiB) {}

  @Test
  void packagedOperatorAgainstReferenceProcess(@TempDir Path dir) throws Exception {
    assertThat(OperatorJarIT.JAR).as("run mvn package first").exists();
    List<Herd> ops = new ArrayList<>();
    List<Herd> refs = new ArrayList<>();
    double opIdle;
    double refIdle;
    warmThisJvm();
    try (Side op = new Side(FIRST, dir.resolve("op")); Side ref = new Side(Kind.REFERENCE, dir.resolve("ref"))) {
      opIdle = op.rssMiB();
      refIdle = ref.rssMiB();
      for (int i = 0; i < HERDS; i++) {
        // Which side goes first alternates: the side that goes first pays for this JVM's JIT of the
        // mock server's code paths that a growing store makes hot (in a JFR of this JVM, operator
        // always first: 12.0 / 4.9 / 1.6 s of compilation in its herds against 7.5 / 3.6 / 1.1 s in
        // the reference's) and for collecting the other side's garbage.
        if (i % 2 == 0) {
          ops.add(op.herd("h" + i + "-"));
          refs.add(ref.herd("h" + i + "-"));
        } else {
          refs.add(ref.herd("h" + i + "-"));
          ops.add(op.herd("h" + i + "-"));
        }
      }
      System.out.printf("[jar-benchmark] RSS after the herds, MiB: operator %.0f, reference %.0f%n", op.rssMiB(),
          ref.rssMiB());
    }
    List<Restart> opRestarts = new ArrayList<>();
    List<Restart> refRestarts = new ArrayList<>();
    // One mock API server holds the finished builds for every restart: seeding them took about 25 s,
    // and neither side writes to them on a restart (checked in restart()).
    try (MockCluster finished = new MockCluster()) {
      finished.createNamespace(NS);
      FinishedBuilds.seed(finished, NS, DIAMOND, FINISHED);
      for (int i = 0; i < Integer.getInteger("jarBenchmark.restarts", 1); i++) {
        opRestarts.add(restart(FIRST, finished, dir.resolve("op-restart-" + i)));
        refRestarts.add(restart(Kind.REFERENCE, finished, dir.resolve("ref-restart-" + i)));
      }
    }

    System.out.printf("%n[jar-benchmark] === %s, separate processes, %s (ratio = operator/reference) ===%n",
        FIRST == Kind.OPERATOR ? "packaged operator vs reference" : "A/A: the reference on both sides (\"operator\" is a"
            + " second reference)", HEAP);
    line("idle RSS after start-up, MiB", opIdle, refIdle, "%.0f");
    line("first herd of 100 diamond builds (cold JIT): builds/s", ops.get(0).buildsPerSecond(),
        refs.get(0).buildsPerSecond(), "%.1f");
    line("first herd: process CPU ms per build", ops.get(0).cpuMsPerBuild(), refs.get(0).cpuMsPerBuild(), "%.1f");
    line("first herd: hand-off p99 ms", ops.get(0).p99(), refs.get(0).p99(), "%.0f");
    List<Herd> warmOps = ops.subList(Math.min(2, ops.size() - 1), ops.size());
    List<Herd> warmRefs = refs.subList(Math.min(2, refs.size() - 1), refs.size());
    best("herds 3.." + HERDS + ": builds/s", warmOps, warmRefs, Herd::buildsPerSecond, true, "%.1f");
    best("herds 3.." + HERDS + ": process CPU ms per build", warmOps, warmRefs, Herd::cpuMsPerBuild, false, "%.1f");
    best("herds 3.." + HERDS + ": process CPU ms per build, JIT compiler threads left out", warmOps, warmRefs,
        Herd::cpuMsPerBuildWithoutJit, false, "%.1f");
    best("herds 3.." + HERDS + ": hand-off p99 ms", warmOps, warmRefs, Herd::p99, false, "%.0f");
    // All herds together, cold and warm. In JFRs of both processes (jdk.Compilation, every one), the
    // reference's JIT did most of its compiling in the first two herds and the operator's went on
    // into herds 3 to 6 (29.6 s of compilations there against 21.9 s). Over all six herds the gap is
    // smaller: 70.5 s of compilations against 68.4 s; the compiler threads' CPU 31.2 s against 27.6 s.
    line("all " + HERDS + " herds: process CPU ms per build", Herd.totalCpuMsPerBuild(ops),
        Herd.totalCpuMsPerBuild(refs), "%.1f");
    line("all " + HERDS + " herds: the JIT compiler threads' CPU ms per build", Herd.totalJitMsPerBuild(ops),
        Herd.totalJitMsPerBuild(refs), "%.1f");
    System.out.printf("[jar-benchmark]   every herd, builds/s: operator %s, reference %s%n",
        format(ops, Herd::buildsPerSecond, "%.1f"), format(refs, Herd::buildsPerSecond, "%.1f"));
    System.out.printf("[jar-benchmark]   every herd, CPU ms per build: operator %s, reference %s%n",
        format(ops, Herd::cpuMsPerBuild, "%.1f"), format(refs, Herd::cpuMsPerBuild, "%.1f"));
    for (int i = 0; i < opRestarts.size(); i++) {
      Restart o = opRestarts.get(i);
      Restart r = refRestarts.get(i);
      line("start with " + FINISHED + " finished builds (run " + (i + 1) + "): RSS MiB", o.rssMiB(), r.rssMiB(), "%.0f");
      line("  same run: process start to quiet (JVM and framework start-up included), ms", o.ms(), r.ms(), "%.0f");
      line("  same run: process CPU ms", o.cpuMs(), r.cpuMs(), "%.0f");
    }
  }

  /**
   * One herd of the reference operator run inside this JVM, on a mock server of its own, before
   * either process starts: this JVM's mock server and kubelet are compiled by then. Without it the
   * first herd, the operator's, paid for that (13.4 s of this JVM's CPU in its window against 7.3 s
   * in the reference's) and "first herd (cold JIT)" compared this JVM's warm-up, not the processes'.
   */
  static void warmThisJvm() throws Exception {
    try (MockCluster cluster = new MockCluster();
        TestKubelet kubelet = new TestKubelet(cluster, pod -> p -> PodOutcome.succeed(""))) {
      cluster.createNamespace(NS);
      var operator = ReferenceMain.operator(cluster.client());
      long start = System.nanoTime();
      long ended = 0;
      try {
        operator.start();
        for (int i = 0; i < BUILDS; i++) {
          cluster.client().resource(Builds.inline("warm-" + i, DIAMOND)).inNamespace(NS).create();
        }
        long end = start + TimeUnit.MINUTES.toNanos(2);
        while (System.nanoTime() < end) {
          ended = cluster.client().resources(StageBuild.class).inNamespace(NS).list().getItems().stream()
              .filter(sb -> sb.getStatus() != null
                  && Conditions.find(sb.getStatus().conditions, Conditions.SUCCEEDED) != null).count();
          if (ended == BUILDS) {
            break;
          }
          Thread.sleep(250);
        }
      } finally {
        operator.stop();
      }
      System.out.printf("[jar-benchmark] warm-up of this JVM (reference operator in-process): %d of %d builds ended"
          + " in %d ms%n", ended, BUILDS, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      assertThat(ended).as("the warm-up herd ended").isEqualTo(BUILDS);
    }
  }

  /** One side's process with its own mock API server and kubelet, for the herds. */
  static final class Side implements AutoCloseable {
    final Kind kind;
    final MockCluster cluster = new MockCluster();
    final TestKubelet kubelet;
    final Process process;
    final Path log;
    final Map<String, Instant> finished = new ConcurrentHashMap<>();
    final Map<String, Instant> createdAt = new ConcurrentHashMap<>();
    final List<String> failed = new java.util.concurrent.CopyOnWriteArrayList<>();
    volatile CountDownLatch pending = new CountDownLatch(0);
    final SharedIndexInformer<StageBuild> watch;
    final int metricsPort;

    Side(Kind kind, Path dir) throws Exception {
      this.kind = kind;
      Files.createDirectories(dir);
      // The final pod (the one that pushes) reports a digest, as kaniko's --digest-file does.
      this.kubelet = new TestKubelet(cluster, pod -> p -> PodOutcome.succeed(
          p.getSpec().getContainers().get(0).getArgs().stream().anyMatch(a -> a.startsWith("--destination="))
              ? FinishedBuilds.DIGEST : ""));
      cluster.createNamespace(NS);
      this.watch = cluster.watchStageBuilds(NS, this::seen);
      this.log = dir.resolve(kind + ".log");
      // The operator's HTTP port, for its metrics endpoint: chosen just before it starts.
      this.metricsPort = kind == Kind.OPERATOR ? freePort() : 0;
      this.process = start(kind, cluster, dir, log, metricsPort);
      try {
        waitQuiet(process, Duration.ofSeconds(90));
        // the endpoint's first (cold) answer, outside every herd's figures
        scrapePasses();
      } catch (Exception | AssertionError e) {
        close();
        throw new AssertionError(kind + " did not start; log:\n" + OperatorJarIT.tail(log), e);
      }
    }

    private void seen(StageBuild sb) {
      var succeeded = sb.getStatus() == null ? null : Conditions.find(sb.getStatus().conditions, Conditions.SUCCEEDED);
      if (succeeded != null && "False".equals(succeeded.getStatus())) {
        failed.add(sb.getMetadata().getName() + ": " + succeeded.getReason() + ": " + succeeded.getMessage());
      }
      if (succeeded != null && !"Unknown".equals(succeeded.getStatus()) && finished.putIfAbsent(sb.getMetadata().getName(), Instant.now()) == null) {
        pending.countDown();
      }
    }

    /**
     * The operator's reconcile passes so far (null for the reference, which serves no metrics), then,
     * once a scrape was sent, a wait until the process is quiet: the JIT goes on compiling what the
     * scrape made hot after the answer (in a JFR, a 0.5 s C2 compilation of Prometheus's number
     * formatting began as a herd's closing scrape ended and ran into the other side's herd), and
     * neither side's herd may pay for that.
     */
    private double[] scrapePasses() throws Exception {
      double[] passes = passes(metricsPort);
      if (metricsPort != 0) {
        waitQuiet(process, Duration.ofSeconds(30));
      }
      return passes;
    }

    Herd herd(String prefix) throws Exception {
      BuildPlan plan = Planner.plan(DIAMOND, Map.of(), null);
      pending = new CountDownLatch(BUILDS);
      // before the CPU figures: serving the metrics is not the herd's work
      double[] passes0 = scrapePasses();
      double cpu0 = cpuMs(process);
      double testJvm0 = testJvmCpuMs();
      Map<String, Double> threads0 = cpuByThread(process);
      Instant start = Instant.now();
      for (int i = 0; i < BUILDS; i++) {
        StageBuild sb = Builds.inline(prefix + i, DIAMOND);
        // No registry: the operator's size look-up fails at once (retried after an hour, see start).
        sb.getSpec().output.image = "127.0.0.1:1/bench/" + prefix + i + ":1";
        createdAt.put(prefix + i, Instant.now());
        cluster.client().resource(sb).inNamespace(NS).create();
      }
      boolean done = pending.await(3, TimeUnit.MINUTES);
      assertThat(done).as(kind + " herd " + prefix + ": all builds ended; log:\n" + OperatorJarIT.tail(log)).isTrue();
      assertThat(failed).as(kind + ": builds that failed (figures of failures would mean nothing)").isEmpty();
      Instant last = finished.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
          .map(Map.Entry::getValue).max(Instant::compareTo).orElseThrow();
      long wallMs = Duration.between(start, last).toMillis();
      // The work that follows the end (events, look-ups, the workspace release) counts too.
      waitQuiet(process, Duration.ofSeconds(60));
      double cpu = cpuMs(process) - cpu0;
      Map<String, Long> byThread = since(threads0, cpuByThread(process));
      // The JIT's share varies from herd to herd by more than the rest of the process's CPU.
      double jit = byThread.entrySet().stream().filter(e -> e.getKey().contains("Compiler"))
          .mapToLong(Map.Entry::getValue).sum();
      // this JVM: the mock API server and the kubelet serving that side's requests and watches
      double testJvm = testJvmCpuMs() - testJvm0;
      List<String> names = java.util.stream.IntStream.range(0, BUILDS).mapToObj(i -> prefix + i).toList();
      List<Long> handoffs = BuildLatencies.handoffs(kubelet, plan, names);
      // the two ends of a build the hand-offs leave out: created to its first pod, last pod to its status
      List<Long> starts = BuildLatencies.starts(kubelet, plan, names, createdAt);
      List<Long> ends = BuildLatencies.ends(kubelet, plan, names, finished);
      // every client of this side's mock (the process, this test's kubelet, watch and creates): the
      // two sides differ only by their process
      Map<String, Integer> requests = RequestKinds.count(cluster.drainRequests());
      // what its mock stores: the Fabric8 mock matches every request against every stored object
      var c = cluster.client();
      String stored = "stagebuilds " + sized(c, c.resources(StageBuild.class).inAnyNamespace().list().getItems())
          + ", pods " + sized(c, c.pods().inAnyNamespace().list().getItems())
          + ", configmaps " + sized(c, c.configMaps().inAnyNamespace().list().getItems())
          + ", events " + sized(c, c.v1().events().inAnyNamespace().list().getItems())
          + ", claims " + sized(c, c.persistentVolumeClaims().inAnyNamespace().list().getItems())
          + ", leases " + c.leases().inAnyNamespace().list().getItems().size()
          + ", serviceaccounts " + c.serviceAccounts().inAnyNamespace().list().getItems().size();
      cluster.drainRequests();
      System.out.printf("[jar-benchmark] %s herd %s (%s to %s; stored after it: %s): %d builds ended in %d ms, process CPU %.0f ms (mock server and"
          + " kubelet: %.0f ms), hand-off p99 %.0f ms, created to first pod p50/p99 %.0f/%.0f ms, last pod to status p50/p99 %.0f/%.0f ms; CPU ms by thread: %s; requests on its mock: %s%n", kind, prefix,
          start, Instant.now(), stored, BUILDS, wallMs, cpu, testJvm, percentile(handoffs, 99), percentile(starts, 50),
          percentile(starts, 99), percentile(ends, 50), percentile(ends, 99), byThread, requests);
      double[] passes = passes0 == null ? null : scrapePasses();
      if (passes != null && passes[0] > passes0[0]) {
        System.out.printf("[jar-benchmark] OPERATOR herd %s: %.1f reconcile passes per build, %.1f ms each on average"
            + " (waiting for the API server included)%n", prefix, (passes[0] - passes0[0]) / BUILDS,
            (passes[1] - passes0[1]) * 1000 / (passes[0] - passes0[0]));
      }
      return new Herd(wallMs, cpu, jit, handoffs);
    }

    /** How many, and their JSON's size: the mock's work per request grows with both. */
    private static String sized(io.fabric8.kubernetes.client.KubernetesClient c,
        List<? extends io.fabric8.kubernetes.api.model.HasMetadata> items) {
      long bytes = items.stream().mapToLong(o -> c.getKubernetesSerialization().asJson(o).length()).sum();
      return items.size() + " (" + bytes / 1024 + " KiB)";
    }

    double rssMiB() {
      return PackagedJarBenchmarkIT.rssMiB(process);
    }

    @Override
    public void close() throws Exception {
      stop(process);
      watch.close();
      kubelet.close();
      cluster.close();
    }
  }

  /** A process started on a mock API server holding {@link #FINISHED} finished builds. */
  static Restart restart(Kind kind, MockCluster cluster, Path dir) throws Exception {
    Files.createDirectories(dir);
    cluster.drainRequests();
    Path log = dir.resolve(kind + ".log");
    Instant start = Instant.now();
    Process p = start(kind, cluster, dir, log, 0);
    double ms;
    double rss;
    double cpu;
    try {
      long quietAt = waitQuiet(p, Duration.ofMinutes(3));
      ms = Duration.between(start, Instant.ofEpochMilli(quietAt)).toMillis();
      rss = rssMiB(p);
      cpu = cpuMs(p);
    } finally {
      stop(p);
    }
    // drained after the stop, so that what it sent while stopping is counted too
    Map<String, Integer> requests = RequestKinds.count(cluster.drainRequests());
    System.out.printf("[jar-benchmark] %s start with %d finished builds: quiet after %.0f ms, CPU %.0f ms, RSS %.0f MiB;"
        + " requests: %s%n", kind, FINISHED, ms, cpu, rss, requests);
    // what makes sharing the mock server fair: the next restart finds what this one found
    assertThat(requests.keySet()).as("%s's writes on a restart", kind).noneMatch(RequestKinds::isWrite);
    return new Restart(ms, cpu, rss);
  }

  static Process start(Kind kind, MockCluster cluster, Path dir, Path log, int httpPort) throws IOException {
    Path kubeconfig = OperatorJarIT.kubeconfig(dir, cluster);
    List<String> command = new ArrayList<>(List.of(OperatorJarIT.javaBin(), HEAP));
    // e.g. -DjarBenchmark.operatorJvm=-XX:StartFlightRecording=filename=/tmp/op.jfr to profile the operator's process
    String extra = System.getProperty("jarBenchmark." + (kind == Kind.OPERATOR ? "operatorJvm" : "referenceJvm"), "");
    if (!extra.isBlank()) {
      command.addAll(List.of(extra.trim().split("\\s+")));
    }
    if (kind == Kind.OPERATOR) {
      command.addAll(List.of("-jar", OperatorJarIT.JAR.toString(), "operator"));
    } else {
      command.addAll(List.of("-cp", System.getProperty("surefire.test.class.path",
          System.getProperty("java.class.path")), ReferenceMain.class.getName()));
    }
    ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("KUBECONFIG", kubeconfig.toString());
    pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
    // No registry here: each build's image look-up fails at once. Its retry (30 s, doubling, by
    // default) would land in a later herd of the operator's alone; an hour keeps each herd's work its own.
    pb.environment().put("STAGEBUILD_INSPECT_RETRY", "1h");
    Process p = pb.start();
    // also when the fork is stopped from outside (a cancelled run): the child must not outlive it
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    return p;
  }

  static void stop(Process p) throws InterruptedException {
    p.destroy();
    if (!p.waitFor(20, TimeUnit.SECONDS)) {
      p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Waits until the process has used less than 2% of a core for 1.5 s (its start-up or its
   * reaction to a herd is over); returns when that quiet period began (epoch ms).
   */
  static long waitQuiet(Process p, Duration atMost) throws Exception {
    long end = System.nanoTime() + atMost.toNanos();
    double last = cpuMs(p);
    long quietSince = System.currentTimeMillis();
    while (System.nanoTime() < end) {
      assertThat(p.isAlive()).as("the process is running").isTrue();
      Thread.sleep(250);
      double now = cpuMs(p);
      if (now - last > 5) {
        quietSince = System.currentTimeMillis();
      } else if (System.currentTimeMillis() - quietSince > 1500) {
        return quietSince;
      }
      last = now;
    }
    return quietSince;
  }

  /**
   * CPU ms of each of the process's threads so far, summed by name without digits (Linux cuts
   * names to 15 characters: "C2 CompilerThre", "GC Thread#", "ReconcilerExecu", "vert.x-eventloo").
   */
  static Map<String, Double> cpuByThread(Process p) {
    Map<String, Double> byName = new java.util.TreeMap<>();
    try (var tasks = Files.list(Path.of("/proc", Long.toString(p.pid()), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) {
        try {
          String name = Files.readString(task.resolve("comm")).strip().replaceAll("[0-9]+", "");
          byName.merge(name, ticksToMs(Files.readString(task.resolve("stat"))), Double::sum);
        } catch (IOException ended) {
          // the thread ended meanwhile
        }
      }
    } catch (IOException e) {
      return byName;
    }
    return byName;
  }

  static Map<String, Long> since(Map<String, Double> before, Map<String, Double> after) {
    Map<String, Long> d = new java.util.TreeMap<>();
    after.forEach((k, v) -> {
      long ms = Math.round(v - before.getOrDefault(k, 0.0));
      if (ms > 0) {
        d.put(k, ms);
      }
    });
    return d;
  }

  private static double ticksToMs(String stat) {
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    // after "pid (comm) ": state is field 3 of the man page, utime 14 and stime 15
    return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 1000 / TICKS_PER_SECOND;
  }

  static double testJvmCpuMs() {
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    return os instanceof com.sun.management.OperatingSystemMXBean sun ? sun.getProcessCpuTime() / 1e6 : Double.NaN;
  }

  /** The process's user + system CPU so far, from /proc/<pid>/stat. */
  static double cpuMs(Process p) throws IOException {
    return ticksToMs(Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat")));
  }

  static double rssMiB(Process p) {
    try {
      for (String l : Files.readAllLines(Path.of("/proc", Long.toString(p.pid()), "status"))) {
        if (l.startsWith("VmRSS:")) {
          return Long.parseLong(l.replaceAll("[^0-9]", "")) / 1024.0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      // no figure
    }
    return Double.NaN;
  }

  static int freePort() {
    try (var socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /**
   * The operator's reconcile passes so far and their summed wall time in seconds (JOSDK's timer on
   * its metrics endpoint), or null when there is no endpoint or it did not answer.
   */
  static double[] passes(int port) {
    if (port == 0) {
      return null;
    }
    try {
      var client = java.net.http.HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      var response = client.send(java.net.http.HttpRequest.newBuilder(
              java.net.URI.create("http://127.0.0.1:" + port + "/q/metrics")).timeout(Duration.ofSeconds(10)).build(),
          java.net.http.HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        return null;
      }
      // JOSDK registers its timer at the first reconcile: none yet is none so far
      double[] countAndSum = {0, 0};
      response.body().lines().filter(l -> l.startsWith("operator_sdk_controllers_execution_reconcile_seconds_"))
          .forEach(l -> {
            double v = Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1));
            if (l.startsWith("operator_sdk_controllers_execution_reconcile_seconds_count")) {
              countAndSum[0] += v;
            } else if (l.startsWith("operator_sdk_controllers_execution_reconcile_seconds_sum")) {
              countAndSum[1] += v;
            }
          });
      return countAndSum;
    } catch (IOException | NumberFormatException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Stats.percentile, NaN when no build had both ends (printed, never asserted). */
  static double percentile(List<Long> sorted, int p) {
    return sorted.isEmpty() ? Double.NaN : Stats.percentile(sorted, p);
  }

  static void line(String what, double operator, double reference, String format) {
    System.out.printf("[jar-benchmark] %-70s operator " + format + "  reference " + format + "  ratio %.2f%n", what,
        operator, reference, operator / reference);
  }

  static void best(String what, List<Herd> ops, List<Herd> refs, ToDoubleFunction<Herd> f, boolean higherIsBetter,
      String format) {
    double[] op = ops.stream().mapToDouble(f).sorted().toArray();
    double[] ref = refs.stream().mapToDouble(f).sorted().toArray();
    line(what + " (best)", higherIsBetter ? op[op.length - 1] : op[0], higherIsBetter ? ref[ref.length - 1] : ref[0],
        format);
    line(what + " (median)", Stats.median(op), Stats.median(ref), format);
  }

  static List<String> format(List<Herd> herds, ToDoubleFunction<Herd> f, String format) {
    return herds.stream().map(h -> String.format(format, f.applyAsDouble(h))).toList();
  }
}
