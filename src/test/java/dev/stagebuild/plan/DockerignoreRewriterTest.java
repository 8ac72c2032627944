package dev.stagebuild.plan;

import static org.assertj.core.api.Assertions.assertThat;

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
        "!",
        "  # not a comment: only a leading # is",
        "dir/.") + "\r\n";
    assertThat(DockerignoreRewriter.rewrite(in)).isEqualTo(String.join("\n",
        "src/node_modules",
        "src/*.log",
        "src/build",
        "src/docs/**/*.md",
        "!src/README.md",
        "!src/keep/this",
        "src/**/.git",
        "src/b",
        "src/# not a comment: only a leading # is",
        "src/dir") + "\n");
  }

  @Test
  void emptyInput() {
    assertThat(DockerignoreRewriter.rewrite(null)).isEmpty();
    assertThat(DockerignoreRewriter.rewrite("")).isEmpty();
    assertThat(DockerignoreRewriter.rewrite("# only comments\n\n")).isEmpty();
  }

  @Test
  void alwaysEndsWithANewline() {
    assertThat(DockerignoreRewriter.rewrite("a")).isEqualTo("src/a\n");
    assertThat(DockerignoreRewriter.rewrite("\uFEFFa\nb")).isEqualTo("src/a\nsrc/b\n");
  }
}
