package dev.stagebuild.testing;

import dev.stagebuild.kaniko.KanikoResources;
import dev.stagebuild.kaniko.RenderSettings;
import dev.stagebuild.reconciler.BuildMetrics;
import dev.stagebuild.reconciler.ImageInspector;
import dev.stagebuild.reconciler.OperatorSettings;
import dev.stagebuild.reconciler.StageBuildReconciler;
import dev.stagebuild.registry.RegistryClient;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;

/** Runs the real reconciler in a plain JOSDK Operator against a (mock) cluster; can be stopped and started again. */
public final class OperatorHarness implements AutoCloseable {
  private final KubernetesClient client;
  private final OperatorSettings settings;
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private Operator operator;

  public OperatorHarness(KubernetesClient client, OperatorSettings settings) {
    this.client = client;
    this.settings = settings;
  }

  public SimpleMeterRegistry meters() {
    return meters;
  }

  /** The User-Agent of the operator's own client, so that its requests can be told from the tests'. */
  public static final String USER_AGENT = "stagebuild-operator-under-test";

  private KubernetesClient operatorClient;

  public OperatorHarness start() {
    operatorClient = new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(client.getConfiguration()).withUserAgent(USER_AGENT)
            // As application.properties sets it for the operator.
            .withRequestRetryBackoffLimit(1).withRequestRetryBackoffInterval(200).build()).build();
    StageBuildReconciler reconciler = new StageBuildReconciler(settings,
        new KanikoResources(RenderSettings.defaults()), new ImageInspector(new RegistryClient()),
        new BuildMetrics(meters), Clock.systemUTC());
    operator = new Operator(o -> o.withKubernetesClient(operatorClient).withCloseClientOnStop(false)
        .withUseSSAToPatchPrimaryResource(false).withSSABasedCreateUpdateMatchForDependentResources(false));
    operator.register(reconciler);
    operator.start();
    return this;
  }

  public void stop() {
    if (operator != null) {
      operator.stop();
      operator = null;
      operatorClient.close();
    }
  }

  @Override
  public void close() {
    stop();
  }
}
