package dev.stagebuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** plan --context DIR: a git source's Dockerfile and .dockerignore from a local checkout, kept inside DIR. */
class PlanContextTest {
  @TempDir
  Path dir;

  CliRun plan(String... args) {
    String[] all = new String[args.length + 1];
    all[0] = "plan";
    System.arraycopy(args, 0, all, 1, args.length);
    return CliRun.of(() -> null, () -> null, all);
  }

  Path write(String name, String text) throws Exception {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    Files.writeString(p, text);
    return p;
  }

  Path gitBuild(String extraSpec) throws Exception {
    return write("sb.yaml", """
        apiVersion: stagebuild.dev/v1alpha1
        kind: StageBuild
        metadata: {name: app}
        spec:
          source: {git: {url: "https://example.com/app.git", contextDir: %s}}
          output: {image: r/app}
        """.formatted(extraSpec));
  }

  @Test
  void theCalculatePiExamplePlansAgainstItsDockerfile() {
    CliRun r = plan("-o", "json", "--context", "examples/calculate-pi", "examples/calculate-pi/stagebuild.yaml");
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    assertThat(r.out()).contains("\"/calculate_pi/requirements.txt\"", "\"/calculate_pi/dist/*.whl\"");
    CliRun without = plan("examples/calculate-pi/stagebuild.yaml");
    assertThat(without.code()).isEqualTo(1);
    assertThat(without.err()).contains("plan --context DIR examples/calculate-pi/stagebuild.yaml");
  }

  @Test
  void dockerfileFromContextDirAndPathWithItsDockerignoreInThePlanConfigMap() throws Exception {
    write("checkout/app/build/Dockerfile.ms", PlanCommandTest.HELLOGO);
    write("checkout/app/.dockerignore", "# comment\n*.md\n!README.md\n");
    Path yaml = write("sb.yaml", """
        apiVersion: stagebuild.dev/v1alpha1
        kind: StageBuild
        metadata: {name: app}
        spec:
          source: {git: {url: "https://example.com/app.git", contextDir: app}}
          dockerfile: {path: build/Dockerfile.ms}
          output: {image: r/app}
        """);
    CliRun text = plan("--context", dir.resolve("checkout").toString(), yaml.toString());
    assertThat(text.code()).as(text.err()).isZero();
    assertThat(text.out()).startsWith("context " + dir.resolve("checkout/app").toRealPath())
        .contains("2 patterns").contains("Pod stage-1 (final, pushes)");
    CliRun y = plan("-o", "yaml", "--context=" + dir.resolve("checkout"), yaml.toString());
    JsonNode cm = new YAMLMapper().readTree(y.out()).path("objects").get(1);
    assertThat(cm.path("kind").asText()).isEqualTo("ConfigMap");
    assertThat(cm.path("data").toString()).contains("src/*.md").contains("!src/README.md");
  }

  @Test
  void aDockerignoreOverItsBudgetIsRefusedInEveryFormat() throws Exception {
    write("big/Dockerfile", PlanCommandTest.HELLOGO);
    // 40 KB as written; each pattern also as P/** under src/: over 64 KiB as kaniko gets it
    write("big/.dockerignore", "pattern-number-x\n".repeat(2_400));
    for (String format : new String[] {"text", "json", "yaml"}) {
      CliRun r = plan("-o", format, "--context", dir.resolve("big").toString(), dir.resolve("big/Dockerfile").toString());
      assertThat(r.code()).as(format + ": " + r.err()).isEqualTo(1);
      assertThat(r.err()).as(format).contains("the .dockerignore, as written for kaniko").contains("over the limit of 65536")
          .doesNotContain("Exception");
    }
    write("big/.dockerignore", "pattern-number-x\n".repeat(200));
    assertThat(plan("-o", "yaml", "--context", dir.resolve("big").toString(), dir.resolve("big/Dockerfile").toString())
        .code()).isZero();
  }

  @Test
  void aDockerignoreIsMeasuredAsInstalledWithTheContextCopiesOfCopyExclude() throws Exception {
    // 1,200 patterns: about 43 KB as written under src/, twice that with the exclude/*/ copies
    write("ex/.dockerignore", "pattern-number-x\n".repeat(1_200));
    write("ex/Dockerfile", "FROM alpine\nCOPY . /app\n");
    assertThat(plan("--context", dir.resolve("ex").toString(), dir.resolve("ex/Dockerfile").toString()).code()).isZero();
    write("ex/Dockerfile", "FROM alpine\nCOPY --exclude=*.md . /app\n");
    CliRun r = plan("--context", dir.resolve("ex").toString(), dir.resolve("ex/Dockerfile").toString());
    assertThat(r.code()).as(r.err()).isEqualTo(1);
    assertThat(r.err()).contains("again for the copies of COPY --exclude").contains("over the limit of 65536");
  }

  @Test
  void dockerfileNextToTheDockerfileWinsOverTheContextsDockerignore() throws Exception {
    write("co/Dockerfile", PlanCommandTest.HELLOGO);
    write("co/Dockerfile.dockerignore", "secret\n");
    write("co/.dockerignore", "other\n");
    CliRun y = plan("-o", "yaml", "--context", dir.resolve("co").toString(), gitBuild("\".\"").toString());
    assertThat(y.out()).contains("src/secret").doesNotContain("src/other");
  }

  @Test
  void aBareDockerfileTakesTheContextsDockerignore() throws Exception {
    Path df = write("Dockerfile", PlanCommandTest.HELLOGO);
    write("ctx/.dockerignore", "node_modules\n");
    CliRun y = plan("-o", "yaml", "--context", dir.resolve("ctx").toString(), df.toString());
    assertThat(y.code()).isZero();
    assertThat(y.out()).contains("src/node_modules");
  }

