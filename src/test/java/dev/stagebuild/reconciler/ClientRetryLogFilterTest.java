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
  void theClientsOtherLinesAndEverythingElsePass() {
    for (int i = 0; i < 5; i++) {
      assertThat(filter.isLoggable(record(Level.FINE, WATCH_MANAGER, "Watch connection error, will reconnect"))).isTrue();
      assertThat(filter.isLoggable(record(Level.WARNING, "dev.stagebuild.reconciler.StageBuildReconciler",
          "reconcile failed (attempt 1), will retry"))).isTrue();
      assertThat(filter.isLoggable(record(Level.WARNING, REFLECTOR, "listSyncAndWatch failed for v1/pods-" + (char) ('a' + i)
          + ", will retry"))).as("a different text").isTrue();
    }
  }
}
