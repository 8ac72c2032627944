package dev.stagebuild.plan;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random multi-stage Dockerfiles from a grammar of the instructions the planner cares about: named
 * and unnamed stages, FROM a stage, an image or an ARG; COPY from the context, from a stage by name
 * or index, from an image; heredocs, JSON forms, flags, continuations and comments. With
 * {@code mistakes} it also writes what Docker refuses (later stages, escaping paths, stage mounts,
 * malformed lines), so that error paths are exercised too.
 */
final class DockerfileGrammar {
  private final Random r;
  private final boolean mistakes;
  private final StringBuilder out = new StringBuilder();
  private final List<String> stageNames = new ArrayList<>();
  private char escape = '\\';
  private int stageCount;
  /** Variables an ARG or ENV of the current stage set (others are unknown when planning). */
  private final java.util.Set<String> declared = new java.util.HashSet<>();

  private DockerfileGrammar(Random r, boolean mistakes) {
    this.r = r;
    this.mistakes = mistakes;
  }

  static String dockerfile(Random r, boolean mistakes) {
    return new DockerfileGrammar(r, mistakes).write();
  }

  private String write() {
    if (chance(0.2)) {
      line("# syntax=docker/dockerfile:1");
    }
    if (chance(0.15)) {
      line("# escape=`");
      escape = '`';
    }
    if (chance(0.2)) {
      line("# a comment");
    }
    int globals = r.nextInt(3);
    for (int i = 0; i < globals; i++) {
      line(pick("ARG BASE=alpine:3.19", "ARG VERSION=1.2.3", "ARG SRC=s0", "ARG FILE=/out/app",
          "ARG TAG", "ARG A=1 B=\"two words\""));
    }
    int stages = 1 + r.nextInt(6);
    for (int i = 0; i < stages; i++) {
      stage(i);
    }
    if (chance(0.3)) {
      out.append(pick("\n", "# trailing comment\n", "\n\n"));
    }
    return out.toString();
  }

  private void stage(int index) {
    String name = chance(0.7) ? pick("s", "S", "build-", "stage_") + index : null;
    StringBuilder from = new StringBuilder(pick("FROM ", "from ", "FROM "));
    if (chance(0.2)) {
      from.append("--platform=$BUILDPLATFORM ");
    }
    from.append(baseImage());
    if (name != null) {
      from.append(pick(" AS ", " as ", " As ")).append(name);
    }
    line(from.toString());
    stageCount++;
    declared.clear();
    int body = r.nextInt(7);
    for (int i = 0; i < body; i++) {
      instruction();
    }
    if (name != null) {
      stageNames.add(name.toLowerCase(java.util.Locale.ROOT));
    }
  }

  private String baseImage() {
    if (!stageNames.isEmpty() && chance(0.4)) {
      return pick(stageNames);
    }
    if (mistakes && chance(0.05)) {
      return pick("$NOT_SET", "s9", "later");
    }
    return pick("alpine:3.19", "scratch", "golang:1.22", "${BASE:-debian}", "busybox@sha256:abc");
  }

  private void instruction() {
    switch (r.nextInt(14)) {
      case 0 -> line("RUN " + pick("echo hi", "apk add curl", "[ -d /x ] || mkdir /x", "make && make install"));
      case 1 -> line("RUN apt-get update && \\".replace('\\', escape), "    # inside", "", "    apt-get install -y vim");
      case 2 -> line("RUN [\"/bin/sh\", \"-c\", \"echo json\"]");
      case 3 -> heredoc();
      case 4 -> line("RUN --mount=" + mount() + " go build ./...");
      case 5, 6 -> line(copyFromContext());
      case 7, 8 -> line(copyFromStage());
      case 9 -> line(pick("ADD https://example.com/a.tgz /a/", "ADD local.tar.gz /opt/",
          "ADD git@github.com:x/y.git /y", "ADD --chmod=644 ./conf /etc/"));
      case 10 -> {
        String decl = pick("ARG FILE=/data/out", "ARG SRC", "ARG DIR=dist", "ENV OUT=/out", "ENV K v w",
            "ENV A=1 B=\"x y\"", "ENV D=${DIR:-/d}");
        declared.add(decl.substring(4).split("[= ]")[0]);
        line(decl);
      }
      case 11 -> line(pick("WORKDIR /app", "USER 1000:1000", "LABEL a=b", "EXPOSE 8080/tcp", "VOLUME /data",
          "STOPSIGNAL SIGTERM", "SHELL [\"/bin/bash\", \"-c\"]", "HEALTHCHECK CMD true", "ONBUILD COPY . /app",
          "CMD [\"app\"]", "ENTRYPOINT /app"));
      case 12 -> line(pick("# comment", "", "   # indented comment"));
      default -> {
        if (mistakes) {
          mistake();
        } else {
          line("RUN true");
        }
      }
    }
  }

  private void heredoc() {
    switch (r.nextInt(3)) {
      case 0 -> line("RUN <<EOF", "set -e", "FROM not-an-instruction", "EOF");
      case 1 -> line("RUN <<-'EOT' cat > /x", "\tbody $NOT_EXPANDED", "\tEOT");
      default -> line("COPY <<EOF /etc/conf.d/x", "key=value", "EOF");
    }
  }

