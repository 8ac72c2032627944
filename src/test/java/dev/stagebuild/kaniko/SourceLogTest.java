package dev.stagebuild.kaniko;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class SourceLogTest {
  static String b64(String text) {
    return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  static final String DOCKERFILE = "FROM golang:1.21 AS build\nCOPY app.go .\n# ünïcode\n";
  static final String SHA = "5f1c0a9e2b3d4c5f6a7b8c9d0e1f2a3b4c5d6e7f";

  @Test
  void readsBothBlocksAmongOtherLines() {
    // busybox base64 wraps at 76 columns; the parser joins the lines.
    String wrapped = b64(DOCKERFILE.repeat(5)).replaceAll("(.{76})", "$1\n");
    String log = "warning: redirecting to https://example.com/x.git/\n"
        + "stagebuild:dockerfile:begin\n" + wrapped + "\nstagebuild:dockerfile:end\n"
        + "stagebuild:dockerignore:begin\r\n" + b64("*.md\n") + "\r\nstagebuild:dockerignore:end\n";
    SourceOutput out = SourceLog.parse(log, SHA + "\n");
    assertThat(out.dockerfile()).isEqualTo(DOCKERFILE.repeat(5));
    assertThat(out.dockerignore()).isEqualTo("*.md\n");
    assertThat(out.commit()).isEqualTo(SHA);
  }

  @Test
  void absentBlocksAreNull() {
    SourceOutput out = SourceLog.parse("stagebuild:dockerfile:begin\n" + b64("FROM x\n") + "\nstagebuild:dockerfile:end\n");
    assertThat(out.dockerfile()).isEqualTo("FROM x\n");
    assertThat(out.dockerignore()).isNull();
    assertThat(out.commit()).isNull();
    assertThat(SourceLog.parse("", null)).isEqualTo(new SourceOutput(null, null, null));
    assertThat(SourceLog.parse(null)).isEqualTo(new SourceOutput(null, null, null));
  }

  @Test
  void anEmptyFileIsAnEmptyString() {
    assertThat(SourceLog.parse("stagebuild:dockerignore:begin\nstagebuild:dockerignore:end\n").dockerignore()).isEmpty();
  }

  @Test
  void truncatedLog() {
    assertThatThrownBy(() -> SourceLog.parse("stagebuild:dockerfile:begin\n" + b64(DOCKERFILE).substring(0, 10)))
        .isInstanceOf(dev.stagebuild.dockerfile.DockerfileException.class)
        .hasMessageContaining("truncated").hasMessageContaining("stagebuild:dockerfile:begin without stagebuild:dockerfile:end");
  }

  @Test
  void malformedLogs() {
    assertThatThrownBy(() -> SourceLog.parse("stagebuild:dockerfile:begin\n/w==\nstagebuild:dockerfile:end\n"))
        .isInstanceOf(dev.stagebuild.dockerfile.DockerfileException.class).hasMessageContaining("not UTF-8");
    assertThatThrownBy(() -> SourceLog.parse("stagebuild:dockerfile:end\n"))
        .hasMessageContaining("stagebuild:dockerfile:end without stagebuild:dockerfile:begin");
    assertThatThrownBy(() -> SourceLog.parse("stagebuild:dockerfile:begin\n!!notbase64!!\nstagebuild:dockerfile:end\n"))
        .hasMessageContaining("the dockerfile is not valid base64");
    String twice = "stagebuild:dockerfile:begin\nstagebuild:dockerfile:end\n";
    assertThatThrownBy(() -> SourceLog.parse(twice + twice)).hasMessageContaining("more than one");
    String latin1 = Base64.getEncoder().encodeToString(new byte[] {(byte) 0xe9, 'x'});
    assertThatThrownBy(() -> SourceLog.parse("stagebuild:dockerfile:begin\n" + latin1 + "\nstagebuild:dockerfile:end\n"))
        .hasMessageContaining("not UTF-8");
  }

  @Test
  void commits() {
    assertThat(SourceLog.commit(SHA)).isEqualTo(SHA);
    assertThat(SourceLog.commit("a".repeat(64))).isEqualTo("a".repeat(64));
    assertThat(SourceLog.commit("")).isNull();
    assertThat(SourceLog.commit(null)).isNull();
    assertThatThrownBy(() -> SourceLog.commit("fatal: repository not found"))
        .hasMessageContaining("not a commit sha").hasMessageContaining("fatal: repository not found");
    assertThatThrownBy(() -> SourceLog.commit(SHA.toUpperCase())).hasMessageContaining("not a commit sha");
  }
}
