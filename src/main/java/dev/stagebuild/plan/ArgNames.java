package dev.stagebuild.plan;

import dev.stagebuild.dockerfile.Chars;
import dev.stagebuild.dockerfile.KeyValue;
import dev.stagebuild.dockerfile.WordExpander;
import java.util.List;

/**
 * The name of a stage's ARG: BuildKit takes it as written ({@code instructions.parseArg}), kaniko
 * expands it like a word ({@code ParseArg}: quotes removed, variables substituted, with the
 * backslash as escape character whatever the directive). So {@code ARG V="1" # hence 'v' prefix},
 * an unquoted comment after an ARG, declares {@code 'v'} in BuildKit and {@code v} in kaniko. A name
 * written with a backslash before each {@code $} and quote expands, in kaniko, to the name as written.
 */
final class ArgNames {
  private ArgNames() {}

  /**
   * Whether the name can be written so: not with the backtick directive (its word splitting would
   * read the quotes the backslashes escape), nor with white space (Go's) or a backslash in the name,
   * nor with a quote the name opens and does not close (BuildKit's word then ran on into the value:
   * {@code ARG "a=1 Q""} is one word, name {@code "a}; escaped, its quote would no longer hold the
   * blank, and kaniko would read a second word, {@code Q}).
   */
  static boolean escapable(String name, char escape) {
    if (escape != '\\') {
      return false;
    }
    char open = 0;
    for (int k = 0; k < name.length(); k++) {
      char c = name.charAt(k);
      if (c == '\\' || Chars.isSpace(c)) {
        return false;
      }
      if (open == 0 && (c == '\'' || c == '"')) {
        open = c;
      } else if (c == open) {
        open = 0;
      }
    }
    return open == 0;
  }

  /** The ARG instruction with every name written so that kaniko's expansion of it is the name itself. */
  static String written(List<KeyValue> pairs) {
    StringBuilder sb = new StringBuilder("ARG");
    for (KeyValue kv : pairs) {
      // escapable names hold no backslash: only their $ and quotes are escaped
      sb.append(' ').append(WordExpander.escapeLiteral(kv.key(), StageTable.expansionEscape()));
      if (kv.value() != null) {
        sb.append('=').append(kv.value());
      }
    }
    return sb.toString();
  }
}