  private String mount() {
    if (mistakes && !stageNames.isEmpty() && chance(0.2)) {
      return "type=bind,from=" + pick(stageNames) + ",target=/m";
    }
    if (mistakes && chance(0.2)) {
      // what BuildKit or StageBuild refuses: bad sizes, a tmpfs from something, the pod's own paths,
      // an empty image, a signed stage index, two mounts at one target, an empty field
      return pick("type=tmpfs,target=/t,size=lots", "type=tmpfs,from=busybox,target=/t", "type=tmpfs,target=/dev/shm",
          "type=bind,from=scratch,target=/s", "type=bind,from=-1,target=/n", "type=bind,from=+0,target=/z",
          "type=tmpfs,target=/d --mount=type=tmpfs,target=/d", "type=tmpfs,target=/e,", "type=tmpfs,size=$NOPE,target=/v",
          "type=bind,from=Upper/Case,target=/u");
    }
    return pick("type=cache,target=/root/.cache", "type=secret,id=token", "target=/src",
        "type=bind,from=golang:1.22,source=/usr/local/go,target=/go", "type=tmpfs,target=/tmp/work,size=64m",
        "type=tmpfs,target=relative", "type=bind,from=busybox:1.36,target=/bb --mount=type=tmpfs,target=/bb/tmp",
        "type=tmpfs,target=/a/b --mount=type=bind,target=/a", "type=bind,from=ghcr.io/astral-sh/uv:0.5,source=/uv,target=/bin/uv");
  }

  private String copyFromContext() {
    StringBuilder sb = new StringBuilder(pick("COPY ", "copy ", "ADD "));
    boolean add = sb.charAt(0) == 'A';
    sb.append(add ? pick("", "--chown=1:1 ", "--checksum=sha256:abc ", "--link ")
        : pick("", "--chown=1:1 ", "--chmod=755 ", "--link ", "--parents ", "--exclude=*.md "));
    int n = 1 + r.nextInt(3);
    List<String> sources = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      sources.add(pick(".", "./a", "a/b/", "/abs/file", "*.txt", "dir/.", "$DIR/x", "\"quoted\"",
          "a/../b", "src/main"));
    }
    if (mistakes && chance(0.05)) {
      sources.add("../escape");
    }
    String dest = pick("/dst/", ".", "/app");
    if (chance(0.2)) {
      sources.add(dest);
      return sb + json(sources);
    }
    return sb + String.join(" ", sources) + " " + dest;
  }

  private String copyFromStage() {
    String from;
    if (stageCount > 1 && chance(0.2)) {
      from = String.valueOf(r.nextInt(stageCount - 1));
    } else if (!stageNames.isEmpty() && chance(0.7)) {
      from = pick(stageNames);
      from = chance(0.1) ? from.toUpperCase(java.util.Locale.ROOT) : from;
    } else if (mistakes && chance(0.2)) {
      // later or missing stages; a global ARG that the stage did not declare again
      from = pick("s9", "99", "${SRC}", "-1", "${SRC:-alpine}");
    } else {
      from = pick("nginx:latest", "busybox");
    }
    StringBuilder sb = new StringBuilder("COPY ");
    sb.append(pick("", "--chown=app ", "--link ", "--parents "));
    sb.append("--from=").append(from).append(' ');
    List<String> sources = new ArrayList<>();
    int n = 1 + r.nextInt(2);
    for (int i = 0; i < n; i++) {
      String source = pick("/out/app", "out", "/x/*.so", "/data/.", "${FILE:-/f}", "$OUT/bin", "/", "/usr/lib/",
          "a/../../b");
      boolean unknown = (source.contains("FILE") && !declared.contains("FILE"))
          || (source.contains("OUT") && !declared.contains("OUT"));
      sources.add(unknown && !mistakes ? "/f" : source);
    }
    if (chance(0.2)) {
      sources.add("/dst/");
      return sb + json(sources);
    }
    if (chance(0.2)) {
      return sb + String.join(" " + escape + "\n    ", sources) + " /dst/";
    }
    return sb + String.join(" ", sources) + " /dst/";
  }

  private void mistake() {
    line(pick("COPY onlyone", "FROM", "FROM a b c", "RUNN x", "COPY --frm=x a b", "ENV alone",
        "RUN <<EOF", "COPY [\"a\", \"b\"", "ONBUILD ONBUILD RUN x", "COPY --from=s0 a <<EOF", "ARG =x"));
  }

  private String json(List<String> items) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < items.size(); i++) {
      sb.append(i == 0 ? "" : ", ").append('"').append(items.get(i).replace("\"", "\\\"")).append('"');
    }
    return sb.append(']').toString();
  }

  private void line(String... lines) {
    for (String l : lines) {
      out.append(l).append('\n');
    }
  }

  private boolean chance(double p) {
    return r.nextDouble() < p;
  }

  private String pick(String... options) {
    return options[r.nextInt(options.length)];
  }

  private String pick(List<String> options) {
    return options.get(r.nextInt(options.size()));
  }
}
