package dev.stagebuild.cli;

/**
 * Text from Dockerfiles, logs and users, shown on a terminal: its control characters (terminal
 * escapes) become '?'. Line ends are kept, and tabs where the layout is the text's own.
 */
final class TerminalText {
  private TerminalText() {}

  static String printable(String s, boolean keepTabs) {
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints().forEach(c -> b.appendCodePoint(
        c == '\n' || (keepTabs && c == '\t') || !Character.isISOControl(c) ? c : '?'));
    return b.toString();
  }
}
