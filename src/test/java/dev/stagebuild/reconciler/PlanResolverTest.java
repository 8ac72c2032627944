package dev.stagebuild.reconciler;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.api.GitSource;
import dev.stagebuild.api.Source;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.kaniko.KanikoResources;
import dev.stagebuild.kaniko.RenderSettings;
import dev.stagebuild.plan.Planner;
import dev.stagebuild.testing.Builds;
import dev.stagebuild.testing.MockCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Reading a build's plan back from its ConfigMap (after an operator restart, for a git build). */
class PlanResolverTest {
  final MockCluster cluster = new MockCluster();
  final KanikoResources resources = new KanikoResources(RenderSettings.defaults());

  @AfterEach
  void close() {
    cluster.close();
  }

  private StageBuild gitBuild(String name) {
    StageBuild sb = Builds.stageBuild(name, "registry.example.com/app:1");
    sb.getMetadata().setNamespace("demo");
    sb.getMetadata().setUid("uid-" + name);
    sb.getSpec().source = new Source();
    sb.getSpec().source.git = new GitSource();
    sb.getSpec().source.git.url = "https://example.com/app.git";
    return sb;
  }

  /** The plan ConfigMap the operator writes for this build, with the Dockerfile given. */
  private ConfigMap planConfigMap(StageBuild sb, String dockerfile) {
    var plan = Planner.plan(dockerfile, Map.of(), null);
    ConfigMap cm = resources.planConfigMap(sb, "1", plan, "");
    cm.getMetadata().setNamespace("demo");
    return cm;
  }

  private PlanOutcome resolveAfterRestart(StageBuild sb) {
    // a stage pod existed (so the plan was written), the source pod is gone, the cache is empty
    return new PlanResolver(new ClusterView(cluster.client(), sb), new PlanCache(), sb, "1").resolve(true, null);
  }

  @Test
  void aDockerfilePathWithDotSegmentsNamesItsConfigMapKey() {
    StageBuild sb = Builds.stageBuild("cm", "registry.example.com/app:1");
    sb.getMetadata().setNamespace("demo");
    sb.getMetadata().setUid("uid-cm");
    sb.getSpec().source = new Source();
    sb.getSpec().source.configMap = new dev.stagebuild.api.LocalObjectRef();
    sb.getSpec().source.configMap.name = "ctx";
    sb.getSpec().dockerfile = new dev.stagebuild.api.DockerfileSpec();
    sb.getSpec().dockerfile.path = "./Dockerfile";
    cluster.client().configMaps().inNamespace("demo").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata().withName("ctx").endMetadata().addToData("Dockerfile", "FROM alpine\nRUN true\n").build())
        .create();
    PlanOutcome outcome = new PlanResolver(new ClusterView(cluster.client(), sb), new PlanCache(), sb, "1")
        .resolve(false, null);
    assertThat(outcome.error()).isNull();
    assertThat(outcome.known()).isTrue();
  }

  private StageBuild configMapBuild(String name, String dockerfile, String dockerignore) {
    StageBuild sb = Builds.stageBuild(name, "registry.example.com/app:1");
    sb.getMetadata().setNamespace("demo");
    sb.getMetadata().setUid("uid-" + name);
    sb.getSpec().source = new Source();
    sb.getSpec().source.configMap = new dev.stagebuild.api.LocalObjectRef();
    sb.getSpec().source.configMap.name = name + "-ctx";
    cluster.client().configMaps().inNamespace("demo").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata().withName(name + "-ctx").endMetadata().addToData("Dockerfile", dockerfile)
        .addToData(".dockerignore", dockerignore).build()).create();
    return sb;
  }

  @Test
  void theDockerignoreIsMeasuredAsInstalledAndReadBackAsItWasWritten() {
    // about 43 KB as rewritten under src/, twice that with the copies of COPY --exclude from the context
    String big = "pattern-number-x\n".repeat(1_200);
    StageBuild plain = configMapBuild("plain", "FROM alpine\nCOPY . /app\n", big);
    assertThat(new PlanResolver(new ClusterView(cluster.client(), plain), new PlanCache(), plain, "1")
        .resolve(false, null).error()).isNull();
    StageBuild excluding = configMapBuild("excluding", "FROM alpine\nCOPY --exclude=*.md . /app\n", big);
    PlanOutcome refused = new PlanResolver(new ClusterView(cluster.client(), excluding), new PlanCache(), excluding, "1")
        .resolve(false, null);
    assertThat(refused.error()).isNotNull();
    assertThat(refused.error().getMessage()).contains("again for the copies of COPY --exclude");

    // after a restart the installed text comes back from the plan ConfigMap: rendered again as it is
    StageBuild sb = gitBuild("back");
    var plan = Planner.plan("FROM alpine\nCOPY --exclude=*.md . /app\n", Map.of(), null);
    ConfigMap written = resources.planConfigMap(sb, "1", plan, "src/a\nsrc/a/**\n");
    written.getMetadata().setNamespace("demo");
    cluster.client().configMaps().inNamespace("demo").resource(written).create();
    PlanResolver resolver = new PlanResolver(new ClusterView(cluster.client(), sb), new PlanCache(), sb, "1");
    assertThat(resolver.resolve(true, null).known()).isTrue();
    assertThat(resources.planConfigMap(sb, "1", plan, resolver.dockerignore()).getData())
        .isEqualTo(written.getData());
  }

  @Test
  void theOperatorsOwnPlanIsReadBack() {
    StageBuild sb = gitBuild("app");
    cluster.client().configMaps().inNamespace("demo").resource(planConfigMap(sb, "FROM alpine\nRUN true\n")).create();
    PlanOutcome outcome = resolveAfterRestart(sb);
    assertThat(outcome.known()).isTrue();
    assertThat(outcome.plan().pods()).hasSize(1);
  }

  @Test
  void aPlanConfigMapThisStageBuildDoesNotControlIsNotBelieved() {
    StageBuild victim = gitBuild("app");
    // Someone who may create ConfigMaps writes a plan of their own under the build's plan name.
    ConfigMap forged = planConfigMap(gitBuild("other"), "FROM attacker/image\nRUN steal\n");
    forged.getMetadata().setName(planConfigMap(victim, "FROM alpine\n").getMetadata().getName());
    cluster.client().configMaps().inNamespace("demo").resource(forged).create();
    PlanOutcome outcome = resolveAfterRestart(victim);
    assertThat(outcome.known()).as("not taken as the build's plan").isFalse();
    assertThat(outcome.error()).isNull();
  }

  @Test
  void aPlanThatCannotBeReadEndsTheBuildWithWhatToDo() {
    StageBuild sb = gitBuild("app");
    ConfigMap cm = planConfigMap(sb, "FROM alpine\nRUN true\n");
    cm.getData().put(KanikoResources.PLAN_JSON_KEY, "{\"pods\": 7}");
    cluster.client().configMaps().inNamespace("demo").resource(cm).create();
    PlanOutcome outcome = resolveAfterRestart(sb);
    assertThat(outcome.known()).isFalse();
    assertThat(outcome.error()).isNotNull();
    assertThat(outcome.error().getMessage()).contains("the plan of this build, ConfigMap " + cm.getMetadata().getName()
        + ", cannot be read", StageBuild.REBUILD_ANNOTATION);
    assertThat(BuildDecider.planReason(outcome.error())).isEqualTo("InvalidSpec");
  }
}
