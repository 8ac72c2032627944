package dev.stagebuild.registry;

import java.util.List;
import java.util.Objects;

/**
 * What the registry holds for an image reference.
 *
 * @param reference the reference that was inspected
 * @param digest the digest of the manifest (or index) the reference resolves to
 * @param mediaType the media type of that manifest (or index)
 * @param size compressed size in bytes: the manifest's config size plus the sizes of all its
 *     layers; for an index, that of the first linux/amd64 platform if there is one, else of the
 *     first platform
 * @param platforms for an index, each platform's manifest in index order; empty for a single
 *     manifest
 */
public record ImageInfo(
    ImageReference reference,
    String digest,
    String mediaType,
    long size,
    List<PlatformManifest> platforms) {

  public ImageInfo {
    Objects.requireNonNull(reference, "reference");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(mediaType, "mediaType");
    platforms = List.copyOf(platforms);
  }

  /** Whether the reference resolved to a multi-platform index (or Docker manifest list). */
  public boolean isIndex() {
    return !platforms.isEmpty();
  }

  /** The inspected image pinned to {@link #digest()}, in the spelling the user gave. */
  public ImageReference pinned() {
    return reference.withDigest(digest);
  }
}
