package dev.stagebuild.plan;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagebuild.dockerfile.Dockerfile;
import dev.stagebuild.dockerfile.DockerfileParser;
import dev.stagebuild.dockerfile.Flag;
import dev.stagebuild.dockerfile.Instruction;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * For the end-to-end stand-in: a pod's Dockerfile with kaniko's context bind mounts made explicit,
 * so that buildah builds what kaniko builds. kaniko v1.28.3 (run.go, {@code FF_KANIKO_RUN_MOUNT_BIND})
 * does not mount: for each {@code RUN --mount=type=bind} from the context, in order, it moves what
 * the target holds aside, makes the target's missing parents, and copies {@code <context>/<source>}
 * in (owners, modes and times kept); after the command it removes the target, then the first parent
 * it made, and moves the original back, the last mount first. All of that as root, before the
 * command runs as the stage's USER. buildah bind-mounts instead: writes reach the context (a
 * read-write mount), and it removes the target after the command even when the image had it.
 *
 * <p>So such a RUN becomes: a RUN (as root) that does kaniko's part before the command, with the
 * sources bind-mounted read-only at {@code /.stagebuild-bind-<k>}; the RUN without those mounts; a
 * RUN (as root) that undoes it. buildah keeps one layer for the whole build, so the image's files
 * are kaniko's; its history differs, which the comparison does not look at. The paths go to fixed
 * scripts as arguments, never into the script text. Not modelled: the .dockerignore kaniko applies
 * while it copies (no end-to-end case binds an ignored file); a USER the base image sets (the
 * end-to-end images set none: the steps run as the stage's USER from the Dockerfile, or root); the
 * order of the context binds among a RUN's other mounts (they all come first here, buildah mounts
 * the rest after; the planner writes nested mounts in BuildKit's order, outer first); kaniko's
 * swap directory is outside the image, the stand-in's ({@value #STATE}) is visible to the command.
 */
public final class KanikoBindStandIn {
  private KanikoBindStandIn() {}

  private static final ObjectMapper JSON = new ObjectMapper();
  static final String STATE = "/.stagebuild-binds";

  /** Moves each target (argument) aside, makes its parents, copies the k-th source in. */
  static final String BEFORE = "set -e; st=" + STATE + "; mkdir -p \"$st\"; k=0; for t in \"$@\"; do"
      + " if [ -e \"$t\" ] || [ -L \"$t\" ]; then mv \"$t\" \"$st/swap-$k\"; fi;"
      + " c=; p=$(dirname \"$t\"); while [ ! -e \"$p\" ]; do c=$p; p=$(dirname \"$p\"); done;"
      + " printf '%s' \"$c\" > \"$st/created-$k\"; mkdir -p \"$(dirname \"$t\")\";"
      + " cp -a \"/.stagebuild-bind-$k\" \"$t\"; k=$((k+1)); done";

  /** For each (k, target) pair, the last mount first: removes the target and what was made, moves the original back. */
  static final String AFTER = "set -e; st=" + STATE + "; while [ $# -gt 1 ]; do k=$1; t=$2; shift 2;"
      + " rm -rf \"$t\"; c=$(cat \"$st/created-$k\"); if [ -n \"$c\" ]; then rm -rf \"$c\"; fi;"
      + " if [ -e \"$st/swap-$k\" ] || [ -L \"$st/swap-$k\" ]; then mv \"$st/swap-$k\" \"$t\"; fi; done;"
      + " rm -rf \"$st\"";

  /** Thrown for a bind mount the stand-in cannot make explicit (the test fails, rather than build otherwise). */
  public static final class Unsupported extends RuntimeException {
    Unsupported(String message) {
      super(message);
    }
  }

  /** The Dockerfile with every RUN's context bind mounts made explicit; the same text when it has none. */
  public static String rewrite(String text) {
    Dockerfile parsed = DockerfileParser.parse(text);
    String[] lines = text.split("\n", -1);
    List<String> out = new ArrayList<>();
    int next = 1; // the next physical line not copied yet
    Map<String, String> userOfStage = new HashMap<>();
    String user = "";
    String stage = null;
    for (Instruction i : parsed.instructions()) {
      if (i.is("FROM")) {
        if (stage != null) {
          userOfStage.put(stage, user);
        }
        String base = i.args().isEmpty() ? "" : i.args().get(0).toLowerCase(Locale.ROOT);
        user = userOfStage.getOrDefault(base, "");
        stage = i.args().size() == 3 ? i.args().get(2).toLowerCase(Locale.ROOT) : null;
      } else if (i.is("USER")) {
        user = i.argText();
      }
      List<String[]> binds = new ArrayList<>();
      List<Instruction.Edit> deletions = new ArrayList<>();
      if (i.is("RUN")) {
        for (Flag f : i.flags("mount")) {
          MountSpec m = MountSpec.parse(f.value());
          boolean context = m.from() == null || m.from().isEmpty() || m.from().equals("context");
          if (m.type().equals("bind") && context) {
            String source = m.source() == null ? "" : m.source();
            String target = m.field("target", "dst", "destination");
            if (target == null || !target.startsWith("/") || (source + target).indexOf('$') >= 0) {
              throw new Unsupported("line " + i.line() + ": bind mount " + f.value() + " (the stand-in needs an"
                  + " absolute target and no variables)");
            }
            binds.add(new String[] {source, target});
            deletions.add(i.deletion(f.span()));
          }
        }
      }
      if (binds.isEmpty()) {
        continue;
      }
      while (next < i.line()) {
        out.add(lines[next - 1]);
        next++;
      }
      out.addAll(explicit(i, binds, deletions, user));
      next = i.endLine() + 1;
    }
    if (next == 1) {
      return text;
    }
    while (next <= lines.length) {
      out.add(lines[next - 1]);
      next++;
    }
    return String.join("\n", out);
  }

  private static List<String> explicit(Instruction run, List<String[]> binds, List<Instruction.Edit> deletions,
      String user) {
    List<String> out = new ArrayList<>();
    StringBuilder mounts = new StringBuilder();
    List<String> before = new ArrayList<>(List.of("/bin/sh", "-c", BEFORE, "stagebuild-bind"));
    List<String> after = new ArrayList<>(List.of("/bin/sh", "-c", AFTER, "stagebuild-unbind"));
    for (int k = 0; k < binds.size(); k++) {
      String source = binds.get(k)[0];
      mounts.append("--mount=").append(csv("type=bind")).append(',')
          .append(csv("source=" + (source.isEmpty() ? "." : source))).append(',')
          .append(csv("target=/.stagebuild-bind-" + k)).append(",ro ");
      before.add(binds.get(k)[1]);
    }
    for (int k = binds.size() - 1; k >= 0; k--) {
      after.add(Integer.toString(k));
      after.add(binds.get(k)[1]);
    }
    boolean switchUser = !user.isEmpty();
    if (switchUser) {
      out.add("USER 0");
    }
    out.add("RUN " + mounts + json(before));
    if (switchUser) {
      out.add("USER " + user);
    }
    out.add(run.applyEdits(deletions));
    if (switchUser) {
      out.add("USER 0");
    }
    out.add("RUN " + json(after));
    if (switchUser) {
      out.add("USER " + user);
    }
    return out;
  }

  private static String csv(String field) {
    return field.indexOf(',') < 0 && field.indexOf('"') < 0 ? field : '"' + field.replace("\"", "\"\"") + '"';
  }

  private static String json(List<String> argv) {
    try {
      return JSON.writeValueAsString(argv);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }
}
