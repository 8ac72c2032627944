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
    KubernetesClient client = new KubernetesClientBuilder().build();
    Operator operator = new Operator(o -> o.withKubernetesClient(client)
        .withUseSSAToPatchPrimaryResource(false).withSSABasedCreateUpdateMatchForDependentResources(false));
    operator.register(new ReferenceReconciler());
    operator.start();
    Thread.currentThread().join();
  }
}
