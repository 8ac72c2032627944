package dev.stagebuild.reconciler;

import io.fabric8.kubernetes.api.model.Pod;
import io.javaoperatorsdk.operator.processing.event.source.filter.OnAddFilter;
import java.time.Duration;
import java.time.Instant;

/**
 * Which pod additions start a reconcile: not those of pods that existed before this operator's pod
 * informer started. The informer reports every pod of its first list as added, and delivers those
 * notifications after its cache has synced, when JOSDK has already reconciled every StageBuild from
 * that cache: with 1,000 finished builds a restart ran 3,000 passes instead of 1,000. A pod the
 * informer learns of later (created since, or while its watch was down) is still an event.
 */
public class PodAddFilter implements OnAddFilter<Pod> {
  /**
   * Creation times are the API server's clock, this is the operator's: some skew is allowed. Little
   * rides on it: every pod is created by the operator, and JOSDK already skips the addition of a pod
   * this process created (it is in its temporary cache); what is left is the first list.
   */
  static final Duration CLOCK_SKEW = Duration.ofSeconds(5);

  private final Instant informerStarted;

  public PodAddFilter(Instant informerStarted) {
    this.informerStarted = informerStarted;
  }

  @Override
  public boolean accept(Pod pod) {
    Instant created = Times.parse(pod.getMetadata().getCreationTimestamp());
    return created == null || !created.isBefore(informerStarted.minus(CLOCK_SKEW));
  }
}
