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
    assertThat(c.isExitOnStopLeading()).isTrue();
    // The pod's name (HOSTNAME) is JOSDK's default identity; nothing overrides it.
    assertThat(c.getIdentity()).isEmpty();
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
