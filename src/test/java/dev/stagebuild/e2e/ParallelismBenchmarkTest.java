package dev.stagebuild.e2e;

import dev.stagebuild.kaniko.BuildNames;
import static dev.stagebuild.testing.e2e.E2eCluster.condition;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.api.DockerfileSpec;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.testing.e2e.E2eChecks;
import dev.stagebuild.testing.e2e.E2eCluster;
import dev.stagebuild.testing.e2e.ImageSnapshot;
import dev.stagebuild.testing.e2e.RequiresBuildTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Parallelism pays: three independent stages of about 5 s each and a last stage that copies from
 * all three, through the operator (one pod per stage, the three at once) against the native
 * sequential build of the same Dockerfile ({@code buildah bud --jobs 1}). Prints the numbers;
 * asserts only that the three pods ran at the same time and a loose bound on the ratio.
 */
@RequiresBuildTools
class ParallelismBenchmarkTest extends E2eTestBase {
  static final String DOCKERFILE = """
      FROM @BASE@ AS one
      RUN sleep 5 && echo one > /one

      FROM @BASE@ AS two
      RUN sleep 5 && echo two > /two

      FROM @BASE@ AS three
      RUN sleep 5 && echo three > /three

      FROM @BASE@
      COPY --from=one /one /one
      COPY --from=two /two /two
      COPY --from=three /three /three
      """;


  static double secs(Instant from, Instant to) {
    return to == null ? Double.NaN : Duration.between(from, to).toMillis() / 1000.0;
  }

  /**
   * An operator runs for days: measure it warm, not while a fresh JVM is still loading classes and
   * compiling the operator's code on the same two cores buildah needs.
   */
  static void warmUp() {
    StageBuild warm = cluster.stageBuild("warm-up");
    warm.getSpec().dockerfile = new DockerfileSpec();
    warm.getSpec().dockerfile.inline = env.substitute("""
        FROM @BASE@ AS a
        RUN echo a > /a
        FROM @BASE@
        COPY --from=a /a /a
        """);
    assertThat(condition(cluster.build(warm, Duration.ofMinutes(3)), "Succeeded")).isEqualTo("True");
    // the base image stays in buildah's storage: the native builds below find it there too
  }

  @Test
  void threeIndependentStagesRunAtOnce() throws Exception {
    warmUp();
    String dockerfile = env.substitute(DOCKERFILE);
    StageBuild sb = cluster.stageBuild("parallel");
    sb.getSpec().dockerfile = new DockerfileSpec();
    sb.getSpec().dockerfile.inline = dockerfile;

    long start = System.nanoTime();
    StageBuild done = cluster.build(sb, Duration.ofMinutes(3));
    Duration operator = Duration.ofNanos(System.nanoTime() - start);
    assertThat(condition(done, "Succeeded")).as(cluster.explain(done)).isEqualTo("True");
    E2eChecks.assertStatusMatchesRegistry(env, done);

    Path context = cluster.newDirectory("parallel-");
    Files.writeString(context.resolve("Dockerfile"), dockerfile, StandardCharsets.UTF_8);
    E2eCluster.NativeBuild sequential = cluster.nativeBuild(context, "Dockerfile", Map.of(), null, 1);
    assertThat(sequential.result().exit()).as(sequential.result().output()).isZero();
    E2eCluster.NativeBuild jobs3 = cluster.nativeBuild(context, "Dockerfile", Map.of(), null, 3);
    assertThat(jobs3.result().exit()).as(jobs3.result().output()).isZero();

    List<String> diff = ImageSnapshot.of(env.buildah(), cluster.pull(done.getStatus().output.imageRef))
        .differences(ImageSnapshot.of(env.buildah(), sequential.image()), "operator", "native");
    assertThat(diff).isEmpty();

    // The three producer pods were created together, in the first wave.
    List<Instant> created = List.of("one", "two", "three").stream()
        .map(s -> cluster.kubelet().createdAt(BuildNames.podName("parallel", "1", s, 1))).toList();
    Duration spread = Duration.between(created.stream().min(Instant::compareTo).orElseThrow(),
        created.stream().max(Instant::compareTo).orElseThrow());
    double ratio = (double) operator.toMillis() / sequential.took().toMillis();
    System.out.printf("parallelism: operator %.1f s (3 pods of ~5 s at once, then the final pod),"
            + " native sequential (buildah bud --jobs 1) %.1f s, native --jobs 3 %.1f s;"
            + " operator/sequential = %.2f; producer pods created within %d ms%n",
        operator.toMillis() / 1000.0, sequential.took().toMillis() / 1000.0, jobs3.took().toMillis() / 1000.0,
        ratio, spread.toMillis());
    Instant t0 = cluster.kubelet().createdAt(BuildNames.podName("parallel", "1", "one", 1));
    cluster.runner().times().values().stream().filter(t -> t.pod().startsWith("parallel-")).sorted(java.util.Comparator.comparing(t -> t.started()))
        .forEach(t -> System.out.printf("  %-20s created %5.1f  started %5.1f  executor %5.1f  built %5.1f"
                + "  mounted/pushed %5.1f  ended %5.1f  (s after the first pod was created)%n", t.pod(),
            secs(t0, cluster.kubelet().createdAt(t.pod())), secs(t0, t.started()), secs(t0, t.executorStarted()),
            secs(t0, t.built()), secs(t0, t.executorDone()), secs(t0, t.ended())));
    assertThat(spread).isLessThan(Duration.ofSeconds(3));
    // loose sanity bound only: three 5 s sleeps in sequence take 15 s however fast the machine is
    assertThat(ratio).isLessThan(1.0);
  }
}
