package dev.stagebuild.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.List;
import java.util.Objects;

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

  // Field by field, like StageBuildStatus's.
  @Override
  public boolean equals(Object other) {
    return other instanceof OutputStatus o && Objects.equals(image, o.image)
        && Objects.equals(digest, o.digest) && Objects.equals(imageRef, o.imageRef)
        && Objects.equals(size, o.size) && Objects.equals(sizeText, o.sizeText)
        && Objects.equals(platforms, o.platforms);
  }

  @Override
  public int hashCode() {
    return Objects.hash(image, digest, imageRef, size, sizeText, platforms);
  }
}
