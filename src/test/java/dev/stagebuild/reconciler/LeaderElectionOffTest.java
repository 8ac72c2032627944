package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.api.config.ConfigurationService;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** Without stagebuild.leader-election.enabled, the ConfigurationService JOSDK reads has no leader election. */
@QuarkusTest
@TestProfile(LeaderElectionProfiles.Off.class)
class LeaderElectionOffTest {
  @Inject
  ConfigurationService configuration;

  @Inject
  io.javaoperatorsdk.operator.Operator operator;

  @Inject
  io.fabric8.kubernetes.client.KubernetesClient client;

  @Test
  void theStartUpWaitChecksAccessToTheLeaseOnlyWithLeaderElectionOn() {
    assertThat(OperatorStartup.leaseNamespace(operator, client)).isNull();
  }

  @Test
  void josdkGetsNoLeaderElection() {
    assertThat(configuration.getLeaderElectionConfiguration()).isEmpty();
  }
}
