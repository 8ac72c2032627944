package dev.stagebuild.testing.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The buildah stand-in refuses a pod's Dockerfile with anything kaniko v1.28.3 would ignore, so no
 * end-to-end test can pass on what only buildah does.
 */
class KanikoStrictnessTest {
  @TempDir
  Path dir;

  void check(String dockerfile) throws IOException {
    Path f = dir.resolve("pod.Dockerfile");
    Files.writeString(f, dockerfile);
    BuildahPodRunner.refuseWhatKanikoIgnores(f);
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "RUN --network=none true|RUN --network=none is not supported",
      "RUN --security=insecure true|RUN --security=insecure is not supported",
      "RUN --mount=type=tmpfs,target=/t true|RUN --mount=type=tmpfs is not supported",
      "RUN --mount=type=ssh true|RUN --mount=type=ssh is not supported",
      "RUN --mount=type=bind,from=a,target=/a true|RUN --mount=type=bind,from=a: kaniko v1.28.3 skips bind mounts from another stage",
      "RUN --mount=type=bind,from=alpine,target=/a true|skips bind mounts from an image",
      "COPY --parents src/a /b/|COPY --parents is not supported",
      "COPY --exclude=*.md src/. /b/|COPY --exclude=*.md is not supported",
      // the planner drops it from a COPY --from=<stage> it emulates: a pod's Dockerfile never has it
      "COPY --from=a --exclude=*.md /x /b/|COPY --exclude=*.md is not supported: kaniko v1.28.3 ignores it",
      "ADD --checksum=sha256:00 https://example.com/x /x|ADD --checksum is not supported",
      "ADD https://example.com/r.git#main /r|no git sources",
      // kaniko records the word itself (7000-7001/tcp), fails on TCP and sctp; BuildKit reads the ports
      "EXPOSE 80 7000-7001|EXPOSE 7000-7001 is not supported as written",
      "EXPOSE 80/TCP|EXPOSE 80/TCP is not supported",
      "EXPOSE 053|EXPOSE 053 is not supported",
      "EXPOSE 8080:80|EXPOSE 8080:80 is not supported",
      "EXPOSE 132/sctp|EXPOSE 132/sctp is not supported"})
  void refusesWhatKanikoIgnores(String c) {
    String[] parts = c.split("\\|");
    assertThatThrownBy(() -> check("FROM alpine AS a\nFROM alpine AS b\n" + parts[0] + "\n"))
        .isInstanceOf(BuildahPodRunner.Refused.class)
        .hasMessageStartingWith("the pod's Dockerfile, line 3: ")
        .hasMessageContaining(parts[1]);
  }

  @Test
  void runsWhatKanikoDoes() {
    assertThatCode(() -> check("FROM alpine AS a\nRUN --mount=type=cache,target=/c --mount=type=bind,source=src/x,"
        + "target=/x --mount=type=secret,id=s true\nCOPY --link --from=a /x /y\nRUN --network=default true\n"
        + "EXPOSE 80 0 443/tcp 53/udp $FROM_THE_IMAGE\n"))
        .doesNotThrowAnyException();
    assertThat(BuildahPodRunner.REFUSED).isEqualTo(126);
  }
}
