package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import io.javaoperatorsdk.operator.api.config.ConfigurationService;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** With stagebuild.leader-election.enabled=true, JOSDK gets the operator's Lease. */
@QuarkusTest
@TestProfile(LeaderElectionProfiles.On.class)
class LeaderElectionOnTest {
  @Inject
  ConfigurationService configuration;

  @Inject
  io.javaoperatorsdk.operator.Operator operator;

  @Inject
  io.fabric8.kubernetes.client.KubernetesClient client;

  @Test
  void theStartUpWaitChecksAccessToTheLeaseOnlyWithLeaderElectionOn() {
    assertThat(OperatorStartup.leaseNamespace(operator, client)).isEqualTo("stagebuild-system");
  }

  @Test
  void josdkGetsTheLease() {
    var c = configuration.getLeaderElectionConfiguration().orElseThrow();
    assertThat(c.getLeaseName()).isEqualTo("stagebuild-operator");
    assertThat(c.getLeaseNamespace()).contains("stagebuild-system");
  }
}
