package dev.stagebuild.reconciler;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.testing.OperatorHarness;
import dev.stagebuild.testing.TestKubelet;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Every operator test again, against a cluster at its worst: two nodes (Multi-Attach when a
 * ReadWriteOnce claim is used on both), a mesh sidecar listed first and never ending in half of the
 * pods, evictions of running first attempts, pod GC of finished pods, 429 and 500 answers to 5% of
 * the operator's requests and 410 to 5% of its watches, and metadata edits racing the status writes.
 */
class HostileOperatorTest extends OperatorTest {
  private ScheduledExecutorService editor;
  private final AtomicInteger edits = new AtomicInteger();

  @Override
  TestKubelet.Chaos chaos() {
    return TestKubelet.Chaos.HOSTILE;
  }

  @Override
  void startChaos() {
    cluster.dispatcher().failRequests(OperatorHarness.USER_AGENT, 0.05, 0.05);
    editor = Executors.newSingleThreadScheduledExecutor();
    // Other controllers and people touch metadata between the operator's read and its status write.
    editor.scheduleWithFixedDelay(() -> {
      try {
        for (StageBuild sb : client.resources(StageBuild.class).inNamespace(NS).list().getItems()) {
          client.resources(StageBuild.class).inNamespace(NS).withName(sb.getMetadata().getName()).edit(b -> {
            var labels = b.getMetadata().getLabels() == null ? new java.util.HashMap<String, String>()
                : new java.util.HashMap<>(b.getMetadata().getLabels());
            labels.put("chaos.example/touched", Integer.toString(edits.incrementAndGet()));
            b.getMetadata().setLabels(labels);
            return b;
          });
        }
      } catch (KubernetesClientException ignored) {
        // A conflict with the operator: next round.
      }
    }, 150, 150, TimeUnit.MILLISECONDS);
  }

  @Override
  void stopChaos() {
    editor.shutdownNow();
    System.out.println("[hostile] " + kubelet.chaosReport() + " metadata-edits=" + edits.get()
        + " injected-api-failures=" + cluster.dispatcher().injectedFailures());
  }
}
