package dev.stagebuild.cli;

import dev.stagebuild.kaniko.BuildNames;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PlanCommandTest {
  static final String HELLOGO = """
      FROM golang:1.21 as build
      WORKDIR /src
      COPY app.go .
      RUN CGO_ENABLED=0 go build -o /usr/local/bin/hello ./app.go
      FROM alpine:3.18.3
      COPY --from=build /usr/local/bin/hello /usr/local/bin/hello
      CMD [ "/usr/local/bin/hello" ]
      """;

  @TempDir
  Path dir;

  record Result(int code, String out, String err) {}

  Result run(String stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = PlanCommand.run(List.of(args), new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return p;
  }

  @Test
  void textShowsWavesStagesAndPods() throws Exception {
    Result r = run("", write("Dockerfile", HELLOGO).toString());
    assertThat(r.code()).isZero();
    assertThat(r.err()).isEmpty();
    assertThat(r.out()).contains("target stage-1: 2 stages, 2 pods in 2 waves; build context needed")
        .contains("  0: build\n  1: stage-1\n")
        .contains("dependsOn: build; pod: stage-1")
        .contains("Pod build: stages build; dependsOn: -; build context needed\n  exports:\n    /usr/local/bin/hello\n")
        .contains("Pod stage-1 (final, pushes)")
        .contains("    | FROM scratch AS build\n    | ADD from/build.tar /\n")
        .contains("    | COPY --from=build /usr/local/bin/hello /usr/local/bin/hello\n");
  }

  @Test
  void textShowsWhatThePodsCopyForCopyExcludeAndParents() throws Exception {
    Result r = run("", write("Dockerfile", "FROM alpine AS b\nRUN make\nFROM alpine\n"
        + "COPY --from=b --exclude=*.md /doc /doc\nCOPY --from=b --parents /app/./opt/*/bin /tools/\n"
        + "COPY --parents packages/*/package.json ./\nCOPY --parents src/**/*.go /s/\n").toString());
    assertThat(r.code()).as(r.err()).isZero();
    assertThat(r.out()).containsPattern("\n    /doc \\(for the COPY --exclude of line 4, as from/b\\.exclude-[0-9a-f]{12}\\.tar,"
            + " without: \\*\\.md\\)\n")
        .containsPattern("\n    /app/opt/\\*/bin \\(for the COPY --parents of line 5, as from/b\\.exclude-[0-9a-f]{12}\\.tar,"
            + " copied below: /app\\)\n")
        .contains("  copies from the build context, before the executor runs:\n")
        .containsPattern("\n    /packages/\\*/package\\.json \\(for the COPY --parents of line 6, to exclude/[0-9a-f]{12}/,"
            + " copied below: /\\)\n")
        .containsPattern("\n    / \\(for the COPY --parents of line 7, to exclude/[0-9a-f]{12}/, copied below: /,"
            + " keeping only: src/\\*\\*/\\*\\.go\\)\n");
  }

  @Test
  void jsonHasTheStagesPodsAndWaves() throws Exception {
    Result r = run(HELLOGO, "plan", "-o", "json", "-");
    assertThat(r.code()).isZero();
    JsonNode json = new ObjectMapper().readTree(r.out());
    assertThat(json.path("stages").get(1).path("name").asText()).isEqualTo("stage-1");
    assertThat(json.path("stages").get(1).path("dependsOn").get(0).asText()).isEqualTo("build");
    assertThat(json.path("stages").get(1).path("pod").asText()).isEqualTo("stage-1");
    JsonNode pod = json.path("pods").get(0);
    assertThat(pod.path("name").asText()).isEqualTo("build");
    assertThat(pod.path("stages").get(0).asText()).isEqualTo("build");
    assertThat(pod.path("dockerfile").asText()).contains("COPY src/app.go .");
    assertThat(pod.path("exports").get(0).asText()).isEqualTo("/usr/local/bin/hello");
    assertThat(json.path("pods").get(1).path("isFinal").asBoolean()).isTrue();
    assertThat(json.path("waves").get(1).get(0).asText()).isEqualTo("stage-1");
  }

  @Test
  void yamlPrintsThePlanAndTheObjectsTheOperatorWouldCreate() throws Exception {
    Result r = run(HELLOGO, "--output=yaml", "-");
    assertThat(r.code()).isZero();
    JsonNode yaml = new YAMLMapper().readTree(r.out());
    JsonNode json = new ObjectMapper().readTree(run(HELLOGO, "-o", "json", "-").out());
    assertThat(yaml.path("plan")).isEqualTo(json);
    assertThat(r.out()).contains("dockerfile: |\n");
    JsonNode objects = yaml.path("objects");
    assertThat(objects.findValuesAsText("kind")).containsSubsequence("PersistentVolumeClaim", "ConfigMap", "Pod", "Pod");
    JsonNode finalPod = objects.get(3);
    assertThat(finalPod.path("metadata").path("name").asText()).isEqualTo(BuildNames.podName("plan", "1", "stage-1", 1));
    assertThat(finalPod.path("metadata").path("labels").path("stagebuild.dev/build-id").isTextual()).isTrue();
    assertThat(finalPod.path("spec").path("containers").get(0).path("args").toString())
        .contains("--destination=registry.example.com/plan:latest");
    assertThat(objects.get(1).path("data").path("build.exports").asText()).isEqualTo("/usr/local/bin/hello\n");
  }

  @Test
  void stageBuildWithInlineDockerfileTargetAndArgs() throws Exception {
    Path yaml = write("sb.yaml", """
        apiVersion: stagebuild.dev/v1alpha1
        kind: StageBuild
        metadata: {name: x}
        spec:
          target: one
          buildArgs: [{name: SRC, value: /from-spec}, {name: OTHER, value: o}]
          dockerfile:
            inline: |
              FROM alpine AS one
              FROM alpine AS two
              ARG SRC
              COPY --from=one $SRC /x
          output: {image: r/x}
        """);
    JsonNode plan = new ObjectMapper().readTree(run("", "-o", "json", yaml.toString()).out());
    assertThat(plan.path("finalPod").asText()).isEqualTo("one");
    JsonNode two = new ObjectMapper().readTree(run("", "-o", "json", "--target", "two", yaml.toString()).out());
    assertThat(two.path("pods").get(0).path("exports").get(0).asText()).isEqualTo("/from-spec");
    JsonNode overridden = new ObjectMapper().readTree(
        run("", "-o", "json", "--target=two", "--build-arg", "SRC=/cli", yaml.toString()).out());
    assertThat(overridden.path("pods").get(0).path("exports").get(0).asText()).isEqualTo("/cli");
  }

  /** plan -o yaml renders the pods the operator creates: a build arg from a Secret is an environment variable. */
  @Test
  void aBuildArgFromASecretRendersAsTheOperatorRendersIt() throws Exception {
    Path yaml = write("sb.yaml", """
        apiVersion: stagebuild.dev/v1alpha1
        kind: StageBuild
        metadata: {name: x}
        spec:
          buildArgs: [{name: TOKEN, valueFrom: {secretKeyRef: {name: creds, key: token}}}, {name: P, value: p}]
          dockerfile:
            inline: |
              FROM alpine
              ARG TOKEN
              RUN true
          output: {image: r/x}
        """);
    Result r = run("", "-o", "yaml", yaml.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("- --build-arg=TOKEN\n").doesNotContain("--build-arg=TOKEN=")
        .contains("- --build-arg=P=p").contains("secretKeyRef:").contains("name: creds");
    // the command line still overrides it
    Result overridden = run("", "-o", "yaml", "--build-arg", "TOKEN=t", yaml.toString());
    assertThat(overridden.out()).contains("- --build-arg=TOKEN=t").doesNotContain("secretKeyRef:");
  }

  @Test
  void theTextFormShowsTheDockerfilesControlCharactersAsQuestionMarks() {
    String escapes = "\u001b]0;pwned\u0007\u001b[2J";
    Result r = run("FROM alpine\nRUN echo '" + escapes + "'\tdone\n", "-");
    assertThat(r.code()).isZero();
    assertThat(r.out()).doesNotContain("\u001b").doesNotContain("\u0007").contains("echo '?]0;pwned??[2J'\tdone");
    Result refused = run("ARG a\nFROM alpine:${a:?" + escapes + "}\n", "-");
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err()).doesNotContain("\u001b").contains("?]0;pwned");
    // JSON escapes them itself: the plan is data there
    assertThat(run("FROM alpine\nRUN echo '" + escapes + "'\n", "-o", "json", "-").out()).contains("\\u001B");
  }

  @Test
  void secretMountsAreCheckedAgainstTheSpecOnlyWhenThereIsOne() throws Exception {
    String dockerfile = "FROM alpine\nRUN --mount=type=secret,id=token,required make\n"
        + "RUN --mount=type=secret,id=optional make\n";
    // a Dockerfile alone has no spec.secrets: nothing to check it against
    assertThat(run(dockerfile, "-").code()).isZero();
    String yaml = """
        apiVersion: stagebuild.dev/v1alpha1
        kind: StageBuild
        metadata: {name: x}
        spec:
          dockerfile:
            inline: |
        %s
          output: {image: r/x}
        """.formatted(dockerfile.indent(6).stripTrailing());
    Result unmapped = run(yaml, "-");
    assertThat(unmapped.code()).isEqualTo(1);
    assertThat(unmapped.err()).contains("line 2:").contains("with id token is required");
    Result mapped = run(yaml.replace("  output:", "  secrets: [{id: token, secretRef: {name: s}, key: k}]\n  output:"), "-");
    assertThat(mapped.code()).as(mapped.err()).isZero();
  }

  @Test
  void stageBuildWithPathNextToTheYaml() throws Exception {
    write("app/Dockerfile.ms", HELLOGO);
    Path yaml = write("app/build.yml", """
        ---
        apiVersion: v1
        kind: ConfigMap
        metadata: {name: src}
        ---
        apiVersion: stagebuild.dev/v1alpha1
        kind: StageBuild
        metadata: {name: x}
        spec:
          dockerfile: {path: Dockerfile.ms}
          output: {image: r/x}
        """);
    Result r = run("", yaml.toString());
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("Pod stage-1 (final, pushes)");
  }

  @Test
  void stageBuildWhoseDockerfileIsInTheSource() throws Exception {
    Path yaml = write("sb.yaml", """
        apiVersion: stagebuild.dev/v1alpha1
        kind: StageBuild
        metadata: {name: x}
        spec:
          source: {git: {url: "https://github.com/eriksf/calculate-pi.git"}}
          target: poetry
          output: {image: r/x}
        """);
    Result r = run("", yaml.toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("error: " + yaml + ": the Dockerfile (spec.dockerfile.path: Dockerfile) is in the"
        + " git source; plan it against a checkout: git clone https://github.com/eriksf/calculate-pi.git DIR;"
        + " plan --context DIR " + yaml + "\n");
  }

  @Test
  void otherYamlIsRefused() throws Exception {
    Result r = run("apiVersion: v1\nkind: Pod\n", "-");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).contains("no StageBuild").contains("found kind Pod");
    Result wrongVersion = run("apiVersion: stagebuild.dev/v2\nkind: StageBuild\nspec: {}\n", "-");
    assertThat(wrongVersion.err()).contains("apiVersion: stagebuild.dev/v1alpha1");
  }

  @Test
  void badDockerfileNamesTheLine() {
    Result r = run("FROM alpine\nCOPY onlyone\n", "-");
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).startsWith("error: line 2: COPY needs at least one source");
    assertThat(r.out()).isEmpty();
    Result target = run("FROM alpine AS a\n", "--target", "b", "-");
    assertThat(target.code()).isEqualTo(1);
    assertThat(target.err()).isEqualTo("error: target stage \"b\" not found; the Dockerfile's stages are: a\n");
  }

  @Test
  void missingFile() {
    Result r = run("", dir.resolve("nope").toString());
    assertThat(r.code()).isEqualTo(1);
    assertThat(r.err()).isEqualTo("error: cannot read " + dir.resolve("nope") + ": no such file\n");
  }

  /** As kubectl reads a StageBuild: a key twice is an error, a field the API does not have a warning. */
  @Test
  void stageBuildYamlIsReadAsKubectlReadsIt() {
    String head = "apiVersion: stagebuild.dev/v1alpha1\nkind: StageBuild\nmetadata: {name: x}\nspec:\n"
        + "  dockerfile: {inline: \"FROM alpine\\nRUN true\\n\"}\n";
    Result twice = run(head + "  output: {image: r/x:1}\n  output: {image: r/y:1}\n", "-");
    assertThat(twice.code()).isEqualTo(1);
    assertThat(twice.err()).isEqualTo("error: -: not valid YAML: Duplicate field 'output'\n");
    Result misspelt = run(head + "  output: {image: r/x:1}\n  buildArg: [{name: a, value: b}]\n", "-");
    assertThat(misspelt.code()).isZero();
    assertThat(misspelt.err()).isEqualTo("warning: -: unknown field spec.buildArg (ignored: the API server would"
        + " drop it too, with a warning)\n");
    Result nested = run(head + "  output: {image: r/x:1}\n  buildArgs: [{name: a, vlue: b}]\n", "-");
    assertThat(nested.err()).startsWith("warning: -: unknown field spec.buildArgs[0].vlue (ignored");
    Result object = run(head + "  output: {image: r/x:1, extra: {a: [1]}}\n", "-");
    assertThat(object.err()).startsWith("warning: -: unknown field spec.output.extra (ignored");
    Result wrongType = run(head + "  output: {image: r/x:1}\n  buildArgs: {a: 1}\n", "-");
    assertThat(wrongType.code()).isEqualTo(1);
    assertThat(wrongType.err()).startsWith("error: -: not a valid StageBuild: spec.buildArgs: Cannot deserialize");
  }

  @Test
  void usageErrors() {
    assertThat(run("").code()).isEqualTo(2);
    assertThat(run("", "-o").code()).isEqualTo(2);
    assertThat(run("", "-o", "xml", "f").err()).contains("unknown output format xml");
    assertThat(run("", "--frobnicate", "f").err()).contains("unknown option --frobnicate").contains("usage:");
    assertThat(run("", "--build-arg", "NOVALUE", "f").code()).isEqualTo(2);
    assertThat(run("", "a", "b").err()).contains("one FILE only");
    Result help = run("", "--help");
    assertThat(help.code()).isZero();
    assertThat(help.out()).startsWith("usage: stagebuild plan");
  }

  @Test
  void doubleDashAllowsFilesStartingWithADash() throws Exception {
    write("-odd", HELLOGO);
    Result r = run("", "--", dir.resolve("-odd").toString());
    assertThat(r.code()).isZero();
  }

  @Test
  void formatEnum() {
    assertThat(OutputFormat.named("Json")).isEqualTo(OutputFormat.JSON);
    assertThat(OutputFormat.named("yaml")).isEqualTo(OutputFormat.YAML);
    assertThat(OutputFormat.named("xml")).isNull();
  }
}
