package dev.stagebuild.testing;

import dev.stagebuild.api.DockerfileSpec;
import dev.stagebuild.api.Output;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/** StageBuilds for tests. */
public final class Builds {
  /** A diamond: two producers that depend on nothing and a final stage that copies from both. */
  public static final String DIAMOND = """
      FROM busybox AS left
      RUN echo left > /left
      FROM busybox AS right
      RUN echo right > /right
      FROM busybox
      COPY --from=left /left /left
      COPY --from=right /right /right
      """;

  private Builds() {}

  public static StageBuild stageBuild(String name, String image) {
    StageBuild sb = new StageBuild();
    sb.setMetadata(new ObjectMetaBuilder().withName(name).build());
    sb.setSpec(new StageBuildSpec());
    sb.getSpec().output = new Output();
    sb.getSpec().output.image = image;
    return sb;
  }

  public static StageBuild inline(String name, String dockerfile) {
    StageBuild sb = stageBuild(name, "registry.example.com/test/" + name + ":1");
    sb.getSpec().dockerfile = new DockerfileSpec();
    sb.getSpec().dockerfile.inline = dockerfile;
    return sb;
  }
}
