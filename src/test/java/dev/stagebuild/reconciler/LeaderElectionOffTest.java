package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** Without stagebuild.leader-election.enabled, the ConfigurationService JOSDK reads has no leader election. */
@QuarkusTest
@TestProfile(LeaderElectionProfiles.Off.class)
class LeaderElectionOffTest extends LeaderElectionWiring {
  @Test
  void theStartUpWaitChecksAccessToTheLeaseOnlyWithLeaderElectionOn() {
    assertThat(leaseNamespaceTheStartUpWaitChecks()).isNull();
  }

  @Test
  void josdkGetsNoLeaderElection() {
    assertThat(configuration.getLeaderElectionConfiguration()).isEmpty();
  }
}
