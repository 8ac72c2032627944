package dev.stagebuild.registry;

import java.util.Objects;

/**
 * One platform's manifest within an index.
 *
 * @param platform {@code os/architecture[/variant]} as the index states it, e.g. {@code
 *     linux/arm64/v8}; {@code unknown} if the index gives no platform
 * @param digest the platform manifest's digest
 * @param mediaType the platform manifest's media type
 * @param size its config size plus the sizes of its layers, in bytes
 */
public record PlatformManifest(String platform, String digest, String mediaType, long size) {
  public PlatformManifest {
    Objects.requireNonNull(platform, "platform");
    Objects.requireNonNull(digest, "digest");
    Objects.requireNonNull(mediaType, "mediaType");
  }
}
