package dev.stagebuild.dockerfile;

/** Docker's rule for stage names: {@code ^[a-z][a-z0-9-_.]*$} after lower-casing. */
public final class StageNames {
  private StageNames() {}

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
