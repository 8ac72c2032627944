package dev.stagebuild;

/**
 * The innermost cause's message, on one line: what a person reads of a failure that wraps a
 * network error several times (client, HTTP library, socket), where the outer messages only repeat
 * the request.
 */
public final class RootCause {
  private RootCause() {}

  /** The innermost cause (the throwable itself when it has none). */
  public static Throwable of(Throwable e) {
    Throwable t = e;
    // bounded: a chain may loop through more than one throwable
    for (int depth = 0; depth < 32 && t.getCause() != null && t.getCause() != t; depth++) {
      t = t.getCause();
    }
    return t;
  }

  /** The innermost cause's message, whitespace folded; its class's simple name when it has none. */
  public static String message(Throwable e) {
    Throwable t = of(e);
    String m = t.getMessage() == null || t.getMessage().isBlank() ? t.getClass().getSimpleName() : t.getMessage();
    return m.replaceAll("\\s+", " ").strip();
  }
}
