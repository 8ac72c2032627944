package dev.stagebuild.reconciler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;

/**
 * {@link ReferenceReconciler} as a process of its own, finding its cluster as the packaged
 * operator does (KUBECONFIG): the yardstick of the packaged-jar benchmark.
 */
public final class ReferenceMain {
  private ReferenceMain() {}

  public static void main(String[] args) throws InterruptedException {
    operator(new KubernetesClientBuilder().build()).start();
    Thread.currentThread().join();
  }

  /** The reference operator on this client, not started; stopping it leaves the client open. */
  public static Operator operator(KubernetesClient client) {
    Operator operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false)
        .withUseSSAToPatchPrimaryResource(false).withSSABasedCreateUpdateMatchForDependentResources(false));
    operator.register(new ReferenceReconciler());
    return operator;
  }
}
