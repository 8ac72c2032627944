package dev.stagebuild.reconciler;

import dev.stagebuild.BoundedMaps;
import dev.stagebuild.api.StageBuild;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Records Kubernetes Events for builds on a thread of its own, so that a reconcile pass never waits
 * for them. The same event (object, type, reason, message) within {@link #SERIES_WINDOW} is counted
 * on the existing Event (count and lastTimestamp, as kubectl shows them) instead of a new object. An
 * event is a courtesy: when the queue is full or the API server refuses, it is dropped and counted.
 */
public final class EventRecorder implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EventRecorder.class);
  static final String COMPONENT = "stagebuild-operator";
  static final Duration SERIES_WINDOW = Duration.ofMinutes(10);
  static final int MAX_SERIES = 4096;
  static final int MAX_MESSAGE = 1000;

  private record Series(String name, String namespace, int count, Instant last) {}

  private final Clock clock;
  private final ThreadPoolExecutor worker = new ThreadPoolExecutor(1, 1, 30, TimeUnit.SECONDS,
      new ArrayBlockingQueue<>(1024), r -> {
        Thread t = new Thread(r, "stagebuild-events");
        t.setDaemon(true);
        return t;
      });
  private final Map<String, Series> series = BoundedMaps.leastRecentlyUsed(MAX_SERIES);
  private final AtomicLong dropped = new AtomicLong();
  /** Of the dropped, those that failed other than by the API server's answer or a closed client (logged). */
  private final AtomicLong failedOtherwise = new AtomicLong();
  /** Events handed to the worker and not yet written or dropped (the pool's own counts lag a task it took). */
  private final AtomicLong queued = new AtomicLong();
  /** Failures other than the API server's answers or a closed client: logged, once per kind per window. */
  private final RepeatGate unexpected;

  public EventRecorder(Clock clock) {
    this.clock = clock;
    this.unexpected = new RepeatGate(clock, Duration.ofMinutes(10));
    worker.allowCoreThreadTimeOut(true);
  }

  /** Events dropped so far: queue full, refused, the client closed, or failed otherwise (logged). */
  public long dropped() {
    return dropped.get();
  }

  /** Of {@link #dropped()}, those that failed in a way logged as a warning (tests). */
  long failedOtherwise() {
    return failedOtherwise.get();
  }

  public void record(KubernetesClient client, StageBuild owner, BuildEvent event) {
    queued.incrementAndGet();
    boolean handed = false;
    try {
      worker.execute(() -> writeOrDrop(client, owner, event));
      handed = true;
    } catch (RejectedExecutionException full) {
      dropped.incrementAndGet();
    } finally {
      if (!handed) { // rejected, or an Error (no thread could be started): flush() must not wait for it
        queued.decrementAndGet();
      }
    }
  }

  /** Nothing escapes to the worker thread: an uncaught exception would print a stack trace per Event. */
  private void writeOrDrop(KubernetesClient client, StageBuild owner, BuildEvent event) {
    try {
      write(client, owner, event);
    } catch (KubernetesClientException | IllegalStateException ex) {
      // Refused by the API server, or (IllegalStateException) the client was closed, at a
      // shutdown, with Events still queued.
      dropped.incrementAndGet();
      LOG.debug("could not record event {}: {}", event.reason(), ex.getMessage());
    } catch (RuntimeException ex) {
      dropped.incrementAndGet();
      failedOtherwise.incrementAndGet();
      RepeatGate.Verdict verdict = unexpected.admit(ex.getClass().getName());
      if (verdict.passes()) { // with its stack trace: this is a bug
        LOG.warn("could not record event {}{}", event.reason(), verdict.note(), ex);
      }
    } finally {
      queued.decrementAndGet();
    }
  }

  private void write(KubernetesClient client, StageBuild owner, BuildEvent event) {
    String namespace = owner.getMetadata().getNamespace();
    String message = event.message().length() > MAX_MESSAGE
        ? event.message().substring(0, MAX_MESSAGE) + "..." : event.message();
    String key = owner.getMetadata().getUid() + "\n" + event.warning() + "\n" + event.reason() + "\n" + message;
    Instant now = clock.instant();
    Series previous;
    synchronized (series) {
      previous = series.get(key);
    }
    try {
      if (previous != null && Duration.between(previous.last(), now).compareTo(SERIES_WINDOW) < 0) {
        int count = previous.count() + 1;
        String ts = Times.format(now);
        // One merge patch, no read: the count and the time of the latest occurrence.
        client.v1().events().inNamespace(namespace).withName(previous.name())
            .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"count\":" + count + ",\"lastTimestamp\":\"" + ts + "\"}");
        remember(key, new Series(previous.name(), namespace, count, now));
        return;
      }
      String ts = Times.format(now);
      Event e = new EventBuilder()
          .withNewMetadata().withNamespace(namespace)
          // Named like the kubelet's events: <object>.<unique hex>.
          .withName(owner.getMetadata().getName() + "." + Long.toHexString(System.nanoTime())
              + Integer.toHexString(java.util.concurrent.ThreadLocalRandom.current().nextInt(0x10000)))
          .withLabels(Map.of("app.kubernetes.io/managed-by", "stagebuild")).endMetadata()
          .withInvolvedObject(new ObjectReferenceBuilder().withApiVersion(owner.getApiVersion())
              .withKind(owner.getKind()).withName(owner.getMetadata().getName()).withNamespace(namespace)
              .withUid(owner.getMetadata().getUid()).build())
          .withType(event.warning() ? "Warning" : "Normal")
          .withReason(event.reason())
          .withMessage(message)
          .withNewSource().withComponent(COMPONENT).endSource()
          .withReportingComponent(COMPONENT)
          .withFirstTimestamp(ts).withLastTimestamp(ts).withCount(1)
          .build();
      Event made = client.v1().events().inNamespace(namespace).resource(e).create();
      remember(key, new Series(made.getMetadata().getName(), namespace, 1, now));
    } catch (RuntimeException ex) {
      // the next occurrence makes a new Event instead of counting on one that may not exist
      synchronized (series) {
        series.remove(key);
      }
      throw ex;
    }
  }

  private void remember(String key, Series s) {
    synchronized (series) {
      series.put(key, s);
    }
  }

  /** Waits until the events queued so far are written (tests). */
  public void flush(Duration timeout) {
    long end = System.nanoTime() + timeout.toNanos();
    while (queued.get() > 0 && System.nanoTime() < end) {
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  @Override
  public void close() {
    worker.shutdown();
  }
}
