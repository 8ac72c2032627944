package dev.stagebuild.plan;

import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.dockerfile.DockerfileParser;
import dev.stagebuild.dockerfile.Instruction;
import dev.stagebuild.dockerfile.KeyValue;
import dev.stagebuild.dockerfile.WordExpander;
import dev.stagebuild.dockerfile.WordExpander.Variable;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The ARGs before the first FROM as kaniko reads them, where that differs from BuildKit (whose
 * reading the planner, the end-to-end stand-in and users' expectations follow): the values each
 * pod's Dockerfile must declare again, and the FROM images a pod's Dockerfile must name resolved.
 */
final class KanikoGlobalArgs {
  /**
   * Global ARGs whose value kaniko v1.28.3 would read differently from BuildKit, by name, with
   * BuildKit's value: each pod's Dockerfile declares them again with that value after the global
   * ARGs.
   */
  final Map<String, String> forPods = new LinkedHashMap<>();

  /** The variables kaniko resolves a FROM operand with (unifyArgs: global ARGs, non-empty --build-args). */
  private final Map<String, String> fromArgs = new HashMap<>();

  /** A value both read literally inside double quotes (kaniko after removing them): no quote, $, \\, ` or line break. */
  private static final Pattern LITERAL_VALUE = Pattern.compile("[^\"'$\\\\`\r\n]*");

  /**
   * kaniko reads the ARGs before the first FROM its own way ({@code pkg/dockerfile/dockerfile.go}
   * {@code stripEnclosingQuotes} and {@code expandNestedArgs}, {@code buildargs.go}
   * {@code AddMetaArgs}): it removes a value's enclosing quotes before substituting it (so
   * {@code '$X'} is substituted, and a value that ends with a quote it does not start with stops
   * the build), substitutes it with the earlier global ARGs and the {@code --build-arg}s only (not
   * TARGETARCH, BUILDPLATFORM, ... which BuildKit gives the global ARGs), and a later
   * {@code ARG NAME} without a value clears NAME's value for the stages. Where a value a stage can
   * read differs, each pod's Dockerfile declares the ARG again with BuildKit's value, written so
   * that both read it literally; a value that cannot be written so is refused.
   */
  static KanikoGlobalArgs read(List<Instruction> globalArgs, Map<String, String> buildArgs, Set<String> unknownArgs,
      String targetStage, Scope buildKitGlobal, List<Stage> stages, char escape) {
    KanikoGlobalArgs k = new KanikoGlobalArgs();
    k.compare(globalArgs, buildArgs, unknownArgs, targetStage, buildKitGlobal, stages, escape);
    return k;
  }

  private void compare(List<Instruction> globalArgs, Map<String, String> buildArgs, Set<String> unknownArgs,
      String targetStage, Scope buildKitGlobal, List<Stage> stages, char escape) {
    Map<String, String> podArgs = new HashMap<>(buildArgs);
    if (targetStage != null) {
      podArgs.putIfAbsent(PlatformArgs.TARGETSTAGE, targetStage);
    }
    Map<String, String> meta = new LinkedHashMap<>();
    Map<String, Integer> lineOf = new HashMap<>();
    Map<String, String> earlier = new HashMap<>();
    Set<String> fromSecrets = new HashSet<>();
    for (Instruction arg : globalArgs) {
      for (KeyValue kv : arg.keyValues()) {
        lineOf.put(kv.key(), arg.line());
        if (kv.value() == null) {
          meta.put(kv.key(), null);
          continue;
        }
        String unquoted = unquoted(kv.value());
        if (unquoted == null) {
          throw new DockerfileException(DockerfileException.Kind.UNSUPPORTED, arg.line(), "ARG " + kv.key() + "="
              + kv.value() + ": " + KanikoCapabilities.KANIKO + " stops on an ARG before the first FROM whose value"
              + " ends with a quote it does not start with (\"quotes wrapping arg values must be matched\");"
              + " quote the whole value (" + kv.key() + "=\"...\")");
        }
        String value;
        try {
          WordExpander.Expansion x = WordExpander.expand(unquoted, '\\', name -> {
            if (unknownArgs.contains(name) || fromSecrets.contains(name)) {
              return Variable.UNKNOWN;
            }
            String v = podArgs.containsKey(name) ? podArgs.get(name) : earlier.get(name);
            return v == null ? Variable.UNSET : Variable.of(v);
          }, arg.line());
          if (!x.resolved()) {
            fromSecrets.add(kv.key()); // made of a build argument from a Secret: the planner knows neither value
            meta.remove(kv.key());
            continue;
          }
          value = x.value();
        } catch (DockerfileException e) {
          if (e.kind() == DockerfileException.Kind.TOO_LARGE) {
            continue; // the budget holds where the planner reads the value
          }
          // kaniko parses every global ARG in every pod: a value it cannot read fails each of them
          throw new DockerfileException(DockerfileException.Kind.UNSUPPORTED, arg.line(), "ARG " + kv.key() + "="
              + kv.value() + ": " + KanikoCapabilities.KANIKO + " removes the quotes around a value before the first"
              + " FROM and then reads it as a shell word, which fails here (" + e.detail() + "); write the value"
              + " so that it reads the same without its outer quotes (e.g. escape an apostrophe with \\)");
        }
        earlier.put(kv.key(), value);
        meta.put(kv.key(), value);
      }
    }
    meta.forEach((k, v) -> {
      if (v != null) {
        fromArgs.put(k, v);
      }
    });
    podArgs.forEach((k, v) -> {
      if (!v.isEmpty()) { // unifyArgs: an empty --build-arg does not replace a default
        fromArgs.put(k, v);
      }
    });
    Scope predefined = Scope.global();
    PlatformArgs.define(predefined, Map.of(), targetStage == null ? "default" : targetStage);
    for (Map.Entry<String, String> e : meta.entrySet()) {
      String name = e.getKey();
      if (podArgs.containsKey(name) || unknownArgs.contains(name)) {
        continue; // the --build-arg (also one from a Secret) wins in kaniko as in BuildKit
      }
      Variable kaniko = e.getValue() != null ? Variable.of(e.getValue()) : predefined.get(name);
      Variable buildKit = buildKitGlobal.get(name);
      String k = kaniko.state() == WordExpander.State.SET ? kaniko.value() : null;
      String b = buildKit.state() == WordExpander.State.SET ? buildKit.value() : null;
      if (Objects.equals(k, b)) {
        continue;
      }
      if (b == null || spelled(b, escape) == null) {
        deferToReaders(stages, name, new DockerfileException(DockerfileException.Kind.UNSUPPORTED, lineOf.get(name), "ARG " + name
            + " before the first FROM: " + KanikoCapabilities.KANIKO + " reads its value as "
            + (k == null ? "unset" : "\"" + k + "\"") + ", BuildKit as " + (b == null ? "unset" : "\"" + b + "\"")
            + " (kaniko removes the quotes around a global ARG's value before substituting it, and substitutes"
            + " neither TARGETARCH, BUILDPLATFORM... nor an ARG declared again without a value); write the value"
            + " without quotes (escaping $ and \\ with \\), or declare the ARG in the stages that use it"));
        continue;
      }
      if (DockerfileParser.tooLongForParsers(line(name, b))) {
        // written on one line of every pod's Dockerfile, where kaniko's parser would stop
        throw new DockerfileException(DockerfileException.Kind.UNSUPPORTED, lineOf.get(name), "ARG " + name
            + " before the first FROM: BuildKit reads its value as " + b.length() + " characters, and "
            + KanikoCapabilities.KANIKO + " would read it differently; StageBuild writes that value on one line"
            + " of each pod's Dockerfile, longer than " + DockerfileParser.MAX_LINE_BYTES + " bytes, the most"
            + " kaniko's parser reads; declare the ARG in the stages that use it, or shorten its value");
      }
      forPods.put(name, b);
    }
    fromArgs.putAll(forPods);
  }

  /** How each pod's Dockerfile declares {@link #forPods}' entry again ({@link #spelled}: read as the value). */
  static String line(String name, String value) {
    return "ARG " + name + "=" + spelled(value, '\\');
  }

  /**
   * The value written so that kaniko (quotes around it removed, then read as a word) and BuildKit
   * (read as a word) both read it as itself: in double quotes when it has no quote, $, backslash or
   * backtick; else with a backslash before each of those and each blank (so {@code -X 'm.v=1 b'},
   * which kaniko would read without its inner quotes, is {@code -X\ \'m.v=1\ b\'}), between two
   * expansions that are always empty when it starts or ends with a quote. Null when it
   * cannot be: a line break in it, a directive's escape character other than the backslash (the
   * line's words would split at the blanks), or a spelling kaniko would read otherwise.
   */
  static String spelled(String value, char escape) {
    if (LITERAL_VALUE.matcher(value).matches()) {
      return "\"" + value + "\"";
    }
    if (escape != '\\' || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
      return null;
    }
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      // any blank kaniko's parser splits the line's words at (Go's unicode.IsSpace)
      if (c == '\\' || c == '\'' || c == '"' || c == '$' || c == '`' || dev.stagebuild.dockerfile.Chars.isSpace(c)) {
        sb.append('\\');
      }
      sb.append(c);
    }
    // kaniko stops on a value that starts or ends with a quote (escaped or not) it does not also end
    // or start with: an expansion that is always empty (${v:+} is empty whether v is set or not) there
    if (spellingEndsWithQuote(sb) || value.startsWith("'") || value.startsWith("\"")) {
      sb.insert(0, ALWAYS_EMPTY).append(ALWAYS_EMPTY);
    }
    String spelling = sb.toString();
    // kaniko's reading (stripEnclosingQuotes, then the word) and BuildKit's (the word) of it, checked
    String kaniko = unquoted(spelling);
    return kaniko != null && value.equals(readAsWord(kaniko)) && value.equals(readAsWord(spelling)) ? spelling : null;
  }

  private static final String ALWAYS_EMPTY = "${stagebuild:+}";

  private static boolean spellingEndsWithQuote(CharSequence s) {
    char last = s.charAt(s.length() - 1);
    return last == '\'' || last == '"';
  }

  private static String readAsWord(String word) {
    try {
      WordExpander.Expansion x = WordExpander.expand(word, '\\', name -> Variable.UNSET, 0);
      return x.resolved() ? x.value() : null;
    } catch (DockerfileException e) {
      return null;
    }
  }

  /**
   * A global ARG kaniko reads differently reaches the stages that declare it again without a value
   * and the FROM lines that name it: only a target that needs one of those stages is refused.
   */
  private static void deferToReaders(List<Stage> stages, String name, DockerfileException problem) {
    Pattern named = Pattern.compile("\\$\\{?" + Pattern.quote(name) + "(?![A-Za-z0-9_])");
    for (Stage s : stages) {
      if (named.matcher(s.from.source()).find()) {
        s.defer(problem);
      }
      for (Instruction i : s.body) {
        if (i.is("ARG") && i.keyValues().stream().anyMatch(kv -> kv.key().equals(name) && kv.value() == null)) {
          s.defer(problem);
        }
      }
    }
  }

  /**
   * Whether kaniko would resolve stage {@code s}'s FROM image differently from BuildKit (it
   * resolves FROM without TARGETARCH, BUILDPLATFORM..., and an empty --build-arg keeps the
   * default): the pod's Dockerfile then names the image as BuildKit resolves it.
   */
  boolean resolvesBaseDifferently(Stage s) {
    String operand = s.from.args().get(0);
    if (operand.equals(s.base)) {
      return false;
    }
    try {
      String kaniko = WordExpander.expand(operand, '\\', name -> {
        String v = fromArgs.get(name);
        return v == null ? Variable.UNSET : Variable.of(v);
      }, s.from.line()).value();
      return !kaniko.equals(s.base);
    } catch (DockerfileException e) {
      return true;
    }
  }

  /** kaniko's extractValFromQuotes: the value without its enclosing quotes; null where kaniko fails. */
  static String unquoted(String val) {
    if (val.length() < 2) {
      return val;
    }
    String leader = "";
    char c = val.charAt(0);
    if (c == '\'' || c == '"') {
      leader = String.valueOf(c);
    } else if (c == '\\' && (val.charAt(1) == '\'' || val.charAt(1) == '"')) {
      leader = "\\" + val.charAt(1);
    }
    String tail = "";
    if (leader.length() < 2) {
      char last = val.charAt(val.length() - 1);
      if (last == '\'' || last == '"') {
        tail = String.valueOf(last);
      }
    } else {
      String end = val.substring(val.length() - 2);
      if (end.equals("\\'") || end.equals("\\\"")) {
        tail = end;
      }
    }
    if (!leader.equals(tail)) {
      return null;
    }
    if (leader.length() != 1) {
      return val;
    }
    return val.substring(1, val.length() - 1);
  }
}
