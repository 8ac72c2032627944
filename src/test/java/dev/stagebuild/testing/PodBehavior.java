package dev.stagebuild.testing;

import io.fabric8.kubernetes.api.model.Pod;

/** What the test kubelet does with a pod: runs it (possibly for real) and says how it ended. */
@FunctionalInterface
public interface PodBehavior {
  PodOutcome run(Pod pod) throws Exception;
}
