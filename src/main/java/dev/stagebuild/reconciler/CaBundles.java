package dev.stagebuild.reconciler;

import dev.stagebuild.api.CaBundleRef;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.registry.CaBundle;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Reads the CA bundle of spec.output.caBundleRef from its ConfigMap. */
final class CaBundles {
  static final String FIELD = "spec.output.caBundleRef";

  private CaBundles() {}

  /** The bundle, or why there is none; both null when the spec names no bundle. */
  record Read(CaBundle bundle, Blocker problem) {}

  static Read read(ClusterView cluster, StageBuild sb) {
    var output = sb.getSpec().output;
    CaBundleRef ref = output == null ? null : output.caBundleRef;
    if (ref == null || ref.name == null) {
      return new Read(null, null);
    }
    String ns = sb.getMetadata().getNamespace();
    ConfigMap cm = cluster.configMap(ref.name);
    if (cm == null) {
      return new Read(null, new Blocker("CABundleNotFound", "ConfigMap " + ref.name + " (" + FIELD
          + ") does not exist in namespace " + ns + "; create it with the registry's CA certificate, e.g."
          + " kubectl create configmap " + ref.name + " --from-file=" + ref.keyOrDefault() + "=ca.pem"));
    }
    String key = ref.keyOrDefault();
    String pem = null;
    if (cm.getData() != null && cm.getData().get(key) != null) {
      pem = cm.getData().get(key);
    } else if (cm.getBinaryData() != null && cm.getBinaryData().get(key) != null) {
      try {
        pem = new String(Base64.getDecoder().decode(cm.getBinaryData().get(key)), StandardCharsets.UTF_8);
      } catch (IllegalArgumentException e) {
        pem = "";
      }
    }
    if (pem == null) {
      return new Read(null, new Blocker("InvalidSpec", "ConfigMap " + ref.name + " (" + FIELD + ") has no key "
          + key + (ref.key == null ? " (the default; set " + FIELD + ".key to name another)" : "")));
    }
    try {
      return new Read(CaBundle.parse(pem), null);
    } catch (IllegalArgumentException e) {
      return new Read(null, new Blocker("InvalidSpec", "key " + key + " of ConfigMap " + ref.name + " (" + FIELD
          + ") is not a PEM bundle of CA certificates: " + e.getMessage()));
    }
  }
}
