package dev.stagebuild.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The end-to-end stand-in's writing out of kaniko's context bind mounts (the scripts run in EquivalenceTest). */
class KanikoBindStandInTest {
  @Test
  void aDockerfileWithoutContextBindMountsIsUnchanged() {
    String text = "FROM a AS b\nRUN --mount=type=cache,target=/c --mount=type=bind,from=x,target=/x make\n";
    assertThat(KanikoBindStandIn.rewrite(text)).isEqualTo(text);
  }

  @Test
  void eachContextBindIsCopiedInAsRootAndUndoneLastFirst() {
    String text = String.join("\n", "# escape=\\", "FROM a AS b", "USER 1000:1000", "FROM b",
        "RUN --mount=type=bind,source=src/x,target=/x,rw --mount=type=cache,target=/c \\",
        "  --mount=target=/all make", "CMD [\"x\"]", "");
    String before = "RUN --mount=type=bind,source=src/x,target=/.stagebuild-bind-0,ro"
        + " --mount=type=bind,source=.,target=/.stagebuild-bind-1,ro [\"/bin/sh\",\"-c\",";
    assertThat(KanikoBindStandIn.rewrite(text).split("\n", -1)).containsExactly("# escape=\\", "FROM a AS b",
        "USER 1000:1000", "FROM b", "USER 0",
        before + json(KanikoBindStandIn.BEFORE) + ",\"stagebuild-bind\",\"/x\",\"/all\"]",
        // the USER the stage inherits from b
        "USER 1000:1000",
        "RUN --mount=type=cache,target=/c \\", "  make",
        "USER 0",
        "RUN [\"/bin/sh\",\"-c\"," + json(KanikoBindStandIn.AFTER) + ",\"stagebuild-unbind\",\"1\",\"/all\",\"0\",\"/x\"]",
        "USER 1000:1000", "CMD [\"x\"]", "");
  }

  @Test
  void aTargetItCannotWriteOutFailsThePod() {
    assertThatThrownBy(() -> KanikoBindStandIn.rewrite("FROM a\nRUN --mount=type=bind,target=$T x\n"))
        .isInstanceOf(KanikoBindStandIn.Unsupported.class).hasMessageContaining("line 2");
  }

  private static String json(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
  }
}
