package dev.stagebuild.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.dockerfile.DockerfileParser;
import dev.stagebuild.dockerfile.Flag;
import dev.stagebuild.dockerfile.Instruction;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * "The rewrite keeps the meaning": planning a pod's rewritten Dockerfile for its target gives a pod
 * with the same chain of stages, the same dependencies and the same instructions, except that
 * every COPY/ADD context source gains one more {@code src/} (and a {@code --parents} source one
 * more pivot {@code ./}), and so does the source of a context bind mount; and one more pod for each stand-in stage (a one-stage
 * {@code FROM scratch} pod named after the producer it stands in for).
 */
final class ReplanCheck {
  private ReplanCheck() {}

  static void assertStable(BuildPlan plan, Map<String, String> buildArgs) {
    for (PodPlan pod : plan.pods()) {
      BuildPlan again = Planner.plan(pod.dockerfile(), buildArgs, pod.target());
      // a producer the pod only bind-mounts from has no stand-in: its mount reads a context directory
      int standIns = (int) pod.dockerfile().lines().filter(l -> l.startsWith("# stagebuild: the files of stage"))
          .count();
      assertThat(again.pods()).as("pods when replanning pod %s", pod.name()).hasSize(standIns + 1);
      PodPlan same = again.pod(pod.target());
      for (PodPlan standIn : again.pods()) {
        if (standIn != same) {
          // a stand-in is named after its producer (a producer named scratch: stage-<index>)
          assertThat(standIn.stages()).as("stand-in %s in pod %s", standIn.name(), pod.name())
              .containsExactly(standIn.name());
          assertThat(standIn.dockerfile()).as("stand-in %s in pod %s", standIn.name(), pod.name())
              .contains("FROM scratch AS " + standIn.name() + "\n");
        }
      }
      assertThat(same.stages()).as("chain of pod %s", pod.name()).isEqualTo(pod.stages());
      assertThat(same.dependsOn()).as("dependencies of pod %s", pod.name()).hasSize(standIns);
      assertThat(normalized(same.dockerfile())).as("instructions of pod %s", pod.name())
          .isEqualTo(normalized(pod.dockerfile()));
    }
  }

  /** Each instruction as text, with COPY/ADD sources stripped of leading {@code src/}. */
  static List<String> normalized(String dockerfile) {
    List<String> out = new ArrayList<>();
    for (Instruction i : DockerfileParser.parse(dockerfile).instructions()) {
      if (i.is("RUN")) {
        // a context bind mount's source gains one more src/ too
        out.add(i.source().replaceAll("(source|src)=(src/)+", "$1="));
        continue;
      }
      if (!i.is("COPY") && !i.is("ADD")) {
        out.add(i.source());
        continue;
      }
      StringBuilder sb = new StringBuilder(i.keyword());
      for (Flag f : i.flags()) {
        sb.append(" --").append(f.name()).append('=').append(f.value());
      }
      List<String> args = i.args();
      for (int k = 0; k < args.size(); k++) {
        String a = args.get(k);
        if (i.is("ADD") && k == 0 && a.matches("from/[^/]+\\.tar")) {
          // a stand-in's archive is named after the producer's pod, which a replan may name differently
          a = "from/<pod>.tar";
        }
        // "src/./x" is "x" with --parents too: the pivot only says where parents start
        while (k < args.size() - 1 && (a.startsWith("src/") || a.startsWith("./"))) {
          a = a.substring(a.startsWith("./") ? 2 : 4);
        }
        sb.append(' ').append(a);
      }
      sb.append(" json=").append(i.isJson()).append(" heredocs=").append(i.heredocs());
      out.add(sb.toString());
    }
    return out;
  }
}
