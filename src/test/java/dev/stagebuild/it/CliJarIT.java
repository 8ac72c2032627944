package dev.stagebuild.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The packaged jar as a command line: nothing starts the operator unless asked, and no cluster is one line. */
class CliJarIT {
  record Run(int exit, String out, String err, long millis) {}

  static Run run(Map<String, String> env, Path home, String... command) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().remove("KUBECONFIG");
    pb.environment().remove("KUBERNETES_SERVICE_HOST");
    pb.environment().put("HOME", home.toString());
    pb.environment().putAll(env);
    Path out = Files.createTempFile(home, "out", ".txt");
    Path err = Files.createTempFile(home, "err", ".txt");
    pb.redirectOutput(out.toFile()).redirectError(err.toFile()).redirectInput(new File("/dev/null"));
    long start = System.nanoTime();
    Process p = pb.start();
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("still running after 60 s: " + String.join(" ", command) + "\n" + Files.readString(out));
    }
    return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8),
        (System.nanoTime() - start) / 1_000_000);
  }

  static String[] jar(String... args) {
    List<String> c = new ArrayList<>(List.of(OperatorJarIT.javaBin(), "-jar", OperatorJarIT.JAR.toString()));
    c.addAll(List.of(args));
    return c.toArray(String[]::new);
  }

  @Test
  void operatorWithoutAClusterSaysWhereItLookedInOneLine(@TempDir Path home) throws Exception {
    Path kubeconfig = home.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]
        users: [{name: u, user: {token: t}}]
        contexts: [{name: x, context: {cluster: c, user: u}}]
        current-context: x
        """);
    Run r = run(Map.of("KUBECONFIG", kubeconfig.toString()), home, jar("operator"));
    assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(1);
    assertThat(r.millis()).isLessThan(15_000);
    assertThat(r.out()).isEmpty();
    assertThat(r.err().lines()).as(r.err()).hasSize(1);
    assertThat(r.err()).startsWith("error: no Kubernetes API server reachable at https://127.0.0.1:1/ (")
        .endsWith("; looked for an in-cluster service account (none), KUBECONFIG (" + kubeconfig
            + "), ~/.kube/config (none)\n")
        .doesNotContain("Exception", "\tat ");

    Run none = run(Map.of(), home, jar("operator"));
    assertThat(none.exit()).isEqualTo(1);
    assertThat(none.millis()).isLessThan(15_000);
    assertThat(none.err()).startsWith("error: no Kubernetes API server reachable at https://kubernetes.default.svc/")
        .contains("KUBECONFIG (not set), ~/.kube/config (none)");
    assertThat(none.err().lines()).hasSize(1);
  }

  @Test
  void helpNoArgumentsAndUnknownCommandsStartNothing(@TempDir Path home) throws Exception {
    Run help = run(Map.of(), home, jar("--help"));
    assertThat(help.exit()).isZero();
    assertThat(help.out()).startsWith("usage: stagebuild COMMAND");
    assertThat(help.err()).isEmpty();
    Run none = run(Map.of(), home, jar());
    assertThat(none.exit()).isEqualTo(2);
    assertThat(none.out()).isEmpty();
    assertThat(none.err()).startsWith("usage: stagebuild COMMAND");
    Run unknown = run(Map.of(), home, jar("operater"));
    assertThat(unknown.exit()).isEqualTo(2);
    assertThat(unknown.err()).startsWith("error: unknown command \"operater\"\nusage:");
    for (Run r : List.of(help, none, unknown)) {
      // no Quarkus start-up: it would log its features and the operator's informers
      assertThat(r.out() + r.err()).doesNotContain("Installed features", "INFO", "WARN", "kubernetes.default.svc");
      assertThat(r.millis()).isLessThan(15_000);
    }
  }

  @Test
  void versionThroughTheJarAndTheKubectlPlugin(@TempDir Path home) throws Exception {
    Matcher m = Pattern.compile("<version>([^<]+)</version>").matcher(Files.readString(Path.of("pom.xml"))
        .replaceFirst("(?s)<parent>.*?</parent>", "").replaceFirst("(?s).*?</modelVersion>", ""));
    assertThat(m.find()).isTrue();
    String expected = "stagebuild " + m.group(1) + "\n";
    assertThat(run(Map.of(), home, jar("version")).out()).isEqualTo(expected);

    Path plugin = Path.of("deploy/cli/kubectl-stagebuild").toAbsolutePath();
    assertThat(Files.isExecutable(plugin)).isTrue();
    Map<String, String> env = Map.of("STAGEBUILD_JAR", OperatorJarIT.JAR.toAbsolutePath().toString(),
        "JAVA_HOME", System.getProperty("java.home"));
    Run viaScript = run(env, home, plugin.toString(), "version");
    assertThat(viaScript.out()).as(viaScript.err()).isEqualTo(expected);
    // arguments pass through untouched, even ones a shell would expand
    Run plan = run(env, home, plugin.toString(), "plan", "-o", "json", "--build-arg", "X=$(echo hi) *",
        Path.of("src/test/resources/seed/hellogo-Dockerfile.ms").toAbsolutePath().toString());
    assertThat(plan.exit()).as(plan.err()).isZero();
    // without STAGEBUILD_JAR, the jar of the checkout the script is in
    assertThat(run(Map.of("JAVA_HOME", System.getProperty("java.home")), home, plugin.toString(), "version").out())
        .isEqualTo(expected);

    Path kubectl = which("kubectl");
    if (kubectl != null) {
      Map<String, String> pathEnv = new java.util.HashMap<>(env);
      pathEnv.put("PATH", plugin.getParent() + File.pathSeparator + System.getenv("PATH"));
      Run viaKubectl = run(pathEnv, home, kubectl.toString(), "stagebuild", "version");
      assertThat(viaKubectl.out()).as(viaKubectl.err()).isEqualTo(expected);
    }
  }

  @Test
  void theGitSourceExamplePlansAgainstItsLocalDockerfile(@TempDir Path home) throws Exception {
    Run r = run(Map.of(), home, jar("plan", "--context", "examples/calculate-pi", "examples/calculate-pi/stagebuild.yaml"));
    assertThat(r.exit()).as(r.err()).isZero();
    assertThat(r.out()).contains("Pod poetry:", "/calculate_pi/requirements.txt");
  }

  private static Path which(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, tool))) {
        return Path.of(dir, tool);
      }
    }
    return null;
  }
}
