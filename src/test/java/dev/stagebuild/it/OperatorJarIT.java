package dev.stagebuild.it;

import dev.stagebuild.kaniko.BuildNames;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.reconciler.Conditions;
import dev.stagebuild.testing.Builds;
import dev.stagebuild.testing.MockCluster;
import dev.stagebuild.testing.PodOutcome;
import dev.stagebuild.testing.TestKubelet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The packaged operator, run as users run it ({@code java -jar target/quarkus-app/quarkus-run.jar operator}),
 * finding its cluster through KUBECONFIG (here the mock API server) and reconciling a StageBuild.
 */
class OperatorJarIT {
  static final Path JAR = Path.of("target/quarkus-app/quarkus-run.jar");
  static final String DIGEST = "sha256:" + "ab".repeat(32);

  @Test
  void packagedOperatorReconcilesAStageBuildThroughKubeconfig(@TempDir Path dir) throws Exception {
    assertThat(JAR).as("run mvn package first").exists();
    try (MockCluster cluster = new MockCluster(); TestKubelet kubelet = pushingKubelet(cluster)) {
      cluster.createNamespace("demo");
      Path kubeconfig = kubeconfig(dir, cluster);
      Path log = dir.resolve("operator.log");
      ProcessBuilder pb = new ProcessBuilder(javaBin(), "-jar", JAR.toString(), "operator")
          .redirectErrorStream(true).redirectOutput(log.toFile());
      pb.environment().put("KUBECONFIG", kubeconfig.toString());
      pb.environment().put("QUARKUS_HTTP_PORT", "0");
      Process operator = pb.start();
      try {
        StageBuild sb = Builds.inline("jar", """
            FROM golang:1.21 AS build
            RUN go build -o /app .
            FROM alpine:3.18.3
            COPY --from=build /app /app
            """);
        sb.getMetadata().setNamespace("demo");
        cluster.client().resource(sb).inNamespace("demo").create();
        StageBuild done = await().atMost(90, TimeUnit.SECONDS).pollInterval(Duration.ofMillis(250))
            .until(() -> cluster.client().resources(StageBuild.class).inNamespace("demo").withName("jar").get(),
                s -> s.getStatus() != null && Conditions.isTrue(s.getStatus().conditions, Conditions.SUCCEEDED));
        assertThat(done.getStatus().output.digest).isEqualTo(DIGEST);
        assertThat(kubelet.startedPods()).containsExactly(BuildNames.podName("jar", "1", "build", 1), BuildNames.podName("jar", "1", "stage-1", 1));
      } catch (RuntimeException | AssertionError e) {
        throw new AssertionError("operator log:\n" + tail(log), e);
      } finally {
        operator.destroy();
        operator.waitFor(20, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void planCommandNeedsNoCluster(@TempDir Path dir) throws Exception {
    Path dockerfile = Path.of("src/test/resources/seed/hellogo-Dockerfile.ms");
    Process plan = new ProcessBuilder(javaBin(), "-jar", JAR.toString(), "plan", "-o", "json", dockerfile.toString())
        .redirectErrorStream(true).start();
    String out = new String(plan.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(plan.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(plan.exitValue()).as(out).isZero();
    assertThat(out).contains("\"stages\"", "\"build\"", "\"/usr/local/bin/hello\"", "ADD from/build.tar /");

    Path bad = dir.resolve("Dockerfile");
    Files.writeString(bad, "FROM alpine\nCOPY only-a-source\n");
    Process failing = new ProcessBuilder(javaBin(), "-jar", JAR.toString(), "plan", bad.toString()).start();
    String err = new String(failing.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(failing.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(failing.exitValue()).isEqualTo(1);
    assertThat(err).contains("line 2");
  }

  /** A test kubelet whose final pods (the ones that push) report {@link #DIGEST}, as kaniko's --digest-file does. */
  static TestKubelet pushingKubelet(MockCluster cluster) {
    return new TestKubelet(cluster, pod -> p -> PodOutcome.succeed(
        p.getSpec().getContainers().get(0).getArgs().stream().anyMatch(a -> a.startsWith("--destination="))
            ? DIGEST : ""));
  }

  /**
   * {@code java -Xmx256m -jar quarkus-run.jar operator} against the mock cluster through a kubeconfig,
   * its HTTP server on {@code httpPort}, its output in {@code log}, with these environment variables too.
   */
  static Process startOperator(Path dir, MockCluster cluster, Path log, int httpPort, Map<String, String> env)
      throws IOException {
    ProcessBuilder pb = new ProcessBuilder(javaBin(), "-Xmx256m", "-jar", JAR.toString(), "operator")
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("KUBECONFIG", kubeconfig(dir, cluster).toString());
    pb.environment().put("QUARKUS_HTTP_PORT", Integer.toString(httpPort));
    pb.environment().putAll(env);
    return pb.start();
  }

  /** A kubeconfig for the mock API server, as the operator reads it through KUBECONFIG. */
  static Path kubeconfig(Path dir, MockCluster cluster) throws IOException {
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters:
        - name: mock
          cluster: {server: "%s", insecure-skip-tls-verify: true}
        users:
        - name: test
          user: {token: test}
        contexts:
        - name: mock
          context: {cluster: mock, user: test, namespace: default}
        current-context: mock
        """.formatted(cluster.client().getMasterUrl().toString()));
    return kubeconfig;
  }

  static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
