package dev.stagebuild.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.dockerfile.DockerfileParser;
import dev.stagebuild.dockerfile.Instruction;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every real-world Dockerfile of the corpus plans, or fails with the message EXPECTED-ERRORS.txt
 * gives for it. A plan must also survive being planned again (see {@link ReplanCheck}).
 */
class CorpusTest {
  static final int MINIMUM_FILES = 40;

  static List<Path> files() {
    return Corpus.files();
  }

  @Test
  void corpusIsLargeEnough() {
    assertThat(files()).as("corpus files in %s", Corpus.folder()).hasSizeGreaterThanOrEqualTo(MINIMUM_FILES);
  }

  @Test
  void expectedErrorsNameCorpusFiles() {
    List<String> names = files().stream().map(p -> p.getFileName().toString()).toList();
    assertThat(names).containsAll(Corpus.expectedErrors().keySet());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void plansOrFailsAsExpected(Path file) {
    String name = file.getFileName().toString();
    String expected = Corpus.expectedErrors().get(name);
    BuildPlan plan;
    try {
      plan = Planner.plan(Corpus.dockerfile(file), Map.of(), null);
    } catch (DockerfileException e) {
      if (expected == null) {
        fail(name + " does not plan: " + e.getMessage());
      }
      assertThat(e.getMessage()).as(name).contains(expected);
      return;
    }
    if (expected != null) {
      fail(name + " planned, but EXPECTED-ERRORS.txt expects: " + expected);
    }
    assertThat(plan.pods()).isNotEmpty();
    assertThat(plan.pod(plan.finalPod()).isFinal()).isTrue();
    ReplanCheck.assertStable(plan, Map.of());
  }

  /** Each stage as the target: it plans (and replans stably), or fails with a DockerfileException. */
  @ParameterizedTest(name = "{0}")
  @MethodSource("files")
  void everyStageAsTarget(Path file) {
    String dockerfile = Corpus.dockerfile(file);
    List<Instruction> froms;
    try {
      froms = DockerfileParser.parse(dockerfile).instructions().stream().filter(i -> i.is("FROM")).toList();
    } catch (DockerfileException e) {
      return; // covered by plansOrFailsAsExpected
    }
    int planned = 0;
    for (int k = 0; k < froms.size(); k++) {
      List<String> args = froms.get(k).args();
      String target = args.size() == 3 ? args.get(2).toLowerCase(Locale.ROOT) : "stage-" + k;
      BuildPlan p;
      try {
        p = Planner.plan(dockerfile, Map.of(), target);
      } catch (DockerfileException e) {
        continue; // e.g. the stage mounts another stage, or needs a build argument
      }
      planned++;
      assertThat(p.finalPod()).isEqualTo(target);
      ReplanCheck.assertStable(p, Map.of());
    }
    if (!Corpus.expectedErrors().containsKey(file.getFileName().toString())) {
      assertThat(planned).as("stages of %s that plan as targets", file.getFileName()).isPositive();
    }
  }
}
