package dev.stagebuild.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The jar runs the operator only when told to: the Deployment and the image's default command say 'operator'. */
class OperatorCommandTest {
  @Test
  void deploymentRunsTheOperatorCommand() {
    Deployment d = (Deployment) Manifests.objects(Manifests.DIR.resolve("05-deployment.yaml")).get(0);
    assertThat(d.getSpec().getTemplate().getSpec().getContainers().get(0).getArgs()).containsExactly("operator");
  }

  @Test
  void imageDefaultCommandIsTheOperator() throws Exception {
    String pom = Files.readString(Path.of("pom.xml"));
    assertThat(pom.replaceAll("\\s+", "")).contains("<args><arg>operator</arg></args>");
  }
}
