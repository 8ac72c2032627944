package dev.stagebuild.e2e;

import static dev.stagebuild.testing.e2e.E2eCluster.condition;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.testing.e2e.E2eChecks;
import dev.stagebuild.testing.e2e.E2eCluster;
import dev.stagebuild.testing.e2e.E2eEnvironment;
import dev.stagebuild.testing.e2e.ImageSnapshot;
import dev.stagebuild.testing.e2e.Proc;
import dev.stagebuild.testing.e2e.RequiresBuildTools;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The seed's two examples, on a busybox base, through the operator with real images: stage pods
 * executed with buildah, the result pushed to a real registry, then run.
 */
@RequiresBuildTools
class EndToEndTest {
  static final Duration BUILD_TIMEOUT = Duration.ofMinutes(3);
  static E2eEnvironment env;
  static E2eCluster cluster;

  @BeforeAll
  static void start() {
    env = E2eEnvironment.get();
    cluster = new E2eCluster(env);
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  @AfterEach
  void cleanStorage() {
    env.buildah().reset();
  }

  @Test
  void seedHellogoFromAConfigMapPrintsHelloRoot() {
    Path context = cluster.context(Path.of("src/test/resources/e2e/seeds/hellogo"));
    cluster.configMap("hellogo-src", context);
    StageBuild sb = cluster.stageBuild("hellogo");
    E2eCluster.configMapSource(sb, "hellogo-src");
    E2eCluster.dockerfilePath(sb, "Dockerfile.ms");

    StageBuild done = cluster.build(sb, BUILD_TIMEOUT);

    assertThat(condition(done, "Succeeded")).as(cluster.explain(done)).isEqualTo("True");
    assertThat(done.getStatus().stages).extracting(s -> s.name).containsExactly("build", "stage-1");
    E2eChecks.assertStatusMatchesRegistry(env, done);
    String image = cluster.pull(done.getStatus().output.imageRef);
    Proc.Result hello = E2eChecks.runImage(env.buildah(), image, null);
    assertThat(hello.exit()).as(hello.output()).isZero();
    assertThat(hello.output()).isEqualTo("Hello, root!\n");

    E2eCluster.NativeBuild ref = cluster.nativeBuild(context, "Dockerfile.ms", Map.of(), null, 1);
    assertThat(ref.result().exit()).as(ref.result().output()).isZero();
    List<String> diff = ImageSnapshot.of(env.buildah(), image)
        .differences(ImageSnapshot.of(env.buildah(), ref.image()), "operator", "native");
    assertThat(diff).as("operator image vs native build").isEmpty();
  }
}
