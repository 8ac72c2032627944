package dev.stagebuild.dockerfile;

import java.util.Set;

/** Go's {@code strconv.ParseBool}, as BuildKit reads {@code required=}, {@code ro=} and {@code # check=error=}. */
public final class GoBool {
  private GoBool() {}

  private static final Set<String> TRUE = Set.of("1", "t", "T", "TRUE", "true", "True");
  private static final Set<String> FALSE = Set.of("0", "f", "F", "FALSE", "false", "False");

  public static boolean isTrue(String value) {
    return TRUE.contains(value);
  }

  /** Whether ParseBool reads the value at all. */
  public static boolean parses(String value) {
    return TRUE.contains(value) || FALSE.contains(value);
  }
}
