package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class Workspace {
  @JsonPropertyDescription("Size of the workspace volume. Default 1Gi.")
  public String size;

  @JsonPropertyDescription("StorageClass of the workspace volume. Default: the cluster's default class.")
  public String storageClassName;

  @JsonPropertyDescription("Access modes of the workspace volume. Default [ReadWriteOnce]: pods that run at once are then placed on one node.")
  public List<String> accessModes;
}
