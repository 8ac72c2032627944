package dev.stagebuild.testing.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagebuild.api.StageBuild;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Checks the end-to-end tests share. */
public final class E2eChecks {
  private static final ObjectMapper JSON = new ObjectMapper();

  private E2eChecks() {}

  /**
   * status.output.digest is what the registry serves for the tag, and status.output.size is the
   * manifest's config size plus its layers' sizes — both asked of the registry over plain HTTP.
   */
  public static RegistryProbe.Served assertStatusMatchesRegistry(E2eEnvironment env, StageBuild done) {
    String image = done.getSpec().output.image;
    String host = env.registry().host() + "/";
    assertThat(image).startsWith(host);
    String repoAndTag = image.substring(host.length());
    String repository = repoAndTag.substring(0, repoAndTag.lastIndexOf(':'));
    String tag = repoAndTag.substring(repoAndTag.lastIndexOf(':') + 1);
    RegistryProbe.Served served = RegistryProbe.tag(env.registry(), repository, tag);
    assertThat(done.getStatus().output.digest).as("status.output.digest vs the registry").isEqualTo(served.digest());
    assertThat(done.getStatus().output.imageRef).isEqualTo(host + repository + "@" + served.digest());
    assertThat(done.getStatus().output.size).as("status.output.size vs config + layers in the manifest")
        .isEqualTo(served.size());
    return served;
  }

  /** Runs the image's command (Entrypoint + Cmd, or {@code command} instead of Cmd) with buildah run. */
  public static Proc.Result runImage(Buildah buildah, String image, List<String> command) {
    List<String> argv = new ArrayList<>();
    try {
      JsonNode config = JSON.readTree(buildah.ok("inspect", "--type", "image", image)).path("OCIv1").path("config");
      config.path("Entrypoint").forEach(n -> argv.add(n.asText()));
      if (command == null) {
        config.path("Cmd").forEach(n -> argv.add(n.asText()));
      } else {
        argv.addAll(command);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String container = buildah.lastLine("from", "--pull=never", "--quiet", image);
    try {
      List<String> run = new ArrayList<>(List.of("run", "--isolation", "chroot", container, "--"));
      run.addAll(argv);
      return buildah.run(run, null, Duration.ofMinutes(1));
    } finally {
      buildah.run("rm", container);
    }
  }
}
