package dev.stagebuild.reconciler;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.kaniko.BuildNames;
import dev.stagebuild.kaniko.KanikoResources;
import dev.stagebuild.kaniko.RenderSettings;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.Planner;
import dev.stagebuild.plan.PodPlan;
import dev.stagebuild.testing.Builds;
import dev.stagebuild.testing.MockCluster;
import dev.stagebuild.testing.TestKubelet;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Puts finished builds into a mock API server, as an operator restart finds them: a StageBuild
 * with its final status (image size looked up already) and its Succeeded pods, rendered as the
 * operator renders them, created an hour ago.
 */
public final class FinishedBuilds {
  public static final String DIGEST = "sha256:" + "cd".repeat(32);

  private FinishedBuilds() {}

  /** {@code count} builds of the Dockerfile named m0, m1, ... in the namespace. */
  public static void seed(MockCluster cluster, String namespace, String dockerfile, int count) throws Exception {
    KanikoResources resources = new KanikoResources(RenderSettings.defaults());
    BuildPlan plan = Planner.plan(dockerfile, Map.of(), null);
    String buildId = BuildNames.buildId(1, null);
    KubernetesClient client = cluster.client();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<?>> work = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        String name = "m" + i;
        work.add(pool.submit(() -> {
          StageBuild sb = Builds.inline(name, dockerfile);
          sb.getSpec().output.image = "127.0.0.1:1/bench/" + name + ":1";
          StageBuild made = client.resource(sb).inNamespace(namespace).create();
          Map<String, Pod> pods = new HashMap<>();
          for (PodPlan p : plan.pods()) {
            Pod pod = resources.stagePod(made, buildId, plan, p, 1, TestKubelet.NODE);
            pod.getSpec().setNodeName(TestKubelet.NODE);
            // the mock keeps the creation time given
            pod.getMetadata().setCreationTimestamp(Times.format(Instant.now().minus(Duration.ofHours(1))));
            String now = Instant.now().toString();
            pod.setStatus(new PodStatusBuilder().withPhase("Succeeded").withStartTime(now)
                .addToContainerStatuses(new ContainerStatusBuilder().withName(KanikoResources.STAGE_CONTAINER)
                    .withState(new ContainerStateBuilder().withNewTerminated().withExitCode(0)
                        .withReason("Completed").withMessage(p.isFinal() ? DIGEST : "").withStartedAt(now)
                        .withFinishedAt(now).endTerminated().build()).build()).build());
            Pod createdPod = client.resource(pod).inNamespace(namespace).create();
            if (createdPod.getStatus() == null || createdPod.getStatus().getPhase() == null) {
              createdPod.setStatus(pod.getStatus());
              createdPod = client.pods().resource(createdPod).updateStatus();
            }
            pods.put(createdPod.getMetadata().getName(), createdPod);
          }
          var status = ReferenceReconciler.finalStatus(made, buildId, plan, pods, Instant.now());
          status.output.size = 1234L;
          status.output.sizeText = "1.23kB";
          made.setStatus(status);
          client.resource(made).updateStatus();
          return null;
        }));
      }
      for (Future<?> f : work) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
  }
}
