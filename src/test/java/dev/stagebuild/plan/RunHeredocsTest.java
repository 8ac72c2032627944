package dev.stagebuild.plan;

import static dev.stagebuild.plan.PlannerTest.df;
import static dev.stagebuild.plan.PlannerTest.error;
import static dev.stagebuild.plan.PlannerTest.plan;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.dockerfile.DockerfileParser;
import dev.stagebuild.dockerfile.Instruction;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * RUN whose command is one here-document: written in exec form so that kaniko runs the document as
 * BuildKit does (see {@link RunHeredocs}).
 */
class RunHeredocsTest {
  /** The RUN lines of the only pod's Dockerfile. */
  static List<String> runs(String dockerfile) {
    BuildPlan p = plan(dockerfile);
    return p.pods().get(p.pods().size() - 1).dockerfile().lines().filter(l -> l.startsWith("RUN")).toList();
  }

  /** The argv a RUN in exec form runs, as kaniko's (BuildKit's) parser reads it. */
  static List<String> argv(String runLine) {
    Instruction i = DockerfileParser.parse("FROM scratch\n" + runLine + "\n").instructions().get(1);
    assertThat(i.isJson()).as(runLine).isTrue();
    return i.args();
  }

  @Test
  void everyFormOfTheMarkerRunsTheDocumentWithTheShell() {
    String body = "X=1\necho \"[$X]\" > /x\n";
    for (String marker : List.of("<<EOF", "<<'EOF'", "<<\"EOF\"", "<< EOF", "0<<EOF")) {
      List<String> runs = runs(df("FROM alpine", "RUN " + marker, "X=1", "echo \"[$X]\" > /x", "EOF", "RUN true"));
      assertThat(runs).as(marker).hasSize(2);
      assertThat(argv(runs.get(0))).as(marker).containsExactly("/bin/sh", "-c", body);
      assertThat(runs.get(1)).isEqualTo("RUN true"); // the document's lines are gone from the pod's Dockerfile
    }
  }

  /** BuildKit's parser keeps a document's line endings, CRs too (its scanLines); {@code <<-} strips leading tabs. */
  @Test
  void chompStripsLeadingTabsAndCarriageReturnsStayAsInBuildKitsParser() {
    List<String> runs = runs("FROM alpine\r\nRUN <<-EOF\r\n\t\techo a\r\n\techo b\r\n\tEOF\r\n");
    assertThat(argv(runs.get(0))).containsExactly("/bin/sh", "-c", "echo a\r\necho b\r\n");
  }

  /**
   * BuildKit chomps with Go's {@code (?m)^\t+}, whose {@code ^} follows only a {@code \n}: a tab
   * after a lone CR, U+0085, U+2028 or U+2029 inside a line is data and stays.
   */
  @Test
  void chompStripsTabsOnlyAfterLineFeedsAsGosRegexpDoes() {
    List<String> runs = runs("FROM alpine\nRUN <<-EOF\n\tprintf 'a\u0085\tb|c\u2028\td|e\u2029\tf|g\r\th' > /f\nEOF\n");
    assertThat(argv(runs.get(0)))
        .containsExactly("/bin/sh", "-c", "printf 'a\u0085\tb|c\u2028\td|e\u2029\tf|g\r\th' > /f\n");
  }

