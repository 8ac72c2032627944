package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.kubernetes.api.model.Quantity;
import java.util.List;
import java.util.Map;

/**
 * Schema-only twins of the Kubernetes types the API embeds (ResourceRequirements, Toleration,
 * metav1.Condition): same fields and JSON types, plus the descriptions that Fabric8's model classes
 * do not carry, so that {@code kubectl explain} documents them too. Used through @SchemaFrom on the
 * fields; the Java fields keep the real types.
 */
public final class SchemaDocs {
  private SchemaDocs() {}

  public static class ResourceRequirementsDoc {
    @JsonPropertyDescription("Dynamic resource claims (from the pod's resourceClaims) the container uses; builds rarely need any.")
    public List<ResourceClaimDoc> claims;

    @JsonPropertyDescription("The most of each resource the container may use, e.g. memory: 2Gi. A stage over its memory limit is OOMKilled.")
    public Map<String, Quantity> limits;

    @JsonPropertyDescription("What the scheduler reserves for the container, e.g. cpu: \"2\". Without requests, the limits are used.")
    public Map<String, Quantity> requests;
  }

  public static class ResourceClaimDoc {
    @JsonPropertyDescription("Name of an entry of the pod's spec.resourceClaims.")
    public String name;

    @JsonPropertyDescription("Which request of that claim to use; empty for the whole claim.")
    public String request;
  }

  public static class TolerationDoc {
    @JsonPropertyDescription("Taint effect to tolerate: NoSchedule, PreferNoSchedule or NoExecute; empty for all of them.")
    public String effect;

    @JsonPropertyDescription("Taint key to tolerate; empty (with operator Exists) for every taint.")
    public String key;

    @JsonPropertyDescription("Exists, or Equal (the default): whether the taint's value must also equal value.")
    public String operator;

    @JsonPropertyDescription("For NoExecute: seconds the pod stays after the taint appears; unset for as long as it runs.")
    public Long tolerationSeconds;

    @JsonPropertyDescription("Taint value to match when operator is Equal.")
    public String value;
  }

  public static class ConditionDoc {
    @JsonPropertyDescription("When status last changed (RFC 3339); kept while it stays the same.")
    public String lastTransitionTime;

    @JsonPropertyDescription("What happened, for people.")
    public String message;

    @JsonPropertyDescription("The metadata.generation the condition was set for.")
    public Long observedGeneration;

    @JsonPropertyDescription("Why, as one CamelCase word, e.g. Running, StageFailed, SecretNotFound (see docs/conditions.md).")
    public String reason;

    @JsonPropertyDescription("True, False or Unknown.")
    public String status;

    @JsonPropertyDescription("Succeeded, Ready, Reconciling, Stalled or ImageInspected.")
    public String type;
  }
}
