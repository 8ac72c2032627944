package dev.stagebuild.plan;

import static dev.stagebuild.plan.PlannerTest.df;
import static dev.stagebuild.plan.PlannerTest.error;
import static dev.stagebuild.plan.PlannerTest.plan;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.dockerfile.DockerfileParser;
import dev.stagebuild.dockerfile.Instruction;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Instructions kaniko v1.28.3 builds with other defaults than BuildKit: written so that it builds
 * them the same, or refused by line (read from add.go, commands.go, command_util.go, tar_util.go).
 */
class KanikoDefaultsTest {
  static List<String> lines(String dockerfile) {
    BuildPlan p = plan(dockerfile);
    return p.pods().get(p.pods().size() - 1).dockerfile().lines().toList();
  }

  static DockerfileException refused(String instruction) {
    DockerfileException e = error(df("FROM alpine", "RUN true", instruction));
    assertThat(e.kind()).isEqualTo(DockerfileException.Kind.UNSUPPORTED);
    assertThat(e.line()).isEqualTo(3);
    return e;
  }

  /** BuildKit's download is 0:0; kaniko's belongs to the active USER (COPY_AS_ROOT is COPY's only). */
  @Test
  void aDownloadIsOwnedByRootWhateverTheUser() {
    assertThat(lines(df("FROM alpine", "USER nobody", "ADD https://example.com/a.txt /tmp/")))
        .contains("ADD --chown=0:0 https://example.com/a.txt /tmp/");
    assertThat(lines(df("FROM alpine", "ARG U=https://example.com/b", "ADD --chmod=644 $U local.txt /d/")))
        .contains("ADD --chown=0:0 --chmod=644 $U src/local.txt /d/");
    // an explicit owner, and local sources alone, stay as written
    assertThat(lines(df("FROM alpine", "ADD --chown=1:1 https://example.com/a /a", "ADD f.txt /f")))
        .contains("ADD --chown=1:1 https://example.com/a /a", "ADD src/f.txt /f");
    Instruction unwritten = DockerfileParser.parse(df("FROM a", "ADD https://example.com/a /a")).instructions().get(1);
    assertThat(KanikoCapabilities.refusal(unwritten, true, Set.of())).isEmpty();
    assertThat(KanikoCapabilities.refusal(unwritten, false, Set.of())).get().asString().contains("active USER");
  }

