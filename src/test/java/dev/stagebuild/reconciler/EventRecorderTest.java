package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.testing.Builds;
import dev.stagebuild.testing.MockCluster;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventRecorderTest {
  static final String NS = "demo";

  /** What reached the recorder's thread uncaught: each would print a stack trace in the log. */
  private final List<Throwable> uncaught = new CopyOnWriteArrayList<>();
  private Thread.UncaughtExceptionHandler before;

  @BeforeEach
  void catchUncaught() {
    before = Thread.getDefaultUncaughtExceptionHandler();
    Thread.setDefaultUncaughtExceptionHandler((t, e) -> uncaught.add(e));
  }

  @AfterEach
  void restore() {
    Thread.setDefaultUncaughtExceptionHandler(before);
  }

  static StageBuild owner(KubernetesClient client) {
    return client.resource(Builds.inline("app", "FROM busybox\nRUN true\n")).inNamespace(NS).create();
  }

  @Test
  void theSameEventAgainIsCountedOnTheEventAlreadyRecorded() {
    try (MockCluster cluster = new MockCluster(); EventRecorder events = new EventRecorder(Clock.systemUTC())) {
      cluster.createNamespace(NS);
      StageBuild sb = owner(cluster.client());
      events.record(cluster.client(), sb, BuildEvent.warning("StageRetrying", "stage build: attempt 2"));
      events.record(cluster.client(), sb, BuildEvent.warning("StageRetrying", "stage build: attempt 2"));
      events.record(cluster.client(), sb, BuildEvent.normal("BuildSucceeded", "pushed"));
      events.flush(Duration.ofSeconds(10));

      List<Event> recorded = cluster.client().v1().events().inNamespace(NS).list().getItems();
      assertThat(recorded).extracting(Event::getReason, Event::getCount)
          .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("StageRetrying", 2),
              org.assertj.core.groups.Tuple.tuple("BuildSucceeded", 1));
      assertThat(recorded).allSatisfy(e -> assertThat(e.getInvolvedObject().getUid())
          .isEqualTo(sb.getMetadata().getUid()));
      assertThat(events.dropped()).isZero();
    }
  }

  @Test
  void eventsQueuedWhenTheClientIsClosedAreDroppedQuietly() {
    try (MockCluster cluster = new MockCluster(); EventRecorder events = new EventRecorder(Clock.systemUTC())) {
      cluster.createNamespace(NS);
      StageBuild sb = owner(cluster.client());
      // as at shutdown: the client is closed while the recorder still has Events to write
      KubernetesClient closed = cluster.server().createClient();
      closed.close();
      for (int i = 0; i < 3; i++) {
        events.record(closed, sb, BuildEvent.normal("StageStarted", "stage " + i));
      }
      events.flush(Duration.ofSeconds(10));

      assertThat(events.dropped()).isEqualTo(3);
      assertThat(events.failedOtherwise()).as("dropped quietly, not warned of").isZero();
      assertThat(uncaught).isEmpty();
      var meters = new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
      new BuildMetrics(meters).watchDroppedEvents(events);
      assertThat(meters.get("stagebuild_events_dropped").functionCounter().count()).isEqualTo(3);
    }
  }

  @Test
  void anEventThatFailsInAnyOtherWayIsDroppedAndTheNextIsRecorded() {
    try (MockCluster cluster = new MockCluster(); EventRecorder events = new EventRecorder(Clock.systemUTC())) {
      cluster.createNamespace(NS);
      StageBuild sb = owner(cluster.client());
      StageBuild noMetadata = new StageBuild();
      noMetadata.setMetadata(null); // an NPE, as a bug would throw
      events.record(cluster.client(), noMetadata, BuildEvent.warning("StageFailed", "stage build failed"));
      events.record(cluster.client(), sb, BuildEvent.warning("StageFailed", "stage build failed"));
      events.flush(Duration.ofSeconds(10));

      assertThat(events.dropped()).isEqualTo(1);
      assertThat(events.failedOtherwise()).isEqualTo(1);
      assertThat(uncaught).isEmpty();
      assertThat(cluster.client().v1().events().inNamespace(NS).list().getItems()).extracting(Event::getReason)
          .containsExactly("StageFailed");
    }
  }
}
