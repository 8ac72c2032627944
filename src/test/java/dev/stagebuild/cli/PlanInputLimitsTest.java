package dev.stagebuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code plan} reads: bounded, UTF-8, and only files in the YAML's folder. */
class PlanInputLimitsTest {
  @TempDir
  Path dir;

  record Result(int code, String out, String err) {}

  Result run(byte[] stdin, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = PlanCommand.run(List.of(args), new ByteArrayInputStream(stdin),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void invalidUtf8NamesTheLine() throws Exception {
    Path f = dir.resolve("Dockerfile");
    Files.write(f, new byte[] {'F', 'R', 'O', 'M', ' ', 'a', '\n', 'R', 'U', 'N', ' ', (byte) 0xff, '\n'});
    Result r = run(new byte[0], f.toString());
    assertThat(r.code()).isEqualTo(PlanCommand.BAD_INPUT);
    assertThat(r.err()).contains("line 2: not valid UTF-8").doesNotContain("Input length");
    r = run(new byte[] {'F', 'R', 'O', 'M', ' ', (byte) 0xc3, '\n'}, "-");
    assertThat(r.err()).contains("-: line 1: not valid UTF-8");
  }

  @Test
  void oversizedInputIsRefusedBeforeItIsParsed() throws Exception {
    byte[] big = ("apiVersion: stagebuild.dev/v1alpha1\nkind: StageBuild\n# " + "x".repeat(PlanInput.MAX_INPUT_BYTES))
        .getBytes(StandardCharsets.UTF_8);
    Path f = dir.resolve("big.yaml");
    Files.write(f, big);
    Result r = run(new byte[0], f.toString());
    assertThat(r.code()).isEqualTo(PlanCommand.BAD_INPUT);
    assertThat(r.err()).contains("larger than " + PlanInput.MAX_INPUT_BYTES + " bytes").doesNotContain("Exception");
    assertThat(run(big, "-").err()).contains("larger than");
  }

  /** What YAML and Jackson refuse is a one-line error, never a stack trace or Jackson's source dump. */
  @Test
  void yamlTheParserRefusesIsAShortError() throws Exception {
    String head = "apiVersion: stagebuild.dev/v1alpha1\nkind: StageBuild\nmetadata: {name: a}\n";
    for (String yaml : List.of(
        head + "spec: " + "[".repeat(1_100) + "]".repeat(1_100) + "\n",
        head + "spec:\n  timeoutSeconds: !!float .inf\n  dockerfile: {inline: \"FROM a\"}\n",
        head + "spec:\n  " + "k".repeat(200_000) + "\n")) {
      Result r = run(yaml.getBytes(StandardCharsets.UTF_8), "-");
      assertThat(r.code()).as(r.err()).isEqualTo(PlanCommand.BAD_INPUT);
      assertThat(r.err()).startsWith("error: -: not").doesNotContain("\tat ").doesNotContain("[Source:")
          .hasSizeLessThan(400);
    }
  }

  @Test
  void aDockerfilePathOutsideTheYamlsFolderIsNeverRead() throws Exception {
    Path secret = Files.writeString(dir.resolve("secret.txt"), "root:x:0:0:do-not-print\n");
    Path sub = Files.createDirectories(dir.resolve("sub"));
    for (String path : List.of("../secret.txt", secret.toString())) {
      Path yaml = Files.writeString(sub.resolve("sb.yaml"), """
          apiVersion: stagebuild.dev/v1alpha1
          kind: StageBuild
          metadata: {name: x}
          spec:
            output: {image: localhost:5000/x:1}
            dockerfile: {path: "%s"}
          """.formatted(path));
      Result r = run(new byte[0], yaml.toString());
      assertThat(r.code()).as(path).isEqualTo(PlanCommand.BAD_INPUT);
      assertThat(r.err()).as(path).contains("inside the folder").doesNotContain("do-not-print");
    }
    Path link = sub.resolve("Dockerfile");
    Files.createSymbolicLink(link, secret);
    Path yaml = Files.writeString(sub.resolve("sb.yaml"), """
        apiVersion: stagebuild.dev/v1alpha1
        kind: StageBuild
        metadata: {name: x}
        spec:
          output: {image: localhost:5000/x:1}
        """);
    Result r = run(new byte[0], yaml.toString());
    assertThat(r.err()).contains("inside the folder").doesNotContain("do-not-print");
  }
}
