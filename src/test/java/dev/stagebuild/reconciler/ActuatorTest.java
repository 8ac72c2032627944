package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.testing.ClusterDispatcher;
import dev.stagebuild.testing.MockCluster;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ActuatorTest {
  final MockCluster cluster = new MockCluster();
  final RecentDeletes recent = new RecentDeletes();

  @AfterEach
  void close() {
    cluster.close();
  }

  private Actuator actuator() {
    return actuator(cluster.client());
  }

  private Actuator actuator(KubernetesClient client) {
    StageBuild sb = new StageBuild();
    sb.setMetadata(new ObjectMetaBuilder().withName("app").withNamespace("demo").withUid("sb-uid").build());
    return new Actuator(client, sb, recent);
  }

  private PersistentVolumeClaim claim(String name) {
    return cluster.client().persistentVolumeClaims().inNamespace("demo").resource(new PersistentVolumeClaimBuilder()
        .withNewMetadata().withName(name).endMetadata().build()).create();
  }

  private long deletes() {
    return cluster.dispatcher().count(cluster.client().getConfiguration().getUserAgent(), "DELETE",
        "/persistentvolumeclaims/ws");
  }

  @Test
  void aDeleteTheApiServerAcceptedIsNotSentAgainByAPassWhoseCacheStillHoldsTheObject() {
    String uid = claim("ws").getMetadata().getUid();
    Actuator act = actuator();
    act.delete(PersistentVolumeClaim.class, "persistentvolumeclaims", "ws", uid);
    actuator().delete(PersistentVolumeClaim.class, "persistentvolumeclaims", "ws", uid);
    assertThat(deletes()).isEqualTo(1);
    assertThat(cluster.client().persistentVolumeClaims().inNamespace("demo").withName("ws").get()).isNull();
  }

  @Test
  void anObjectFoundGoneIsNotAskedForAgain() {
    actuator().delete(PersistentVolumeClaim.class, "persistentvolumeclaims", "ws", "gone-uid");
    actuator().delete(PersistentVolumeClaim.class, "persistentvolumeclaims", "ws", "gone-uid");
    assertThat(deletes()).isEqualTo(1);
  }

  @Test
  void aDeleteThatGotNoAnswerIsSentAgainAndAnotherObjectUnderTheNameIsStillDeletedByItsOwnUid() {
    String uid = claim("ws").getMetadata().getUid();
    // Not answered (a client without retries): thrown for JOSDK's retry, and a later pass asks again.
    cluster.dispatcher().respondOnce(r -> "DELETE".equals(r.getMethod()),
        ClusterDispatcher.refusal(503, "ServiceUnavailable", "the server is currently unable to handle the request"));
    try (KubernetesClient once = new KubernetesClientBuilder().withConfig(new ConfigBuilder(
        cluster.client().getConfiguration()).withRequestRetryBackoffLimit(0).build()).build()) {
      assertThatThrownBy(() -> actuator(once).delete(PersistentVolumeClaim.class, "persistentvolumeclaims", "ws", uid))
          .isInstanceOf(KubernetesClientException.class);
    }
    actuator().delete(PersistentVolumeClaim.class, "persistentvolumeclaims", "ws", uid);
    assertThat(cluster.client().persistentVolumeClaims().inNamespace("demo").withName("ws").get()).isNull();

    String next = claim("ws").getMetadata().getUid();
    actuator().delete(PersistentVolumeClaim.class, "persistentvolumeclaims", "ws", next);
    assertThat(cluster.client().persistentVolumeClaims().inNamespace("demo").withName("ws").get()).isNull();
  }

  @Test
  void aDeleteRefusedForGoodIsNotAskedForByEveryLaterPass() {
    String uid = claim("ws").getMetadata().getUid();
    cluster.dispatcher().respondOnce(r -> "DELETE".equals(r.getMethod()),
        ClusterDispatcher.refusal(403, "Forbidden", "admission webhook \"keep.example.com\" denied the request"));
    actuator().delete(PersistentVolumeClaim.class, "persistentvolumeclaims", "ws", uid);
    actuator().delete(PersistentVolumeClaim.class, "persistentvolumeclaims", "ws", uid);
    assertThat(deletes()).isEqualTo(1);
    assertThat(cluster.client().persistentVolumeClaims().inNamespace("demo").withName("ws").get()).isNotNull();
  }

  @Test
  void aRefusalIsRememberedForAWhileOnlyAnAcceptedDeleteForGood() {
    var now = new java.util.concurrent.atomic.AtomicReference<>(java.time.Instant.parse("2026-12-06T10:00:00Z"));
    RecentDeletes deletes = new RecentDeletes(new java.time.Clock() {
      @Override
      public java.time.ZoneId getZone() {
        return java.time.ZoneOffset.UTC;
      }

      @Override
      public java.time.Clock withZone(java.time.ZoneId zone) {
        return this;
      }

      @Override
      public java.time.Instant instant() {
        return now.get();
      }
    });
    deletes.refused("refused");
    deletes.add("gone");
    now.set(now.get().plus(RecentDeletes.REFUSAL_KEPT).minusSeconds(1));
    assertThat(deletes.answered("refused")).isTrue();
    now.set(now.get().plusSeconds(1));
    assertThat(deletes.answered("refused")).as("asked for again: the refusal may have been lifted").isFalse();
    assertThat(deletes.answered("gone")).isTrue();
  }

  @Test
  void theMemoryIsBounded() {
    for (int i = 0; i < RecentDeletes.MAX_TRACKED + 10; i++) {
      recent.add("uid-" + i);
    }
    assertThat(recent.size()).isEqualTo(RecentDeletes.MAX_TRACKED);
    assertThat(recent.answered("uid-0")).as("the oldest forgotten").isFalse();
    assertThat(recent.answered("uid-" + (RecentDeletes.MAX_TRACKED + 9))).isTrue();
  }
}
