package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;

@JsonInclude(JsonInclude.Include.NON_NULL)
public class OutputStatus {
  @JsonPropertyDescription("The image reference pushed.")
  public String image;

  @JsonPropertyDescription("The digest of the pushed manifest (or index).")
  public String digest;

  @JsonPropertyDescription("The pushed image by digest: <repository>@<digest>.")
  public String imageRef;

  @JsonPropertyDescription("Compressed size in bytes as the registry holds it: config size plus the sizes of all layers (for an index, of the first platform).")
  public Long size;

  @JsonPropertyDescription("The size for people, e.g. 9.6MB.")
  public String sizeText;

  @JsonPropertyDescription("For a multi-platform index: each platform's manifest digest and size.")
  public List<PlatformImage> platforms;
}
