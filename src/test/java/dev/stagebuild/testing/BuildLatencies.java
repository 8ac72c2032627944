package dev.stagebuild.testing;

import dev.stagebuild.kaniko.BuildNames;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.PodPlan;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The latencies of a herd of builds of one plan (first attempt, first build of each StageBuild),
 * from the test kubelet's timestamps: each list in milliseconds, sorted, builds without both ends
 * left out.
 */
public final class BuildLatencies {
  private static final String BUILD_ID = BuildNames.buildId(1, null);

  private BuildLatencies() {}

  /** For each pod that depends on others: the last of them reported ended, to this pod seen. */
  public static List<Long> handoffs(TestKubelet kubelet, BuildPlan plan, List<String> builds) {
    List<Long> ms = new ArrayList<>();
    for (String name : builds) {
      for (PodPlan consumer : plan.pods()) {
        if (consumer.dependsOn().isEmpty()) {
          continue;
        }
        Instant created = kubelet.createdAt(pod(name, consumer.name()));
        List<Instant> producersDone = consumer.dependsOn().stream()
            .map(d -> kubelet.finishedAt(pod(name, d))).toList();
        Instant ready = producersDone.contains(null) ? null
            : producersDone.stream().max(Instant::compareTo).orElse(null);
        if (created != null && ready != null) {
          ms.add(Duration.between(ready, created).toMillis());
        }
      }
    }
    return sorted(ms);
  }

  /** The StageBuild created, to its first pod seen. */
  public static List<Long> starts(TestKubelet kubelet, BuildPlan plan, List<String> builds,
      Map<String, Instant> createdAt) {
    List<Long> ms = new ArrayList<>();
    for (String name : builds) {
      Instant firstPod = plan.pods().stream().filter(p -> p.dependsOn().isEmpty())
          .map(p -> kubelet.createdAt(pod(name, p.name())))
          .filter(Objects::nonNull).min(Instant::compareTo).orElse(null);
      if (firstPod != null && createdAt.get(name) != null) {
        ms.add(Duration.between(createdAt.get(name), firstPod).toMillis());
      }
    }
    return sorted(ms);
  }

  /** The final pod reported ended, to the StageBuild's ended status seen. */
  public static List<Long> ends(TestKubelet kubelet, BuildPlan plan, List<String> builds,
      Map<String, Instant> finished) {
    List<Long> ms = new ArrayList<>();
    for (String name : builds) {
      Instant podEnd = kubelet.finishedAt(pod(name, plan.finalPod()));
      if (podEnd != null && finished.get(name) != null) {
        ms.add(Duration.between(podEnd, finished.get(name)).toMillis());
      }
    }
    return sorted(ms);
  }

  private static String pod(String build, String podPlan) {
    return BuildNames.stagePodName(build, BUILD_ID, podPlan, 1);
  }

  private static List<Long> sorted(List<Long> ms) {
    ms.sort(null);
    return ms;
  }
}
