package dev.stagebuild.e2e;

import dev.stagebuild.kaniko.BuildNames;
import static dev.stagebuild.testing.e2e.E2eCluster.condition;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.testing.e2e.E2eChecks;
import dev.stagebuild.testing.e2e.E2eCluster;
import dev.stagebuild.testing.e2e.ImageSnapshot;
import dev.stagebuild.testing.e2e.RegistryProbe;
import dev.stagebuild.testing.e2e.RequiresBuildTools;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The per-stage plan builds the same image as the original Dockerfile: each Dockerfile under
 * {@code src/test/resources/e2e/equivalence/<case>/} is built through the operator (source pod,
 * stage pods executed with buildah, pushed to the registry) and natively with {@code buildah bud}
 * from the original Dockerfile and context; the two images must have the same files (path, content,
 * mode, owner, symlink target) and the same config.
 *
 * <p>{@code case.properties}: {@code source} (git or configmap), {@code dockerfile}, {@code target},
 * {@code buildArg.<NAME>}, {@code pods} (the stage pods the operator must run, in any order),
 * {@code nativeFlags} (extra {@code buildah bud} flags for the native build, space-separated), and
 * {@code nativeDockerfile} (the file the native build uses instead of {@code dockerfile}, for what
 * BuildKit builds and the buildah here cannot: the same stages, reordered), and
 * {@code secret.<id>} (a build secret's value: a Secret {@code <case>-secrets} with the key
 * {@code <id>}, mapped in spec.secrets, given to the native build with {@code --secret}; the value
 * must appear nowhere in the operator's image, its config or history, the plan or the status).
 *
 * <p>{@code -De2e.cases=a,b} runs only those cases.
 */
@RequiresBuildTools
class EquivalenceTest extends E2eTestBase {
  static final Path CASES = Path.of("src/test/resources/e2e/equivalence");
  static final java.util.concurrent.ExecutorService NATIVE = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
    Thread t = new Thread(r, "native-build");
    t.setDaemon(true);
    return t;
  });

  @AfterEach
  void cleanStorage() {
    assertNoContainersLeftAndResetKeepingBases();
  }

  static Stream<String> cases() throws IOException {
    return half(0);
  }

  /**
   * The cases selected ({@code -De2e.cases}, else all), in name order. In a whole run (the pom's
   * split-tests profile sets {@code e2e.split}) this class runs every other one, starting with the
   * first, and {@link EquivalenceSecondHalfTest} the others, in the second JVM: the cases are most
   * of the tests' time, and a case added to the folder costs half its time. Otherwise this class
   * runs them all ({@code -Dtest=EquivalenceTest}).
   */
  static Stream<String> half(int which) throws IOException {
    List<String> only = List.of(System.getProperty("e2e.cases", "").split(",")).stream().filter(c -> !c.isBlank())
        .toList();
    List<String> all;
    try (Stream<Path> dirs = Files.list(CASES)) {
      all = dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString())
          .filter(c -> only.isEmpty() || only.contains(c)).sorted().toList();
    }
    if (!Boolean.getBoolean("e2e.split")) {
      return which == 0 ? all.stream() : Stream.empty();
    }
    return java.util.stream.IntStream.range(0, all.size()).filter(n -> n % 2 == which).mapToObj(all::get);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void operatorBuildsTheSameImageAsANativeBuild(String name) throws IOException {
    Properties props = new Properties();
    try (Reader r = Files.newBufferedReader(CASES.resolve(name).resolve(E2eCluster.CASE_FILE))) {
      props.load(r);
    }
    String dockerfile = props.getProperty("dockerfile", "Dockerfile");
    String target = props.getProperty("target");
    Map<String, String> buildArgs = new TreeMap<>();
    props.stringPropertyNames().stream().filter(k -> k.startsWith("buildArg."))
        .forEach(k -> buildArgs.put(k.substring("buildArg.".length()), env.substitute(props.getProperty(k))));

    Path context = cluster.context(CASES.resolve(name));
    StageBuild sb = cluster.stageBuild(name);
    Path nativeContext;
    if ("configmap".equals(props.getProperty("source", "git"))) {
      cluster.configMap(name + "-src", context);
      E2eCluster.configMapSource(sb, name + "-src");
      nativeContext = context;
    } else {
      String url = cluster.gitRepository(context);
      E2eCluster.gitSource(sb, url);
      nativeContext = cluster.checkout(url);
    }
    Map<String, String> secrets = new TreeMap<>();
    props.stringPropertyNames().stream().filter(k -> k.startsWith("secret."))
        .forEach(k -> secrets.put(k.substring("secret.".length()), props.getProperty(k)));
    List<String> secretFlags = new ArrayList<>();
    if (!secrets.isEmpty()) {
      cluster.client().secrets().inNamespace(E2eCluster.NS).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
          .withNewMetadata().withName(name + "-secrets").endMetadata().withStringData(secrets).build()).create();
      sb.getSpec().secrets = new ArrayList<>();
      for (String id : secrets.keySet()) {
        sb.getSpec().secrets.add(new dev.stagebuild.api.BuildSecret(id, name + "-secrets", id));
        Path file = Files.createTempFile("e2e-secret-", "");
        Files.writeString(file, secrets.get(id));
        secretFlags.addAll(List.of("--secret", "id=" + id + ",src=" + file));
      }
    }
    E2eCluster.dockerfilePath(sb, dockerfile);
    E2eCluster.buildArgs(sb, buildArgs);
    // secretBuildArg.NAME=value: a build arg from a Secret key (buildArgs[].valueFrom); the native
    // build gets it as a plain --build-arg
    Map<String, String> secretArgs = new TreeMap<>();
    props.stringPropertyNames().stream().filter(k -> k.startsWith("secretBuildArg."))
        .forEach(k -> secretArgs.put(k.substring("secretBuildArg.".length()), props.getProperty(k)));
    if (!secretArgs.isEmpty()) {
      cluster.client().secrets().inNamespace(E2eCluster.NS).resource(new io.fabric8.kubernetes.api.model.SecretBuilder()
          .withNewMetadata().withName(name + "-args").endMetadata().withStringData(secretArgs).build()).create();
      List<dev.stagebuild.api.BuildArg> all = new ArrayList<>(sb.getSpec().buildArgs == null ? List.of()
          : sb.getSpec().buildArgs);
      for (String arg : secretArgs.keySet()) {
        dev.stagebuild.api.BuildArg fromSecret = new dev.stagebuild.api.BuildArg(arg, null);
        fromSecret.valueFrom = new dev.stagebuild.api.BuildArgSource(name + "-args", arg);
        all.add(fromSecret);
      }
      sb.getSpec().buildArgs = all;
    }
    sb.getSpec().target = target;

    List<String> nativeFlags = new ArrayList<>(List.of(props.getProperty("nativeFlags", "").split(" ")).stream()
        .filter(f -> !f.isBlank()).toList());
    nativeFlags.addAll(secretFlags);
    // The native build runs while the operator's does, to save CI time: they share nothing but
    // buildah's storage, which takes its own locks (the operator's parallel stage pods share it too).
    // Its image is read there too, while the operator's build goes on.
    java.util.concurrent.CompletableFuture<NativeResult> nativeBuild =
        java.util.concurrent.CompletableFuture.supplyAsync(() -> {
          E2eCluster.NativeBuild b = cluster.nativeBuild(nativeContext, props.getProperty("nativeDockerfile",
              dockerfile), nativeArgs(buildArgs, secretArgs), target, 1, nativeFlags);
          return new NativeResult(b, b.result().exit() == 0 ? ImageSnapshot.of(env.buildah(), b.image()) : null);
        }, NATIVE);
    long start = System.nanoTime();
    StageBuild done;
    Duration operatorTime;
    try {
      done = cluster.build(sb, BUILD_TIMEOUT);
      operatorTime = Duration.ofNanos(System.nanoTime() - start);
    } finally {
      // never left running into the next case's storage reset (its failure is reported below)
      nativeBuild.exceptionally(e -> null).join();
    }
    assertThat(condition(done, "Succeeded")).as(cluster.explain(done)).isEqualTo("True");

    RegistryProbe.Served served = E2eChecks.assertStatusMatchesRegistry(env, done);
    if (props.containsKey("pods")) {
      List<String> expected = new ArrayList<>(List.of(BuildNames.podName(name, "1", "source", 1)));
      Arrays.stream(props.getProperty("pods").split(",")).map(p -> BuildNames.stagePodName(name, "1", p.strip(), 1)).forEach(expected::add);
      assertThat(cluster.kubelet().startedPods().stream().filter(p -> p.startsWith(name + "-1-")))
          .as("pods of " + name).containsExactlyInAnyOrderElementsOf(expected);
    }

    E2eCluster.NativeBuild reference = nativeBuild.join().build();
    assertThat(reference.result().exit()).as("native build:\n" + reference.result().output()).isZero();
    ImageSnapshot operator = ImageSnapshot.of(env.buildah(), cluster.pull(done.getStatus().output.imageRef));
    ImageSnapshot nativ = nativeBuild.join().snapshot();
    List<String> differences = operator.differences(nativ, "operator", "native");
    System.out.printf("equivalence %-18s operator %5.1f s, native %5.1f s (run together), %d entries, %d layers,"
        + " %d bytes, %d differences%n",
        name, operatorTime.toMillis() / 1000.0, reference.took().toMillis() / 1000.0, operator.files().size(),
        served.layers(), served.size(), differences.size());
    assertThat(differences).as("operator image vs native build of " + name).isEmpty();
    for (String value : secrets.values()) {
      assertSecretNowhere(cluster.pull(done.getStatus().output.imageRef), done, value);
    }
    for (String value : secretArgs.values()) {
      // a secret build arg used only in an earlier stage: not in the final image either
      assertSecretNowhere(cluster.pull(done.getStatus().output.imageRef), done, value);
    }
  }

  /** The native build and, when it succeeded, its image as read. */
  record NativeResult(E2eCluster.NativeBuild build, ImageSnapshot snapshot) {}

  static Map<String, String> nativeArgs(Map<String, String> plain, Map<String, String> fromSecrets) {
    Map<String, String> all = new TreeMap<>(plain);
    all.putAll(fromSecrets);
    return all;
  }

  /** A build secret's value is in no file of the image, not in its config or history, the plan or the status. */
  static void assertSecretNowhere(String image, StageBuild done, String value) throws IOException {
    byte[] needle = value.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    assertThat(env.buildah().ok("inspect", "--type", "image", image)).as("image config and history")
        .doesNotContain(value);
    try (dev.stagebuild.testing.e2e.Buildah.Mounted m = env.buildah().mount(image);
        Stream<Path> files = Files.walk(m.root())) {
      for (Path f : files.filter(p -> Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).toList()) {
        byte[] content = Files.readAllBytes(f);
        for (int i = 0; i + needle.length <= content.length; i++) {
          if (java.util.Arrays.equals(content, i, i + needle.length, needle, 0, needle.length)) {
            throw new AssertionError("the build secret is in the image's file " + m.root().relativize(f));
          }
        }
      }
    }
    assertThat(new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(done.getStatus())).as("status")
        .doesNotContain(value);
    cluster.client().configMaps().inNamespace(E2eCluster.NS).list().getItems().forEach(cm ->
        assertThat(String.valueOf(cm.getData())).as("ConfigMap " + cm.getMetadata().getName()).doesNotContain(value));
  }
}