  /** As {@code docker build -f FILE DIR}: FILE.dockerignore beside the Dockerfile wins (authelia's Dockerfile.dev). */
  @Test
  void aBareDockerfileTakesTheDockerignoreBesideIt() throws Exception {
    Path df = write("co/Dockerfile.dev", PlanCommandTest.HELLOGO);
    write("co/Dockerfile.dev.dockerignore", "node_modules\n");
    write("co/.dockerignore", "*\n");
    CliRun y = plan("-o", "yaml", "--context", dir.resolve("co").toString(), df.toString());
    assertThat(y.code()).isZero();
    assertThat(y.out()).contains("src/node_modules").doesNotContain("src/*");
    assertThat(plan("--context", dir.resolve("co").toString(), df.toString()).out())
        .contains(".dockerignore " + dir.resolve("co/Dockerfile.dev.dockerignore"));
  }

  @Test
  void pathsMustStayInsideTheContext() throws Exception {
    write("outside/Dockerfile", PlanCommandTest.HELLOGO);
    Files.createDirectories(dir.resolve("co"));
    CliRun dotdot = plan("--context", dir.resolve("co").toString(), gitBuild("\"../outside\"").toString());
    assertThat(dotdot.code()).isEqualTo(1);
    assertThat(dotdot.err()).isEqualTo("error: source.git.contextDir ../outside points outside the --context directory\n");

    Path yaml = write("sb2.yaml", """
        apiVersion: stagebuild.dev/v1alpha1
        kind: StageBuild
        metadata: {name: app}
        spec:
          source: {git: {url: "https://example.com/app.git"}}
          dockerfile: {path: sub/../../outside/Dockerfile}
          output: {image: r/app}
        """);
    CliRun path = plan("--context", dir.resolve("co").toString(), yaml.toString());
    assertThat(path.code()).isEqualTo(1);
    assertThat(path.err()).contains("dockerfile.path sub/../../outside/Dockerfile points outside");

    Files.createSymbolicLink(dir.resolve("co/link"), dir.resolve("outside"));
    CliRun link = plan("--context", dir.resolve("co").toString(), gitBuild("link").toString());
    assertThat(link.code()).isEqualTo(1);
    assertThat(link.err()).contains("source.git.contextDir link is a symbolic link to outside the --context directory");

    Files.createSymbolicLink(dir.resolve("co/Dockerfile"), dir.resolve("outside/Dockerfile"));
    CliRun fileLink = plan("--context", dir.resolve("co").toString(), gitBuild("\".\"").toString());
    assertThat(fileLink.code()).isEqualTo(1);
    assertThat(fileLink.err()).contains("dockerfile.path Dockerfile is a symbolic link to outside");

    Files.delete(dir.resolve("co/Dockerfile"));
    write("co/Dockerfile", PlanCommandTest.HELLOGO);
    Files.createSymbolicLink(dir.resolve("co/.dockerignore"), dir.resolve("outside/Dockerfile"));
    CliRun ignoreLink = plan("--context", dir.resolve("co").toString(), gitBuild("\".\"").toString());
    assertThat(ignoreLink.code()).isEqualTo(1);
    assertThat(ignoreLink.err()).contains(".dockerignore .dockerignore is a symbolic link to outside");
  }

  /** A .dockerignore is read like the FILE argument: a FIFO would block, a huge file fill the heap. */
  @Test
  void aDockerignoreThatIsNotARegularBoundedUtf8FileIsRefused() throws Exception {
    Path df = write("Dockerfile", PlanCommandTest.HELLOGO);
    Path fifo = dir.resolve("fifo/.dockerignore");
    Files.createDirectories(fifo.getParent());
    assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
    CliRun blocked = plan("--context", fifo.getParent().toString(), df.toString());
    assertThat(blocked.code()).isEqualTo(1);
    assertThat(blocked.err()).contains("not a regular file");

    Path big = dir.resolve("big/.dockerignore");
    Files.createDirectories(big.getParent());
    try (var out = Files.newOutputStream(big)) {
      out.write(new byte[PlanInput.MAX_INPUT_BYTES + 1]);
    }
    CliRun tooBig = plan("--context", big.getParent().toString(), df.toString());
    assertThat(tooBig.code()).isEqualTo(1);
    assertThat(tooBig.err()).contains("larger than");

    write("latin1/.dockerignore", "ok\n");
    Files.write(dir.resolve("latin1/.dockerignore"), new byte[] {'o', 'k', '\n', (byte) 0xe9, '\n'});
    CliRun latin1 = plan("--context", dir.resolve("latin1").toString(), df.toString());
    assertThat(latin1.code()).isEqualTo(1);
    assertThat(latin1.err()).contains("line 2: not valid UTF-8");
  }

  @Test
  void missingDockerfileOrContext() throws Exception {
    Files.createDirectories(dir.resolve("co"));
    CliRun none = plan("--context", dir.resolve("co").toString(), gitBuild("\".\"").toString());
    assertThat(none.code()).isEqualTo(1);
    assertThat(none.err()).contains("no Dockerfile at Dockerfile");
    CliRun noDir = plan("--context", dir.resolve("nope").toString(), gitBuild("\".\"").toString());
    assertThat(noDir.code()).isEqualTo(1);
    assertThat(noDir.err()).isEqualTo("error: --context " + dir.resolve("nope") + ": not a directory\n");
  }
}
