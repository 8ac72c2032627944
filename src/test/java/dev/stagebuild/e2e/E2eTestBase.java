package dev.stagebuild.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.testing.e2e.E2eCluster;
import dev.stagebuild.testing.e2e.E2eEnvironment;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/** One operator on the mock API server with the buildah pod runner, shared by a test class. */
abstract class E2eTestBase {
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

  /** The runner removes its containers when a pod ends, the checks theirs when they are done. */
  static void assertNoContainersLeftAndReset() {
    assertThat(env.buildah().ok("containers", "--quiet")).as("buildah containers left behind").isEmpty();
    env.buildah().reset();
  }

  /**
   * As {@link #assertNoContainersLeftAndReset}, but the base images the cases build FROM stay: they
   * are in the same (unauthenticated) registry for every case, and pulling them again for each of
   * the ~50 equivalence cases took about a minute of CI.
   */
  static void assertNoContainersLeftAndResetKeepingBases() {
    assertThat(env.buildah().ok("containers", "--quiet")).as("buildah containers left behind").isEmpty();
    env.buildah().resetKeeping(java.util.Set.of(env.substitute("@BASE@"), env.substitute("@ASSETS@")));
  }
}
