package dev.stagebuild.plan;

import dev.stagebuild.dockerfile.DockerfileParser;
import dev.stagebuild.dockerfile.Flag;
import dev.stagebuild.dockerfile.Instruction;
import java.util.Set;
import java.util.TreeSet;

/** The build secrets a pod's Dockerfile reads ({@code RUN --mount=type=secret}): what its pod is given. */
public final class SecretMounts {
  private SecretMounts() {}

  /** The secret ids the RUN instructions of this (planned) Dockerfile mount, sorted. */
  public static Set<String> ids(String podDockerfile) {
    Set<String> ids = new TreeSet<>();
    for (Instruction i : DockerfileParser.parse(podDockerfile).instructions()) {
      if (!i.is("RUN")) {
        continue;
      }
      for (Flag f : i.flags("mount")) {
        MountSpec m = MountSpec.parse(f.value());
        if (m.type().equals("secret") && m.secretId() != null) {
          ids.add(m.secretId());
        }
      }
    }
    return ids;
  }
}
