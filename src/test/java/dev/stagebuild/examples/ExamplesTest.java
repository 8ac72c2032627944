package dev.stagebuild.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.stagebuild.api.BuildArg;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageSettings;
import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.PodPlan;
import dev.stagebuild.plan.Planner;
import dev.stagebuild.plan.StagePlan;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

/**
 * Every StageBuild under examples/ is a valid object of the API (unknown fields fail) and, when its
 * Dockerfile is inline, plans without error; the examples show what their comments say.
 */
class ExamplesTest {
  static final Path EXAMPLES = Path.of("examples");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
      .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  /** Every StageBuild document in every YAML file under examples/, by metadata.name. */
  static Map<String, StageBuild> stageBuilds() throws IOException {
    Map<String, StageBuild> builds = new LinkedHashMap<>();
    for (Path file : yamlFiles()) {
      for (JsonNode doc : documents(file)) {
        if ("StageBuild".equals(doc.path("kind").asText())) {
          assertThat(doc.path("apiVersion").asText()).as(file.toString()).isEqualTo("stagebuild.dev/v1alpha1");
          StageBuild sb = YAML.treeToValue(doc, StageBuild.class);
          assertThat(builds.put(sb.getMetadata().getName(), sb)).as("duplicate name in " + file).isNull();
        }
      }
    }
    return builds;
  }

  static List<Path> yamlFiles() throws IOException {
    try (Stream<Path> files = Files.walk(EXAMPLES)) {
      return files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
    }
  }

  static List<JsonNode> documents(Path file) throws IOException {
    try (var parser = YAML.getFactory().createParser(file.toFile())) {
      List<JsonNode> docs = new ArrayList<>();
      YAML.readValues(parser, JsonNode.class).forEachRemaining(n -> {
        if (n != null && !n.isNull() && !n.isMissingNode()) {
          docs.add(n);
        }
      });
      return docs;
    }
  }

  static BuildPlan plan(StageBuild sb) {
    Map<String, String> args = new LinkedHashMap<>();
    for (BuildArg a : sb.getSpec().buildArgs == null ? List.<BuildArg>of() : sb.getSpec().buildArgs) {
      args.put(a.name, a.value == null ? "" : a.value);
    }
    String target = sb.getSpec().target == null || sb.getSpec().target.isBlank() ? null : sb.getSpec().target;
    return Planner.plan(sb.getSpec().dockerfile.inline, args, target);
  }

  @Test
  void theExamplesAreAllThere() throws IOException {
    assertThat(stageBuilds()).containsOnlyKeys("hellogo", "calculate-pi", "parallel", "private-hellogo");
  }

  @Test
  void everyStageBuildIsCompleteAndEveryInlineDockerfilePlans() throws IOException {
    for (StageBuild sb : stageBuilds().values()) {
      String name = sb.getMetadata().getName();
      assertThat(sb.getMetadata().getNamespace()).as(name + ": namespace comes from kubectl -n / GitOps").isNull();
      assertThat(sb.getSpec().output.image).as(name).isNotBlank().doesNotContain("<", " ");
      boolean inline = sb.getSpec().dockerfile != null && sb.getSpec().dockerfile.inline != null;
      assertThat(inline || sb.getSpec().source != null).as(name + ": a Dockerfile from somewhere").isTrue();
      if (!inline) {
        continue;
      }
      BuildPlan plan;
      try {
        plan = plan(sb);
      } catch (DockerfileException e) {
        fail(name + ": the inline Dockerfile does not plan: " + e.getMessage(), e);
        return;
      }
      assertThat(plan.pods()).as(name).isNotEmpty();
      assertThat(plan.pod(plan.finalPod()).isFinal()).as(name).isTrue();
      if (plan.usesContext()) {
        assertThat(sb.getSpec().source).as(name + " copies from the context, so it needs a source").isNotNull();
      }
      // Per-stage settings must name stages the build runs (names are case-insensitive).
      List<String> stages = plan.stages().stream().map(StagePlan::name).toList();
      for (StageSettings s : sb.getSpec().stages) {
        assertThat(stages).as(name + ": spec.stages[].name").contains(s.name.toLowerCase(Locale.ROOT));
      }
    }
  }

  @Test
  void hellogoIsTheSeedsDockerfileInlineWithAppGoFromAConfigMap() throws IOException {
    StageBuild sb = stageBuilds().get("hellogo");
    assertThat(sb.getSpec().dockerfile.inline.strip())
        .isEqualTo(Files.readString(Path.of("src/test/resources/seed/hellogo-Dockerfile.ms")).strip());
    assertThat(Files.readString(EXAMPLES.resolve("hellogo/app.go")))
        .isEqualTo(Files.readString(Path.of("src/test/resources/seed/hellogo-app.go")));
    assertThat(sb.getSpec().source.configMap.name).isEqualTo("hellogo-src");
    assertThat(sb.getSpec().output.image).matches("registry\\.example\\.com/[a-z0-9-]+/hellogo:0\\.0\\.2");
    JsonNode generator = documents(EXAMPLES.resolve("hellogo/kustomization.yaml")).get(0).get("configMapGenerator").get(0);
    assertThat(generator.get("name").asText()).isEqualTo("hellogo-src");
    assertThat(generator.get("files").get(0).asText()).isEqualTo("app.go");
    assertThat(generator.get("options").get("disableNameSuffixHash").asBoolean()).isTrue();

    BuildPlan plan = plan(sb);
    assertThat(plan.stages()).extracting(StagePlan::name).containsExactly("build", "stage-1");
    assertThat(plan.waves()).containsExactly(List.of("build"), List.of("stage-1"));
    assertThat(plan.finalPod()).isEqualTo("stage-1");
    assertThat(plan.usesContext()).isTrue();
  }

