package dev.stagebuild.kaniko;

import dev.stagebuild.api.GitSource;
import dev.stagebuild.api.LocalObjectRef;
import dev.stagebuild.api.Output;
import dev.stagebuild.api.Source;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildSpec;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.PodPlan;
import dev.stagebuild.plan.StagePlan;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.List;

/** Hand-made StageBuilds and plans (the planner is written elsewhere). */
final class Fixtures {
  static final String UID = "0f6c2c5e-1111-2222-3333-444455556666";

  private Fixtures() {}

  static StageBuild sb(String name) {
    StageBuild sb = new StageBuild();
    sb.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace("demo").withUid(UID)
        .withGeneration(2L).build());
    StageBuildSpec spec = new StageBuildSpec();
    spec.output = new Output();
    spec.output.image = "registry.example.com/eriksf/hellogo:0.0.2";
    spec.output.pushSecretRef = new LocalObjectRef("regcred");
    sb.setSpec(spec);
    return sb;
  }

  static StageBuild gitSb(String name) {
    StageBuild sb = sb(name);
    sb.getSpec().source = new Source();
    sb.getSpec().source.git = new GitSource();
    sb.getSpec().source.git.url = "https://github.com/eriksf/calculate-pi.git";
    sb.getSpec().source.git.revision = "main";
    return sb;
  }

  static StageBuild configMapSb(String name) {
    StageBuild sb = sb(name);
    sb.getSpec().source = new Source();
    sb.getSpec().source.configMap = new LocalObjectRef("hellogo-src");
    return sb;
  }

  static final PodPlan BUILD = new PodPlan("build", List.of("build"), "build",
      "FROM golang:1.21 AS build\nCOPY src/app.go .\nRUN go build -o /out/hello app.go\n",
      List.of(), List.of("/out/hello", "/etc/ssl/certs/*.pem"), false, true);
  static final PodPlan FINAL = new PodPlan("stage-1", List.of("stage-1"), "stage-1",
      "FROM scratch AS build\nADD from/build.tar /\n\nFROM scratch AS stage-1\nCOPY --from=build /out/hello /hello\n",
      List.of("build"), List.of(), true, false);

  /** build (exports /out/hello) then stage-1 (final), the seed's Go example. */
  static BuildPlan twoStagePlan() {
    return new BuildPlan(
        List.of(new StagePlan("build", 0, 1, "golang:1.21", null, List.of(), "build"),
            new StagePlan("stage-1", 1, 4, "scratch", null, List.of("build"), "stage-1")),
        List.of(BUILD, FINAL),
        List.of(List.of("build"), List.of("stage-1")),
        "stage-1", true, "default");
  }
}
