package dev.stagebuild.reconciler;

import io.quarkus.test.junit.QuarkusTestProfile;
import java.util.HashMap;
import java.util.Map;

/**
 * Quarkus test profiles for the leader-election wiring tests: qosdk's bean look-up turned on in the
 * test profile (it is prod-only by default), the operator itself not started (no cluster needed).
 */
public final class LeaderElectionProfiles {
  private LeaderElectionProfiles() {}

  public static class Off implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> c = new HashMap<>();
      c.put("stagebuild.start-operator", "false");
      c.put("quarkus.operator-sdk.activate-leader-election-for-profiles", "test");
      c.put("quarkus.kubernetes-client.devservices.enabled", "false");
      // any free port: a whole run tests in two JVMs at once
      c.put("quarkus.http.test-port", "0");
      return c;
    }
  }

  public static class On extends Off {
    @Override
    public Map<String, String> getConfigOverrides() {
      Map<String, String> c = super.getConfigOverrides();
      c.put("stagebuild.leader-election.enabled", "true");
      c.put("stagebuild.leader-election.namespace", "stagebuild-system");
      return c;
    }
  }
}