  @Test
  void calculatePiBuildsTheReposDefaultDockerfileFromGit() throws IOException {
    StageBuild sb = stageBuilds().get("calculate-pi");
    assertThat(sb.getSpec().source.git.url).isEqualTo("https://github.com/eriksf/calculate-pi");
    assertThat(sb.getSpec().source.git.revision).isEqualTo("main");
    assertThat(sb.getSpec().source.git.contextDir).isNull();
    assertThat(sb.getSpec().source.configMap).isNull();
    assertThat(sb.getSpec().dockerfile).as("default: Dockerfile at the context root").isNull();
    assertThat(sb.getSpec().stages).extracting(s -> s.name).containsExactly("poetry");
  }

  @Test
  void parallelRunsThreeIndependentStagesAtOnceThenTheFinalOne() throws IOException {
    StageBuild sb = stageBuilds().get("parallel");
    BuildPlan plan = plan(sb);
    assertThat(plan.waves()).hasSize(2);
    assertThat(plan.waves().get(0)).containsExactlyInAnyOrder("api", "web", "docs");
    assertThat(plan.waves().get(1)).containsExactly(plan.finalPod());
    PodPlan last = plan.pod(plan.finalPod());
    assertThat(last.dependsOn()).containsExactlyInAnyOrder("api", "web", "docs");
    assertThat(plan.usesContext()).isFalse();
    assertThat(sb.getSpec().source).isNull();
    // Each of the parallel stages has its own resources.
    for (String stage : List.of("api", "web", "docs")) {
      assertThat(sb.getSpec().stages).filteredOn(s -> s.name.equals(stage)).singleElement()
          .satisfies(s -> assertThat(s.resources.getRequests()).containsKeys("cpu", "memory"));
    }
  }

  @Test
  void privateRegistryPushesWithADockerConfigSecretThatIsNotInGit() throws IOException {
    StageBuild sb = stageBuilds().get("private-hellogo");
    assertThat(sb.getSpec().output.pushSecretRef.name).isEqualTo("regcred");
    assertThat(sb.getSpec().output.insecure).isFalse();
    JsonNode secret = documents(EXAMPLES.resolve("private-registry/regcred.placeholder.yaml")).get(0);
    assertThat(secret.get("kind").asText()).isEqualTo("Secret");
    assertThat(secret.get("type").asText()).isEqualTo("kubernetes.io/dockerconfigjson");
    assertThat(secret.get("metadata").get("name").asText()).isEqualTo("regcred");
    assertThat(secret.get("data").has(".dockerconfigjson")).isTrue();
    assertThat(Files.readString(EXAMPLES.resolve("private-registry/regcred.placeholder.yaml")))
        .contains("kubectl create secret docker-registry regcred");
    assertThat(resources(EXAMPLES.resolve("private-registry"))).doesNotContain("regcred.placeholder.yaml");
  }

  @Test
  void everyExampleDirectoryHasAKustomizationWhoseFilesExist() throws IOException {
    try (Stream<Path> dirs = Files.list(EXAMPLES)) {
      for (Path dir : dirs.filter(Files::isDirectory).toList()) {
        assertThat(dir.resolve("kustomization.yaml")).as(dir.toString()).exists();
        for (String r : resources(dir)) {
          assertThat(dir.resolve(r)).as(dir + ": " + r).exists();
        }
      }
    }
  }

  @Test
  void gitopsDefinitionsPointAtTheExamplesAndWaitForTheBuild() throws IOException {
    JsonNode app = documents(EXAMPLES.resolve("gitops/argocd-application.yaml")).get(0);
    assertThat(app.get("kind").asText()).isEqualTo("Application");
    assertThat(Path.of(app.at("/spec/source/path").asText())).exists();
    List<JsonNode> flux = documents(EXAMPLES.resolve("gitops/flux-kustomization.yaml"));
    JsonNode build = flux.stream().filter(d -> d.at("/metadata/name").asText().equals("stagebuild-hellogo"))
        .findFirst().orElseThrow();
    assertThat(build.at("/spec/wait").asBoolean()).isTrue();
    assertThat(Path.of(build.at("/spec/path").asText())).exists();
    JsonNode expr = build.at("/spec/healthCheckExprs/0");
    assertThat(expr.get("kind").asText()).isEqualTo("StageBuild");
    assertThat(expr.get("current").asText()).contains("'Ready'");
    assertThat(expr.get("failed").asText()).contains("'Stalled'");
    assertThat(expr.get("inProgress").asText()).contains("observedGeneration != metadata.generation");
  }

  static List<String> resources(Path dir) throws IOException {
    JsonNode k = documents(dir.resolve("kustomization.yaml")).get(0);
    return k.has("resources") ? StreamSupport.stream(k.get("resources").spliterator(), false)
        .map(JsonNode::asText).toList() : List.of();
  }
}
