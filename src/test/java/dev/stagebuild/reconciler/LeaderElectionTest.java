package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LeaderElectionTest {
  @Test
  void offUnlessEnabled() {
    assertThat(LeaderElection.configuration(false, Optional.of("stagebuild-system"),
        Map.of("POD_NAMESPACE", "stagebuild-system"))).isNull();
  }

  @Test
  void enabledUsesTheFixedLeaseInThePodsNamespace() {
    LeaderElectionConfiguration c = LeaderElection.configuration(true, Optional.empty(),
        Map.of("POD_NAMESPACE", "stagebuild-system"));
    assertThat(c.getLeaseName()).isEqualTo("stagebuild-operator");
    assertThat(c.getLeaseNamespace()).contains("stagebuild-system");
    // the process still ends when it stops leading, by the callback below, not by JOSDK's exit
    assertThat(c.isExitOnStopLeading()).isFalse();
    assertThat(c.getLeaderCallbacks()).isPresent();
    // The pod's name (HOSTNAME) is JOSDK's default identity; nothing overrides it.
    assertThat(c.getIdentity()).isEmpty();
  }

  @Test
  void stoppingToLeadEndsTheProcessWithoutWaitingForItsEnd() throws Exception {
    // As during a SIGTERM's shutdown, where System.exit blocks for ever: the callback still returns.
    java.util.concurrent.CountDownLatch exitCalled = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch never = new java.util.concurrent.CountDownLatch(1);
    Runnable stop = LeaderElection.exitOnStopLeading(() -> {
      exitCalled.countDown();
      try {
        never.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
    Thread caller = new Thread(stop);
    caller.start();
    caller.join(5_000);
    assertThat(caller.isAlive()).as("the thread that stopped leading returned").isFalse();
    assertThat(exitCalled.await(5, java.util.concurrent.TimeUnit.SECONDS)).as("the exit was called").isTrue();
  }

  @Test
  void propertyOverridesTheEnvironment() {
    assertThat(LeaderElection.configuration(true, Optional.of("ops"), Map.of("POD_NAMESPACE", "other"))
        .getLeaseNamespace()).contains("ops");
  }

  @Test
  void withoutANamespaceJosdkFallsBackToTheClients() {
    assertThat(LeaderElection.configuration(true, Optional.of(" "), Map.of()).getLeaseNamespace()).isEmpty();
    assertThat(LeaderElection.configuration(true, Optional.empty(), Map.of("POD_NAMESPACE", ""))
        .getLeaseNamespace()).isEmpty();
  }
}
