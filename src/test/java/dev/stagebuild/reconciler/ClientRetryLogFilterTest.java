package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.testing.MutableClock;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class ClientRetryLogFilterTest {
  private static final String WATCH_MANAGER = "io.fabric8.kubernetes.client.dsl.internal.AbstractWatchManager";
  private static final String REFLECTOR = "io.fabric8.kubernetes.client.informers.impl.cache.Reflector";
  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));
  private final ClientRetryLogFilter filter = new ClientRetryLogFilter(clock);

  private static LogRecord record(Level level, String logger, String message) {
    LogRecord r = new LogRecord(level, message);
    r.setLoggerName(logger);
    r.setThrown(new IOException("Connection refused"));
    return r;
  }

  @Test
  void aWatchRetriedForAnHourIsLoggedOnceEveryFiveMinutesWithHowManyWereHeldBack() {
    int logged = 0;
    LogRecord last = null;
    // the client's lines during an hour's outage: each of three informers about every 32 s
    for (int attempt = 11; attempt < 11 + 3600 / 32; attempt++) {
      for (String informer : new String[] {"v1/pods", "v1/persistentvolumeclaims", "stagebuild.dev/v1alpha1/stagebuilds"}) {
        LogRecord watch = record(Level.INFO, WATCH_MANAGER,
            "Watch connection error received " + attempt + " times without progress, will reconnect if possible");
        LogRecord relist = record(Level.WARNING, REFLECTOR, "listSyncAndWatch failed for " + informer + ", will retry");
        for (LogRecord r : new LogRecord[] {watch, relist}) {
          if (filter.isLoggable(r)) {
            logged++;
            last = r;
          }
        }
      }
      clock.advance(Duration.ofSeconds(32));
    }
    // 4 kinds (one watch line, three informers' relists), each once per 5 minutes of the hour
    assertThat(logged).isBetween(4 * 12, 4 * 13);
    assertThat(last.getMessage()).matches(".* \\(\\d+ more like it since 2026-12-06T10:\\d\\d:\\d\\dZ not logged\\)");
  }

  @Test
  void theNoteKeepsAFormattedLineFormattedBracesAndAll() {
    // as slf4j-jboss-logmanager hands Fabric8's lines over: formatted already, arguments kept
    java.util.function.Supplier<org.jboss.logmanager.ExtLogRecord> line = () -> {
      var r = new org.jboss.logmanager.ExtLogRecord(Level.SEVERE, "Error received: Status(additionalProperties={},"
          + " code=500, message=etcdserver: leader changed), will retry",
          org.jboss.logmanager.ExtLogRecord.FormatStyle.NO_FORMAT, "org.slf4j.impl.Slf4jLogger");
      r.setLoggerName(WATCH_MANAGER);
      r.setParameters(new Object[] {"Status(additionalProperties={}, code=500)"});
      return r;
    };
    assertThat(filter.isLoggable(line.get())).isTrue();
    assertThat(filter.isLoggable(line.get())).isFalse();
    clock.advance(ClientRetryLogFilter.WINDOW);
    var third = line.get();
    assertThat(filter.isLoggable(third)).isTrue();
    assertThat(third.getFormattedMessage()).endsWith("will retry (1 more like it since 2026-12-06T10:00:00Z not logged)");
  }

  @Test
  void linesOfOneKindWithDifferentCausesAreDifferentKinds() {
    LogRecord refused = record(Level.WARNING, REFLECTOR, "listSyncAndWatch failed for v1/pods, will retry");
    LogRecord forbidden = record(Level.WARNING, REFLECTOR, "listSyncAndWatch failed for v1/pods, will retry");
    forbidden.setThrown(new io.fabric8.kubernetes.client.KubernetesClientException("pods is forbidden", 403, null));
    assertThat(filter.isLoggable(refused)).isTrue();
    assertThat(filter.isLoggable(forbidden)).isTrue();
  }

  @Test
  void theClientsOtherLinesAndEverythingElsePass() {
    for (int i = 0; i < 5; i++) {
      assertThat(filter.isLoggable(record(Level.WARNING, "io.fabric8.kubernetes.client.dsl.internal.VersionUsageUtils",
          "The client is using resource type 'stagebuilds' with unstable version 'v1alpha1'"))).isTrue();
    }
    for (int i = 0; i < 5; i++) {
      assertThat(filter.isLoggable(record(Level.FINE, WATCH_MANAGER, "Watch connection error, will reconnect"))).isTrue();
      assertThat(filter.isLoggable(record(Level.WARNING, "dev.stagebuild.reconciler.StageBuildReconciler",
          "reconcile failed (attempt 1), will retry"))).isTrue();
      assertThat(filter.isLoggable(record(Level.WARNING, REFLECTOR, "listSyncAndWatch failed for v1/pods-" + (char) ('a' + i)
          + ", will retry"))).as("a different text").isTrue();
    }
  }
}
