package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.cli.HostileInputTest;
import dev.stagebuild.cli.HostileInputTest.Case;
import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.kaniko.KanikoResources;
import dev.stagebuild.kaniko.RenderSettings;
import dev.stagebuild.reconciler.BuildDecision.StepStart;
import dev.stagebuild.testing.MockCluster;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile-input catalogue through the operator's own path: the plan resolver (spec validation,
 * budgets, planning), the decision, and the rendering of every object the first pass would create.
 * Each case ends as a decision a person can act on (the build failed with the reason the catalogue
 * names) or as objects the renderer makes without throwing: never an exception in a reconcile.
 */
class HostileCatalogueDecisionTest {
  static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
  static MockCluster cluster;

  @BeforeAll
  static void start() {
    cluster = new MockCluster();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static List<Case> cases() throws IOException {
    // A Dockerfile the operator reads from the source arrives through the source pod instead.
    return HostileInputTest.cases().stream().filter(c -> c.spec() == null || !c.spec().contains("path:")).toList();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void everyCaseEndsInADecisionOrInObjectsTheRendererMakes(Case c) {
    StageBuild sb;
    try {
      sb = HostileInputTest.stageBuild(c);
    } catch (IOException e) {
      return; // the API server's schema refuses it before the operator sees it
    }
    OperatorSettings settings = OperatorSettings.defaults();
    BuildDecision d;
    PlanOutcome plan;
    try {
      ClusterView view = new ClusterView(cluster.client(), sb);
      PlanResolver resolver = new PlanResolver(view, new PlanCache(), sb, "1");
      plan = resolver.resolve(false, null);
      d = new BuildDecider(settings).decide(new BuildDecider.Inputs(sb, "1", plan, null, List.of(), null, NOW));
      if (!d.finished()) {
        KanikoResources resources = new KanikoResources(RenderSettings.defaults());
        resources.workspace(sb, "1");
        for (StepStart start : d.createPods()) {
          if (BuildDecider.SOURCE_STEP.equals(start.step())) {
            resources.sourcePod(sb, "1", List.of(), start.attempt(), d.pinnedNode());
          } else {
            resources.planConfigMap(sb, "1", plan.plan(), resolver.dockerignore());
            resources.stagePod(sb, "1", plan.plan(), plan.plan().pod(dev.stagebuild.kaniko.BuildNames.planPod(
                start.step())), start.attempt(), d.pinnedNode());
          }
        }
      }
    } catch (DockerfileException e) {
      fail("case " + c.name() + ": rendering refused what planning accepted: " + e.getMessage(), e);
      return;
    } catch (Throwable t) {
      fail("case " + c.name() + ": threw " + t, t);
      return;
    }
    var succeeded = Conditions.find(d.status().conditions, Conditions.SUCCEEDED);
    if (c.ok() && plan.known() && plan.plan().usesContext() && sb.getSpec().source == null) {
      // planned fine on its own; the operator needs a source to copy the context from
      assertThat(succeeded.getReason()).as("case %s", c.name()).isEqualTo("InvalidSpec");
      assertThat(succeeded.getMessage()).contains("spec.source is empty");
      return;
    }
    if (c.ok()) {
      assertThat(d.finished()).as("case %s: %s", c.name(), succeeded == null ? "" : succeeded.getMessage()).isFalse();
      assertThat(d.createPods()).as("case %s: the first pass starts a pod", c.name()).isNotEmpty();
      return;
    }
    assertThat(d.finished()).as("case %s: expected %s", c.name(), c.kind()).isTrue();
    assertThat(succeeded.getStatus()).isEqualTo("False");
    String expected = switch (c.kind()) {
      case "INVALID_SPEC" -> "InvalidSpec";
      case "TOO_LARGE" -> "PlanTooLarge";
      default -> "InvalidDockerfile";
    };
    assertThat(succeeded.getReason()).as("case %s: %s", c.name(), succeeded.getMessage()).isEqualTo(expected);
    if (c.text() != null) {
      assertThat(succeeded.getMessage()).as("case %s", c.name()).contains(c.text());
    }
  }
}
