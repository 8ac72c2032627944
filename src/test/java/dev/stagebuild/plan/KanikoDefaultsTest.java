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
import java.util.stream.Stream;
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

  /**
   * kaniko records an EXPOSE word as substituted, adding /tcp (expose.go); BuildKit normalizes it
   * (convert_expose.go): written as the ports BuildKit reads.
   */
  @Test
  void exposeWordsKanikoRecordsDifferentlyAreWrittenAsThePortsBuildKitReads() {
    assertThat(lines(df("FROM alpine", "EXPOSE 7000-7002 80")))
        .as("a range: each port").contains("EXPOSE 7000 7001 7002 80");
    assertThat(lines(df("FROM alpine", "EXPOSE 0.0.0.0:5000:5001 [::1]:80:8080/udp 81:81")))
        .as("only the container port counts").contains("EXPOSE 5001 8080/udp 81");
    assertThat(lines(df("FROM alpine", "EXPOSE 053 80/TCP 9000-9001/UDP 5000-5000")))
        .as("leading zeros, the protocol's case, a range of one").contains("EXPOSE 53 80 9000/udp 9001/udp 5000");
    assertThat(lines(df("FROM alpine", "ARG R=\"8000-8001/udp 9\"", "EXPOSE $R 443/tcp")))
        .as("from a variable").contains("EXPOSE 8000/udp 8001/udp 9 443/tcp");
    assertThat(lines(df("FROM alpine", "ARG R=\"80\u00A081\"", "ARG P", "EXPOSE $R \"$P\" \"\" []:82:82")))
        .as("Go's white space splits; an empty word, quoted or not, is no port; [] is no address")
        .contains("EXPOSE 80 81 82");
    // kaniko records these as BuildKit does: as written
    assertThat(lines(df("FROM alpine", "ARG P=8080", "EXPOSE 80 $P/udp 443/tcp 0 $FROM_THE_IMAGE")))
        .contains("EXPOSE 80 $P/udp 443/tcp 0 $FROM_THE_IMAGE");
    // kaniko fails on sctp (expose.go accepts tcp and udp)
    assertThat(refused("EXPOSE 132/sctp").detail()).contains("exposes only tcp and udp");
    assertThat(refused("EXPOSE 132-133/SCTP").detail()).contains("exposes only tcp and udp");
  }

  /** An ONBUILD trigger runs as written in the stage built FROM its stage: not rewritten, so refused. */
  @Test
  void anExposeTriggerKanikoWouldRecordOtherwiseIsRefused() {
    DockerfileException e = error(df("FROM alpine AS base", "ONBUILD EXPOSE 7000-7001", "FROM base", "RUN true"));
    assertThat(e.kind()).isEqualTo(DockerfileException.Kind.UNSUPPORTED);
    assertThat(e.detail()).startsWith("ONBUILD EXPOSE 7000-7001 is not supported as written");
    assertThat(plan(df("FROM alpine AS base", "ONBUILD EXPOSE 7000 7001/udp", "FROM base", "RUN true")).pods())
        .hasSize(1);
  }

  /** What BuildKit refuses is an invalid Dockerfile, named by line. */
  @Test
  void exposeWordsBuildKitRefusesAreInvalid() {
    for (String expose : List.of("EXPOSE 80/icmp", "EXPOSE 65536", "EXPOSE 7001-7000", "EXPOSE x80", "EXPOSE 80-",
        "EXPOSE 1.2.3:80:80", "EXPOSE 80-81:90-92", "EXPOSE /tcp", "EXPOSE 80/tcp/udp")) {
      DockerfileException e = error(df("FROM alpine", "RUN true", expose));
      assertThat(e.kind()).as(expose).isEqualTo(DockerfileException.Kind.INVALID_DOCKERFILE);
      assertThat(e.line()).as(expose).isEqualTo(3);
      assertThat(e.detail()).as(expose).startsWith(expose + ": ");
    }
    assertThat(error(df("FROM alpine", "ARG PORTS=\"8080 9090x\"", "EXPOSE $PORTS")).detail())
        .contains("(8080 9090x)").contains("invalid containerPort: 9090x");
    assertThat(error(df("FROM alpine", "ARG PORTS=\"8080 9090\"", "EXPOSE \"$PORTS\"")).detail())
        .as("quoted: one word to BuildKit too").contains("(8080 9090)");
  }

  /** Each port of a range is written out: all EXPOSE instructions together give at most 65,536. */
  @Test
  void exposedPortsHaveABudget() {
    // a whole range: several EXPOSE lines, none longer than kaniko's parser reads, all the ports once
    List<String> exposes = lines(df("FROM alpine", "EXPOSE 0-65535/udp")).stream().filter(l -> l.startsWith("EXPOSE"))
        .toList();
    assertThat(exposes).hasSizeGreaterThan(1).allMatch(l -> l.length() < DockerfileParser.MAX_LINE_BYTES);
    List<String> ports = exposes.stream().flatMap(l -> Stream.of(l.substring("EXPOSE ".length()).split(" "))).toList();
    assertThat(ports).hasSize(65_536).doesNotHaveDuplicates().startsWith("0/udp", "1/udp").endsWith("65535/udp");
    DockerfileException e = error(df("FROM alpine", "EXPOSE 0-65535", "FROM alpine", "EXPOSE 80-81"));
    assertThat(e.kind()).isEqualTo(DockerfileException.Kind.TOO_LARGE);
    assertThat(e.line()).isEqualTo(4);
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

  /**
   * BuildKit takes a stage ARG's names as written, kaniko expands them (ParseArg): written with a
   * backslash before each $ and quote, so that kaniko's expansion is the name as written.
   */
  @Test
  void argNamesAreWrittenSoThatKanikoDeclaresWhatBuildKitDeclares() {
    // docker-openresty: an unquoted comment after an ARG declares its words
    assertThat(lines(df("FROM alpine", "ARG RESTY_VERSION=\"1.21\" # hence 'v' prefix, not $v", "RUN echo $v")))
        .contains("ARG RESTY_VERSION=\"1.21\" # hence \\'v\\' prefix, not \\$v");
    assertThat(lines(df("FROM alpine", "ARG ${X} \"q\"=1", "RUN true"))).contains("ARG \\${X} \\\"q\\\"=1");
    // as written when every name is plain
    assertThat(lines(df("FROM alpine", "ARG A=\"1\" B", "RUN true"))).contains("ARG A=\"1\" B");
    // the names are declared as BuildKit declares them: 'v' is not v, which the stage has not declared
    assertThat(error(df("ARG v=global", "FROM alpine AS a", "RUN mkdir /out", "FROM alpine", "ARG V=1 'v'",
        "COPY --from=a /out$v /x")).detail()).contains("add \"ARG v\" to this stage");
    // not with the backtick directive, nor a name with a backslash or white space: refused
    assertThat(error(df("# escape=`", "FROM alpine", "ARG 'v'", "RUN true")).detail())
        .contains("reads an ARG's name as a word");
    assertThat(error(df("FROM alpine", "ARG a\\b", "RUN true")).detail()).contains("reads an ARG's name as a word");
    // a quote the name opens and the value closes: BuildKit's one word; escaped, kaniko would read two
    // (ARG \"a=1 and Q, which takes the global Q)
    assertThat(error(df("ARG Q=../..", "FROM alpine", "ARG \"a=1 Q\"\"", "COPY $Q/c.json /x")).detail())
        .contains("a quote it does not close");
    assertThat(error(df("FROM alpine", "ARG 'a\u00A0b'", "RUN true")).detail()).as("Go's white space")
        .contains("reads an ARG's name as a word");
  }

  @Test
  void maintainerIsRefusedForALabel() {
    assertThat(refused("MAINTAINER Jane <jane@example.com>").detail())
        .startsWith("MAINTAINER is not supported: kaniko v1.28.3 skips it")
        .contains("LABEL org.opencontainers.image.authors=\"Jane <jane@example.com>\"");
    // a stage the target is built FROM passes its config on: refused there too
    DockerfileException ancestor = error(df("FROM alpine AS base", "MAINTAINER Jane", "FROM base", "RUN true"));
    assertThat(ancestor.line()).isEqualTo(2);
  }

  @Test
  void configOnlyInstructionsKanikoDropsAreLeftOutOfAStageOnlyCopiedFrom() {
    BuildPlan p = plan(df("FROM alpine AS base", "MAINTAINER Jane", "RUN make",
        "FROM base AS build", "HEALTHCHECK --start-interval=1s CMD true", "RUN more",
        "FROM alpine", "COPY --from=build /out /out"));
    // the result takes only build's files: what kaniko would drop from its config does not matter
    assertThat(p.pod("build").dockerfile()).doesNotContain("MAINTAINER Jane").doesNotContain("start-interval")
        .contains("# stagebuild: MAINTAINER left out: the image built does not take stage base's config,"
            + " only files copied from it")
        .contains("# stagebuild: HEALTHCHECK left out");
    for (var i : dev.stagebuild.dockerfile.DockerfileParser.parse(p.pod("build").dockerfile()).instructions()) {
      assertThat(KanikoCapabilities.refusal(i, false, java.util.Set.of("base", "build"))).as(i.toString()).isEmpty();
    }
    ReplanCheck.assertStable(p, java.util.Map.of());
    // the same stages as the target: refused
    assertThat(error(df("FROM alpine AS base", "MAINTAINER Jane", "FROM base AS build", "RUN more"),
        java.util.Map.of(), "base").line()).isEqualTo(2);
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
