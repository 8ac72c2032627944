package dev.stagebuild.reconciler;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ConfigurationService;
import jakarta.inject.Inject;

/** What the leader-election wiring tests read: JOSDK's configuration, and what the start-up wait reads of it. */
abstract class LeaderElectionWiring {
  @Inject
  ConfigurationService configuration;

  @Inject
  Operator operator;

  @Inject
  KubernetesClient client;

  String leaseNamespaceTheStartUpWaitChecks() {
    return OperatorStartup.leaseNamespace(operator, client);
  }
}
