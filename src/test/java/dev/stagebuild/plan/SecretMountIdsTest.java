package dev.stagebuild.plan;

import static dev.stagebuild.plan.PlannerTest.df;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.dockerfile.DockerfileParser;
import dev.stagebuild.dockerfile.Instruction;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Which secret a {@code RUN --mount=type=secret} reads, and where: BuildKit takes the id from
 * {@code source=} first and mounts {@code /run/secrets/<last element of the id>}; kaniko reads
 * {@code id=} only and mounts {@code /run/secrets/<id>}. The planner writes the mount so that kaniko
 * reads the secret BuildKit would, into the same file.
 */
class SecretMountIdsTest {
  static String run(String mountLine, Set<String> secretIds) {
    BuildPlan p = Planner.plan(df("FROM alpine", mountLine), Map.of(), null, secretIds);
    return p.pods().get(0).dockerfile().lines().filter(l -> l.startsWith("RUN")).findFirst().orElseThrow();
  }

  @Test
  void theIdIsTakenFromSourceAsBuildKitDoes() {
    assertThat(run("RUN --mount=type=secret,source=b cat /run/secrets/b", Set.of("b")))
        .isEqualTo("RUN --mount=type=secret,id=b cat /run/secrets/b");
    assertThat(run("RUN --mount=type=secret,src=npmrc,target=/root/.npmrc npm ci", Set.of("npmrc")))
        .isEqualTo("RUN --mount=type=secret,target=/root/.npmrc,id=npmrc npm ci");
    assertThat(SecretMounts.ids(run("RUN --mount=type=secret,source=b x", Set.of("b")) + "\n"))
        .containsExactly("b");
    // both: BuildKit's parseMount refuses the mount ("both source and id can't be set")
    assertThatThrownBy(() -> run("RUN --mount=type=secret,id=a,source=b x", Set.of("a", "b")))
        .isInstanceOf(DockerfileException.class).hasMessageContaining("both source and id can't be set");
  }

  @Test
  void anIdWithASlashIsMountedUnderItsLastElement() {
    assertThat(run("RUN --mount=type=secret,id=aws/creds cat /run/secrets/creds", Set.of("aws/creds")))
        .isEqualTo("RUN --mount=type=secret,id=aws/creds,target=/run/secrets/creds cat /run/secrets/creds");
    // with a target or as an environment variable there is nothing to choose
    assertThat(run("RUN --mount=type=secret,id=aws/creds,target=/c x", Set.of("aws/creds")))
        .isEqualTo("RUN --mount=type=secret,id=aws/creds,target=/c x");
    assertThat(run("RUN --mount=type=secret,id=aws/creds,env=CREDS x", Set.of("aws/creds")))
        .isEqualTo("RUN --mount=type=secret,id=aws/creds,env=CREDS x");
    assertThat(run("RUN --mount=type=secret,id=plain x", Set.of("plain")))
        .isEqualTo("RUN --mount=type=secret,id=plain x");
  }

  @Test
  void aPodsDockerfileWithWhatKanikoReadsDifferentlyIsRefused() {
    for (String mount : new String[] {"type=secret,id=a,source=b", "type=secret,id=x/y"}) {
      Instruction i = DockerfileParser.parse(df("FROM alpine", "RUN --mount=" + mount + " x")).instructions().get(1);
      assertThat(KanikoCapabilities.refusal(i, true, Set.of())).as(mount).isEmpty();
      assertThat(KanikoCapabilities.refusal(i, false, Set.of())).as(mount).isPresent();
    }
  }
}
