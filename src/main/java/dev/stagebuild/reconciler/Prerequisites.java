package dev.stagebuild.reconciler;

import dev.stagebuild.api.StageBuild;
import io.fabric8.kubernetes.api.model.Secret;

/**
 * Objects a build needs before its first pod: the push secret, the CA bundle, the pull secret, the
 * build secrets, the git secret, the source ConfigMap.
 */
final class Prerequisites {
  static final String DOCKER_CONFIG_KEY = ".dockerconfigjson";

  private final ClusterView cluster;
  private final StageBuild sb;

  Prerequisites(ClusterView cluster, StageBuild sb) {
    this.cluster = cluster;
    this.sb = sb;
  }

  /** The first missing object, or null when everything is there. */
  Blocker check() {
    String ns = sb.getMetadata().getNamespace();
    var output = sb.getSpec().output;
    Blocker push = dockerConfig(output == null ? null : output.pushSecretRef, "spec.output.pushSecretRef", ns);
    if (push != null) {
      return push;
    }
    Blocker ca = CaBundles.read(cluster, sb).problem();
    if (ca != null) {
      return ca;
    }
    Blocker pull = dockerConfig(sb.getSpec().pullSecretRef, "spec.pullSecretRef", ns);
    if (pull != null) {
      return pull;
    }
    Blocker secrets = buildSecrets(ns);
    if (secrets != null) {
      return secrets;
    }
    Blocker args = secretBuildArgs(ns);
    if (args != null) {
      return args;
    }
    var source = sb.getSpec().source;
    if (source != null && source.git != null && source.git.secretRef != null
        && cluster.secret(source.git.secretRef.name) == null) {
      return new Blocker("SecretNotFound", "Secret " + source.git.secretRef.name
          + " (spec.source.git.secretRef) does not exist in namespace " + ns);
    }
    var ws = sb.getSpec().workspace;
    if (ws != null && ws.claimName != null && !ws.claimName.isBlank()) {
      var claim = cluster.persistentVolumeClaim(ws.claimName);
      if (claim == null || claim.getMetadata().getDeletionTimestamp() != null) {
        return new Blocker("ClaimNotFound", "PersistentVolumeClaim " + ws.claimName
            + " (spec.workspace.claimName) does not exist in namespace " + ns + (claim == null ? "" : " (it is being deleted)"));
      }
    }
    if (source != null && source.configMap != null && cluster.configMap(source.configMap.name) == null) {
      return new Blocker("SourceNotFound", "ConfigMap " + source.configMap.name
          + " (spec.source.configMap) does not exist in namespace " + ns);
    }
    return null;
  }

  /** A kubernetes.io/dockerconfigjson Secret the pods mount: it must exist and hold its key. */
  private Blocker dockerConfig(dev.stagebuild.api.LocalObjectRef ref, String field, String ns) {
    if (ref == null) {
      return null;
    }
    Secret s = cluster.secret(ref.name);
    if (s == null) {
      return new Blocker("SecretNotFound", "Secret " + ref.name + " (" + field + ") does not exist in namespace "
          + ns + "; create it with kubectl create secret docker-registry");
    }
    return holds(s, DOCKER_CONFIG_KEY) ? null : new Blocker("InvalidSecret", "Secret " + ref.name + " (" + field + ") has no key "
        + DOCKER_CONFIG_KEY + ": it must be of type kubernetes.io/dockerconfigjson");
  }

  /** Each spec.buildArgs[].valueFrom Secret must exist and hold its key (the value is never read here). */
  private Blocker secretBuildArgs(String ns) {
    var all = sb.getSpec().buildArgs;
    for (int i = 0; all != null && i < all.size(); i++) {
      var a = all.get(i);
      if (a == null || !a.fromSecret() || a.valueFrom.secretKeyRef.name == null) {
        continue;
      }
      var ref = a.valueFrom.secretKeyRef;
      Blocker b = secretKey(ref.name, ref.key, "spec.buildArgs[" + i + "], build arg " + a.name, ns);
      if (b != null) {
        return b;
      }
    }
    return null;
  }

  /** The Secret must exist and hold {@code key}; {@code where} names the field that asks for it. */
  private Blocker secretKey(String name, String key, String where, String ns) {
    Secret s = cluster.secret(name);
    if (s == null) {
      return new Blocker("SecretNotFound", "Secret " + name + " (" + where + ") does not exist in namespace " + ns);
    }
    return holds(s, key) ? null
        : new Blocker("InvalidSecret", "Secret " + name + " has no key " + key + " (" + where + ")");
  }

  /** Each spec.secrets[] Secret must exist and hold its key (the value is never read here). */
  private Blocker buildSecrets(String ns) {
    var all = sb.getSpec().secrets;
    for (int i = 0; all != null && i < all.size(); i++) {
      var bs = all.get(i);
      if (bs == null || bs.secretRef == null || bs.secretRef.name == null) {
        continue;
      }
      Blocker b = secretKey(bs.secretRef.name, bs.key, "spec.secrets[" + i + "], build secret " + bs.id, ns);
      if (b != null) {
        return b;
      }
    }
    return null;
  }

  /** Whether the Secret has {@code key} (the value is never read). */
  private static boolean holds(Secret s, String key) {
    return (s.getData() != null && s.getData().containsKey(key))
        || (s.getStringData() != null && s.getStringData().containsKey(key));
  }
}
