package dev.stagebuild.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.crdv2.generator.CRDPostProcessor;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed CRD is exactly what the generator makes of the API classes. Run with
 * {@code -Dstagebuild.crd.update=true} to rewrite deploy/crds after changing the API.
 */
class CrdTest {
  static final Path COMMITTED = Path.of("deploy/crds/stagebuilds.stagebuild.dev-v1.yml");

  static String generate(Path dir) throws IOException {
    new CRDGenerator().customResourceClasses(StageBuild.class).forCRDVersions("v1").inOutputDir(dir.toFile())
        .withPostProcessor(new CRDPostProcessor() {
          @Override
          public HasMetadata process(HasMetadata crd, String crdSpecVersion) {
            return describeTheKind(columnsInDeclaredOrder(crd));
          }
        }).generate();
    return Files.readString(dir.resolve("stagebuilds.stagebuild.dev-v1.yml"), StandardCharsets.UTF_8);
  }

  /** The generator sorts printer columns by name; kubectl shows them in the order the API declares. */
  private static HasMetadata columnsInDeclaredOrder(HasMetadata crd) {
    List<String> order = Arrays.stream(StageBuild.class.getAnnotationsByType(AdditionalPrinterColumn.class))
        .map(AdditionalPrinterColumn::name).toList();
    for (var v : ((CustomResourceDefinition) crd).getSpec().getVersions()) {
      v.getAdditionalPrinterColumns().sort(Comparator.comparingInt(c -> order.indexOf(c.getName())));
    }
    return crd;
  }

  /**
   * The generator takes descriptions from properties only; the kind's own (kubectl explain
   * stagebuild) comes from StageBuild's @JsonClassDescription.
   */
  private static HasMetadata describeTheKind(HasMetadata crd) {
    String description = StageBuild.class.getAnnotation(JsonClassDescription.class).value();
    for (var v : ((CustomResourceDefinition) crd).getSpec().getVersions()) {
      v.getSchema().getOpenAPIV3Schema().setDescription(description);
    }
    return crd;
  }

  /**
   * The API server refuses a CRD whose CEL rules may cost too much; the uniqueness rule on
   * spec.stages compares every pair of names, so both the list and the names must be bounded.
   */
  @Test
  void theStageNameRuleHasBoundedCost() throws IOException {
    var crd = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(
        Files.readString(COMMITTED, StandardCharsets.UTF_8), CustomResourceDefinition.class);
    var spec = crd.getSpec().getVersions().get(0).getSchema().getOpenAPIV3Schema().getProperties().get("spec");
    assertThat(spec.getXKubernetesValidations()).anyMatch(v -> v.getRule().contains("exists_one"));
    var stages = spec.getProperties().get("stages");
    assertThat(stages.getMaxItems()).isNotNull().isLessThanOrEqualTo(128L);
    assertThat(stages.getItems().getSchema().getProperties().get("name").getMaxLength())
        .isNotNull().isLessThanOrEqualTo(253L);
  }

  @Test
  void committedCrdMatchesTheApiClasses(@TempDir Path dir) throws IOException {
    String generated = generate(dir);
    if (Boolean.getBoolean("stagebuild.crd.update")) {
      Files.createDirectories(COMMITTED.getParent());
      Files.writeString(COMMITTED, generated, StandardCharsets.UTF_8);
    }
    assertThat(COMMITTED).as("deploy/crds is stale: rerun with -Dstagebuild.crd.update=true").exists();
    assertThat(Files.readString(COMMITTED, StandardCharsets.UTF_8)).isEqualTo(generated);
  }
}
