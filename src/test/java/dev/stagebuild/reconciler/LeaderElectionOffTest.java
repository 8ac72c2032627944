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

  @Test
  void josdkGetsNoLeaderElection() {
    assertThat(configuration.getLeaderElectionConfiguration()).isEmpty();
  }
}
