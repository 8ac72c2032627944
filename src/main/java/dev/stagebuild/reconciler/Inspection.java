package dev.stagebuild.reconciler;

import dev.stagebuild.api.PlatformImage;
import java.util.List;

/** What the registry said about the pushed image: its size, or why it could not be asked. */
public record Inspection(Long size, List<PlatformImage> platforms, String errorReason, String errorMessage) {
  public static Inspection of(long size, List<PlatformImage> platforms) {
    return new Inspection(size, platforms, null, null);
  }

  public static Inspection failed(String reason, String message) {
    return new Inspection(null, null, reason, message);
  }

  public boolean ok() {
    return errorReason == null;
  }

  /** A failure that asking again would not change (unauthorized, not found, a bad reference or secret). */
  public boolean isFinal() {
    return errorReason != null && BuildDecider.FINAL_INSPECTION_REASONS.contains(errorReason);
  }
}
