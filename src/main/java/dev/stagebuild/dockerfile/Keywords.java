package dev.stagebuild.dockerfile;

import java.util.Locale;
import java.util.Map;

/** The Dockerfile instructions Docker knows, how each one's arguments are read, and its flags. */
final class Keywords {
  private Keywords() {}

  /** How the arguments after the flags are split. */
  enum Form {
    /** Whitespace-separated words (FROM, EXPOSE). */
    WORDS,
    /** JSON array, else whitespace-separated words (COPY, ADD, VOLUME). */
    LIST,
    /** JSON array, else one shell command text (RUN, CMD, ENTRYPOINT, SHELL). */
    COMMAND,
    /** name=value pairs, or the legacy {@code name value} (ENV, LABEL). */
    NAME_VALUE,
    /** names with optional =value (ARG). */
    NAME_OPTIONAL_VALUE,
    /** The rest of the line as one text (WORKDIR, USER, MAINTAINER, STOPSIGNAL). */
    TEXT,
    /** NONE, or CMD followed by a command (HEALTHCHECK). */
    HEALTHCHECK,
    /** Another instruction (ONBUILD). */
    TRIGGER
  }

  /** A flag's type, as BuildKit's BFlags has them. */
  enum FlagType { STRING, STRINGS, BOOL }

  record Spec(String name, Form form, Map<String, FlagType> flags) {}

  private static final Map<String, Spec> SPECS = Map.ofEntries(
      spec("FROM", Form.WORDS, Map.of("platform", FlagType.STRING)),
      spec("COPY", Form.LIST, Map.of("chown", FlagType.STRING, "chmod", FlagType.STRING,
          "from", FlagType.STRING, "link", FlagType.BOOL, "parents", FlagType.BOOL,
          "exclude", FlagType.STRINGS)),
      spec("ADD", Form.LIST, Map.of("chown", FlagType.STRING, "chmod", FlagType.STRING,
          "checksum", FlagType.STRING, "link", FlagType.BOOL, "keep-git-dir", FlagType.BOOL,
          "unpack", FlagType.BOOL, "exclude", FlagType.STRINGS)),
      spec("RUN", Form.COMMAND, Map.of("mount", FlagType.STRINGS, "network", FlagType.STRING,
          "security", FlagType.STRING, "device", FlagType.STRINGS)),
      spec("CMD", Form.COMMAND, Map.of()),
      spec("ENTRYPOINT", Form.COMMAND, Map.of()),
      spec("SHELL", Form.COMMAND, Map.of()),
      spec("VOLUME", Form.LIST, Map.of()),
      spec("EXPOSE", Form.WORDS, Map.of()),
      spec("ENV", Form.NAME_VALUE, Map.of()),
      spec("LABEL", Form.NAME_VALUE, Map.of()),
      spec("ARG", Form.NAME_OPTIONAL_VALUE, Map.of()),
      spec("WORKDIR", Form.TEXT, Map.of()),
      spec("USER", Form.TEXT, Map.of()),
      spec("MAINTAINER", Form.TEXT, Map.of()),
      spec("STOPSIGNAL", Form.TEXT, Map.of()),
      spec("HEALTHCHECK", Form.HEALTHCHECK, Map.of("interval", FlagType.STRING,
          "timeout", FlagType.STRING, "start-period", FlagType.STRING,
          "start-interval", FlagType.STRING, "retries", FlagType.STRING)),
      spec("ONBUILD", Form.TRIGGER, Map.of()));

  private static Map.Entry<String, Spec> spec(String name, Form form, Map<String, FlagType> flags) {
    return Map.entry(name, new Spec(name, form, flags));
  }

  /**
   * The spec of an instruction name in any letter case, or null when Docker does not know it. The
   * case is folded as BuildKit folds it (Go's {@code strings.ToLower}, code point by code point):
   * {@code WOR\u212ADIR}, with a Kelvin sign, is {@code WORKDIR} to kaniko too.
   */
  static Spec lookup(String keyword) {
    String lower = StageNames.lower(keyword);
    for (int i = 0; i < lower.length(); i++) {
      if (lower.charAt(i) > 0x7F) {
        return null; // no instruction name has a letter beyond ASCII once folded
      }
    }
    return SPECS.get(lower.toUpperCase(Locale.ROOT));
  }

  /** Instructions that can open here-documents. */
  static boolean takesHeredocs(String keyword) {
    return keyword.equals("RUN") || keyword.equals("COPY") || keyword.equals("ADD");
  }
}
