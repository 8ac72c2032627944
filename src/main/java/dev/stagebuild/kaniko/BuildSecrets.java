package dev.stagebuild.kaniko;

import dev.stagebuild.api.BuildSecret;
import dev.stagebuild.api.StageBuildSpec;
import dev.stagebuild.plan.PodPlan;
import dev.stagebuild.plan.SecretMounts;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Which of spec.secrets a stage pod gets: those its Dockerfile's RUN --mount=type=secret names. */
final class BuildSecrets {
  static final String FILE = "value";

  private BuildSecrets() {}

  /** Indexes into spec.secrets, the first entry of each id the pod's Dockerfile mounts. */
  static List<Integer> used(StageBuildSpec spec, PodPlan pod) {
    List<Integer> out = new ArrayList<>();
    if (spec.secrets == null || spec.secrets.isEmpty()) {
      return out;
    }
    Set<String> ids = SecretMounts.ids(pod.dockerfile());
    Set<String> seen = new HashSet<>();
    for (int n = 0; n < spec.secrets.size(); n++) {
      BuildSecret s = spec.secrets.get(n);
      if (s != null && s.id != null && s.secretRef != null && ids.contains(s.id) && seen.add(s.id)) {
        out.add(n);
      }
    }
    return out;
  }

  static String volume(int n) {
    return "build-secret-" + n;
  }

  static String dir(int n) {
    return InPod.BUILD_SECRETS + "/" + n;
  }
}
