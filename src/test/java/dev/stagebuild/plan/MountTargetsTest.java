package dev.stagebuild.plan;

import static dev.stagebuild.plan.PlannerTest.df;
import static dev.stagebuild.plan.PlannerTest.error;
import static dev.stagebuild.plan.PlannerTest.plan;
import static dev.stagebuild.plan.RunHeredocsTest.runs;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.dockerfile.DockerfileParser;
import dev.stagebuild.dockerfile.Instruction;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * A relative {@code RUN --mount} target: BuildKit joins it to the working directory, kaniko takes
 * it from {@code /}; the planner writes it absolute.
 */
class MountTargetsTest {
  @Test
  void aRelativeTargetIsJoinedToTheWorkingDirectory() {
    assertThat(runs(df("FROM alpine", "WORKDIR /app", "RUN --mount=type=cache,target=.cache make")))
        .containsExactly("RUN --mount=type=cache,id=.cache,target=/app/.cache make"); // BuildKit's cache id
    // WORKDIRs relative to the one before, with variables; the target's own variables; dst= spelling
    assertThat(runs(df("FROM alpine", "ARG SUB=src", "WORKDIR /go", "WORKDIR $SUB/app", "ENV C=cache",
        "RUN --mount=type=cache,dst=../$C,id=go make")))
        .containsExactly("RUN --mount=type=cache,id=go,target=/go/src/cache make");
    // the working directory of the stage it is built FROM; "." is the working directory itself
    assertThat(runs(df("FROM alpine AS base", "WORKDIR /w", "FROM base", "RUN --mount=target=. ls")))
        .containsExactly("RUN --mount=source=src/.,target=/w ls");
    // scratch starts in /
    assertThat(runs(df("FROM scratch", "RUN --mount=type=cache,target=c x"))).containsExactly(
        "RUN --mount=type=cache,id=c,target=/c x");
    // absolute targets stay as written
    assertThat(runs(df("FROM alpine", "WORKDIR /app", "RUN --mount=type=cache,target=/root/.cache x")))
        .containsExactly("RUN --mount=type=cache,target=/root/.cache x");
  }

  @Test
  void aMountWithoutATargetIsAtTheWorkingDirectory() {
    // BuildKit joins an empty target to the working directory; kaniko would mount at "" and fail
    assertThat(runs(df("FROM alpine", "WORKDIR /src", "RUN --mount=type=bind ls", "RUN --mount=type=cache,id=c make")))
        .containsExactly("RUN --mount=type=bind,source=src/.,target=/src ls", "RUN --mount=type=cache,id=c,target=/src make");
    // a cache without target or id: BuildKit's id is path.Clean("") = "."
    assertThat(runs(df("FROM alpine", "WORKDIR /src", "RUN --mount=type=cache make")))
        .containsExactly("RUN --mount=type=cache,id=.,target=/src make");
    assertThat(error(df("FROM scratch", "RUN --mount=type=cache x")).detail())
        .contains("RUN --mount without a target: invalid mount target");
    assertThat(error(df("FROM node:20", "RUN --mount=type=cache,id=npm npm ci")).detail())
        .contains("RUN --mount without a target is relative");
  }

  @Test
  void aBindMountFromAStageGetsTheAbsoluteTargetToo() {
    BuildPlan p = plan(df("FROM alpine AS tools", "RUN true", "FROM alpine", "WORKDIR /app",
        "RUN --mount=type=bind,from=tools,source=/t,target=t cat t/x"));
    assertThat(p.pods().get(p.pods().size() - 1).dockerfile())
        .contains("RUN --mount=type=bind,source=mounts/tools/t,target=/app/t cat t/x");
  }

  @Test
  void withoutAKnownWorkingDirectoryARelativeTargetIsRefusedByLine() {
    DockerfileException e = error(df("FROM node:20", "RUN true", "RUN --mount=type=cache,target=.npm npm ci"));
    assertThat(e.kind()).isEqualTo(DockerfileException.Kind.UNSUPPORTED);
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.detail()).contains("is relative").contains("set WORKDIR in the Dockerfile");
    // a WORKDIR the planner cannot resolve (the base image's ENV) is unknown too
    assertThat(error(df("FROM alpine", "WORKDIR $HOME/x", "RUN --mount=type=cache,target=c x")).line()).isEqualTo(3);
    // only the stages built need it
    assertThat(Planner.plan(df("FROM node:20 AS unused", "RUN --mount=type=cache,target=.npm npm ci",
        "FROM alpine AS good", "RUN true"), Map.of(), "good").pods()).hasSize(1);
  }

  /** kaniko reads a mount's field values again: a quote, backslash or comma in the joined path is refused. */
  @Test
  void aJoinedTargetKanikoWouldReadDifferentlyIsRefused() {
    assertThat(error(df("FROM alpine", "WORKDIR \"/srv/it's\"", "RUN --mount=type=cache,target=c x")).detail())
        .contains("without a $, quote, backslash or comma");
    assertThat(error(df("FROM alpine", "ARG B='c\\d'", "WORKDIR /app", "RUN --mount=type=cache,target=$B x")).line())
        .isEqualTo(4);
  }

  @Test
  void aTargetThatIsTheRootIsBuildKitsError() {
    DockerfileException e = error(df("FROM alpine", "RUN --mount=type=cache,target=. x"));
    assertThat(e.kind()).isEqualTo(DockerfileException.Kind.UNSUPPORTED); // "/" is not known for an image
    assertThat(error(df("FROM scratch", "RUN --mount=type=cache,target=.. x")).detail())
        .contains("invalid mount target");
  }

  @Test
  void aPodsDockerfileWithARelativeTargetIsWhatKanikoMountsElsewhere() {
    Instruction relative = DockerfileParser.parse(df("FROM alpine", "RUN --mount=type=cache,target=c x"))
        .instructions().get(1);
    assertThat(KanikoCapabilities.refusal(relative, true, Set.of())).isEmpty(); // the planner rewrites it
    assertThat(KanikoCapabilities.refusal(relative, false, Set.of())).get().asString().contains("is relative");
    Instruction secret = DockerfileParser.parse(df("FROM alpine", "RUN --mount=type=secret,id=a,target=a x"))
        .instructions().get(1);
    assertThat(KanikoCapabilities.refusal(secret, false, Set.of())).isEmpty(); // both take it from /
  }
}
