package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.Pattern;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class Workspace {
  /**
   * Whether the build's pods may run on several nodes at once: a ReadWriteMany workspace, or a
   * shared claim not said to be otherwise. A ReadWriteOnce one holds every pod to one node. (Static:
   * not a field of the API.)
   */
  public static boolean spansNodes(Workspace ws) {
    if (ws != null && ws.accessModes != null) {
      return ws.accessModes.contains("ReadWriteMany");
    }
    return ws != null && ws.claimName != null && !ws.claimName.isBlank();
  }

  @Pattern("^\\+?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E)?$")
  @JsonPropertyDescription("Size of the workspace volume. Default 1Gi.")
  public String size;

  @Size(max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  @JsonPropertyDescription("StorageClass of the workspace volume. Default: the cluster's default class.")
  public String storageClassName;

  @Size(max = 253)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
  @JsonPropertyDescription("An existing PersistentVolumeClaim in the StageBuild's namespace, shared by many builds instead of one claim per build: each build uses its own sub-directory <StageBuild uid>/<build id>, which a small pod removes when the build ends. Meant for a ReadWriteMany claim (the build's pods then run on any node); with accessModes [ReadWriteOnce] they are placed on one node. Excludes size and storageClassName.")
  public String claimName;

  @Size(max = 3)
  @JsonPropertyDescription("Access modes of the workspace volume. Default [ReadWriteOnce] (with claimName: [ReadWriteMany]): with ReadWriteOnce, pods that run at once are placed on one node.")
  public List<String> accessModes;
}
