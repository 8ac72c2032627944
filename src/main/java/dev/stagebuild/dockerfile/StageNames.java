package dev.stagebuild.dockerfile;

/** Docker's rule for stage names: {@code ^[a-z][a-z0-9-_.]*$} after lower-casing. */
public final class StageNames {
  private StageNames() {}

  /**
   * A stage name or {@code --from} reference lower-cased as kaniko and BuildKit do (Go's
   * {@code strings.ToLower}: each code point by its simple mapping). Java's {@code toLowerCase}
   * applies Unicode's special casing instead: {@code İ} (U+0130) became {@code i} and a combining
   * dot, so {@code AS İmage} was refused where kaniko names the stage {@code image}, and
   * {@code COPY --from=İmage} missed that stage and was planned as an image pull.
   */
  public static String lower(String name) {
    StringBuilder b = new StringBuilder(name.length());
    name.codePoints().forEach(cp -> b.appendCodePoint(Character.toLowerCase(cp)));
    return b.toString();
  }

  /** The same stage, as kaniko matches names: equal after {@link #lower(String)}. */
  public static boolean same(String a, String b) {
    return lower(a).equals(lower(b));
  }

  public static boolean isValid(String name) {
    if (name.isEmpty() || name.charAt(0) < 'a' || name.charAt(0) > 'z') {
      return false;
    }
    for (int i = 1; i < name.length(); i++) {
      char c = name.charAt(i);
      boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