  /** kaniko leaves what is written under a VOLUME after it out of the image; BuildKit keeps it. */
  @Test
  void aVolumeFollowedByWritesMovesToTheEndOfItsStage() {
    assertThat(lines(df("FROM alpine", "ENV D=/data", "VOLUME $D /logs", "ENV D=/other", "RUN echo seed > /data/s",
        "USER app"))).containsExactly(
        "FROM alpine AS stage-0", "ENV D=/data",
        "# stagebuild: VOLUME moved to the end of the stage",
        "ENV D=/other", "RUN echo seed > /data/s", "USER app", "VOLUME [\"/data\", \"/logs\"]");
    // last already, or only config after it: as written
    assertThat(lines(df("FROM alpine", "RUN true", "VOLUME [\"/data\"]", "EXPOSE 80")))
        .contains("VOLUME [\"/data\"]").noneMatch(l -> l.startsWith("# stagebuild"));
    // a path the planner cannot know, before writes: refused by line
    DockerfileException e = error(df("FROM alpine", "VOLUME $HOME/cache", "RUN true"));
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.detail()).contains("cannot write its path there");
    // kaniko reads a VOLUME's value again: a quote or a backslash in the substituted path is refused
    assertThat(error(df("FROM alpine", "ARG P=\"/srv/o'neil\"", "VOLUME $P", "RUN true")).detail())
        .contains("cannot write its path there");
    Instruction volume = DockerfileParser.parse(df("FROM a", "VOLUME /v")).instructions().get(1);
    assertThat(KanikoCapabilities.refusal(volume, false, Set.of())).isEmpty();
  }

  /** kaniko splits USER at ':' before it substitutes (user.go): a default with ':-' fails there. */
  @Test
  void aUserWithAModifierIsRefused() {
    assertThat(refused("USER ${APP_UID:-1000}").detail()).contains("ARG APP_UID=1000, then USER $APP_UID");
    assertThat(plan(df("FROM alpine", "ARG U=1000", "ARG G=1000", "USER ${U}:${G}")).pods()).hasSize(1);
  }

  /** kaniko records an EXPOSE word as substituted (expose.go); BuildKit normalizes it. */
  @Test
  void exposeWordsKanikoRecordsDifferentlyAreRefused() {
    for (String expose : List.of("EXPOSE 7000-7001", "EXPOSE 0.0.0.0:5000:5000", "EXPOSE 053", "EXPOSE 80/TCP",
        "EXPOSE 132/sctp")) {
      assertThat(refused(expose).detail()).as(expose).contains("write one port a word");
    }
    assertThat(error(df("FROM alpine", "ARG PORTS=\"8080 9090x\"", "EXPOSE $PORTS")).detail()).contains("(8080 9090x)");
    assertThat(error(df("FROM alpine", "ARG PORTS=\"8080 9090\"", "EXPOSE \"$PORTS\"")).detail())
        .as("quoted: one word to BuildKit too").contains("(8080 9090)");
    assertThat(plan(df("FROM alpine", "ARG P=8080", "EXPOSE 80 $P/udp 443/tcp $FROM_THE_IMAGE")).pods()).hasSize(1);
  }

  /**
   * A variable that gives no port or several: BuildKit reads the ports its value splits into (none for
   * an empty one), kaniko would record {@code /tcp} or {@code 8080 9090/tcp}. Written as BuildKit reads it.
   */
  @Test
  void exposeVariablesThatGiveNoPortOrSeveralAreWrittenAsBuildKitReadsThem() {
    // docker-kong's Dockerfiles: ARG EE_PORTS, then EXPOSE 8000 8443 8001 8444 $EE_PORTS
    assertThat(lines(df("FROM alpine", "ARG EE_PORTS", "EXPOSE 8000 8443 $EE_PORTS 8001")))
        .contains("EXPOSE 8000 8443 8001").noneMatch(l -> l.contains("EE_PORTS") && l.startsWith("EXPOSE"));
    assertThat(lines(df("FROM alpine", "ARG PORTS=\"8080  9090/udp\"", "EXPOSE 80 $PORTS")))
        .contains("EXPOSE 80 8080 9090/udp");
    assertThat(lines(df("FROM alpine", "ARG NONE=", "EXPOSE $NONE ${NONE}")))
        .contains("# stagebuild: an EXPOSE of no port (its variables are empty)").noneMatch(l -> l.startsWith("EXPOSE"));
    assertThat(lines(df("FROM alpine", "ARG P=\" 80 \"", "EXPOSE $P"))).contains("EXPOSE 80");
    assertThat(lines(df("FROM alpine", "ARG P=8080", "EXPOSE $P $FROM_THE_IMAGE"))).as("as written")
        .contains("EXPOSE $P $FROM_THE_IMAGE");
  }

  @Test
  void maintainerIsRefusedForALabel() {
    assertThat(refused("MAINTAINER Jane <jane@example.com>").detail())
        .startsWith("MAINTAINER is not supported: kaniko v1.28.3 skips it")
        .contains("LABEL org.opencontainers.image.authors=\"Jane <jane@example.com>\"");
  }

  @Test
  void aGroupWithoutAUserIsRefused() {
    assertThat(refused("COPY --chown=:users a /a").detail()).contains("write --chown=0:users");
    assertThat(refused("ADD --chown=:10 a /a").detail()).contains("fails on a group without a user");
    assertThat(plan(df("FROM alpine", "COPY --chown=1:users a /a")).pods()).hasSize(1);
  }

  @Test
  void anOnbuildVolumeBeforeTheChildsWritesIsRefused() {
    DockerfileException e = error(df("FROM alpine AS base", "ONBUILD VOLUME /data", "FROM base", "RUN echo x > /data/x"));
    assertThat(e.line()).isEqualTo(2);
    assertThat(e.detail()).startsWith("ONBUILD VOLUME in stage \"base\"");
    assertThat(plan(df("FROM alpine AS base", "ONBUILD VOLUME /data", "FROM base", "CMD [\"x\"]")).pods()).hasSize(1);
  }

  @Test
  void xzAndZstdArchivesAreRefused() {
    assertThat(refused("ADD rootfs.tar.xz /").detail()).contains("cannot unpack it");
    assertThat(error(df("FROM alpine", "ARG A=app.tar.zst", "ADD ${A} /x/")).line()).isEqualTo(3);
    assertThat(refused("ADD data.tar.zst /d/").detail()).contains("xz or zstd");
    assertThat(plan(df("FROM alpine", "ADD a.tar.gz /a/", "COPY b.tar.xz /b/")).pods()).hasSize(1);
  }
}
