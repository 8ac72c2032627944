package dev.stagebuild.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stagebuild.dockerfile.DockerfileException;
import java.util.List;

import org.junit.jupiter.api.Test;

class DockerignoreRewriterTest {

  @Test
  void patternsMoveUnderSrc() {
    String in = String.join("\n",
        "# comment",
        "",
        "node_modules",
        "  *.log  ",
        "/build/",
        "./docs/**/*.md",
        "!README.md",
        "! keep/this",
        "**/.git",
        "a/../b",
        ".",
        "/",
        "../outside",
        "  # not a comment: only a leading # is",
        "dir/.") + "\r\n";
    // each pattern and P/**: kaniko's matcher does not carry a directory's match to what it holds
    assertThat(DockerignoreRewriter.rewrite(in)).isEqualTo(String.join("\n",
        "src/node_modules", "src/node_modules/**",
        "src/*.log", "src/*.log/**",
        "src/build", "src/build/**",
        "src/docs/**/*.md", "src/docs/**/*.md/**",
        "!src/README.md", "!src/README.md/**",
        "!src/keep/this", "!src/keep/this/**",
        "src/**/.git", "src/**/.git/**",
        "src/b", "src/b/**",
        "src/# not a comment: only a leading # is", "src/# not a comment: only a leading # is/**",
        "src/dir", "src/dir/**") + "\n");
  }

  /** Go's strings.TrimSpace, as BuildKit reads the file: a no-break space is trimmed too. */
  @Test
  void patternsAreTrimmedAsGoTrims() {
    assertThat(DockerignoreRewriter.rewrite("\u00a0secrets\u00a0\n!\u00a0keep\n"))
        .isEqualTo("src/secrets\nsrc/secrets/**\n!src/keep\n!src/keep/**\n");
  }

  /** patternmatcher refuses these (BuildKit fails the build; kaniko ignores the whole file). */
  @Test
  void patternsGoCannotReadAreRefusedByLine() {
    for (String bad : List.of("!", " ! ", "!/", "!//", "!/.", "[", "src/[a", "[]a]", "[a-]", "[^]", "x\\",
        "foo\\/", "a[b-c", "../[")) {
      assertThatThrownBy(() -> DockerignoreRewriter.rewrite("# c\nok\n" + bad + "\n"))
          .as(bad).isInstanceOf(DockerfileException.class).hasMessageContaining(".dockerignore, line 3: ");
    }
    assertThatThrownBy(() -> DockerignoreRewriter.rewrite("!\n")).hasMessageContaining("\"!\" with no pattern");
    // checked as Go cleans them: what Clean removes is not checked
    assertThat(DockerignoreRewriter.rewrite("../[x/..\n/../x\n")).isEqualTo("src/x\nsrc/x/**\n");
    assertThat(DockerignoreRewriter.rewrite("[Bb]in\n[!a]x\n[\\]]y\n[a-c]*\n*[*]\n\\#z\n"))
        .isEqualTo("src/[Bb]in\nsrc/[Bb]in/**\nsrc/[!a]x\nsrc/[!a]x/**\nsrc/[\\]]y\nsrc/[\\]]y/**\n"
            + "src/[a-c]*\nsrc/[a-c]*/**\nsrc/*[*]\nsrc/*[*]/**\nsrc/\\#z\nsrc/\\#z/**\n");
  }

  @Test
  void emptyInput() {
    assertThat(DockerignoreRewriter.rewrite(null)).isEmpty();
    assertThat(DockerignoreRewriter.rewrite("")).isEmpty();
    assertThat(DockerignoreRewriter.rewrite("# only comments\n\n")).isEmpty();
  }

  @Test
  void alwaysEndsWithANewline() {
    assertThat(DockerignoreRewriter.rewrite("a")).isEqualTo("src/a\nsrc/a/**\n");
    assertThat(DockerignoreRewriter.rewrite("\uFEFFa\nb/**")).isEqualTo("src/a\nsrc/a/**\nsrc/b/**\n");
  }

  @Test
  void theInstalledFileHoldsForTheCopiesOfCopyExcludeFromTheContextAndIsMeasuredSo() {
    BuildPlan with = Planner.plan("FROM alpine\nCOPY --exclude=x . /a\n", java.util.Map.of(), null);
    BuildPlan without = Planner.plan("FROM alpine\nCOPY . /a\n", java.util.Map.of(), null);
    String rewritten = DockerignoreRewriter.rewrite("a\n!b/**\n");
    assertThat(DockerignoreRewriter.installed(without, rewritten)).isEqualTo(rewritten);
    assertThat(DockerignoreRewriter.installed(with, rewritten))
        .isEqualTo(rewritten + "exclude/*/a\nexclude/*/a/**\n!exclude/*/b/**\n");
    assertThat(DockerignoreRewriter.installed(with, "")).isEmpty();
    // read back from the plan ConfigMap, it is installed already
    String installed = DockerignoreRewriter.installed(with, rewritten);
    assertThat(DockerignoreRewriter.installed(with, installed)).isEqualTo(installed);
    // the budget holds for the file as installed
    String big = DockerignoreRewriter.rewrite(("d".repeat(60) + "\n").repeat(400));
    BuildCheck.checkDockerignore(DockerignoreRewriter.installed(without, big));
    assertThatThrownBy(() -> BuildCheck.checkDockerignore(DockerignoreRewriter.installed(with, big)))
        .isInstanceOf(DockerfileException.class).hasMessageContaining("again for the copies of COPY --exclude");
  }
}
