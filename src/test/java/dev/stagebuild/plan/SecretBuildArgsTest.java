package dev.stagebuild.plan;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.stagebuild.api.BuildArg;
import dev.stagebuild.api.BuildArgSource;
import dev.stagebuild.api.Output;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildSpec;
import dev.stagebuild.dockerfile.DockerfileException;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.ArrayList;
import org.junit.jupiter.api.Test;

/**
 * A build arg from a Secret ({@code valueFrom.secretKeyRef}) reaches kaniko with its value, which the
 * planner never reads: the planner must take it as unknown, not as unset, or it plans paths kaniko
 * then expands with the Secret's value (a context source climbing out of the context, a cache mount
 * at another directory, an export of another path).
 */
class SecretBuildArgsTest {
  static StageBuild build() {
    StageBuild sb = new StageBuild();
    sb.setMetadata(new ObjectMetaBuilder().withName("x").withNamespace("ns").build());
    StageBuildSpec spec = new StageBuildSpec();
    spec.output = new Output();
    spec.output.image = "localhost:5000/team/app:1";
    spec.buildArgs = new ArrayList<>();
    BuildArg token = new BuildArg();
    token.name = "TOKEN";
    token.valueFrom = new BuildArgSource("creds", "token");
    spec.buildArgs.add(token);
    sb.setSpec(spec);
    return sb;
  }

  static DockerfileException refusal(String dockerfile) {
    return catchThrowableOfType(() -> BuildCheck.plan(build(), dockerfile), DockerfileException.class);
  }

  @Test
  void aPathThatUsesAnArgFromASecretIsNotPlannedWithAnEmptyValue() {
    // kaniko joins the Secret's value to src/: ../../../.. would leave the context
    DockerfileException copy = refusal("FROM alpine\nARG TOKEN\nCOPY $TOKEN/etc/passwd /p\n");
    assertThat(copy).isNotNull();
    assertThat(copy.line()).isEqualTo(3);
    assertThat(refusal("ARG TOKEN\nFROM alpine\nARG TOKEN\nCOPY $TOKEN/etc/passwd /p\n")).isNotNull();
    // the producer would export /etc/x, kaniko copies <value>/etc/x
    assertThat(refusal("FROM alpine AS a\nRUN true\nFROM alpine\nARG TOKEN\nCOPY --from=a ${TOKEN}/etc/x /x\n"))
        .isNotNull();
    // the cache would be at /w/c, kaniko's WORKDIR is /w<value>
    assertThat(refusal("FROM alpine\nARG TOKEN\nWORKDIR /w$TOKEN\nRUN --mount=type=cache,target=c true\n"))
        .isNotNull();
  }

  @Test
  void aRunThatUsesAnArgFromASecretIsPlannedAsWritten() {
    BuildPlan plan = BuildCheck.plan(build(), "FROM alpine\nARG TOKEN\nENV T=$TOKEN\nRUN echo \"$TOKEN $T\" > /f\n");
    assertThat(plan.pods()).hasSize(1);
    assertThat(plan.pods().get(0).dockerfile()).contains("RUN echo \"$TOKEN $T\" > /f");
  }

  @Test
  void aFromImageMadeOfAnArgFromASecretIsRefusedNotRewritten() {
    // kaniko resolves it from the Secret's value; the planner, which has none, must not write FROM /team/base:1
    DockerfileException e = refusal("ARG TOKEN\nARG BASE=${TOKEN}/team/base:1\nFROM ${BASE}\nRUN true\n");
    assertThat(e).isNotNull();
    assertThat(e.line()).isEqualTo(3);
    assertThat(e.detail()).contains("comes from a build argument whose value is in a Secret");
  }

  @Test
  void aGlobalDefaultOfAnArgFromASecretIsNotDeclaredAgainOverTheSecret() {
    // kaniko's --build-arg (from the Secret) wins over the default, as BuildKit's would: a global ARG
    // declared again in the pods with the default would hide the Secret's value
    for (String global : new String[] {"ARG TOKEN=\"\"", "ARG TOKEN=none\nARG URL=https://${TOKEN}@example.com/${TARGETARCH}"}) {
      BuildPlan plan = BuildCheck.plan(build(), global + "\nFROM alpine\nARG TOKEN\nARG URL\nRUN echo \"$TOKEN $URL\" > /f\n");
      assertThat(plan.pods()).as(global).hasSize(1);
      assertThat(plan.pods().get(0).dockerfile()).as(global).doesNotContain("# stagebuild: as BuildKit reads them");
    }
  }
}