  /** kaniko reads a Dockerfile line of at most 65535 bytes: a longer document cannot be one exec-form line. */
  @Test
  void aDocumentTooLongForOneLineIsRefusedByLine() {
    String body = "echo " + "x".repeat(70) + "\n";
    DockerfileException e = error("FROM alpine\nRUN true\nRUN <<EOF\n" + body.repeat(1000) + "EOF\n");
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.detail()).contains("65535 bytes");
    assertThat(plan("FROM alpine\nRUN <<EOF\n" + body.repeat(500) + "EOF\n").pods()).hasSize(1);
  }

  @Test
  void theStagesShellAlsoFromTheStageItIsBuiltFromAndTheFlagsAreKept() {
    List<String> runs = runs(df("FROM debian AS base", "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]",
        "FROM base", "RUN --mount=type=cache,target=/var/cache/apt <<EOF", "false | true", "EOF"));
    assertThat(runs.get(0)).startsWith("RUN --mount=type=cache,target=/var/cache/apt [");
    assertThat(argv(runs.get(0))).containsExactly("/bin/bash", "-o", "pipefail", "-c", "false | true\n");
  }

  @Test
  void aShellScriptWithAShebangRunsWithItsShellAndItsArgument() {
    assertThat(argv(runs(df("FROM alpine", "RUN <<EOF", "#!/bin/bash -e", "echo hi", "EOF")).get(0)))
        .containsExactly("/bin/bash", "-e", "-c", "#!/bin/bash -e\necho hi\n", "/dev/pipes/EOF");
    assertThat(argv(runs(df("FROM alpine", "RUN <<SCRIPT", "#!/usr/bin/env bash", "echo hi", "SCRIPT")).get(0)))
        .containsExactly("/usr/bin/env", "bash", "-c", "#!/usr/bin/env bash\necho hi\n", "/dev/pipes/SCRIPT");
  }

  /** BuildKit runs a #! document as the file /dev/pipes/<marker>: the script's $0 names it, in the rewrite too. */
  @Test
  void aShebangScriptSeesTheNameBuildKitRunsItBy() throws Exception {
    List<String> rewritten = argv(runs(df("FROM alpine", "RUN <<'EOF'", "#!/bin/sh", "echo \"$0 [$1]\"", "EOF")).get(0));
    assertThat(sh(rewritten)).isEqualTo("/dev/pipes/EOF []\n");
    List<String> plain = argv(runs(df("FROM alpine", "RUN <<'EOF'", "echo \"$0\"", "EOF")).get(0));
    assertThat(sh(plain)).as("without #!, BuildKit runs SHELL + [document]: $0 is the shell").isEqualTo("/bin/sh\n");
  }

  /** The parent's ONBUILD SHELL runs first in the stage built FROM it. */
  @Test
  void aShellSetByTheParentsTriggerApplies() {
    assertThat(argv(runs(df("FROM debian AS base", "ONBUILD SHELL [\"/bin/bash\", \"-c\"]", "FROM base",
        "RUN <<EOF", "echo $BASH", "EOF")).get(0))).containsExactly("/bin/bash", "-c", "echo $BASH\n");
  }

  @Test
  void aScriptForAnotherInterpreterIsRefusedByLine() {
    for (String shebang : List.of("#!/usr/bin/env python3", "#!/usr/bin/perl", "#!/bin/sh script-arg",
        "#!/usr/bin/env -S bash -e", "#!env bash", "#!bash")) {
      DockerfileException e = error(df("FROM alpine", "RUN true", "RUN <<EOF", shebang, "print(1)", "EOF"));
      assertThat(e.kind()).as(shebang).isEqualTo(DockerfileException.Kind.UNSUPPORTED);
      assertThat(e.line()).isEqualTo(3);
      assertThat(e.detail()).contains("BuildKit runs it as an executable file").contains("RUN <interpreter> <<'EOF'");
    }
  }

  @Test
  void aCommandWithAHereDocumentIsTheSameInBothAndStaysAsWritten() {
    String dockerfile = df("FROM alpine", "RUN cat <<EOF > /x", "a $HOME", "EOF", "RUN python3 <<'EOF'", "print(1)", "EOF");
    assertThat(plan(dockerfile).pods().get(0).dockerfile()).contains("RUN cat <<EOF > /x\na $HOME\nEOF\n")
        .contains("RUN python3 <<'EOF'\nprint(1)\nEOF\n");
  }

  @Test
  void aPodsDockerfileWithTheDocumentAloneIsWhatKanikoRunsDifferently() {
    Instruction original = DockerfileParser.parse(df("FROM alpine", "RUN <<EOF", "true", "EOF")).instructions().get(1);
    assertThat(KanikoCapabilities.refusal(original, true, Set.of())).isEmpty(); // the planner rewrites it
    assertThat(KanikoCapabilities.refusal(original, false, Set.of())).get().asString()
        .startsWith("RUN <<EOF: kaniko v1.28.3 runs a here-document that is the whole command as \"<<EOF sh\"");
    Instruction complex = DockerfileParser.parse(df("FROM alpine", "RUN sh <<EOF", "true", "EOF")).instructions().get(1);
    assertThat(KanikoCapabilities.refusal(complex, false, Set.of())).isEmpty();
  }

  /**
   * What the rewrite is for, run with a real shell: kaniko's command for the original prints the
   * outer shell's (empty) X, the exec form prints the script's own, as BuildKit does.
   */
  @Test
  void theExecFormRunsTheScriptAsBuildKitDoesWhereKanikosCommandDidNot() throws Exception {
    String document = "X=1\necho \"[$X]\"\n";
    List<String> rewritten = argv(runs(df("FROM alpine", "RUN <<EOF", "X=1", "echo \"[$X]\"", "EOF")).get(0));
    assertThat(sh(rewritten)).isEqualTo("[1]\n");
    // pkg/commands/run.go: SHELL + ["<<EOF sh\n" + data + "EOF"]
    assertThat(sh(List.of("/bin/sh", "-c", "<<EOF sh\n" + document + "EOF"))).isEqualTo("[]\n");
    // and for <<'EOF' no " sh" is added: nothing runs
    assertThat(sh(List.of("/bin/sh", "-c", "<<'EOF'\n" + document + "EOF"))).isEmpty();
  }

  private static String sh(List<String> argv) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(new ArrayList<>(argv)).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    return out;
  }
}
