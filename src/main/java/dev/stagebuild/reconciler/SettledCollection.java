package dev.stagebuild.reconciler;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One full collection when the operator's start-up work has settled. At start the operator makes a
 * pass over every StageBuild its informers list; with many of them that is a burst of garbage, and
 * G1 grows the heap for it and keeps what it grew to (it collects periodically only when asked to,
 * {@code G1PeriodicGCInterval}): measured in PackagedJarBenchmarkIT with 1,000 finished builds,
 * 235 MiB of heap committed, 60 MiB in use after the last collection. A full collection then gives
 * the rest back to the system. It runs once, when the process has used less than {@link #QUIET_SHARE} of a core for
 * {@link #QUIET_FOR} (the burst is over), and not at all when that does not happen within
 * {@link #AT_MOST} (a busy operator's heap is G1's to size). With leader election it starts when the
 * replica starts leading, since its burst comes then. The thread is a daemon and does nothing else,
 * so a stop does not wait for it.
 */
final class SettledCollection {
  private static final Logger LOG = LoggerFactory.getLogger(SettledCollection.class);
  static final Duration QUIET_FOR = Duration.ofSeconds(1);
  static final double QUIET_SHARE = 0.05;
  static final Duration AT_MOST = Duration.ofMinutes(5);
  static final Duration POLL = Duration.ofMillis(250);

  /** Decides from samples of the clock and the process's CPU time (both in nanoseconds). */
  static final class Quiet {
    private final long windowNanos;
    private final double share;
    private long quietSince = -1;
    private long lastTime;
    private long lastCpu;

    Quiet(Duration window, double share) {
      this.windowNanos = window.toNanos();
      this.share = share;
    }

    /** True once the CPU time between samples has stayed under the share for the whole window. */
    boolean sample(long now, long cpu) {
      if (quietSince < 0) {
        quietSince = now;
      } else if (cpu - lastCpu > share * (now - lastTime)) {
        quietSince = now;
      }
      lastTime = now;
      lastCpu = cpu;
      return now - quietSince >= windowNanos;
    }
  }

  private SettledCollection() {}

  /** Starts the wait on a daemon thread of its own; returns at once. */
  static void afterStart() {
    if (!(ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os)) {
      return;
    }
    Thread t = new Thread(() -> run(os::getProcessCpuTime), "stagebuild-settled-gc");
    t.setDaemon(true);
    t.start();
  }

  private static void run(LongSupplier cpuNanos) {
    Quiet quiet = new Quiet(QUIET_FOR, QUIET_SHARE);
    long end = System.nanoTime() + AT_MOST.toNanos();
    try {
      while (System.nanoTime() < end) {
        if (quiet.sample(System.nanoTime(), cpuNanos.getAsLong())) {
          Runtime rt = Runtime.getRuntime();
          long before = rt.totalMemory();
          System.gc();
          LOG.info("start-up settled: one full collection, heap committed {} MiB before, {} MiB after",
              before >> 20, rt.totalMemory() >> 20);
          return;
        }
        Thread.sleep(POLL.toMillis());
      }
    } catch (InterruptedException stopped) {
      Thread.currentThread().interrupt();
    }
  }
}
