package dev.stagebuild.reconciler;

import dev.stagebuild.BoundedMaps;
import dev.stagebuild.api.StageBuild;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks pushed images' digests against their tags and reads their sizes on a small pool of its
 * own, never on a reconcile thread: a slow or silent registry must not hold up other builds. A pass asks for a look-up and
 * goes on; when the answer arrives, the build is reconciled again and the pass finds it here. A
 * failed look-up is tried again after a back-off that doubles up to a cap. It is given up for good
 * ({@link #ABANDONED}, written to the status) after {@link #MAX_FAILURES} failures, or at the first
 * failure once the build ended longer ago than those attempts' back-offs take (about 35 minutes
 * from the default 30 s): the count is in memory, and the build's end time in its status makes
 * the bound hold for a build this map forgot (more than {@link #MAX_ENTRIES} owed a look-up) or
 * that a restarted operator meets. So a registry the operator can never reach (a network policy,
 * a registry only build pods can resolve) costs each build a few look-ups, not one every 10
 * minutes for ever. Answers that will not change (unauthorized, not found) are final at once.
 */
public final class RegistryLookups implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RegistryLookups.class);
  static final int MAX_ENTRIES = 2048;
  static final Duration MAX_BACKOFF = Duration.ofMinutes(10);
  static final int MAX_FAILURES = 8;
  /** The reason of the final answer when a look-up is given up (see the class comment for when). */
  static final String ABANDONED = "LookupAbandoned";

  /** What one build's look-up stands at. */
  private static final class Entry {
    final String digest;
    Inspection answer;
    boolean running;
    int failures;
    Instant notBefore = Instant.MIN;

    Entry(String digest) {
      this.digest = digest;
    }
  }

  private final ImageInspector inspector;
  private final Duration firstBackoff;
  private final Clock clock;
  private final ThreadPoolExecutor pool;
  private final Map<String, Entry> entries = BoundedMaps.leastRecentlyUsed(MAX_ENTRIES);

  public RegistryLookups(ImageInspector inspector, Duration firstBackoff, Clock clock, int threads) {
    this.inspector = inspector;
    this.firstBackoff = firstBackoff;
    this.clock = clock;
    this.pool = new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(256), r -> {
      Thread t = new Thread(r, "stagebuild-registry");
      t.setDaemon(true);
      return t;
    });
    pool.allowCoreThreadTimeOut(true);
  }

  private static String key(StageBuild sb, String buildId) {
    return sb.getMetadata().getUid() + "/" + buildId;
  }

  /** The registry's latest answer for this build's image, or null while there is none. */
  public synchronized Inspection answer(StageBuild sb, String buildId, String digest) {
    Entry e = entries.get(key(sb, buildId));
    return e == null || !e.digest.equals(digest) ? null : e.answer;
  }

  /**
   * Starts a look-up unless one runs or the last failure's back-off has not passed.
   *
   * @param done called (on the registry thread) with the build's namespace/name when the answer arrived
   * @return when to look again for a retry that is due later, or null
   */
  public Duration request(KubernetesClient client, StageBuild sb, String buildId, String digest, Instant ended,
      Consumer<StageBuild> done) {
    String key = key(sb, buildId);
    Entry e;
    synchronized (this) {
      e = entries.get(key);
      if (e == null || !e.digest.equals(digest)) {
        e = new Entry(digest);
        entries.put(key, e);
      }
      if (e.running || (e.answer != null && (e.answer.ok() || e.answer.isFinal()))) {
        return null;
      }
      Instant now = clock.instant();
      if (now.isBefore(e.notBefore)) {
        return Duration.between(now, e.notBefore);
      }
      e.running = true;
    }
    Entry entry = e;
    ClusterView cluster = new ClusterView(client, sb);
    try {
      pool.execute(() -> run(entry, cluster, sb, digest, ended, done));
    } catch (RejectedExecutionException full) {
      synchronized (this) {
        entry.running = false;
        entry.notBefore = clock.instant().plus(firstBackoff);
      }
      return firstBackoff;
    }
    return null;
  }

  private void run(Entry entry, ClusterView cluster, StageBuild sb, String digest, Instant ended,
      Consumer<StageBuild> done) {
    Inspection answer;
    try {
      answer = inspector.inspect(cluster, sb, digest);
    } catch (RuntimeException unexpected) {
      LOG.warn("image look-up for {}/{} failed: {}", sb.getMetadata().getNamespace(), sb.getMetadata().getName(),
          unexpected.toString());
      answer = Inspection.failed("RegistryUnreachable", "the image size could not be read: " + unexpected.getMessage());
    }
    synchronized (this) {
      entry.answer = answer;
      entry.running = false;
      if (!answer.ok() && !answer.isFinal()) {
        entry.failures++;
        Instant now = clock.instant();
        if (entry.failures >= MAX_FAILURES || (ended != null && now.isAfter(ended.plus(giveUpAfter())))) {
          entry.answer = Inspection.failed(ABANDONED, "the registry could not be asked (the last answer: "
              + answer.errorReason() + ": " + answer.errorMessage() + "); given up after " + entry.failures
              + (entry.failures == 1 ? " attempt" : " attempts") + ": the digest stays unverified and the size"
              + " unknown (a rebuild looks again)");
        } else {
          entry.notBefore = now.plus(backoff(entry.failures));
        }
      }
    }
    done.accept(sb);
  }

  /** The wait after the n-th failure in a row: doubling from the first, capped. */
  private Duration backoff(int failures) {
    Duration backoff = firstBackoff.multipliedBy(1L << Math.min(failures - 1, 10));
    return backoff.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff;
  }

  /** How long {@link #MAX_FAILURES} attempts take from a build's end: the back-offs between them. */
  Duration giveUpAfter() {
    Duration total = Duration.ZERO;
    for (int failures = 1; failures < MAX_FAILURES; failures++) {
      total = total.plus(backoff(failures));
    }
    return total;
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
