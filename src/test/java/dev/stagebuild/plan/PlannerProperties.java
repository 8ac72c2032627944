package dev.stagebuild.plan;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.dockerfile.DockerfileException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Properties of the planner over random input: only {@link DockerfileException} ever leaves it,
 * a plan is consistent, and planning a pod's rewritten Dockerfile again keeps its meaning.
 */
class PlannerProperties {
  private static final List<Path> CORPUS = Corpus.files();

  @Provide
  Arbitrary<String> grammarWithMistakes() {
    return Arbitraries.randomValue(r -> DockerfileGrammar.dockerfile(r, true));
  }

  @Provide
  Arbitrary<String> grammar() {
    return Arbitraries.randomValue(r -> DockerfileGrammar.dockerfile(r, false));
  }

  @Provide
  Arbitrary<String> targets() {
    return Arbitraries.of("", "s0", "s1", "S2", "build-3", "stage-1", "stage_4", "nope");
  }

  @Provide
  Arbitrary<String> mutatedCorpus() {
    return Arbitraries.randomValue(r -> Mutations.mutate(Corpus.dockerfile(CORPUS.get(r.nextInt(CORPUS.size()))), r));
  }

  @Provide
  Arbitrary<String> mutatedGrammar() {
    return Arbitraries.randomValue(r -> Mutations.mutate(DockerfileGrammar.dockerfile(r, true), r));
  }

  @Property(tries = 400)
  void grammarDockerfilesOnlyFailWithDockerfileException(@ForAll("grammarWithMistakes") String dockerfile,
      @ForAll("targets") String target) {
    planChecked(dockerfile, target);
  }

  @Property(tries = 300)
  void mutatedCorpusOnlyFailsWithDockerfileException(@ForAll("mutatedCorpus") String dockerfile) {
    planChecked(dockerfile, null);
  }

  @Property(tries = 400)
  void mutatedGrammarOnlyFailsWithDockerfileException(@ForAll("mutatedGrammar") String dockerfile,
      @ForAll("targets") String target) {
    planChecked(dockerfile, target);
  }

  @Property(tries = 300)
  void replanningAPodKeepsItsChainAndInstructions(@ForAll("grammar") String dockerfile,
      @ForAll("targets") String target) {
    BuildPlan plan;
    try {
      plan = Planner.plan(dockerfile, Map.of(), target);
    } catch (DockerfileException e) {
      return; // e.g. an unknown target; the property is about plans that exist
    }
    ReplanCheck.assertStable(plan, Map.of());
  }

  @Property(tries = 200)
  void mostValidGrammarDockerfilesPlan(@ForAll("grammar") String dockerfile) {
    // the grammar without mistakes only writes what Docker accepts; StageBuild also refuses what
    // kaniko would ignore (UNSUPPORTED), and a context source whose variable may come from the
    // base image (it could climb out of the context)
    try {
      Planner.plan(dockerfile, Map.of(), null);
    } catch (DockerfileException e) {
      if (e.kind() != DockerfileException.Kind.UNSUPPORTED) {
        assertThat(e.detail()).contains("$DIR/x: variable DIR cannot be resolved when planning");
      }
    }
  }

  /** Plans; a DockerfileException is fine, anything else fails; a plan must be consistent. */
  private static void planChecked(String dockerfile, String target) {
    BuildPlan plan;
    try {
      plan = Planner.plan(dockerfile, Map.of(), target);
    } catch (DockerfileException e) {
      assertThat(e.detail()).isNotBlank();
      assertThat(e.line()).isGreaterThanOrEqualTo(0);
      return;
    }
    assertConsistent(plan);
  }

  private static final Pattern FROM_PATH = Pattern.compile("(?:^|[\\s\\[\"])from/([a-z][a-z0-9_.-]*)/");

  static void assertConsistent(BuildPlan plan) {
    Map<String, Integer> wave = new HashMap<>();
    for (int w = 0; w < plan.waves().size(); w++) {
      for (String pod : plan.waves().get(w)) {
        wave.put(pod, w);
      }
    }
    assertThat(wave.keySet()).containsExactlyInAnyOrderElementsOf(plan.pods().stream().map(PodPlan::name).toList());
    assertThat(plan.pods().stream().filter(PodPlan::isFinal).map(PodPlan::name)).containsExactly(plan.finalPod());
    Set<String> seen = new HashSet<>();
    for (PodPlan pod : plan.pods()) {
      for (String dep : pod.dependsOn()) {
        assertThat(seen).as("pod %s comes after its dependency %s", pod.name(), dep).contains(dep);
        assertThat(wave.get(dep)).isLessThan(wave.get(pod.name()));
      }
      if (!pod.dependsOn().isEmpty()) {
        assertThat(pod.dependsOn().stream().mapToInt(wave::get).max().getAsInt()).isEqualTo(wave.get(pod.name()) - 1);
      } else {
        assertThat(wave.get(pod.name())).isZero();
      }
      seen.add(pod.name());
      assertThat(pod.stages().get(pod.stages().size() - 1)).isEqualTo(pod.target());
      Set<String> referenced = new HashSet<>();
      Matcher m = FROM_PATH.matcher(pod.dockerfile());
      while (m.find()) {
        referenced.add(m.group(1));
      }
      assertThat(new HashSet<>(pod.dependsOn())).as("from/ paths of pod %s", pod.name())
          .containsAll(referenced);
    }
    for (StagePlan s : plan.stages()) {
      assertThat(plan.pod(s.pod()).stages()).contains(s.name());
    }
  }

  @Property(tries = 50)
  void randomSeedsAreReproducible(@ForAll long seed) {
    assertThat(DockerfileGrammar.dockerfile(new Random(seed), true))
        .isEqualTo(DockerfileGrammar.dockerfile(new Random(seed), true));
  }
}
