package dev.stagebuild.cli;

import static dev.stagebuild.cli.BuildFixtures.NS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.testing.MockCluster;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** status against the mock API server. */
class StatusCommandTest {
  MockCluster cluster;

  @BeforeEach
  void start() {
    cluster = new MockCluster();
  }

  @AfterEach
  void stop() {
    cluster.close();
  }

  CliRun status(String... args) {
    return CliRun.of(() -> cluster.server().createClient(), () -> null, LogsCommandTest.prepend("status", args));
  }

  @Test
  void printsTheBuildsPage() {
    BuildFixtures.create(cluster, "hellogo", BuildFixtures.hellogo(true));
    CliRun r = status("hellogo", "-n", NS);
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out()).startsWith("Name:        hellogo\nNamespace:   demo\n")
        .contains("  build    Succeeded  1         hellogo-1-build    10:00:03  38s")
        .contains("  Succeeded  True    Succeeded")
        .contains("  Digest:    sha256:2c2ab690\n")
        .contains("  Size:      9.62MB (9620000 bytes)\n");
  }

  @Test
  void missingBuildIsAOneLineError() {
    CliRun r = status("nope", "--namespace", NS);
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.out()).isEmpty();
    assertThat(r.err()).isEqualTo("error: stagebuild \"nope\" not found in namespace \"demo\"\n");
  }

  @Test
  void unreachableClusterIsAOneLineError() {
    CliRun r = CliRun.of(() -> new KubernetesClientBuilder().withConfig(new ConfigBuilder()
        .withMasterUrl("http://127.0.0.1:1").withRequestRetryBackoffLimit(0).build()).build(), () -> null,
        "status", "x");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: cannot reach the Kubernetes API server at http://127.0.0.1:1");
    assertThat(r.err().lines()).hasSize(1);
  }
}
