package dev.stagebuild.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagebuild.dockerfile.DockerfileException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class PlannerTest {

  static String df(String... lines) {
    return String.join("\n", lines) + "\n";
  }

  static BuildPlan plan(String dockerfile) {
    return Planner.plan(dockerfile, Map.of(), null);
  }

  static DockerfileException error(String dockerfile, Map<String, String> args, String target) {
    try {
      Planner.plan(dockerfile, args, target);
    } catch (DockerfileException e) {
      return e;
    }
    throw new AssertionError("expected a DockerfileException");
  }

  /** The refusal of an instruction on line 4, after a stage b and the next stage's first line. */
  static DockerfileException refusedOnLine4(String instruction) {
    DockerfileException e = error(df("FROM alpine AS b", "FROM alpine", "RUN true", instruction));
    assertThat(e.kind()).isEqualTo(DockerfileException.Kind.UNSUPPORTED);
    assertThat(e.line()).isEqualTo(4);
    return e;
  }

  static DockerfileException error(String dockerfile) {
    return error(dockerfile, Map.of(), null);
  }

  /** The instruction lines of a pod's Dockerfile (directives, ARGs and blank lines too). */
  static List<String> lines(PodPlan pod) {
    return pod.dockerfile().lines().toList();
  }

  @Nested
  class Seeds {
    @Test
    void hellogo() {
      BuildPlan p = plan(df(
          "FROM golang:1.21 as build",
          "WORKDIR /src",
          "",
          "COPY app.go .",
          "",
          "RUN CGO_ENABLED=0 go build -o /usr/local/bin/hello ./app.go",
          "",
          "FROM alpine:3.18.3",
          "",
          "COPY --from=build /usr/local/bin/hello /usr/local/bin/hello",
          "",
          "CMD [ \"/usr/local/bin/hello\" ]"));
      assertThat(p.waves()).containsExactly(List.of("build"), List.of("stage-1"));
      assertThat(p.finalPod()).isEqualTo("stage-1");
      assertThat(p.usesContext()).isTrue();
      assertThat(p.stages()).containsExactly(
          new StagePlan("build", 0, 1, "golang:1.21", null, List.of(), "build"),
          new StagePlan("stage-1", 1, 8, "alpine:3.18.3", null, List.of("build"), "stage-1"));
      PodPlan build = p.pod("build");
      assertThat(build.exports()).containsExactly("/usr/local/bin/hello");
      assertThat(build.isFinal()).isFalse();
      assertThat(build.usesContext()).isTrue();
      assertThat(build.dependsOn()).isEmpty();
      assertThat(build.dockerfile()).isEqualTo(df(
          "FROM golang:1.21 as build",
          "WORKDIR /src",
          "COPY src/app.go .",
          "RUN CGO_ENABLED=0 go build -o /usr/local/bin/hello ./app.go"));
      PodPlan last = p.pod("stage-1");
      assertThat(last.isFinal()).isTrue();
      assertThat(last.usesContext()).isFalse();
      assertThat(last.dependsOn()).containsExactly("build");
      assertThat(last.target()).isEqualTo("stage-1");
      assertThat(last.dockerfile()).isEqualTo(df(
          "# stagebuild: the files of stage build, exported by its own pod",
          "FROM scratch AS build",
          "ADD from/build.tar /",
          "",
          "FROM alpine:3.18.3 AS stage-1",
          "COPY --from=build /usr/local/bin/hello /usr/local/bin/hello",
          "CMD [ \"/usr/local/bin/hello\" ]"));
    }

    @Test
    void hellogoTargetBuild() {
      BuildPlan p = Planner.plan(df("FROM golang:1.21 as build", "COPY app.go .",
          "FROM alpine:3.18.3", "COPY --from=build /usr/local/bin/hello /usr/local/bin/hello"),
          Map.of(), "build");
      assertThat(p.pods()).extracting(PodPlan::name).containsExactly("build");
      assertThat(p.pod("build").isFinal()).isTrue();
      assertThat(p.pod("build").exports()).isEmpty();
      assertThat(p.stages()).extracting(StagePlan::name).containsExactly("build");
    }

    @Test
    void stageNamesAreCaseInsensitiveAndPodsNameThemAsThePlanDoes() {
      BuildPlan p = plan(df("FROM busybox AS Base", "RUN echo b > /b", "FROM Base AS Builder", "RUN cp /b /c",
          "FROM busybox", "COPY --from=BUILDER /c /c"));
      assertThat(p.pods()).extracting(PodPlan::name).containsExactly("builder", "stage-2");
      // --target=builder must find the stage with an executor that compares names exactly too
      assertThat(p.pod("builder").target()).isEqualTo("builder");
      assertThat(lines(p.pod("builder"))).contains("FROM busybox AS base", "FROM base AS builder");
    }
  }

  @Nested
  class Graphs {
    @Test
    void stageNamesAreLowerCasedAsGoDoesCodePointByCodePoint() {
      // Go's strings.ToLower maps U+0130 (capital I with a dot) to "i", as kaniko names the stage;
      // Java's toLowerCase gives "i" and a combining dot. The Kelvin sign U+212A lowers to "k" in both.
      BuildPlan p = plan(df(
          "FROM alpine AS \u0130mage",
          "RUN make",
          "FROM alpine AS \u212Ait",
          "RUN make",
          "FROM \u0130MAGE AS child",
          "RUN make",
          "FROM scratch",
          "COPY --from=child /out /",
          "COPY --from=KIT /out /"));
      assertThat(p.stages()).extracting(StagePlan::name).containsExactly("image", "kit", "child", "stage-3");
      assertThat(p.stages().get(2).parent()).isEqualTo("image");
      assertThat(p.pod("stage-3").dependsOn()).containsExactlyInAnyOrder("child", "kit");
    }

    @Test
    void diamond() {
      BuildPlan p = plan(df(
          "FROM alpine AS base",
          "RUN apk add gcc",
          "FROM base AS left",
          "RUN make left",
          "FROM base AS right",
          "RUN make right",
          "FROM scratch",
          "COPY --from=left /out/left /",
          "COPY --from=right /out/right /"));
      assertThat(p.pods()).extracting(PodPlan::name).containsExactly("left", "right", "stage-3");
      assertThat(p.pod("left").stages()).containsExactly("base", "left");
      assertThat(p.pod("right").stages()).containsExactly("base", "right");
      assertThat(p.waves()).containsExactly(List.of("left", "right"), List.of("stage-3"));
      assertThat(p.pod("stage-3").dependsOn()).containsExactly("left", "right");
      assertThat(p.stages()).extracting(StagePlan::name, StagePlan::pod).containsExactly(
          org.assertj.core.groups.Tuple.tuple("base", "left"),
          org.assertj.core.groups.Tuple.tuple("left", "left"),
          org.assertj.core.groups.Tuple.tuple("right", "right"),
          org.assertj.core.groups.Tuple.tuple("stage-3", "stage-3"));
      assertThat(p.stages().get(1).dependsOn()).containsExactly("base");
      assertThat(p.stages().get(1).parent()).isEqualTo("base");
      assertThat(p.usesContext()).isFalse();
      assertThat(p.pod("right").dockerfile()).isEqualTo(df(
          "FROM alpine AS base", "RUN apk add gcc", "", "FROM base AS right", "RUN make right"));
    }

    @Test
    void chainIsOnePod() {
      BuildPlan p = plan(df("FROM alpine AS a", "RUN a", "FROM a AS b", "RUN b", "FROM b AS c", "RUN c"));
      assertThat(p.pods()).hasSize(1);
      assertThat(p.pod("c").stages()).containsExactly("a", "b", "c");
      assertThat(p.waves()).containsExactly(List.of("c"));
      assertThat(p.stages()).extracting(StagePlan::pod).containsOnly("c");
    }

    @Test
    void forksArePrunedByTarget() {
      String d = df("FROM alpine AS base", "FROM base AS a", "RUN a", "FROM base AS b", "RUN b");
      BuildPlan p = Planner.plan(d, Map.of(), "a");
      assertThat(p.stages()).extracting(StagePlan::name).containsExactly("base", "a");
      assertThat(p.pods()).extracting(PodPlan::name).containsExactly("a");
      assertThat(plan(d).pods()).extracting(PodPlan::stages).containsExactly(List.of("base", "b"));
    }

    @Test
    void targetIsCaseInsensitiveAndImplicitNamesWork() {
      String d = df("FROM alpine AS Build", "FROM alpine", "FROM alpine AS last");
      assertThat(Planner.plan(d, Map.of(), "BUILD").finalPod()).isEqualTo("build");
      assertThat(Planner.plan(d, null, "stage-1").finalPod()).isEqualTo("stage-1");
      assertThat(Planner.plan(d, null, "  ").finalPod()).isEqualTo("last");
    }

    @Test
    void exportedParentIsBuiltInItsOwnPodAndInItsChildren() {
      BuildPlan p = plan(df("FROM alpine AS deps", "RUN fetch", "FROM deps AS build", "RUN build",
          "FROM scratch", "COPY --from=deps /lib /lib", "COPY --from=build /app /app"));
      assertThat(p.pods()).extracting(PodPlan::name).containsExactly("deps", "build", "stage-2");
      assertThat(p.pod("build").stages()).containsExactly("deps", "build");
      assertThat(p.pod("deps").exports()).containsExactly("/lib");
      assertThat(p.waves()).containsExactly(List.of("deps", "build"), List.of("stage-2"));
      assertThat(p.stages()).filteredOn(s -> s.name().equals("deps")).extracting(StagePlan::pod)
          .containsExactly("deps");
    }

    @Test
    void multiLevelWaves() {
      BuildPlan p = plan(df("FROM a AS one", "FROM b AS two", "COPY --from=one /x /x",
          "FROM c AS three", "COPY --from=two /y /y", "COPY --from=one /z /z", "FROM d",
          "COPY --from=three /w /w", "COPY --from=one /v /v"));
      assertThat(p.waves()).containsExactly(List.of("one"), List.of("two"), List.of("three"),
          List.of("stage-3"));
      assertThat(p.pod("one").exports()).containsExactly("/v", "/x", "/z");
      assertThat(p.pod("three").dependsOn()).containsExactly("one", "two");
    }

    @Test
    void chainMembersCopyDependenciesBelongToThePod() {
      BuildPlan p = plan(df("FROM alpine AS tools", "FROM alpine AS base",
          "COPY --from=tools /bin/t /bin/t", "FROM base AS app", "RUN t"));
      assertThat(p.pod("app").stages()).containsExactly("base", "app");
      assertThat(p.pod("app").dependsOn()).containsExactly("tools");
      assertThat(p.stages()).extracting(StagePlan::name).containsExactly("tools", "base", "app");
    }

    @Test
    void fromALaterStageNameIsAnImage() {
      BuildPlan p = plan(df("FROM later AS first", "RUN x", "FROM alpine AS later"));
      assertThat(p.stages()).extracting(StagePlan::name).containsExactly("later");
      BuildPlan first = Planner.plan(df("FROM later AS first", "FROM alpine AS later"), null, "first");
      assertThat(first.stages().get(0).parent()).isNull();
      BuildPlan self = plan(df("FROM me AS me"));
      assertThat(self.stages().get(0).parent()).isNull();
    }

    @Test
    void fromMatchesTheStageNameIgnoringCase() {
      // kaniko (baseImageIndex) lower-cases the FROM operand before it looks for a stage: Build is
      // stage build. BuildKit looks it up as written, but there an image named Build is invalid.
      BuildPlan p = plan(df("FROM alpine AS build", "FROM Build AS next"));
      assertThat(p.stages()).extracting(StagePlan::name).containsExactly("build", "next");
      assertThat(lines(p.pod("next"))).contains("FROM alpine AS build", "FROM build AS next");
    }

    @Test
    void parentChosenByArgIsWrittenOut() {
      String d = df("ARG VARIANT=b", "FROM alpine AS base-a", "FROM alpine AS base-b",
          "FROM base-${VARIANT} AS final", "RUN x");
      BuildPlan p = plan(d);
      assertThat(p.pod("final").stages()).containsExactly("base-b", "final");
      assertThat(lines(p.pod("final"))).contains("FROM base-b AS final");
      assertThat(p.stages().get(1).from()).isEqualTo("base-${VARIANT}");
      BuildPlan other = Planner.plan(d, Map.of("VARIANT", "a"), null);
      assertThat(other.pod("final").stages()).containsExactly("base-a", "final");
    }

    @Test
    void targetStageIsTheTargetsNameOrTheLastStagesOrDefault() {
      // BuildKit and a whole-Dockerfile kaniko build: the stage built last; each pod is given this
      // value, since kaniko would set its own --target (KanikoResourcesTest)
      String d = df("FROM alpine AS base", "ARG TARGETSTAGE", "RUN mkdir -p /out/$TARGETSTAGE",
          "FROM alpine AS Release", "ARG TARGETSTAGE", "COPY --from=base /out/${TARGETSTAGE} /out");
      BuildPlan p = plan(d);
      assertThat(p.targetStage()).isEqualTo("release");
      assertThat(p.pod("base").exports()).containsExactly("/out/release");
      assertThat(Planner.plan(d, Map.of(), "RELEASE").targetStage()).isEqualTo("release");
      assertThat(Planner.plan(d, Map.of("TARGETSTAGE", "x"), null).pod("base").exports()).containsExactly("/out/x");
      assertThat(plan(df("FROM alpine AS b", "FROM alpine", "ARG TARGETSTAGE", "COPY --from=b /$TARGETSTAGE /"))
          .pod("b").exports()).containsExactly("/default");
      assertThat(Planner.plan(d, Map.of(), " Release ").targetStage()).isEqualTo("release");
      // a declared default is what BuildKit reads; kaniko would let a given --build-arg win over it,
      // so none is given to the pods
      BuildPlan declared = plan(df("FROM alpine AS b", "FROM alpine AS c", "ARG TARGETSTAGE=mine",
          "COPY --from=b /$TARGETSTAGE /"));
      assertThat(declared.pod("b").exports()).containsExactly("/mine");
      assertThat(declared.targetStage()).isNull();
    }

    @Test
    void anUnnamedStageIsNamedAroundTheNamesTheDockerfileGives() {
      // stage-<index>, unless a named stage took that; BuildKit and kaniko build this as it is
      BuildPlan p = plan(df("FROM alpine AS stage-1", "RUN x", "FROM alpine", "COPY --from=stage-1 /x /x",
          "FROM alpine AS stage-2-2", "FROM alpine", "COPY --from=1 /y /y"));
      assertThat(p.stages()).extracting(StagePlan::name).containsExactly("stage-1", "stage-1-2", "stage-3");
      assertThat(p.pod("stage-1-2").exports()).containsExactly("/y");
      assertThat(plan(df("FROM alpine", "RUN x", "FROM alpine AS stage-0", "COPY --from=0 /x /x"))
          .stages()).extracting(StagePlan::name).containsExactly("stage-0-2", "stage-0");
      // the next free suffix
      assertThat(plan(df("FROM alpine", "RUN x", "FROM alpine AS stage-0", "FROM alpine AS Stage-0-2",
          "COPY --from=0 /x /x")).stages()).extracting(StagePlan::name).containsExactly("stage-0-3", "stage-0-2");
    }

    @Test
    void platformArgsDefaultToLinuxAmd64() {
      String d = df("FROM alpine AS build_amd64", "FROM alpine AS build_arm64",
          "FROM build_${TARGETARCH} AS build", "RUN x");
      assertThat(plan(d).pod("build").stages()).containsExactly("build_amd64", "build");
      assertThat(Planner.plan(d, Map.of("TARGETPLATFORM", "linux/arm64"), null).pod("build").stages())
          .containsExactly("build_arm64", "build");
    }
  }

  @Nested
  class Rewrite {
    @Test
    void contextSources() {
      PodPlan pod = plan(df("FROM alpine", "COPY . /app", "COPY ./a/../b/ /x/", "COPY /abs/file ./",
          "ADD *.tar.gz dir/. /y", "COPY [\"my file\", \"/z\"]")).pods().get(0);
      assertThat(lines(pod)).containsSubsequence("COPY src/. /app", "COPY src/b/ /x/",
          "COPY src/abs/file ./", "ADD src/*.tar.gz src/dir/. /y", "COPY [\"src/my file\", \"/z\"]");
      assertThat(pod.usesContext()).isTrue();
    }

    @Test
    void sourcesWithVariablesKeepTheirText() {
      PodPlan pod = plan(df("FROM alpine", "ARG DIR=conf", "COPY ${DIR}/a.conf \"/q\" /etc/",
          "ENV HOME=/h", "COPY $HOME/x /y")).pods().get(0);
      assertThat(lines(pod)).contains("COPY src/${DIR}/a.conf src/\"/q\" /etc/", "COPY src/$HOME/x /y");
    }

    @Test
    void contextParentsAreClampedAtTheRoot() {
      // BuildKit reads a context source against "/" (NormalizePath): `..` stops at the context root
      PodPlan pod = plan(df("FROM alpine", "RUN x", "COPY a/../../etc/passwd /x", "COPY .. .",
          "COPY ../../x/ ../y /z/", "ARG UP=..", "COPY $UP/$UP/q /q", "COPY [\"../j\", \"/j\"]"))
          .pods().get(0);
      assertThat(lines(pod)).contains("COPY src/etc/passwd /x", "COPY src/. .", "COPY src/x/ src/y /z/",
          "COPY src/q /q", "COPY [\"src/j\", \"/j\"]");
      // no source of the pod's Dockerfile climbs
      assertThat(pod.dockerfile()).doesNotContain("src/..");
      // white space: the JSON form keeps it in one word, the shell form would split it
      assertThat(lines(plan(df("FROM alpine", "COPY [\"../my file\", \"/f\"]")).pods().get(0)))
          .contains("COPY [\"src/my file\", \"/f\"]");
      assertThat(error(df("FROM alpine", "ARG F=\"../my file\"", "COPY $F /f")).detail()).contains("use the JSON form");
    }

    @Test
    void contextSourceWithAnUnresolvedVariableIsRefused() {
      // its value (from the base image's environment) could climb out of the context
      DockerfileException e = error(df("FROM alpine", "COPY ${FROM_IMAGE}/x /x"));
      assertThat(e.line()).isEqualTo(2);
      assertThat(e.detail()).contains("FROM_IMAGE cannot be resolved");
    }

    @Test
    void fromStageSourcesThatClimbAreClamped() {
      BuildPlan p = plan(df("FROM alpine AS b", "FROM alpine", "ARG UP=../..", "COPY --from=b /x/$UP/../etc/ /y/",
          "COPY --from=b ../../w /w"));
      assertThat(lines(p.pod("stage-1"))).contains("COPY --from=b /etc/ /y/", "COPY --from=b /w /w");
      assertThat(p.pod("b").exports()).containsExactly("/etc", "/w");
    }

    @Test
    void addUrlsAndHeredocsNeedNoContext() {
      BuildPlan p = plan(df("FROM alpine", "ADD https://example.com/a.tgz /a",
          "COPY <<EOF /etc/conf", "x=1", "EOF", "RUN <<EOF", "echo hi", "EOF"));
      PodPlan pod = p.pods().get(0);
      assertThat(pod.usesContext()).isFalse();
      assertThat(p.usesContext()).isFalse();
      // (a RUN that is a here-document alone is written in exec form: RunHeredocsTest)
      assertThat(pod.dockerfile()).isEqualTo(df("FROM alpine AS stage-0", "ADD --chown=0:0 https://example.com/a.tgz /a",
          "COPY <<EOF /etc/conf", "x=1", "EOF", "RUN [\"/bin/sh\", \"-c\", \"echo hi\\n\"]"));
    }

    @Test
    void fromStageSourcesAreAbsoluteAndExported() {
      BuildPlan p = plan(df("FROM alpine AS b", "FROM alpine",
          "COPY --from=b --chown=app:app app/bin/../bin/x /opt/*.so /etc/conf.d/ /srv/. /dst/",
          "COPY --link --from=b [\"/with space/f\", \"/d/\"]"));
      // the instructions stay as written (a source that climbs is cleaned): the executor copies
      // from the stand-in for b
      assertThat(lines(p.pod("stage-1"))).contains(
          "COPY --from=b --chown=app:app /app/bin/x /opt/*.so /etc/conf.d/ /srv/. /dst/",
          "COPY --link --from=b [\"/with space/f\", \"/d/\"]");
      assertThat(p.pod("b").exports())
          .containsExactly("/app/bin/x", "/etc/conf.d", "/opt/*.so", "/srv", "/with space/f");
    }

    @Test
    void fromStageSourceIsExportedExpandedAndWrittenAsResolved() {
      // kaniko's CalculateDependencies resolves it without TARGETARCH (issue 2593): written resolved,
      // in the JSON form when its value has white space
      BuildPlan p = plan(df("FROM alpine AS b", "FROM alpine", "ARG F=\"a b\"", "COPY --from=b /x/${F} /y"));
      assertThat(lines(p.pod("stage-1"))).contains("COPY --from=b [\"/x/a b\", \"/y\"]");
      assertThat(p.pod("b").exports()).containsExactly("/x/a b");
      BuildPlan arch = plan(df("FROM alpine AS b", "FROM alpine", "ARG TARGETARCH", "ARG P=/a", "ENV P=/out",
          "COPY --from=b /out/app-${TARGETARCH} $P/lib-$TARGETARCH /opt/*.txt /dst/"));
      assertThat(lines(arch.pod("stage-1"))).contains("COPY --from=b /out/app-amd64 /out/lib-amd64 /opt/*.txt /dst/");
      // left as written in a pod, the end-to-end runner refuses it as kaniko would fail it
      var left = dev.stagebuild.dockerfile.DockerfileParser.parse("FROM scratch AS b\nFROM alpine\nARG TARGETARCH\n"
          + "COPY --from=b /out/app-${TARGETARCH} /app\n").instructions().get(3);
      assertThat(KanikoCapabilities.refusal(left, false, Set.of("b"))).get().asString()
          .contains("without TARGETARCH (CalculateDependencies)");
      assertThat(KanikoCapabilities.refusal(left, true, Set.of("b"))).as("the planner rewrites it").isEmpty();
      // a FROM ancestor in the same pod is copied from the same way
      BuildPlan chain = plan(df("FROM alpine AS b", "ARG TARGETARCH", "RUN touch /app-$TARGETARCH", "FROM b",
          "ARG TARGETARCH", "COPY --from=b /app-${TARGETARCH} /app", "COPY --from=b $HOME/x /x"));
      assertThat(lines(chain.pods().get(0))).contains("COPY --from=b /app-amd64 /app")
          .as("the base image's HOME: kaniko reads it there too").contains("COPY --from=b $HOME/x /x");
      BuildPlan bare = plan(df("FROM node:20 AS base", "FROM base", "ARG NODE_VERSION",
          "COPY --from=base /opt/node-$NODE_VERSION /x"));
      assertThat(lines(bare.pods().get(0))).as("a bare ARG over the image's environment")
          .contains("COPY --from=base /opt/node-$NODE_VERSION /x");
      BuildPlan empty = plan(df("FROM alpine AS b", "FROM alpine", "ARG EXTRA=\"\"", "COPY --from=b /etc/a $EXTRA /x/"));
      assertThat(lines(empty.pod("stage-1"))).as("an empty value is the stage's root").contains("COPY --from=b /etc/a / /x/");
      BuildPlan unset = plan(df("FROM alpine AS b", "FROM node:20", "ARG NODE_VERSION", "COPY --from=b /n-$NODE_VERSION /x/"));
      assertThat(lines(unset.pod("stage-1"))).as("unset here: the image's environment may set it")
          .contains("COPY --from=b /n-$NODE_VERSION /x/");
      BuildPlan dollar = plan(df("FROM alpine AS b", "FROM alpine", "ENV D=a\\$b", "COPY --from=b /x/$D /y"));
      assertThat(lines(dollar.pod("stage-1"))).as("a $ in the value stays literal").contains("COPY --from=b /x/a\\$b /y");
    }

    @Test
    void numericFrom() {
      BuildPlan p = plan(df("FROM golang AS build", "FROM alpine", "COPY --from=0 /go/bin/app /app"));
      // the pod's Dockerfile numbers its stages differently: the reference becomes the name
      assertThat(lines(p.pod("stage-1"))).contains("FROM scratch AS build", "COPY --from=build /go/bin/app /app");
      assertThat(p.pod("build").exports()).containsExactly("/go/bin/app");
      BuildPlan unnamed = plan(df("FROM golang", "FROM alpine", "COPY --from=0 /x /x"));
      assertThat(lines(unnamed.pod("stage-1"))).contains("FROM scratch AS stage-0", "ADD from/stage-0.tar /",
          "COPY --from=stage-0 /x /x");
      assertThat(lines(unnamed.pod("stage-0"))).containsExactly("FROM golang AS stage-0");
    }

    @Test
    void standInsTakeTheProducersPlaceInTheDockerfile() {
      BuildPlan p = plan(df("FROM alpine AS base", "RUN a", "FROM golang AS left", "RUN l",
          "FROM base AS mid", "FROM rust AS right", "FROM mid", "COPY --from=right /r /r",
          "COPY --from=left /l /l"));
      PodPlan last = p.pod("stage-4");
      assertThat(last.stages()).containsExactly("base", "mid", "stage-4");
      assertThat(last.dependsOn()).containsExactly("left", "right");
      assertThat(last.dockerfile()).isEqualTo(df(
          "FROM alpine AS base", "RUN a", "",
          "# stagebuild: the files of stage left, exported by its own pod",
          "FROM scratch AS left", "ADD from/left.tar /", "",
          "FROM base AS mid", "",
          "# stagebuild: the files of stage right, exported by its own pod",
          "FROM scratch AS right", "ADD from/right.tar /", "",
          "FROM mid AS stage-4", "COPY --from=right /r /r", "COPY --from=left /l /l"));
    }

    @Test
    void aWordThatNamesAnImageBeforeTheProducerStillDoes() {
      // "build" on line 1 is an image: the stand-in for stage build must come after it
      BuildPlan p = plan(df("FROM build AS first", "FROM alpine AS build", "FROM first",
          "COPY --from=build /stage /stage"));
      assertThat(lines(p.pod("stage-2"))).containsSubsequence("FROM build AS first",
          "FROM scratch AS build", "ADD from/build.tar /", "FROM first AS stage-2",
          "COPY --from=build /stage /stage");
      assertThat(p.pod("build").exports()).containsExactly("/stage");
    }

    @Test
    void copyFromAnAncestorNeedsNoPodAndNoExport() {
      BuildPlan p = plan(df("FROM alpine AS base", "RUN mk", "FROM base AS app", "COPY --from=base /etc/x /y",
          "COPY --from=0 /etc/z /z"));
      assertThat(p.pods()).extracting(PodPlan::name).containsExactly("app");
      assertThat(p.pod("app").dependsOn()).isEmpty();
      assertThat(p.pod("app").dockerfile()).doesNotContain("FROM scratch");
      assertThat(lines(p.pod("app"))).contains("COPY --from=base /etc/x /y", "COPY --from=base /etc/z /z");
      assertThat(p.stages().get(1).dependsOn()).containsExactly("base");
    }

    @Test
    void aProducerNamedScratchGetsAStandInOfAnotherName() {
      // BuildKit only warns about a stage named scratch; zipkin's Dockerfile has one
      BuildPlan p = plan(df("FROM scratch AS scratch", "COPY a /a", "FROM alpine AS install", "RUN i",
          "FROM alpine", "COPY --from=scratch /a /a", "COPY --from=install /i /i"));
      assertThat(lines(p.pod("stage-2"))).containsSubsequence("FROM scratch AS stage-0", "ADD from/scratch.tar /",
          "FROM scratch AS install", "ADD from/install.tar /", "COPY --from=stage-0 /a /a",
          "COPY --from=install /i /i");
      assertThat(p.pod("scratch").exports()).containsExactly("/a");
      assertThat(p.pod("stage-2").dependsOn()).containsExactly("scratch", "install");
    }

    @Test
    void aStageNamedScratchInTheChainBeforeAStandInIsRefused() {
      DockerfileException e = error(df("FROM scratch AS scratch", "COPY a /a", "FROM alpine AS p",
          "FROM scratch AS t", "COPY --from=p /x /x"));
      assertThat(e.line()).isEqualTo(1);
      assertThat(e.detail()).contains("rename stage \"scratch\"");
    }

    @Test
    void externalImageFromIsKept() {
      BuildPlan p = plan(df("FROM alpine", "COPY --from=nginx:latest /etc/nginx/nginx.conf /nginx.conf",
          "COPY --from=Other /x /y"));
      assertThat(p.pods()).hasSize(1);
      assertThat(lines(p.pods().get(0))).contains("COPY --from=nginx:latest /etc/nginx/nginx.conf /nginx.conf",
          "COPY --from=Other /x /y");
      assertThat(p.usesContext()).isFalse();
    }

    @Test
    void fromNamesAreCaseInsensitive() {
      BuildPlan p = plan(df("FROM alpine AS Builder", "FROM alpine", "COPY --from=BUILDER /x /x"));
      assertThat(lines(p.pod("stage-1"))).contains("COPY --from=builder /x /x");
    }

    @Test
    void argsInFromAndCopyFrom() {
      String d = df("ARG BASE=alpine:3.19", "ARG SRC=builder", "FROM ${BASE} AS builder",
          "FROM golang AS other", "FROM $BASE", "ARG SRC", "ARG FILE=/out/app",
          "COPY --from=${SRC} ${FILE} /app");
      BuildPlan p = plan(d);
      assertThat(p.stages()).extracting(StagePlan::name).containsExactly("builder", "stage-2");
      assertThat(p.stages().get(0).from()).isEqualTo("${BASE}");
      assertThat(lines(p.pod("stage-2"))).startsWith("ARG BASE=alpine:3.19", "ARG SRC=builder", "")
          .contains("FROM scratch AS builder", "COPY --from=builder /out/app /app");
      assertThat(p.pod("builder").exports()).containsExactly("/out/app");
      BuildPlan overridden = Planner.plan(d, Map.of("SRC", "other", "FILE", "/bin/x"), null);
      assertThat(overridden.pod("other").exports()).containsExactly("/bin/x");
    }

    @Test
    void globalArgIsVisibleInAStageOnlyWhenRedeclared() {
      String d = df("ARG SRC=builder", "FROM alpine AS builder", "FROM alpine", "COPY --from=$SRC /x /x");
      // without ARG SRC in the stage, $SRC comes from the image environment: unknown when planning
      DockerfileException e = error(d);
      assertThat(e.line()).isEqualTo(4);
      assertThat(e.detail()).contains("variable SRC cannot be resolved");
    }

    @Test
    void envAndArgOrder() {
      BuildPlan p = plan(df("FROM alpine AS b", "FROM alpine", "ARG D=/from-arg", "ENV D=/from-env",
          "COPY --from=b $D /x", "ENV K v1", "COPY --from=b ${K:+/k}/$K /y"));
      assertThat(p.pod("b").exports()).containsExactly("/from-env", "/k/v1");
    }

    @Test
    void thePairsOfOneEnvReadTheVariablesAsTheyWereBeforeIt() {
      // kaniko (UpdateConfigEnv) and BuildKit expand every pair against the environment before the
      // ENV: Q takes the old P, which climbs; read as the new P, Q was a path the planner let through
      BuildPlan p = plan(df("FROM alpine AS b", "FROM alpine", "ENV P=../../../../.docker", "ENV P=conf Q=$P/config.json",
          "COPY $Q /leak.json", "ENV D=/two", "ENV D=/one E=$D", "COPY --from=b $E /x"));
      assertThat(lines(p.pod("stage-1"))).contains("COPY src/.docker/config.json /leak.json");
      assertThat(p.pod("b").exports()).containsExactly("/two");
    }

    @Test
    void aWildcardWithABangClassFromAnotherPodIsRefused() {
      // the producer's pod matches exports as the shell does ([!a]: not a); kaniko and BuildKit as
      // Go's filepath.Match does ([!a]: ! or a)
      DockerfileException e = error(df("FROM alpine AS a", "RUN x", "FROM busybox", "COPY --from=a /out/[!a]* /x/"));
      assertThat(e.line()).isEqualTo(4);
      assertThat(e.detail()).contains("[!...]", "write [^...]");
      assertThat(plan(df("FROM alpine AS a", "RUN x", "FROM busybox", "COPY --from=a /out/[^a]* /out/x! /x/"))
          .pod("a").exports()).containsExactly("/out/[^a]*", "/out/x!");
      // within one pod kaniko matches it itself
      assertThat(plan(df("FROM alpine AS a", "RUN x", "FROM a", "COPY --from=a /out/[!a]* /x/")).pods()).hasSize(1);
    }

    @Test
    void aVariableNameTheExecutorsReadDifferentlyOrThePlannerCannotResolveIsRefused() {
      // kaniko expands an ARG's name, BuildKit does not: as written, Q would be ../.. to kaniko and conf
      // to the planner; written so that kaniko declares "${K}" too, as BuildKit does
      List<String> arg = lines(plan(df("FROM alpine", "ARG Q=conf", "ENV K=Q", "ARG ${K}=../../../../.docker",
          "COPY $Q/config.json /x")).pods().get(0));
      assertThat(arg).contains("ARG \\${K}=../../../../.docker", "COPY src/$Q/config.json /x");
      // a name that cannot be written so (a backslash in it) is refused
      DockerfileException refused = error(df("FROM alpine", "ARG Q=conf", "ARG \\Q=../..", "COPY $Q/c.json /x"));
      assertThat(refused.line()).isEqualTo(3);
      assertThat(refused.detail()).contains("reads an ARG's name as a word");
      // an ENV name the planner cannot resolve could be any variable a later COPY reads
      DockerfileException env = error(df("FROM alpine", "ENV Q=conf", "ENV ${K:-Q}=../../../../.docker",
          "COPY $Q/config.json /x"));
      assertThat(env.line()).isEqualTo(3);
      assertThat(env.detail()).contains("the name cannot be resolved", "variable K");
      // a name the planner resolves is fine
      assertThat(lines(plan(df("FROM alpine", "ENV K=Q", "ENV ${K}=sub", "COPY $Q/x /x")).pods().get(0)))
          .contains("COPY src/$Q/x /x");
    }

    @Test
    void aGlobalArgTheStageDoesNotDeclareIsNamedInTheError() {
      DockerfileException e = error(df("ARG DIR=/x", "FROM alpine AS a", "FROM alpine", "COPY --from=a ${DIR}/sub /s"));
      assertThat(e.line()).isEqualTo(4);
      assertThat(e.detail()).contains("add \"ARG DIR\" to this stage");
      assertThat(e.detail()).contains("an ARG before the first FROM");
      assertThat(error(df("FROM alpine AS a", "FROM alpine", "COPY --from=a /$TARGETARCH /s")).detail())
          .contains("a predefined ARG", "add \"ARG TARGETARCH\" to this stage");
    }

    @Test
    void unresolvableFromSourceIsAnError() {
      DockerfileException e = error(df("FROM golang AS b", "FROM alpine", "COPY --from=b $GOPATH/bin/x /x"));
      assertThat(e.line()).isEqualTo(3);
      assertThat(e.detail()).contains("GOPATH").contains("base image");
    }

    @Test
    void parentScopeIsInherited() {
      BuildPlan p = plan(df("FROM alpine AS b", "FROM scratch AS base", "ENV OUT=/o", "FROM base",
          "COPY --from=b $OUT/$NOTSET/f /f"));
      assertThat(p.pod("b").exports()).containsExactly("/o/f");
    }



    @Test
    void emptyFromMeansTheContext() {
      BuildPlan p = plan(df("FROM alpine", "COPY --from= --chmod=644 a /b"));
      assertThat(lines(p.pods().get(0))).contains("COPY --chmod=644 src/a /b");
    }

    @Test
    void continuationsSurviveTheRewrite() {
      BuildPlan p = plan(df("FROM alpine AS b", "FROM alpine", "COPY --from=b \\", "    /x \\",
          "    # a comment", "    /y"));
      assertThat(p.pod("stage-1").dockerfile()).contains("COPY --from=b \\\n    /x \\\n    # a comment\n    /y\n");
    }

    @Test
    void directivesAndGlobalArgsGoToEveryPod() {
      BuildPlan p = plan(df("# syntax=docker/dockerfile:1", "# escape=`", "ARG V=1", "FROM alpine AS b",
          "RUN echo `", "  hi", "FROM alpine", "COPY --from=b C:\\x .", "COPY a\\b ."));
      for (PodPlan pod : p.pods()) {
        assertThat(lines(pod)).startsWith("# syntax=docker/dockerfile:1", "# escape=`", "ARG V=1");
      }
      assertThat(lines(p.pod("stage-1"))).contains("COPY --from=b C:\\x .", "COPY src/a\\b .");
    }

    @Test
    void aBareArgHidesNoEnvOfItsName() {
      // kaniko's ParseArg: no build argument, no global value, so the ARG has none and the ENV shows
      BuildPlan p = plan(df("FROM alpine AS build", "FROM scratch", "ENV P=/b", "ARG P", "COPY --from=build $P/f /f"));
      assertThat(p.pod("build").exports()).containsExactly("/b/f");
      BuildPlan parent = plan(df("FROM alpine AS build", "FROM alpine AS base", "ENV P=/b", "FROM base", "ARG P",
          "COPY --from=build $P/f /f"));
      assertThat(parent.pod("build").exports()).as("an ENV of the stage it is built on").containsExactly("/b/f");
      // a global value is the ARG's, and an ARG overrides an ENV
      BuildPlan global = plan(df("ARG P=/g", "FROM alpine AS build", "FROM scratch", "ENV P=/b", "ARG P",
          "COPY --from=build $P/f /f"));
      assertThat(global.pod("build").exports()).containsExactly("/g/f");
      BuildPlan unset = plan(df("FROM alpine AS build", "FROM alpine", "ARG P", "COPY --from=build /x$P /f"));
      assertThat(unset.pod("build").exports()).as("a name nothing set stays unset").containsExactly("/x");
    }

    @Test
    void aBacktickEscapeDirectiveLeavesExpansionToTheBackslashAsKanikoDoes() {
      // kaniko expands with BuildKit's default escape token whatever # escape= says: /a\b reads /ab
      BuildPlan p = plan(df("# escape=`", "FROM alpine AS a", "RUN touch /ab", "FROM alpine", "ENV D=/a\\b",
          "COPY --from=a $D /x", "COPY --from=a /c\\d /y"));
      assertThat(p.pod("a").exports()).containsExactly("/ab", "/cd");
    }

    @Test
    void openContinuationAtEndOfFileIsClosed() {
      BuildPlan p = plan("FROM alpine\nRUN echo \\\n# trailing comment\n");
      assertThat(p.pods().get(0).dockerfile()).isEqualTo("FROM alpine AS stage-0\nRUN echo \n# trailing comment\n");
    }

    @Test
    void otherInstructionsAreVerbatim() {
      String stage = String.join("\n", "FROM alpine AS x", "LABEL a=\"b c\" \\", "      d=e",
          "RUN --mount=type=cache,target=/root/.cache \\", "    pip install -r req.txt",
          "ONBUILD COPY . /app", "HEALTHCHECK CMD curl -f http://localhost/ || exit 1",
          "ENTRYPOINT [\"/bin/app\"]");
      assertThat(plan(stage + "\n").pods().get(0).dockerfile()).isEqualTo(stage + "\n");
    }
  }

  @Nested
  class Errors {
    @Test
    void noFrom() {
      DockerfileException e = error("ARG X=1\n");
      assertThat(e.detail()).isEqualTo("the Dockerfile has no FROM instruction");
      assertThat(error("").detail()).contains("empty");
    }

    @Test
    void instructionBeforeFrom() {
      assertThat(error(df("ARG A", "RUN x", "FROM a")).line()).isEqualTo(2);
    }

    @Test
    void duplicateStageNames() {
      DockerfileException e = error(df("FROM a AS x", "FROM b AS X"));
      assertThat(e.line()).isEqualTo(2);
      assertThat(e.detail()).contains("duplicate stage name \"x\"").contains("line 1");
    }

    @Test
    void laterSelfAndOutOfRangeReferences() {
      assertThat(error(df("FROM a AS one", "COPY --from=one /x /x")).detail()).contains("its own stage");
      assertThat(error(df("FROM a", "COPY --from=0 /x /x")).detail()).contains("its own stage");
      assertThat(error(df("FROM a AS one", "RUN --mount=type=bind,from=one,target=/m true")).detail())
          .startsWith("RUN --mount=type=bind,from=one refers to its own stage");
      assertThat(error(df("FROM a", "FROM b", "COPY --from=5 /x /x")).detail())
          .contains("there is no stage 5").contains("0 to 1");
      assertThat(error(df("FROM a", "COPY --from=-1 /x /x")).detail()).contains("no stage -1");
      // checked in every stage, also the ones the target does not need (as Docker does)
      assertThat(error(df("FROM a AS one", "COPY --from=2 /x /x", "FROM b AS t"), Map.of(), "t").line())
          .isEqualTo(2);
    }

    @Test
    void unknownTarget() {
      DockerfileException e = error(df("FROM a AS build", "FROM b"), Map.of(), "nope");
      assertThat(e.kind()).isEqualTo(DockerfileException.Kind.INVALID_SPEC);
      assertThat(e.line()).isZero();
      assertThat(e.getMessage()).isEqualTo("target stage \"nope\" not found; the Dockerfile's stages are: build, stage-1");
    }

    @Test
    void runMountFromAnAncestorIsUnsupported() {
      DockerfileException e = error(df("FROM golang AS gen", "FROM gen",
          "RUN --mount=type=bind,from=gen,source=/out,target=/in cp /in/x /x"));
      assertThat(e.kind()).isEqualTo(DockerfileException.Kind.UNSUPPORTED);
      assertThat(e.line()).isEqualTo(3);
      assertThat(e.detail()).startsWith("RUN --mount with from=gen is not supported:").contains("use COPY --from");
    }

    @Test
    void otherMountsPassThrough() {
      BuildPlan p = plan(df("FROM alpine", "RUN --mount=type=cache,target=/c --mount=type=secret,id=s x"));
      assertThat(p.usesContext()).isFalse();
      assertThat(plan(df("FROM alpine", "RUN --mount=target=/src make")).usesContext()).isTrue();
      // an unneeded stage with a stage mount does not stop the plan
      assertThat(Planner.plan(df("FROM a AS g", "FROM b AS x", "RUN --mount=from=g,target=/g y", "FROM c AS t"),
          null, "t").pods()).hasSize(1);
    }

    @Test
    void aMountFromAVariableIsRefusedAsKanikosParseRefusesIt() {
      DockerfileException e = error(df("FROM alpine AS a", "RUN echo hi > /x", "FROM alpine", "ARG S=a",
          "RUN --mount=type=bind,from=$S,target=/m cat /m/x"));
      assertThat(e.kind()).isEqualTo(DockerfileException.Kind.INVALID_DOCKERFILE);
      assertThat(e.detail()).startsWith("RUN --mount from=$S: 'from' doesn't support variable expansion");
      assertThat(error(df("FROM alpine AS a", "FROM alpine", "RUN --mount=type=cache,target=/c,from=${S} x")).detail())
          .contains("doesn't support variable expansion");
      assertThat(error(df("FROM alpine AS a", "RUN --mount=from=$S,target=/m x", "FROM alpine AS t"), Map.of(), "t")
          .detail()).as("in a stage the target does not need: kaniko's parse fails first")
          .contains("doesn't support variable expansion");
      // BuildKit looks at the first $ only: one at the very end is no variable
      assertThat(error(df("FROM alpine", "RUN --mount=from=a$,target=/m x")).detail())
          .startsWith("RUN --mount=type=bind,from=a$ is not supported").contains("skips bind mounts from an image");
    }

    @Test
    void blankBaseName() {
      DockerfileException e = error(df("ARG BASE", "FROM $BASE"));
      assertThat(e.line()).isEqualTo(2);
      assertThat(e.detail()).contains("base name ($BASE) should not be blank");
      assertThat(Planner.plan(df("ARG BASE", "FROM $BASE"), Map.of("BASE", "alpine"), null).pods()).hasSize(1);
    }

    @Test
    void variableErrorsInAStageAreReportedWhenItIsNeeded() {
      // from scratch: no image environment could set B
      DockerfileException e = error(df("FROM scratch", "ENV A=${B:?B_must_be_set}", "COPY x /x"));
      assertThat(e.line()).isEqualTo(2);
      assertThat(e.detail()).contains("B: B_must_be_set");
    }
  }

  /** What kaniko v1.28.3 would ignore is refused by line, with what to write instead (KanikoCapabilities). */
  @Nested
  class Kaniko {
    DockerfileException refused(String instruction) {
      return refusedOnLine4(instruction);
    }

    @Test
    void runFlagsKanikoIgnores() {
      assertThat(refused("RUN --mount=type=ssh git clone git@example.com:x.git").detail())
          .startsWith("RUN --mount=type=ssh is not supported").contains("type=secret");
      assertThat(refused("RUN --network=none make").detail())
          .startsWith("RUN --network=none is not supported: kaniko v1.28.3 ignores the flag").contains("remove");
      assertThat(refused("RUN --network=host make").detail()).startsWith("RUN --network=host is not supported");
      assertThat(refused("RUN --security=insecure make").detail())
          .startsWith("RUN --security=insecure is not supported");
      assertThat(refused("RUN --device=x make").detail()).startsWith("RUN --device is not supported");
      // what the flags mean by default is what kaniko does
      assertThat(plan(df("FROM alpine", "RUN --network=default --security=sandbox make")).pods()).hasSize(1);
    }

    @Test
    void mountsKanikoSkips() {
      assertThat(refused("RUN --mount=type=bind,\"from=golang:1.21 x\",target=/go x").detail())
          .startsWith("RUN --mount=type=bind,from=golang:1.21 x: no stage of this Dockerfile has that name, and it is"
              + " no image reference either (invalid image reference 'golang:1.21 x'");
      assertThat(refused("RUN --mount=type=bind,from=Golang,target=/go x").detail())
          .contains("no image reference either").contains("lowercase");
      assertThat(refused("RUN --mount=from=scratch,target=/e x").detail())
          .isEqualTo("RUN --mount=type=bind,from=scratch mounts an empty directory; write --mount=type=tmpfs,target=<dir>"
              + " for that");
      assertThat(refused("RUN --mount=type=cache,from=b,source=/c,target=/c x").detail())
          .startsWith("RUN --mount=type=cache with from=b is not supported");
      assertThat(refused("RUN --mount=type=cache,source=/c,target=/c x").detail())
          .startsWith("RUN --mount=type=cache with source=/c is not supported");
    }

    @Test
    void copyFlagsKanikoIgnores() {
      assertThat(refused("COPY --from=golang:1.22 --parents /go/./a /d/").detail())
          .startsWith("COPY --parents is not supported: kaniko v1.28.3 ignores it").contains("from the image golang:1.22")
          .contains("add a stage FROM golang:1.22 AS <name>");
      assertThat(refused("ADD --exclude=x . /app").detail()).startsWith("ADD --exclude=x is not supported");
      assertThat(refused("ADD --checksum=sha256:00 https://example.com/a /a").detail())
          .startsWith("ADD --checksum is not supported").contains("sha256sum -c");
      assertThat(refused("ADD --keep-git-dir https://example.com/x/y.git#main /y").detail())
          .startsWith("ADD --keep-git-dir is not supported");
      assertThat(refused("ADD --unpack=true https://example.com/a.tgz /a").detail())
          .startsWith("ADD --unpack is not supported");
      assertThat(refused("ADD git@github.com:moby/buildkit.git /bk").detail())
          .startsWith("ADD git@github.com:moby/buildkit.git is not supported: kaniko v1.28.3 has no git sources");
      assertThat(refused("ADD \"https://example.com/x/y.git#v1\" /y").detail()).contains("no git sources");
      // Dockerfile 1.18's query form: BuildKit's ParseGitRef looks at the URL's path alone
      assertThat(refused("ADD https://github.com/go-delve/delve.git?ref=v1.26.3&keep-git-dir=1 /src").detail())
          .contains("no git sources");
      assertThat(KanikoCapabilities.isGitSource("https://example.com/releases/tool.tar.gz?ref=x.git")).isFalse();
      // BuildKit looks at the path: a host named *.git or a path ending in .git/ is a file to download
      assertThat(KanikoCapabilities.isGitSource("https://mirror.git")).isFalse();
      assertThat(KanikoCapabilities.isGitSource("https://mirror.git/tool.tgz")).isFalse();
      assertThat(KanikoCapabilities.isGitSource("https://example.com/x/y.git/")).isFalse();
      assertThat(KanikoCapabilities.isGitSource("https://example.com/x/y.git?ref=v1#sub")).isTrue();
      // a git URL held in a variable: BuildKit substitutes the source before it parses it
      DockerfileException viaArg = error(df("FROM alpine", "ARG REPO=https://github.com/moby/buildkit.git#v0.10.1",
          "ADD $REPO /src"));
      assertThat(viaArg.line()).isEqualTo(3);
      assertThat(viaArg.detail()).startsWith("ADD $REPO (https://github.com/moby/buildkit.git#v0.10.1) is not"
          + " supported: kaniko v1.28.3 has no git sources");
      assertThat(plan(df("FROM alpine", "ARG URL=https://example.com/a.tgz", "ADD $URL /a")).pods()).hasSize(1);
      // --link changes only how layers are stacked: the same files
      assertThat(plan(df("FROM alpine AS b", "FROM alpine", "COPY --link a /a", "COPY --link --from=b /x /x"))
          .pods()).hasSize(2);
      // --parents=false is the default
      assertThat(plan(df("FROM alpine", "COPY --parents=false a /a")).pods()).hasSize(1);
    }

    @Test
    void fromPlatformOnlyForTheTargetPlatform() {
      assertThat(plan(df("FROM --platform=$BUILDPLATFORM alpine AS b", "FROM --platform=${TARGETPLATFORM} alpine",
          "FROM --platform=linux/amd64 alpine", "COPY --from=b /x /x")).pods()).hasSize(2);
      DockerfileException e = error(df("FROM alpine", "FROM --platform=linux/arm64 alpine"));
      assertThat(e.line()).isEqualTo(2);
      assertThat(e.detail()).startsWith("FROM --platform=linux/arm64 (linux/arm64) is not supported: kaniko v1.28.3"
          + " ignores the flag and pulls the node's platform").contains("TARGETPLATFORM=linux/arm64");
      assertThat(Planner.plan(df("FROM --platform=linux/arm64 alpine"), Map.of("TARGETPLATFORM", "linux/arm64"), null)
          .pods()).hasSize(1);
      // an unset ARG leaves no platform (jellyfin-packaging: --platform=linux/${TARGET_ARCH}): said so
      DockerfileException unset = error(df("ARG TARGET_ARCH", "FROM --platform=linux/${TARGET_ARCH} alpine"));
      assertThat(unset.kind()).isEqualTo(DockerfileException.Kind.INVALID_DOCKERFILE);
      assertThat(unset.detail()).startsWith("FROM --platform=linux/${TARGET_ARCH} (linux/) names no platform")
          .contains("pass the ARGs it uses as build arguments").doesNotContain("nodes");
      // kaniko's BUILDPLATFORM is the node's, which the plan takes to be the given TARGETPLATFORM
      BuildPlan arm = Planner.plan(df("FROM --platform=$BUILDPLATFORM alpine AS b", "ARG BUILDARCH",
          "RUN echo $BUILDARCH", "FROM alpine", "COPY --from=b /x /x"), Map.of("TARGETPLATFORM", "linux/arm64"), null);
      assertThat(arm.pods()).hasSize(2);
      // a BUILDPLATFORM given other than the target: a cross build, which kaniko does not do
      assertThat(error(df("FROM --platform=$BUILDPLATFORM alpine"),
          Map.of("TARGETPLATFORM", "linux/arm64", "BUILDPLATFORM", "linux/amd64"), null).detail())
          .contains("is not supported");
    }

    @Test
    void fromPlatformIsComparedAsBuildKitNormalizesIt() {
      // apache/apisix-docker dashboard/Dockerfile.alpine: ARG BUILDPLATFORM=amd64, FROM --platform=$BUILDPLATFORM;
      // BuildKit's platforms.Parse reads amd64 as linux/amd64, the platform kaniko pulls here
      assertThat(plan(df("ARG BUILDPLATFORM=amd64", "FROM --platform=$BUILDPLATFORM alpine AS b", "RUN true",
          "FROM alpine", "COPY --from=b /x /x")).pods()).hasSize(2);
      for (String same : new String[] {"linux/x86_64", "Linux/AMD64", "linux/amd64/v1", "x86_64", "linux"}) {
        assertThat(plan(df("FROM --platform=" + same + " alpine")).pods()).as(same).hasSize(1);
      }
      for (String same : new String[] {"linux/arm64/v8", "linux/aarch64", "arm64"}) {
        assertThat(Planner.plan(df("FROM --platform=" + same + " alpine"), Map.of("TARGETPLATFORM", "linux/arm64"),
            null).pods()).as(same).hasSize(1);
      }
      assertThat(Planner.plan(df("FROM --platform=linux/arm alpine"), Map.of("TARGETPLATFORM", "linux/arm/v7"),
          null).pods()).hasSize(1);
      // another platform is still refused, and the build argument suggested is a platform
      DockerfileException e = error(df("ARG BUILDPLATFORM=arm64", "FROM --platform=$BUILDPLATFORM alpine"));
      assertThat(e.line()).isEqualTo(2);
      assertThat(e.detail()).contains("is not supported").contains("TARGETPLATFORM=linux/arm64")
          .doesNotContain("TARGETPLATFORM=arm64");
      assertThat(error(df("FROM --platform=linux/arm/v6 alpine"), Map.of("TARGETPLATFORM", "linux/arm/v7"), null)
          .detail()).contains("is not supported");
      assertThat(error(df("FROM --platform=windows/amd64 alpine")).detail()).contains("is not supported");
    }

    @Test
    void globalArgsAndFromImagesAreWrittenAsBuildKitReadsThemWhereKanikoWouldNot() {
      // kaniko substitutes a global ARG's value with the earlier global ARGs and --build-args only
      // (expandNestedArgs): gotify/server's ARG __TARGETPLATFORM_DASHES=${TARGETPLATFORM/\//-} is empty there
      BuildPlan p = plan(df("ARG ARCH=${TARGETARCH}", "ARG DASHES=${TARGETPLATFORM/\\//-}", "ARG V=1.0", "ARG V",
          "FROM alpine AS b", "ARG ARCH", "ARG DASHES", "ARG V", "RUN echo $ARCH $DASHES $V > /x",
          "FROM alpine", "COPY --from=b /x /x"));
      assertThat(p.pod("b").dockerfile()).contains("ARG ARCH=${TARGETARCH}\n")
          .contains("ARG ARCH=\"amd64\"\nARG DASHES=\"linux-amd64\"\nARG V=\"1.0\"\n");
      assertThat(p.pod("stage-1").dockerfile()).contains("ARG ARCH=\"amd64\"\n");
      // a given --build-arg wins in kaniko too: nothing to write
      assertThat(Planner.plan(df("ARG ARCH=${TARGETARCH}", "FROM alpine", "ARG ARCH"), Map.of("ARCH", "x"), null)
          .pods().get(0).dockerfile()).doesNotContain("ARG ARCH=\"");
      // kaniko resolves FROM without the predefined ARGs (akuity/kargo: FROM ${BASE_IMAGE}:latest-${TARGETARCH})
      BuildPlan kargo = plan(df("ARG BASE_IMAGE=kargo-base", "FROM ${BASE_IMAGE}:latest-${TARGETARCH} AS final",
          "RUN true"));
      assertThat(kargo.pods().get(0).dockerfile()).contains("FROM kargo-base:latest-amd64 AS final")
          .doesNotContain("ARG BASE_IMAGE=\"");
      // nor with an empty --build-arg, which BuildKit uses
      assertThat(Planner.plan(df("ARG TAG=3.19", "FROM alpine${TAG:+:}${TAG}"), Map.of("TAG", ""), null)
          .pods().get(0).dockerfile()).contains("FROM alpine AS stage-0");
      // what kaniko reads as BuildKit does stays as written
      assertThat(plan(df("ARG IMG=alpine", "ARG T=3", "FROM ${IMG}:${T}")).pods().get(0).dockerfile())
          .contains("FROM ${IMG}:${T} AS stage-0").doesNotContain("stagebuild: as BuildKit");
      // kaniko removes a global value's quotes before substituting it: written with backslashes, which
      // kaniko (quotes removed, then the word) and BuildKit (the word) both read as BuildKit's value
      BuildPlan lit = plan(df("ARG LIT='$HOME'", "FROM alpine AS a", "FROM alpine", "ARG LIT", "RUN echo $LIT"));
      assertThat(lit.pods().get(0).dockerfile()).contains("stagebuild: as BuildKit").contains("ARG LIT=\\$HOME\n");
      // a difference of inner quotes (ARG LDFLAGS="-X 'main.Version=1.0 beta'": kaniko reads no quotes)
      BuildPlan ldflags = plan(df("ARG LDFLAGS=\"-s -w -X 'main.Version=1.0 beta'\"", "FROM alpine", "ARG LDFLAGS",
          "RUN echo $LDFLAGS"));
      assertThat(ldflags.pods().get(0).dockerfile())
          .contains("ARG LDFLAGS=${stagebuild:+}-s\\ -w\\ -X\\ \\'main.Version=1.0\\ beta\\'${stagebuild:+}\n");
      // every blank kaniko's parser splits a line's words at is escaped (Go's unicode.IsSpace)
      assertThat(plan(df("ARG V=\"a'b'\u00A0Q\"", "FROM alpine", "ARG V", "RUN echo $V")).pods().get(0).dockerfile())
          .contains("ARG V=a\\'b\\'\\\u00A0Q\n");
      // not with the backtick directive (the line's words would split at the blanks): refused in the
      // stages that read it
      DockerfileException quoted = error(df("# escape=`", "ARG LIT='$HOME x'", "FROM alpine AS a", "FROM alpine",
          "ARG LIT", "RUN echo $LIT"));
      assertThat(quoted.line()).isEqualTo(2);
      assertThat(quoted.detail()).contains("reads its value as \" x\", BuildKit as \"$HOME x\"");
      assertThat(Planner.plan(df("# escape=`", "ARG LIT='$HOME x'", "FROM alpine AS a", "ARG LIT", "FROM alpine"),
          Map.of(), null).pods()).hasSize(1);
      // a value kaniko cannot read as a word once its quotes are gone fails every pod: refused by line
      DockerfileException apostrophe = error(df("ARG DESCRIPTION=\"Tom's app\"", "FROM alpine"));
      assertThat(apostrophe.line()).isEqualTo(1);
      assertThat(apostrophe.detail()).contains("reads it as a shell word, which fails here");
      // and stops on a value that ends with a quote it does not start with
      assertThat(error(df("ARG GOFLAGS=-ldflags=\"-s -w\"", "FROM alpine")).detail())
          .contains("quotes wrapping arg values must be matched");
    }

    @Test
    void onbuildTriggersThatCopyMountOrSetVariablesAreRefusedInTheStagesThatRunThem() {
      // BuildKit and kaniko run a stage's triggers in each stage built FROM it: the COPY --from
      // would need stage builder in the pod, the context copy the workspace
      DockerfileException fromStage = error(df("FROM alpine AS builder", "RUN echo > /a", "FROM alpine AS base",
          "ONBUILD COPY --from=builder /a /a", "FROM base", "RUN ls /a"));
      assertThat(fromStage.line()).isEqualTo(4);
      assertThat(fromStage.detail()).startsWith("ONBUILD COPY in stage \"base\", which stage \"stage-2\" is built"
          + " FROM, is not supported");
      assertThat(error(df("FROM alpine AS base", "ONBUILD COPY app.txt /app.txt", "FROM base")).line()).isEqualTo(2);
      assertThat(error(df("FROM alpine AS base", "ONBUILD RUN --network=none true", "FROM base")).line()).isEqualTo(2);
      assertThat(error(df("FROM alpine AS base", "ONBUILD ENV P=/x", "FROM base")).line()).isEqualTo(2);
      // a trigger that runs as written must be something kaniko builds as BuildKit does
      assertThat(error(df("FROM alpine AS base", "ONBUILD HEALTHCHECK --start-interval=5s CMD true", "FROM base"))
          .detail()).startsWith("ONBUILD HEALTHCHECK --start-interval is not supported");
      // a plain RUN runs in the pod as written; triggers of a stage nothing builds FROM only go into its image
      assertThat(plan(df("FROM alpine AS base", "ONBUILD RUN echo hi > /t", "FROM base")).pods()).hasSize(1);
      assertThat(plan(df("FROM alpine AS b", "FROM alpine", "ONBUILD COPY --from=b /a /a", "ONBUILD ADD . /src"))
          .pods()).hasSize(1);
    }

    @Test
    void healthcheckStartInterval() {
      assertThat(refused("HEALTHCHECK --interval=5s --start-interval=1s CMD true").detail())
          .startsWith("HEALTHCHECK --start-interval is not supported: kaniko v1.28.3 drops it");
      assertThat(plan(df("FROM alpine", "HEALTHCHECK --interval=5s --start-period=3s CMD true")).pods()).hasSize(1);
    }

    @Test
    void refusalsInAStageTheTargetDoesNotNeedDoNotStopThePlan() {
      assertThat(Planner.plan(df("FROM a AS x", "RUN --network=none y", "FROM c AS t"), null, "t").pods())
          .hasSize(1);
    }

    @Test
    void contextBindMountSourceIsUnderSrcAndClamped() {
      PodPlan pod = plan(df("FROM alpine", "ARG D=go", "RUN --mount=type=bind,target=/src make",
          "RUN --mount=type=bind,source=../../$D/,target=/g,rw --mount=type=cache,target=/c make",
          "RUN --mount=from=context,src=x,target=/x make")).pods().get(0);
      assertThat(lines(pod)).contains("RUN --mount=type=bind,target=/src,source=src/. make",
          "RUN --mount=type=bind,source=src/go/,target=/g,rw --mount=type=cache,target=/c make",
          "RUN --mount=source=src/x,target=/x make");
      assertThat(pod.usesContext()).isTrue();
      assertThat(error(df("FROM alpine", "RUN --mount=type=bind,\"source=a\",target=/a x")).detail())
          .contains("without quotes or escape characters");
    }

    @Test
    void tmpfsMountIsABindMountOfTheEmptyContextDirectory() {
      PodPlan pod = plan(df("FROM alpine", "WORKDIR /app", "ARG T=/var/log",
          "RUN --mount=type=tmpfs,target=/var/cache/apt,size=64m --mount=type=cache,target=/c apt-get update",
          "RUN --mount=target=node_modules,type=TMPFS --mount=type=tmpfs,dst=$T,ro,id=x make",
          "RUN --mount=type=tmpfs,target=/t,rw=false true")).pods().get(0);
      assertThat(lines(pod)).contains(
          "RUN --mount=type=bind,target=/var/cache/apt,source=mounts/.tmpfs,rw --mount=type=cache,target=/c apt-get update",
          // a relative target is under the working directory, as BuildKit mounts it
          "RUN --mount=type=bind,source=mounts/.tmpfs,rw,target=/app/node_modules"
              + " --mount=type=bind,dst=$T,ro,id=x,source=mounts/.tmpfs make",
          "RUN --mount=type=bind,target=/t,rw=false,source=mounts/.tmpfs true");
      // the directory is the stage pods' own, not the user's context
      assertThat(pod.usesContext()).isFalse();
      assertThat(error(df("FROM alpine", "RUN --mount=type=tmpfs,target=/t,size=64x x")).detail())
          .isEqualTo("RUN --mount: invalid value for size: 64x (BuildKit's parseMount, as kaniko runs the RUN)");
      assertThat(error(df("FROM alpine", "RUN --mount=size=1m,type=tmpfs,target=/t x")).detail())
          .contains("unexpected key 'size' for mount type 'bind'");
      assertThat(refused("RUN --mount=type=tmpfs,target=/dev/shm x").detail())
          .startsWith("RUN --mount=type=tmpfs,target=/dev/shm is not supported: /dev in a stage pod is not the image's");
      assertThat(error(df("FROM alpine", "WORKDIR /kaniko", "RUN --mount=type=tmpfs,target=x y")).detail())
          .startsWith("RUN --mount=type=tmpfs,target=/kaniko/x is not supported: /kaniko in a stage pod");
      assertThat(refused("RUN --mount=type=tmpfs,target=/etc x").detail())
          .startsWith("RUN --mount=type=tmpfs,target=/etc is not supported: /etc/resolv.conf in a stage pod");
      assertThat(error(df("FROM alpine", "RUN --mount=type=tmpfs,source=x,target=/t y")).detail())
          .contains("a tmpfs mount starts empty, BuildKit finds no x in it; remove source=");
      assertThat(plan(df("FROM alpine", "RUN --mount=type=tmpfs,source=/,target=/t y")).pods()).hasSize(1);
      assertThat(error(df("FROM alpine", "ARG S=1x", "RUN --mount=type=tmpfs,size=$S,target=/t y")).detail())
          .isEqualTo("RUN --mount: invalid value for size: 1x (BuildKit's parseMount, as kaniko runs the RUN)");
      // a value MountCheck leaves alone (a quote in it) is checked here
      assertThat(error(df("FROM alpine", "RUN --mount=type=tmpfs,size=\\\"1x\\\",target=/t y")).detail())
          .startsWith("RUN --mount: invalid value for size:");
      assertThat(error(df("FROM alpine", "RUN --mount=type=tmpfs,target=/t, y")).detail())
          .contains("invalid field '' must be a key=value pair");
      assertThat(refused("RUN --mount=type=tmpfs,from=b,target=/t x").detail())
          .contains("a tmpfs mount takes nothing from a stage or image; remove from=");
      assertThat(error(df("FROM alpine", "RUN --mount=\"type=tmpfs,target=/t\" x")).detail())
          .contains("without quotes or escape characters");
      // a trigger runs as written in the stage built FROM it: kaniko would skip the mount there
      assertThat(error(df("FROM alpine AS base", "ONBUILD RUN --mount=type=tmpfs,target=/t x", "FROM base",
          "RUN true")).detail()).startsWith("ONBUILD RUN in stage \"base\"").contains("write the instruction into");
    }

    @Test
    void aBindMountFromAnImageMountsAStageFromThatImage() {
      BuildPlan p = plan(df("FROM alpine AS a", "RUN true", "FROM python:3.12",
          "RUN --mount=type=bind,from=golang:1.21,source=/usr/local/go,target=/go go version",
          "RUN --mount=from=ghcr.io/astral-sh/uv:0.5,source=/uv,target=/bin/uv --mount=from=a,target=/a uv pip install x",
          "RUN --mount=from=golang:1.21,source=/usr/local/go/bin,target=/gobin ls /gobin"));
      assertThat(p.pods()).extracting(PodPlan::name)
          .containsExactlyInAnyOrder("a", "stage-1", "image-mount-1", "image-mount-2");
      assertThat(lines(p.pod("image-mount-1"))).containsExactly("FROM golang:1.21 AS image-mount-1");
      assertThat(p.pod("image-mount-1").exports()).containsExactly("/usr/local/go", "/usr/local/go/bin");
      assertThat(p.pod("image-mount-1").mounted()).isTrue();
      assertThat(p.pod("image-mount-2").exports()).containsExactly("/uv");
      assertThat(p.pod("stage-1").dependsOn()).containsExactly("a", "image-mount-1", "image-mount-2");
      assertThat(lines(p.pod("stage-1"))).contains(
          "RUN --mount=type=bind,source=mounts/image-mount-1/usr/local/go,target=/go go version",
          "RUN --mount=source=mounts/image-mount-2/uv,target=/bin/uv --mount=target=/a,source=mounts/a uv pip install x");
      // listed on the line of the RUN that first mounts it; not a stage a build can target or number
      assertThat(p.stages()).filteredOn(s -> s.name().equals("image-mount-1")).singleElement()
          .satisfies(s -> assertThat(s.line()).isEqualTo(4));
      assertThat(error(df("FROM alpine", "RUN --mount=from=golang,target=/g x"), Map.of(), "image-mount-1").detail())
          .startsWith("target stage \"image-mount-1\" not found; the Dockerfile's stages are: stage-0");
      assertThat(error(df("FROM alpine", "RUN --mount=from=golang,target=/g x", "COPY --from=1 /a /a")).detail())
          .contains("there is no stage 1 (stages are numbered from 0 to 0)");
      // an image named like the stage a mount adds is that image (no FROM builds on the added stage)
      BuildPlan named = plan(df("FROM alpine", "RUN --mount=from=golang,target=/g x",
          "RUN --mount=from=image-mount-1,target=/i y"));
      assertThat(named.pods()).extracting(PodPlan::name)
          .containsExactlyInAnyOrder("stage-0", "image-mount-1-2", "image-mount-2");
      assertThat(lines(named.pod("image-mount-2"))).containsExactly("FROM image-mount-1 AS image-mount-2");
      assertThat(named.stages()).filteredOn(s -> s.name().equals("image-mount-2")).singleElement()
          .satisfies(s -> assertThat(s.parent()).isNull());
      // a stage of that name is the stage, also when defined later
      assertThat(Planner.plan(df("FROM alpine", "RUN --mount=from=Golang,target=/g x", "FROM alpine AS golang"),
          Map.of(), "stage-0").pods()).extracting(PodPlan::name).containsExactlyInAnyOrder("stage-0", "golang");
    }

    @Test
    void nestedMountsAreWrittenInBuildKitsOrderAndTwoAtOneTargetAreRefused() {
      // BuildKit mounts by target, outer first; kaniko in the order written
      PodPlan pod = plan(df("FROM alpine", "WORKDIR /app",
          "RUN --mount=type=tmpfs,target=/app/cache --mount=type=cache,target=/c --mount=type=bind,target=. make",
          "RUN --mount=type=cache,target=/c --mount=type=bind,target=/b x")).pods().get(0);
      assertThat(lines(pod)).contains(
          "RUN --mount=type=bind,source=src/.,target=/app --mount=type=bind,target=/app/cache,source=mounts/.tmpfs,rw"
              + " --mount=type=cache,target=/c make",
          // apart from each other: as written
          "RUN --mount=type=cache,target=/c --mount=type=bind,target=/b,source=src/. x");
      assertThat(refused("RUN --mount=type=tmpfs,target=/t --mount=type=cache,target=/t/ x").detail())
          .startsWith("RUN has two mounts at /t: kaniko v1.28.3 sets the first aside");
    }

    @Test
    void bindMountFromAStageBecomesAContextMountOfItsExports() {
      BuildPlan p = plan(df("FROM golang AS gen", "RUN make", "FROM alpine AS tools", "FROM alpine AS app",
          "ARG D=/out", "RUN --mount=type=bind,from=gen,source=$D/../out/bin,target=/in,rw cp /in/x /x",
          "RUN --mount=from=tools,target=/all ls /all", "FROM app",
          "RUN --mount=type=bind,from=GEN,target=/g,readonly --mount=type=cache,target=/c true"));
      assertThat(lines(p.pod("stage-3"))).contains(
          "RUN --mount=type=bind,source=mounts/gen/out/bin,target=/in,rw cp /in/x /x",
          "RUN --mount=target=/all,source=mounts/tools ls /all",
          "RUN --mount=type=bind,target=/g,readonly,source=mounts/gen --mount=type=cache,target=/c true");
      assertThat(p.pod("gen").exports()).containsExactly("/", "/out/bin");
      assertThat(p.pod("gen").mounted()).isTrue();
      assertThat(p.pod("tools").exports()).containsExactly("/");
      assertThat(p.pod("tools").mounted()).isTrue();
      assertThat(p.pod("stage-3").mounted()).isFalse();
      assertThat(p.pod("stage-3").dependsOn()).containsExactly("gen", "tools");
      // BuildKit takes a mount's stage by name only: from=1 would be an image called 1
      for (String index : List.of("1", "+1", "-0")) {
        assertThat(error(df("FROM alpine AS a", "FROM alpine AS b", "RUN --mount=from=" + index + ",target=/m ls /m"))
            .detail()).isEqualTo("RUN --mount from=" + index + ": a mount takes a stage by its name, not its index"
                + " (BuildKit would pull an image called " + index + "); name the stage (FROM ... AS <name>) and"
                + " write from=<name>");
      }
      // ... in a stage the build does not need, as BuildKit never pulls it
      assertThat(plan(df("FROM alpine AS a", "RUN --mount=from=0,target=/m ls", "FROM alpine AS b", "RUN true"))
          .pods()).extracting(PodPlan::name).containsExactly("b");
      // no stand-in: the mounts read context directories
      assertThat(p.pod("stage-3").dockerfile()).doesNotContain("FROM scratch");
      // what kaniko gets is a bind mount from the context, which it supports
      for (PodPlan pod : p.pods()) {
        assertThat(pod.dockerfile()).doesNotContain("from=gen").doesNotContain("from=GEN");
      }
      assertThat(refused("RUN --mount=type=bind,from=b,source=/proc/self,target=/p true").detail())
          .contains("/proc in a running stage pod is not the image's");
    }

    @Test
    void aRequiredSecretMountNeedsAMappedSecret() {
      String d = df("FROM alpine", "RUN true", "RUN --mount=type=secret,id=npm-token,env=T,required make",
          "RUN --mount=type=secret,target=/run/secrets/gh,required=true make",
          "RUN --mount=type=secret,id=opt,required=false make", "RUN --mount=type=secret,id=unsaid make");
      DockerfileException e = withSecrets(d, Set.of("gh"));
      assertThat(e.kind()).isEqualTo(DockerfileException.Kind.INVALID_SPEC);
      assertThat(e.line()).isEqualTo(3);
      assertThat(e.detail()).startsWith("RUN --mount=type=secret with id npm-token is required, and spec.secrets has"
          + " no secret with id npm-token").contains("drop required");
      // the id of a mount without id= is the target's file name, as in BuildKit and kaniko
      assertThat(withSecrets(d, Set.of("npm-token")).detail()).contains("with id gh");
      // without required (it defaults to false in BuildKit and kaniko) an unmapped id is skipped
      assertThat(Planner.plan(d, Map.of(), null, Set.of("npm-token", "gh")).pods()).hasSize(1);
      assertThat(Planner.plan(d, Map.of(), null, Set.of("npm-token", "gh")).pod("stage-0").dockerfile())
          .contains("RUN --mount=type=secret,id=unsaid make");
      // required= is read as Go's strconv.ParseBool reads it, as BuildKit does
      assertThat(withSecrets(df("FROM alpine", "RUN --mount=type=secret,id=x,required=1 make"), Set.of()).detail())
          .contains("with id x is required");
      assertThat(Planner.plan(df("FROM alpine", "RUN --mount=type=secret,id=x,required=F make"), Map.of(), null,
          Set.of()).pods()).hasSize(1);
      DockerfileException unreadable = withSecrets(df("FROM alpine", "RUN --mount=type=secret,id=x,required=yes make"),
          Set.of("x"));
      assertThat(unreadable.kind()).isEqualTo(DockerfileException.Kind.INVALID_DOCKERFILE);
      assertThat(unreadable.detail()).contains("invalid value for required: \"yes\"");
      assertThat(withSecrets(df("FROM alpine", "RUN --mount=type=secret,id=x,required= make"), Set.of("x")).detail())
          .contains("invalid value for required: \"\"");
      DockerfileException variable = withSecrets(df("FROM alpine", "ARG R=true",
          "RUN --mount=type=secret,id=x,required=$R make"), Set.of("x"));
      assertThat(variable.kind()).isEqualTo(DockerfileException.Kind.UNSUPPORTED);
      assertThat(variable.detail()).contains("write true or false");
      // a Dockerfile planned on its own is not checked
      assertThat(plan(d).pods()).hasSize(1);
      assertThat(withSecrets(df("FROM alpine", "ARG ID=x", "RUN --mount=type=secret,id=$ID make"), Set.of("x")).detail())
          .contains("needs its id written out");
      assertThat(SecretMounts.ids(d)).containsExactly("gh", "npm-token", "opt", "unsaid");
    }

    DockerfileException withSecrets(String d, Set<String> secrets) {
      try {
        Planner.plan(d, Map.of(), null, secrets);
      } catch (DockerfileException e) {
        return e;
      }
      throw new AssertionError("expected a DockerfileException");
    }

    @Test
    void forwardReferencesAreAccepted() {
      BuildPlan p = plan(df("FROM alpine AS one", "COPY --from=two /x /x", "FROM alpine AS two",
          "RUN touch /x", "FROM one"));
      assertThat(p.waves()).containsExactly(List.of("two"), List.of("stage-2"));
      // the stand-in for two comes before the stage that copies from it: kaniko builds in order
      assertThat(lines(p.pod("stage-2"))).containsSubsequence("FROM scratch AS two", "ADD from/two.tar /",
          "FROM alpine AS one", "COPY --from=two /x /x", "FROM one AS stage-2");
      assertThat(p.pod("two").exports()).containsExactly("/x");
      assertThat(p.stages().get(0).dependsOn()).containsExactly("two");
    }

    @Test
    void forwardReferenceCyclesAreRefused() {
      DockerfileException e = error(df("FROM alpine AS one", "COPY --from=two /x /x", "FROM alpine AS two",
          "COPY --from=one /y /y", "FROM scratch", "COPY --from=two /x /x"));
      assertThat(e.line()).isEqualTo(2);
      assertThat(e.detail()).startsWith("circular dependency detected on stage \"two\"");
      // through FROM: three is FROM one, one copies from three
      assertThat(error(df("FROM alpine AS one", "COPY --from=three /x /x", "FROM one AS three")).detail())
          .contains("circular dependency");
    }

    @Test
    void forwardStandInThatAFromWouldMeanIsRefused() {
      // `FROM two` on line 1 is the image "two"; in the pod a stand-in named two would come first
      DockerfileException e = error(df("FROM two AS one", "COPY --from=two /x /x", "FROM alpine AS two",
          "FROM scratch", "COPY --from=one /x /x"));
      assertThat(e.line()).isEqualTo(1);
      assertThat(e.detail()).contains("rename the stage or the image");
    }

    @Test
    void liveOnlyPathsAreNotExported() {
      for (String path : List.of("/proc/cpuinfo", "/sys", "/dev/null", "/etc/resolv.conf", "/etc/hostname",
          "/etc/hosts", "/kaniko/executor", "/busybox/sh", "/etc/../etc/hosts")) {
        DockerfileException e = refused("COPY --from=b " + path + " /x");
        assertThat(e.detail()).as(path).startsWith("COPY --from=b " + path + " is not supported: ")
            .contains("is not the image's");
      }
      // the root itself is exported (the stage script leaves those paths out)
      assertThat(plan(df("FROM alpine AS a", "FROM scratch", "COPY --from=a / /")).pod("a").exports())
          .containsExactly("/");
    }
  }

  /** Untrusted input: large Dockerfiles plan in linear time, never overflow the stack. */
  /**
   * COPY --from=<stage> --exclude: the producer's pod exports the COPY's sources once more without
   * what the patterns exclude, and the COPY copies from a stand-in of that export without the flags
   * kaniko would ignore (ExcludePatterns, ExcludedExport). Everything else with --exclude is refused.
   */
  @Nested
  class Exclude {
    DockerfileException refused(String instruction) {
      return refusedOnLine4(instruction);
    }

    /** Kaniko can build every pod as written: no --exclude is left, nothing it would ignore; a replan keeps it. */
    void assertKanikoBuildsEveryPod(BuildPlan p) {
      for (PodPlan pod : p.pods()) {
        assertThat(pod.dockerfile()).as(pod.name()).doesNotContain("--exclude");
        var parsed = dev.stagebuild.dockerfile.DockerfileParser.parse(pod.dockerfile());
        Set<String> stages = new java.util.HashSet<>();
        parsed.instructions().stream().filter(i -> i.is("FROM") && i.args().size() == 3)
            .forEach(i -> stages.add(i.args().get(2).toLowerCase(java.util.Locale.ROOT)));
        for (var i : parsed.instructions()) {
          assertThat(KanikoCapabilities.refusal(i, false, stages)).as(pod.name() + ": " + i).isEmpty();
        }
      }
      ReplanCheck.assertStable(p, Map.of());
    }

    @Test
    void aLongPatternIsAbbreviatedInTheRefusal() {
      String pattern = "a".repeat(1000) + "?";
      DockerfileException e = error(df("FROM alpine AS b", "RUN true", "FROM alpine",
          "COPY --from=b --exclude=" + pattern + " /x /y"));
      assertThat(e.detail()).startsWith("COPY --exclude=" + "a".repeat(77) + "... is not supported")
          .doesNotContain("a".repeat(78));
    }

    @Test
    void copyFromAStageOfAnotherPodCopiesFromAStandInOfAnExportWithoutTheExcludedFiles() {
      BuildPlan p = plan(df("FROM alpine AS build", "RUN make", "FROM alpine",
          "COPY --from=build --exclude=*.md --exclude=!keep.md /app/ /dst/", "COPY --from=build /app /all"));
      PodPlan build = p.pod("build");
      // the COPY without --exclude still gets the whole tree, from the pod's plain export
      assertThat(build.exports()).containsExactly("/app");
      assertThat(build.excluded()).hasSize(1);
      ExcludedExport e = build.excluded().get(0);
      assertThat(e.key()).matches("[0-9a-f]{12}");
      assertThat(e.line()).isEqualTo(4);
      assertThat(e.paths()).containsExactly("/app");
      assertThat(e.patterns()).containsExactly("*.md", "!keep.md");
      assertThat(e.matcherLines()).containsExactly("- *.md", "+ keep.md");
      String standIn = "build.exclude-" + e.key();
      assertThat(lines(p.pod("stage-1"))).containsSubsequence(
          "# stagebuild: the files of stage build, exported by its own pod", "FROM scratch AS build",
          "ADD from/build.tar /", "",
          "# stagebuild: the files of stage build for the COPY of line 4, less what it excludes, exported by its own pod",
          "FROM scratch AS " + standIn, "ADD from/" + standIn + ".tar /", "",
          "FROM alpine AS stage-1", "COPY --from=" + standIn + " /app/ /dst/", "COPY --from=build /app /all");
      assertThat(p.pod("stage-1").dependsOn()).containsExactly("build");
      assertThat(p.stages().get(1).dependsOn()).containsExactly("build");
      assertKanikoBuildsEveryPod(p);
    }

    @Test
    void copyFromTheContextCopiesFromADirectoryThePodMakesWithoutTheExcludedFiles() {
      BuildPlan p = plan(df("FROM alpine AS base", "WORKDIR /w",
          "COPY --link --exclude=frankenphp/ --exclude= . ./", "RUN make",
          "FROM base AS one", "RUN one", "FROM base AS two", "RUN two",
          "FROM alpine", "ARG D=docs", "COPY --from=one /w /1", "COPY --from=two /w /2",
          "COPY --exclude=*.md --exclude=!keep.md ../$D/ y* /z/",
          "COPY --exclude=x [\"my dir\", \"/d/\"]"));
      PodPlan one = p.pod("one");
      assertThat(one.contextExcluded()).hasSize(1);
      ExcludedExport root = one.contextExcluded().get(0);
      assertThat(root.key()).matches("[0-9a-f]{12}");
      assertThat(root.line()).isEqualTo(3);
      assertThat(root.paths()).containsExactly("/");
      // BuildKit skips an empty pattern
      assertThat(root.patterns()).containsExactly("frankenphp/");
      assertThat(root.matcherLines()).containsExactly("- frankenphp");
      assertThat(lines(one)).contains("COPY --link exclude/" + root.key() + "/. ./");
      // the stage is built in both pods that build FROM it: each makes the copy (the first one stays)
      assertThat(p.pod("two").contextExcluded()).containsExactly(root);
      assertThat(one.usesContext()).isTrue();

      PodPlan last = p.pod("stage-3");
      assertThat(last.contextExcluded()).hasSize(2);
      ExcludedExport docs = last.contextExcluded().stream().filter(e -> e.line() == 13).findFirst().orElseThrow();
      // variables substituted, `..` clamped at the context root as BuildKit reads the source
      assertThat(docs.paths()).containsExactly("/docs", "/y*");
      assertThat(docs.patterns()).containsExactly("*.md", "!keep.md");
      ExcludedExport spaced = last.contextExcluded().stream().filter(e -> e.line() == 14).findFirst().orElseThrow();
      assertThat(spaced.paths()).containsExactly("/my dir");
      assertThat(lines(last)).contains("COPY exclude/" + docs.key() + "/docs exclude/" + docs.key() + "/y* /z/",
          "COPY [\"exclude/" + spaced.key() + "/my dir\", \"/d/\"]");
      assertThat(last.contextExcluded()).doesNotContain(root);
      assertKanikoBuildsEveryPod(p);

      // the same sources and patterns are one copy; other patterns another
      BuildPlan twice = plan(df("FROM alpine", "COPY --exclude=x a /a", "COPY --exclude=x a /b",
          "COPY --exclude=y a /c"));
      assertThat(twice.pod("stage-0").contextExcluded()).hasSize(2);
    }

    @Test
    void copyFromTheContextWithExcludeRefusesWhatThePodCannotCopy() {
      DockerfileException unset = error(df("FROM alpine AS b", "FROM alpine", "RUN true", "COPY --exclude=x $NOPE /d"));
      assertThat(unset.line()).isEqualTo(4);
      assertThat(unset.detail()).contains("NOPE");
      assertThat(refused("COPY --exclude=x a[!b] /d").detail()).contains("write [^...] for that");
      // kaniko would take the node's platform; the pod copies with the plan's: refused unless given
      String arch = df("FROM alpine AS b", "FROM alpine", "ARG TARGETARCH", "COPY --exclude=*.map dist/${TARGETARCH}/ /app/");
      DockerfileException platform = error(arch);
      assertThat(platform.line()).isEqualTo(4);
      assertThat(platform.detail()).contains("TARGETARCH=amd64").contains("give TARGETARCH in spec.buildArgs");
      BuildPlan given = Planner.plan(arch, Map.of("TARGETARCH", "arm64"), null);
      assertThat(given.pod("stage-1").contextExcluded().get(0).paths()).containsExactly("/dist/arm64");
      // also through another variable
      String through = df("ARG DIR=dist/${TARGETARCH}", "FROM alpine AS b", "FROM alpine", "ARG DIR",
          "COPY --exclude=*.map $DIR /app/");
      assertThat(error(through).detail()).contains("give TARGETARCH in spec.buildArgs");
      assertThat(Planner.plan(through, Map.of("TARGETARCH", "arm64"), null).pod("stage-1").contextExcluded().get(0)
          .paths()).containsExactly("/dist/arm64");
      // a variable whose value does not come from the platform is fine
      assertThat(plan(df("FROM alpine", "ARG DIR=dist/x86", "COPY --exclude=*.map $DIR /app/")).pods()).hasSize(1);
      // a source with white space needs the JSON form, which cannot hold a here-document
      DockerfileException heredoc = error(df("FROM alpine AS b", "FROM alpine", "ARG D=\"my dir\"",
          "COPY --exclude=x <<EOF $D /d/", "hello", "EOF"));
      assertThat(heredoc.line()).isEqualTo(4);
      assertThat(heredoc.detail()).contains("copy the here-document with a COPY of its own");
      // each COPY with other patterns is another copy of the tree on the workspace: bounded per pod
      List<String> many = new java.util.ArrayList<>(List.of("FROM alpine"));
      for (int k = 0; k <= Budgets.MAX_EXCLUDE_EXPORTS_PER_POD; k++) {
        many.add("COPY --exclude=x" + k + " . /a");
      }
      BuildPlan tooMany = plan(df(many.toArray(String[]::new)));
      assertThatThrownBy(() -> BuildCheck.check(tooMany)).isInstanceOf(DockerfileException.class)
          .hasMessageContaining("65 copies for COPY --exclude")
          .extracting(e -> ((DockerfileException) e).kind()).isEqualTo(DockerfileException.Kind.TOO_LARGE);
      BuildCheck.check(plan(df(many.subList(0, many.size() - 1).toArray(String[]::new))));
      // only here-documents: nothing of the context to exclude from, the flag goes
      BuildPlan p = plan(df("FROM alpine", "COPY --exclude=x <<EOF /d", "text", "EOF"));
      assertThat(p.pod("stage-0").contextExcluded()).isEmpty();
      assertThat(p.pod("stage-0").dockerfile()).doesNotContain("--exclude").contains("COPY <<EOF /d");
      assertKanikoBuildsEveryPod(p);
    }

    @Test
    void theExportKeyHoldsTheSourcesAndThePatterns() {
      BuildPlan p = plan(df("FROM alpine AS build", "FROM alpine AS a",
          "COPY --from=build --exclude=*.md /app /a1",
          "COPY --from=build --exclude=*.txt /app /a2",
          "COPY --from=build --exclude=*.md /lib /a3",
          "COPY --from=build --exclude=./*.md /app/ /a4",
          "FROM a", "COPY --from=build --exclude=*.md /app /a5"));
      List<ExcludedExport> excluded = p.pod("build").excluded();
      // same sources and patterns (as BuildKit reads them): one export; any difference: another
      assertThat(excluded).extracting(ExcludedExport::paths).containsExactlyInAnyOrder(
          List.of("/app"), List.of("/app"), List.of("/lib"));
      assertThat(excluded).extracting(ExcludedExport::key).doesNotHaveDuplicates();
      assertThat(p.pod("build").exports()).isEmpty();
      PodPlan last = p.pod("stage-2");
      assertThat(last.stages()).containsExactly("a", "stage-2");
      // each stand-in once, before the first stage that copies from it
      assertThat(lines(last).stream().filter(l -> l.startsWith("FROM scratch AS build.exclude-"))).hasSize(3);
      String md = excluded.stream().filter(e -> e.paths().equals(List.of("/app")) && e.patterns().equals(List.of("*.md")))
          .findFirst().orElseThrow().key();
      assertThat(lines(last)).contains("COPY --from=build.exclude-" + md + " /app /a1",
          "COPY --from=build.exclude-" + md + " /app/ /a4", "COPY --from=build.exclude-" + md + " /app /a5");
      assertKanikoBuildsEveryPod(p);
    }

    @Test
    void wildcardsSeveralSourcesAndClampedSourcesAreOneExport() {
      BuildPlan p = plan(df("FROM alpine AS b", "FROM alpine",
          "COPY --from=b --exclude=**/*.map --exclude=tests --chown=1:1 /srv/*/dist /opt/../lib/ /dst/",
          "COPY --from=b --exclude='**/.git' \\", "     --exclude='**/Dockerfile' /src /src"));
      List<ExcludedExport> excluded = p.pod("b").excluded();
      assertThat(excluded).extracting(ExcludedExport::paths).containsExactlyInAnyOrder(
          List.of("/srv/*/dist", "/lib"), List.of("/src"));
      ExcludedExport first = excluded.stream().filter(e -> e.line() == 3).findFirst().orElseThrow();
      assertThat(first.matcherLines()).containsExactly("- **n/*.map", "- tests");
      ExcludedExport second = excluded.stream().filter(e -> e.line() == 4).findFirst().orElseThrow();
      assertThat(second.patterns()).containsExactly("**/.git", "**/Dockerfile");
      assertThat(second.matcherLines()).containsExactly("- **a/.git", "- **a/Dockerfile");
      assertThat(lines(p.pod("stage-1"))).contains(
          "COPY --from=b.exclude-" + first.key() + " --chown=1:1 /srv/*/dist /lib/ /dst/");
      var copies = dev.stagebuild.dockerfile.DockerfileParser.parse(p.pod("stage-1").dockerfile()).instructions()
          .stream().filter(i -> i.is("COPY")).toList();
      assertThat(copies.get(1).flags()).extracting(dev.stagebuild.dockerfile.Flag::name).containsExactly("from");
      assertThat(copies.get(1).args()).containsExactly("/src", "/src");
      assertKanikoBuildsEveryPod(p);
    }

    @Test
    void emptyPatternsExcludeNothing() {
      // BuildKit skips a pattern that is empty once trimmed: a plain COPY --from, without the flag
      BuildPlan p = plan(df("FROM alpine AS b", "FROM alpine", "COPY --from=b --exclude= /x /y"));
      assertThat(lines(p.pod("stage-1"))).contains("COPY --from=b /x /y");
      assertThat(p.pod("b").exports()).containsExactly("/x");
      assertThat(p.pod("b").excluded()).isEmpty();
      assertKanikoBuildsEveryPod(p);
    }

    @Test
    void patternsAreReadAsBuildKitReadsThem() {
      Map<String, String> lines = new java.util.LinkedHashMap<>();
      lines.put("*.md", "- *.md");
      lines.put("!keep.md", "+ keep.md");
      lines.put(" docs/ ", "- docs");
      lines.put("./a/../b/.", "- b");
      // filepath.Clean comes before the ! is read: "!x" is cleaned away, the rest excludes
      lines.put("!x/../y", "- y");
      lines.put("**", "- **a");
      lines.put("**/node_modules", "- **a/node_modules");
      lines.put("**/*.map", "- **n/*.map");
      lines.put("a/**", "- a/**P");
      lines.put("a*/**", "- a*/**N");
      lines.put("a/**/b", "- a/**n/b");
      lines.put("**/x/**", "- **n/x/**N");
      lines.put("!**/x/**", "+ **n/x/**N");
      lines.put("a.b$(c)|{d}+", "- a.b$(c)|{d}+");
      lines.forEach((pattern, line) ->
          assertThat(ExcludePatterns.parse(pattern).line()).as(pattern).isEqualTo(line));
      assertThat(ExcludePatterns.parse("")).isNull();
      assertThat(ExcludePatterns.parse(" \t\u00A0")).isNull();
      for (String pattern : List.of("?.md", "[ab].md", "a]", "a\\b", "^x", "/abs", "!./x", "..", ".", "../x",
          "a**", "**b/c", "**/a/**/b/**", "!", "a\nb")) {
        assertThat(ExcludePatterns.parse(pattern).refusal()).as(pattern).isNotNull();
      }
    }

    @Test
    void whatCannotBeExactIsRefusedByLine() {
      assertThat(refused("COPY --from=b --exclude=?.md /a /b").detail())
          .startsWith("COPY --exclude=?.md is not supported: StageBuild matches only names, * and **");
      assertThat(refused("COPY --from=b --exclude=/abs /a /b").detail()).contains("without the leading /");
      assertThat(refused("COPY --from=b --exclude=a**b /a /b").detail()).contains("whole path component");
      assertThat(refused("COPY --from=b --exclude=! /a /b").detail()).contains("illegal exclusion pattern");
      // the same patterns from the context; ADD (which may unpack or download), or an image
      assertThat(refused("COPY --exclude=?.md . /app").detail())
          .startsWith("COPY --exclude=?.md is not supported: StageBuild matches only names, * and **");
      assertThat(refused("ADD --exclude=x . /app").detail()).startsWith("ADD --exclude=x is not supported")
          .contains("COPY the files with --exclude");
      assertThat(refused("COPY --from=golang:1.22 --exclude=*.md /go /go").detail())
          .startsWith("COPY --exclude=*.md is not supported").contains("add a stage FROM golang:1.22 AS <name>");
      DockerfileException image = error(df("ARG IMG=golang", "FROM alpine AS b", "FROM alpine", "ARG IMG",
          "COPY --from=$IMG --exclude=x /a /b"));
      assertThat(image.line()).isEqualTo(5);
      assertThat(image.detail()).contains("from the image golang").contains("add a stage FROM golang");
      // an ancestor is built in the consumer's own pod: nothing is exported, kaniko would ignore it
      DockerfileException ancestor = error(df("FROM alpine AS base", "RUN x", "FROM base",
          "COPY --from=base --exclude=*.md /a /b"));
      assertThat(ancestor.kind()).isEqualTo(DockerfileException.Kind.UNSUPPORTED);
      assertThat(ancestor.line()).isEqualTo(4);
      assertThat(ancestor.detail()).contains("built FROM by this stage").contains("FROM base AS base-files");
      // budgets
      String many = "COPY --from=b " + "--exclude=x ".repeat(Budgets.MAX_EXCLUDE_PATTERNS + 1) + "/a /b";
      assertThat(error(df("FROM alpine AS b", "FROM alpine", many)).kind()).isEqualTo(DockerfileException.Kind.TOO_LARGE);
      String longOne = "COPY --from=b --exclude=" + "x".repeat(Budgets.MAX_EXCLUDE_PATTERN_CHARS + 1) + " /a /b";
      assertThat(error(df("FROM alpine AS b", "FROM alpine", longOne)).kind())
          .isEqualTo(DockerfileException.Kind.TOO_LARGE);
      // a cycle through a COPY --exclude names its line
      DockerfileException cycle = error(df("FROM alpine AS a", "COPY --from=b --exclude=x /b /b",
          "FROM alpine AS b", "COPY --from=a /a /a"));
      assertThat(cycle.line()).isEqualTo(2);
      assertThat(cycle.detail()).startsWith("circular dependency detected on stage \"b\"");
    }
  }

  /** COPY --parents: kaniko ignores the flag, so the matches are exported with their parents (ParentsCopy). */
  @Nested
  class Parents {
    DockerfileException refused(String instruction) {
      return refusedOnLine4(instruction);
    }

    @Test
    void withWildcardsFromAStageOneCopyCopiesThePivotOfTheExportedMatches() {
      // netdata's form with a wildcard among the sources: the whole COPY is one export
      BuildPlan p = plan(df("FROM alpine AS builder", "RUN make install DESTDIR=/app", "FROM alpine",
          "ARG UID=201", "COPY --from=builder --chown=${UID}:0 --parents \\",
          "    /app/./usr/sbin/ \\", "    /app/./etc/netdata /app/./var/*/netdata \\", "    /"));
      ExcludedExport export = p.pod("builder").excluded().get(0);
      assertThat(export.paths()).containsExactly("/app/usr/sbin", "/app/etc/netdata", "/app/var/*/netdata");
      assertThat(export.patterns()).isEmpty();
      assertThat(export.pivots()).containsExactly("/app");
      assertThat(export.line()).isEqualTo(5);
      PodPlan last = p.pod("stage-1");
      assertThat(last.dependsOn()).containsExactly("builder");
      assertThat(last.dockerfile()).contains("COPY --from=builder.exclude-" + export.key() + " --chown=${UID}:0 \\\n    /app \\\n    /\n")
          .doesNotContain("--parents").doesNotContain("/./");
      new Exclude().assertKanikoBuildsEveryPod(p);
    }

    @Test
    void withoutWildcardsEachSourceIsACopyOfItsOwnToItsPathBelowTheDestination() {
      // netdata's second COPY: BuildKit gives the --chown owner to what it copies and leaves /usr and
      // /var as they are, which one COPY of /app would not (kaniko chowns every directory it copies)
      BuildPlan p = plan(df("FROM alpine AS builder", "RUN make install DESTDIR=/app", "FROM alpine",
          "ARG UID=201", "COPY --from=builder --chown=${UID}:0 --parents \\",
          "    /app/./usr/lib/netdata \\", "    /app/./var/cache/netdata/ \\", "    /",
          "COPY --from=builder --parents /usr/lib/x.so ../opt/../y/ /w/./a/../../b /w/./ $OUT",
          "COPY --from=builder --parents [\"/app/./my dir/a\", \"/d\"]"));
      PodPlan builder = p.pod("builder");
      assertThat(builder.excluded()).isEmpty();
      assertThat(builder.exports()).contains("/app/usr/lib/netdata", "/app/var/cache/netdata", "/usr/lib/x.so", "/y",
          "/w/b", "/w", "/app/my dir/a");
      assertThat(lines(p.pod("stage-1"))).containsSubsequence(
          "COPY --from=builder --chown=${UID}:0 /app/usr/lib/netdata /usr/lib/netdata",
          "COPY --from=builder --chown=${UID}:0 /app/var/cache/netdata /var/cache/netdata",
          // without a pivot the whole path is kept; a .. after the pivot stops at the pivot, as BuildKit
          // normalizes the pattern; the pivot itself is its contents
          "COPY --from=builder /usr/lib/x.so $OUT/usr/lib/x.so",
          "COPY --from=builder /y $OUT/y",
          "COPY --from=builder /w/b $OUT/b",
          "COPY --from=builder /w $OUT",
          "COPY --from=builder [\"/app/my dir/a\", \"/d/my dir/a\"]");
      new Exclude().assertKanikoBuildsEveryPod(p);

      BuildPlan context = plan(df("FROM alpine", "WORKDIR /go", "ARG D=\"my dir\"",
          "COPY --parents --chmod=644 go.mod cmd/./x/main.go $D/./a ./",
          "COPY --parents . /all/"));
      assertThat(context.pod("stage-0").contextExcluded()).isEmpty();
      // kaniko expands the JSON form's strings too: a planned path is written escaped in both forms
      assertThat(lines(plan(df("FROM alpine", "COPY --parents [\"web/./a\\\\$x b\", \"web/./c*\", \"$D/\"]",
          "COPY --parents [\"web/./a\\\\$x b\", \"$D/\"]")).pod("stage-0")))
          .anyMatch(l -> l.matches("COPY \\[\"exclude/[0-9a-f]{12}/web\", \"\\$D/\"\\]"))
          .contains("COPY [\"src/web/a\\\\$x b\", \"$D/a\\\\$x b\"]");
      assertThat(lines(context.pod("stage-0"))).containsSubsequence(
          "COPY --chmod=644 src/go.mod ./go.mod",
          "COPY --chmod=644 src/cmd/x/main.go ./x/main.go",
          "COPY --chmod=644 [\"src/my dir/a\", \"./a\"]",
          "COPY src/. /all/");
      new Exclude().assertKanikoBuildsEveryPod(context);

      // a COPY each is a layer each: bounded
      java.util.function.IntFunction<String> many = k -> java.util.stream.IntStream.range(0, k)
          .mapToObj(n -> "d" + n + "/f").collect(java.util.stream.Collectors.joining(" "));
      assertThat(plan(df("FROM alpine", "COPY --parents " + many.apply(Budgets.MAX_PARENTS_COPIES) + " /all/"))
          .pod("stage-0").dockerfile().lines().filter(l -> l.startsWith("COPY src/d"))).hasSize(Budgets.MAX_PARENTS_COPIES);
      assertThat(error(df("FROM alpine", "COPY --parents " + many.apply(Budgets.MAX_PARENTS_COPIES + 1) + " /all/")).detail())
          .contains("names 65 paths").contains("over the limit of 64");
    }

    @Test
    void withWildcardsFromAStageTheMatchesAreExportedWithTheirParentsAndTheCopyCopiesThePivot() {
      BuildPlan p = plan(df("FROM alpine AS b", "RUN x", "FROM alpine",
          "COPY --from=b --parents /usr/lib/*.so /out/",
          "COPY --from=b --parents /w/./*/a/../../b /w/./c? /c/"));
      ExcludedExport root = p.pod("b").excluded().stream().filter(e -> e.line() == 4).findFirst().orElseThrow();
      assertThat(root.paths()).containsExactly("/usr/lib/*.so");
      assertThat(root.pivots()).containsExactly("/");
      assertThat(lines(p.pod("stage-1"))).contains("COPY --from=b.exclude-" + root.key() + " / /out/");
      ExcludedExport clamped = p.pod("b").excluded().stream().filter(e -> e.line() == 5).findFirst().orElseThrow();
      assertThat(clamped.paths()).containsExactly("/w/b", "/w/c?");
      assertThat(clamped.pivots()).containsExactly("/w");
      assertThat(lines(p.pod("stage-1"))).contains("COPY --from=b.exclude-" + clamped.key() + " /w /c/");
      new Exclude().assertKanikoBuildsEveryPod(p);
    }

    @Test
    void withWildcardsFromTheContextThePodCopiesTheMatchesWithTheirParentsBeforeTheExecutor() {
      BuildPlan p = plan(df("FROM alpine", "WORKDIR /src", "ARG PKG=packages",
          "COPY --parents $PKG/./*/package.json $PKG/./*/tsconfig.json ./",
          "COPY --parents --chmod=644 go.* cmd/*/main.go /go/",
          "COPY --parents [\"my dir/./a*\", \"/d/\"]",
          "COPY --parents <<EOF src/./only.txt /e/", "hi", "EOF"));
      PodPlan pod = p.pod("stage-0");
      assertThat(pod.usesContext()).isTrue();
      ExcludedExport pkg = pod.contextExcluded().stream().filter(e -> e.line() == 4).findFirst().orElseThrow();
      assertThat(pkg.paths()).containsExactly("/packages/*/package.json", "/packages/*/tsconfig.json");
      assertThat(pkg.pivots()).containsExactly("/packages");
      assertThat(lines(pod)).contains("COPY exclude/" + pkg.key() + "/packages ./");
      ExcludedExport go = pod.contextExcluded().stream().filter(e -> e.line() == 5).findFirst().orElseThrow();
      assertThat(go.paths()).containsExactly("/go.*", "/cmd/*/main.go");
      assertThat(go.pivots()).containsExactly("/");
      assertThat(lines(pod)).contains("COPY --chmod=644 exclude/" + go.key() + "/. /go/");
      ExcludedExport spaced = pod.contextExcluded().stream().filter(e -> e.line() == 6).findFirst().orElseThrow();
      assertThat(spaced.paths()).containsExactly("/my dir/a*");
      assertThat(lines(pod)).contains("COPY [\"exclude/" + spaced.key() + "/my dir\", \"/d/\"]");
      // a here-document keeps the COPY whole
      ExcludedExport withDocument = pod.contextExcluded().stream().filter(e -> e.line() == 7).findFirst().orElseThrow();
      assertThat(withDocument.paths()).containsExactly("/src/only.txt");
      assertThat(lines(pod)).contains("COPY exclude/" + withDocument.key() + "/src <<EOF /e/");
      // the --exclude keys stay as they were: pivots make a key of their own
      assertThat(pkg.key()).isNotEqualTo(ExcludedExport.ofContext(4, pkg.paths(), List.of()).key());
      new Exclude().assertKanikoBuildsEveryPod(p);
      // only here-documents: nothing to copy, the flag goes
      assertThat(lines(plan(df("FROM alpine", "COPY --parents <<EOF /e/", "hi", "EOF")).pod("stage-0")))
          .contains("COPY <<EOF /e/");
    }

    @Test
    void withDoubleStarsThePivotIsCopiedWholeAndPrunedToWhatTheSourcesMatch() {
      BuildPlan p = plan(df("FROM alpine AS b", "RUN x", "FROM alpine", "WORKDIR /app",
          "COPY --parents ./src/**/*.go go.mod ./",
          "COPY --from=b --parents /usr/./lib/**/*.so /usr/./lib/x/ /libs/",
          "COPY --parents web/./**/*.json web/./ /all/"));
      PodPlan last = p.pod("stage-1");
      ExcludedExport go = last.contextExcluded().stream().filter(e -> e.line() == 5).findFirst().orElseThrow();
      assertThat(go.paths()).containsExactly("/");
      assertThat(go.pivots()).containsExactly("/");
      assertThat(go.patterns()).containsExactly("**", "!src/**/*.go", "!go.mod");
      assertThat(go.matcherLines()).containsExactly("- **a", "+ src/**n/*.go", "+ go.mod");
      assertThat(lines(last)).contains("COPY exclude/" + go.key() + "/. ./");
      ExcludedExport libs = p.pod("b").excluded().get(0);
      assertThat(libs.paths()).containsExactly("/usr");
      assertThat(libs.patterns()).containsExactly("**", "!lib/**/*.so", "!lib/x");
      assertThat(lines(last)).contains("COPY --from=b.exclude-" + libs.key() + " /usr /libs/");
      // a source that is the pivot itself keeps all of it
      ExcludedExport all = last.contextExcluded().stream().filter(e -> e.line() == 7).findFirst().orElseThrow();
      assertThat(all.paths()).containsExactly("/web");
      assertThat(all.patterns()).isEmpty();
      new Exclude().assertKanikoBuildsEveryPod(p);
    }

    @Test
    void whatStageBuildCannotCopyWithItsParentsIsRefused() {
      assertThat(refused("COPY --parents a*/./b /d/").detail()).contains("a wildcard before the /./ is not supported");
      assertThat(refused("COPY --from=b --parents /a/./**/x /b/./y /d/").detail())
          .contains("with ** copies below one directory only, and this one copies below /a and /b");
      assertThat(refused("COPY --parents src/**/?.go /d/").detail())
          .startsWith("COPY --parents src/**/?.go is not supported with **: ");
      assertThat(refused("COPY --parents a/./x* a/b/./y /d/").detail())
          .contains("copies below /a and below /a/b, one inside the other");
      assertThat(refused("COPY --parents a/./x y* /d/").detail()).contains("copies below / and below /a, one inside");
      // ... also without wildcards beside a here-document, which keeps the COPY whole
      assertThat(error(df("FROM alpine", "COPY --parents a/./x a/b/./y <<EOF /d/", "hi", "EOF")).detail())
          .contains("below /a and below /a/b");
      // without wildcards each source is a COPY of its own: nested pivots are fine
      assertThat(plan(df("FROM alpine", "COPY --parents a/./x a/b/./y z /d/")).pod("stage-0").dockerfile())
          .contains("COPY src/a/x /d/x\nCOPY src/a/b/y /d/y\nCOPY src/z /d/z\n");
      assertThat(refused("COPY --parents --exclude=*.md a/./x /d/").detail())
          .startsWith("COPY --parents with --exclude is not supported");
      assertThat(refused("COPY --from=b --parents --exclude=*.md /a/./x /d/").detail())
          .startsWith("COPY --parents with --exclude is not supported");
      assertThat(refused("COPY --parents a[!b]/./x /d/").detail()).contains("write [^...] for that");
      assertThat(refused("COPY --from=b --parents /proc/./x /d/").detail())
          .startsWith("COPY --from=b --parents: /proc/x is not supported").contains("cannot export it");
      // `..` stops at the pivot, as BuildKit reads the pattern
      assertThat(refused("COPY --from=b --parents /proc/./../etc/x /d/").detail()).contains("/proc/etc/x is not supported");
      assertThat(plan(df("FROM alpine AS b", "RUN x", "FROM alpine", "COPY --from=b --parents /app/./../proc/x /d/"))
          .pod("b").exports()).containsExactly("/app/proc/x");
      // an empty --exclude is skipped, as BuildKit skips it
      assertThat(lines(plan(df("FROM alpine AS b", "RUN x", "FROM alpine", "COPY --from=b --parents --exclude= /a/./x /d/",
          "COPY --parents --exclude= a/./y /e/", "COPY --parents --exclude= a/./z* /f/")).pod("stage-1")))
          .contains("COPY --from=b /a/x /d/x", "COPY src/a/y /e/y").anyMatch(l -> l.matches("COPY exclude/[0-9a-f]{12}/a /f/"));
      DockerfileException ancestor = error(df("FROM alpine AS base", "RUN x", "FROM base",
          "COPY --from=base --parents /a/./b /c/"));
      assertThat(ancestor.line()).isEqualTo(4);
      assertThat(ancestor.detail()).contains("this stage is built FROM base in the same pod");
      // kaniko would take the node's platform; the pod copies with the plan's
      DockerfileException platform = error(df("FROM alpine", "ARG TARGETARCH", "COPY --parents dist/./${TARGETARCH}/app /d/"));
      assertThat(platform.line()).isEqualTo(3);
      assertThat(platform.detail()).contains("TARGETARCH=amd64").contains("give TARGETARCH in spec.buildArgs");
      // different pivots side by side are fine; kaniko wants a directory named as one for several sources
      PodPlan sideBySide = plan(df("FROM alpine", "COPY --parents a/./x* b/./y /d", "COPY --parents [\"a/./x*\", \"b/./y\", \"/d\"]",
          "ARG D=/d", "COPY --parents <<EOF a/./x* $D", "hi", "EOF")).pod("stage-0");
      ExcludedExport both = sideBySide.contextExcluded().stream().filter(e -> e.line() == 2).findFirst().orElseThrow();
      assertThat(both.pivots()).containsExactly("/a", "/b");
      assertThat(lines(sideBySide)).contains("COPY exclude/" + both.key() + "/a exclude/" + both.key() + "/b /d/",
          "COPY [\"exclude/" + both.key() + "/a\", \"exclude/" + both.key() + "/b\", \"/d/\"]");
      assertThat(sideBySide.dockerfile()).containsPattern("COPY exclude/[0-9a-f]{12}/a <<EOF \\$D/\n");
    }
  }

  @Nested
  class LargeInputs {
    /** Lines the planner writes for kaniko, longer than its parser reads, are refused by the line that grew. */
    @Test
    void aRewrittenLineKanikoCouldNotReadIsRefusedByItsOwnLine() {
      // a global ARG written again as BuildKit reads it: 80,000 characters on one line of every pod
      String x = "x".repeat(40_000);
      DockerfileException arg = error("ARG X=" + x + "\nARG T=${TARGETARCH}$X$X\nFROM alpine\nARG T\nRUN true\n");
      assertThat(arg.line()).isEqualTo(2);
      assertThat(arg.detail()).startsWith("ARG T before the first FROM").contains("65535 bytes");
      assertThat(plan("ARG X=" + x + "\nARG T=${TARGETARCH}$X\nFROM alpine\nARG T\nRUN true\n").pods())
          .as("one copy fits").hasSize(1);
      // a VOLUME moved to the end of its stage, written with its variables substituted
      String volume = "FROM alpine\nARG Y=" + "y".repeat(3000) + "\nRUN true\nVOLUME" + " /$Y".repeat(24) + "\nRUN true\n";
      DockerfileException moved = error(volume);
      assertThat(moved.line()).isEqualTo(4);
      assertThat(moved.detail()).startsWith("VOLUME: moved to the end of the stage").contains("65535 bytes");
      // a FROM image written as BuildKit resolves it
      DockerfileException from = error("ARG X=" + x + "\nFROM alpine:${TARGETARCH}$X$X\nRUN true\n");
      assertThat(from.line()).isEqualTo(2);
      assertThat(from.detail()).startsWith("FROM: as StageBuild writes it").contains("shorten it");
    }

    /**
     * An EXPOSE of a large range and hundreds of thousands of empty words (each a deletion): the
     * rewrite is linear in the instruction (it was a replace per edit, each moving the rest: minutes).
     */
    @Test
    @org.junit.jupiter.api.Timeout(120)
    void anExposeOfManyEditedWords() {
      StringBuilder sb = new StringBuilder("FROM alpine\nARG E\nEXPOSE 10000-21000");
      for (int line = 0; line < 14; line++) {
        sb.append(" \\\n").append(" $E".repeat(20_000));
      }
      BuildPlan p = plan(sb.append('\n').toString());
      List<String> exposes = p.pods().get(0).dockerfile().lines().filter(l -> l.startsWith("EXPOSE")).toList();
      assertThat(exposes).hasSizeGreaterThan(1).noneMatch(l -> l.contains("$E"));
      assertThat(exposes.stream().mapToInt(l -> l.split(" ").length - 1).sum()).isEqualTo(11_001);
    }

    @Test
    @org.junit.jupiter.api.Timeout(120)
    void longChainWithVariables() {
      // every stage of the chain copies from src, a stage outside it: one stand-in, 4999 exports
      StringBuilder sb = new StringBuilder("FROM alpine AS src\nFROM alpine AS s0\n");
      for (int i = 1; i < 5000; i++) {
        sb.append("FROM s").append(i - 1).append(" AS s").append(i).append("\nENV V").append(i)
            .append("=/v").append(i).append("\nCOPY --from=src $V").append(i).append(" /y\n");
      }
      BuildPlan p = plan(sb.toString());
      assertThat(p.pod("s4999").stages()).hasSize(5000);
      assertThat(p.pod("s4999").dockerfile()).containsOnlyOnce("FROM scratch AS src");
      assertThat(p.pod("src").exports()).hasSize(4999).contains("/v1", "/v4999");
    }

    @Test
    @org.junit.jupiter.api.Timeout(120)
    void longChainCopyingFromItsAncestorsIsOnePod() {
      StringBuilder sb = new StringBuilder("FROM alpine AS s0\n");
      for (int i = 1; i < 10000; i++) {
        sb.append("FROM s").append(i - 1).append(" AS s").append(i).append("\nCOPY --from=s").append(i - 1)
            .append(" /x /y\n");
      }
      BuildPlan p = plan(sb.toString());
      assertThat(p.pods()).extracting(PodPlan::name).containsExactly("s9999");
      assertThat(p.pod("s9999").exports()).isEmpty();
      assertThat(p.pod("s9999").dependsOn()).isEmpty();
    }

    @Test
    @org.junit.jupiter.api.Timeout(120)
    void wideFanIn() {
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < 5000; i++) {
        sb.append("FROM alpine AS s").append(i).append("\nRUN x\n");
      }
      sb.append("FROM scratch\n");
      for (int i = 0; i < 5000; i++) {
        sb.append("COPY --from=s").append(i).append(" /x /x\n");
      }
      BuildPlan p = plan(sb.toString());
      assertThat(p.pods()).hasSize(5001);
      assertThat(p.waves()).hasSize(2);
    }

    @Test
    @org.junit.jupiter.api.Timeout(120)
    void exportedChainIsRefusedBeforeItsDockerfilesAreWritten() {
      // each stage of a long chain is copied from by the last stage: a pod each, repeating the chain
      StringBuilder sb = new StringBuilder("FROM alpine AS s0\n");
      for (int i = 1; i < 10000; i++) {
        sb.append("FROM s").append(i - 1).append(" AS s").append(i).append("\nRUN x\n");
      }
      sb.append("FROM scratch\n");
      for (int i = 0; i < 10000; i++) {
        sb.append("COPY --from=s").append(i).append(" /x /y\n");
      }
      DockerfileException e = error(sb.toString());
      assertThat(e.kind()).isEqualTo(DockerfileException.Kind.UNSUPPORTED);
      assertThat(e.detail()).contains("MiB");
    }
  }
}
