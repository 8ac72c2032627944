package dev.stagebuild.registry;

import java.util.Objects;

/**
 * What the registry holds for a tag that a build pushed, compared with the digest the build
 * reported.
 *
 * @param verdict the comparison
 * @param reportedDigest the digest the build reported
 * @param tagDigest the digest the tag resolves to now, or null when the tag does not exist
 * @param image the reported digest's manifest as the registry holds it in the tag's repository, or
 *     null when it holds none
 */
public record PushCheck(Verdict verdict, String reportedDigest, String tagDigest, ImageInfo image) {

  /** The comparison of the reported digest with what the registry holds. */
  public enum Verdict {
    /** The tag resolves to the reported digest. */
    VERIFIED,
    /**
     * The tag resolves to another digest (or no longer exists), but the repository holds the
     * reported digest: another push moved the tag after this one, or it was deleted.
     */
    TAG_MOVED,
    /** The tag resolves to another digest, and the repository does not hold the reported one. */
    MISMATCH,
    /** Neither the tag nor the reported digest exists in the repository. */
    NOT_FOUND
  }

  public PushCheck {
    Objects.requireNonNull(verdict, "verdict");
    Objects.requireNonNull(reportedDigest, "reportedDigest");
    if ((verdict == Verdict.VERIFIED || verdict == Verdict.TAG_MOVED) != (image != null)) {
      throw new IllegalArgumentException("an image goes with VERIFIED and TAG_MOVED only");
    }
  }

  /**
   * The verdict, from what the registry answered.
   *
   * @param tagDigest the digest the tag resolves to, or null when the tag does not exist
   * @param inRepository whether the repository holds a manifest under the reported digest
   */
  public static Verdict decide(String reportedDigest, String tagDigest, boolean inRepository) {
    Objects.requireNonNull(reportedDigest, "reportedDigest");
    if (reportedDigest.equals(tagDigest)) {
      return Verdict.VERIFIED;
    }
    if (inRepository) {
      return Verdict.TAG_MOVED;
    }
    return tagDigest == null ? Verdict.NOT_FOUND : Verdict.MISMATCH;
  }
}
