package dev.stagebuild.reconciler;

import dev.stagebuild.api.PlatformImage;
import java.util.List;

/**
 * What the registry said about the pushed image: its size (the pushed digest verified against the
 * tag, or found in the repository after the tag moved on), why it could not be asked, or that it
 * does not hold the digest the final pod reported (the build's result is then withdrawn).
 *
 * @param tagMovedMessage set when the tag no longer resolves to the pushed digest but the repository
 *     holds it
 * @param withdrawn the registry contradicts the reported digest: it must not be reported
 */
public record Inspection(Long size, List<PlatformImage> platforms, String errorReason, String errorMessage,
    String tagMovedMessage, boolean withdrawn) {
  public static Inspection of(long size, List<PlatformImage> platforms) {
    return new Inspection(size, platforms, null, null, null, false);
  }

  /** The size of the pushed digest, which the tag no longer resolves to. */
  public static Inspection tagMoved(long size, List<PlatformImage> platforms, String message) {
    return new Inspection(size, platforms, null, null, message, false);
  }

  public static Inspection failed(String reason, String message) {
    return new Inspection(null, null, reason, message, null, false);
  }

  /** The registry does not hold the reported digest: the build's result is withdrawn. */
  public static Inspection withdrawn(String reason, String message) {
    return new Inspection(null, null, reason, message, null, true);
  }

  public boolean ok() {
    return errorReason == null;
  }

  public boolean tagMoved() {
    return tagMovedMessage != null;
  }

  /**
   * A failure after which the image is not looked up again: one that asking again would not change
   * (unauthorized, not found, a bad reference or secret), or the operator's giving up.
   */
  public boolean isFinal() {
    return errorReason != null && (withdrawn || BuildDecider.FINAL_INSPECTION_REASONS.contains(errorReason));
  }
}
