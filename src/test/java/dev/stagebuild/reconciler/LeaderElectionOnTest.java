package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import org.junit.jupiter.api.Test;

/** With stagebuild.leader-election.enabled=true, JOSDK gets the operator's Lease. */
@QuarkusTest
@TestProfile(LeaderElectionProfiles.On.class)
class LeaderElectionOnTest extends LeaderElectionWiring {
  @Test
  void theStartUpWaitChecksAccessToTheLeaseOnlyWithLeaderElectionOn() {
    assertThat(leaseNamespaceTheStartUpWaitChecks()).isEqualTo("stagebuild-system");
  }

  @Test
  void josdkGetsTheLease() {
    var c = configuration.getLeaderElectionConfiguration().orElseThrow();
    assertThat(c.getLeaseName()).isEqualTo("stagebuild-operator");
    assertThat(c.getLeaseNamespace()).contains("stagebuild-system");
  }
}
