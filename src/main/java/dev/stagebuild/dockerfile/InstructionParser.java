package dev.stagebuild.dockerfile;

import static dev.stagebuild.dockerfile.DockerfileException.abbreviate;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads one logical instruction line: keyword, builder flags, arguments in the form the keyword
 * takes, and the checks Docker makes before it builds anything (argument counts, flag names and
 * values, stage names).
 */
final class InstructionParser {
  private InstructionParser() {}

  static Instruction.Builder parse(String text, int[] origin, int line, char escape) {
    Instruction.Builder b = parseRange(text, 0, text.length(), line, escape);
    b.logical = text;
    b.origin = origin;
    return b;
  }

  static Instruction finish(Instruction.Builder b, String source, int endLine, List<Heredoc> heredocs,
      boolean openContinuation) {
    b.source = source;
    b.endLine = endLine;
    b.heredocs = heredocs;
    b.openContinuation = openContinuation;
    if (b.triggerBuilder != null) {
      Instruction.Builder t = b.triggerBuilder;
      t.logical = b.logical;
      t.origin = b.origin;
      t.source = source;
      t.endLine = endLine;
      t.heredocs = heredocs;
    }
    return new Instruction(b);
  }

  private static Instruction.Builder parseRange(String text, int from, int to, int line, char escape) {
    int s = Chars.skipSpaces(text, from, to);
    int e = Chars.trimEnd(text, s, to);
    if (s == e) {
      throw new DockerfileException(line, "a line continuation is not followed by an instruction");
    }
    int k = s;
    while (k < e && !Chars.isSeparator(text.charAt(k))) {
      k++;
    }
    String keyword = text.substring(s, k);
    Keywords.Spec spec = Keywords.lookup(keyword);
    if (spec == null) {
      throw new DockerfileException(line, "unknown instruction: " + abbreviate(keyword)
          + " (is a line continuation missing on the line before?)");
    }
    int rest = k;
    while (rest < e && Chars.isSeparator(text.charAt(rest))) {
      rest++;
    }
    FlagScanner.Result scanned = FlagScanner.scan(text, rest, e, escape);
    int a = Chars.skipSpaces(text, scanned.argsStart(), e);

    Instruction.Builder b = new Instruction.Builder();
    b.keyword = spec.name();
    b.keywordAsWritten = keyword;
    b.line = line;
    b.argText = text.substring(a, e);
    b.argTextSpan = new Span(a, e);
    b.flags = readsFlags(spec, text, a, e) ? flags(spec, scanned.words(), line) : ignoredFlags(scanned.words());
    arguments(b, spec, text, a, e, line, escape);
    return b;
  }

  /**
   * Whether BuildKit's parse of the instruction reads its flags (BFlags.Parse): ARG and STOPSIGNAL
   * never do, HEALTHCHECK only when its type is not NONE. kaniko accepts and ignores the flags of the
   * others, whatever they are, so they are kept as written and not checked.
   */
  private static boolean readsFlags(Keywords.Spec spec, String text, int a, int e) {
    return switch (spec.name()) {
      case "ARG", "STOPSIGNAL" -> false;
      case "HEALTHCHECK" -> {
        int sep = a;
        while (sep < e && !Chars.isSpace(text.charAt(sep))) {
          sep++;
        }
        // the type as BuildKit reads it (parseHealthConfig), upper-cased
        yield !text.substring(a, sep).toUpperCase(Locale.ROOT).equals("NONE");
      }
      default -> true;
    };
  }

  private static List<Flag> ignoredFlags(List<FlagScanner.Word> words) {
    List<Flag> flags = new ArrayList<>();
    for (FlagScanner.Word w : words) {
      String body = w.text().startsWith("--") ? w.text().substring(2) : w.text();
      int eq = body.indexOf('=');
      flags.add(new Flag(eq < 0 ? body : body.substring(0, eq), eq < 0 ? "" : body.substring(eq + 1), eq >= 0, w.span()));
    }
    return flags;
  }

  private static List<Flag> flags(Keywords.Spec spec, List<FlagScanner.Word> words, int line) {
    List<Flag> flags = new ArrayList<>();
    Set<String> used = new HashSet<>();
    for (FlagScanner.Word w : words) {
      String body = w.text().startsWith("--") ? w.text().substring(2) : w.text();
      int eq = body.indexOf('=');
      String name = eq < 0 ? body : body.substring(0, eq);
      String value = eq < 0 ? "" : body.substring(eq + 1);
      Keywords.FlagType type = spec.flags().get(name);
      if (type == null) {
        throw new DockerfileException(line, "unknown flag --" + abbreviate(name) + " for " + spec.name()
            + (spec.flags().isEmpty() ? " (it takes no flags)"
                : " (it takes " + String.join(", ", spec.flags().keySet().stream().sorted()
                    .map(f -> "--" + f).toList()) + ")"));
      }
      if (!used.add(name) && type != Keywords.FlagType.STRINGS) {
        throw new DockerfileException(line, "duplicate flag specified: --" + name);
      }
      if (type == Keywords.FlagType.BOOL) {
        if (eq >= 0 && value.isEmpty()) {
          throw new DockerfileException(line, "missing a value on flag: --" + name);
        }
        String v = value.toLowerCase(Locale.ROOT);
        if (!v.isEmpty() && !v.equals("true") && !v.equals("false")) {
          throw new DockerfileException(line,
              "expecting boolean value for flag --" + name + ", not: " + abbreviate(value));
        }
        value = v.equals("false") ? "false" : "true";
      } else if (eq < 0) {
        throw new DockerfileException(line, "missing a value on flag: --" + name + " (write --" + name + "=<value>)");
      }
      flags.add(new Flag(name, value, eq >= 0, w.span()));
    }
    return flags;
  }

  private static void arguments(Instruction.Builder b, Keywords.Spec spec, String text, int a, int e,
      int line, char escape) {
    String args = b.argText;
    String name = spec.name();
    switch (spec.form()) {
      case WORDS -> words(b, text, a, e);
      case LIST -> {
        if (!jsonArguments(b, a, e, line, name)) {
          words(b, text, a, e);
        }
      }
      case COMMAND -> {
        if (!args.isEmpty() && !jsonArguments(b, a, e, line, name)) {
          b.args.add(args);
        }
      }
      case TEXT -> {
        if (!args.isEmpty()) {
          b.args.add(args);
        }
      }
      case NAME_VALUE -> nameValues(b, args, name, line, escape);
      case NAME_OPTIONAL_VALUE -> argDeclarations(b, args, line, escape);
      case HEALTHCHECK -> healthcheck(b, text, a, e, line);
      case TRIGGER -> trigger(b, text, a, e, line, escape);
      default -> throw new IllegalStateException(spec.form().toString());
    }
    validate(b, name, line);
  }

  /** Reads a JSON array; true when it was one. Non-string elements are an error, as in Docker. */
  private static boolean jsonArguments(Instruction.Builder b, int a, int e, int line, String name) {
    String args = b.argText;
    if (args.isEmpty() || args.charAt(0) != '[') {
      return false;
    }
    JsonArray.Result r = JsonArray.parse(args);
    switch (r.status()) {
      case STRINGS -> {
        b.json = true;
        b.jsonSpan = new Span(a, e);
        b.args.addAll(r.strings());
        return true;
      }
      case NOT_STRINGS -> throw new LineParseError(line,
          "when using JSON array syntax, arrays must be comprised of strings only");
      default -> {
        // Docker reads invalid JSON as shell form. For COPY/ADD a text starting with [" was meant
        // as JSON, and its shell-form reading is a path like ["a", which only fails later.
        if ((name.equals("COPY") || name.equals("ADD")) && looksLikeJson(args)) {
          throw new DockerfileException(line, "malformed JSON array in " + name + ": " + r.problem()
              + " (write " + name + " [\"<src>\", ..., \"<dest>\"])");
        }
        return false;
      }
    }
  }

  private static boolean looksLikeJson(String args) {
    int i = 1;
    while (i < args.length() && Chars.isSpace(args.charAt(i))) {
      i++;
    }
    return i < args.length() && args.charAt(i) == '"';
  }

  private static void words(Instruction.Builder b, String text, int a, int e) {
    int i = a;
    while (i < e) {
      while (i < e && Chars.isSeparator(text.charAt(i))) {
        i++;
      }
      if (i >= e) {
        break;
      }
      int start = i;
      while (i < e && !Chars.isSeparator(text.charAt(i))) {
        i++;
      }
      b.args.add(text.substring(start, i));
      b.argSpans.add(new Span(start, i));
    }
  }

  private static void nameValues(Instruction.Builder b, String args, String name, int line, char escape) {
    List<String> words = ShellWords.split(args, escape);
    if (words.isEmpty()) {
      return;
    }
    if (words.get(0).indexOf('=') < 0) {
      int sep = 0;
      while (sep < args.length() && !Chars.isSeparator(args.charAt(sep))) {
        sep++;
      }
      int value = sep;
      while (value < args.length() && Chars.isSeparator(args.charAt(value))) {
        value++;
      }
      if (sep >= args.length()) {
        throw new LineParseError(line, name + " must have two arguments: " + name + " <name>=<value> ..."
            + " (or the legacy " + name + " <name> <value>)");
      }
      b.keyValues.add(new KeyValue(args.substring(0, sep), args.substring(value), true));
      return;
    }
    for (String w : words) {
      int eq = w.indexOf('=');
      if (eq < 0) {
        throw new LineParseError(line, "Syntax error - can't find = in \"" + abbreviate(w)
            + "\". Must be of the form: name=value");
      }
      if (eq == 0) {
        throw new DockerfileException(line, name + " names can not be blank");
      }
      b.keyValues.add(new KeyValue(w.substring(0, eq), w.substring(eq + 1), false));
    }
  }

  private static void argDeclarations(Instruction.Builder b, String args, int line, char escape) {
    for (String w : ShellWords.split(args, escape)) {
      int eq = w.indexOf('=');
      if (eq == 0) {
        throw new DockerfileException(line, "ARG names can not be blank");
      }
      b.keyValues.add(eq < 0 ? new KeyValue(w, null, false)
          : new KeyValue(w.substring(0, eq), w.substring(eq + 1), false));
    }
  }

  private static void healthcheck(Instruction.Builder b, String text, int a, int e, int line) {
    int sep = a;
    while (sep < e && !Chars.isSpace(text.charAt(sep))) {
      sep++;
    }
    if (sep == a) {
      return;
    }
    b.args.add(text.substring(a, sep));
    int cmd = Chars.skipSpaces(text, sep, e);
    if (cmd >= e) {
      return;
    }
    String command = text.substring(cmd, e);
    if (command.charAt(0) == '[') {
      JsonArray.Result r = JsonArray.parse(command);
      if (r.status() == JsonArray.Status.NOT_STRINGS) {
        throw new LineParseError(line,
            "when using JSON array syntax, arrays must be comprised of strings only");
      }
      if (r.status() == JsonArray.Status.STRINGS) {
        b.json = true;
        b.jsonSpan = new Span(cmd, e);
        b.args.addAll(r.strings());
        return;
      }
    }
    b.args.add(command);
  }

  /**
   * ONBUILD's instruction runs in builds that use this image, so Docker checks little of it now:
   * it is read leniently, only to know whether it opens here-documents. Only what BuildKit's line
   * parser refuses ({@link LineParseError}) fails it, as it fails kaniko's parse.
   */
  private static void trigger(Instruction.Builder b, String text, int a, int e, int line, char escape) {
    if (a >= e) {
      return;
    }
    b.args.add(b.argText);
    int k = a;
    while (k < e && !Chars.isSeparator(text.charAt(k))) {
      k++;
    }
    String keyword = text.substring(a, k);
    Keywords.Spec spec = Keywords.lookup(keyword);
    String name = spec == null ? keyword : spec.name();
    // checked before reading the trigger, so that ONBUILD ONBUILD ... cannot recurse
    if (name.equals("ONBUILD")) {
      throw new DockerfileException(line, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
    }
    if (name.equals("FROM") || name.equals("MAINTAINER")) {
      throw new DockerfileException(line, name + " isn't allowed as an ONBUILD trigger");
    }
    Instruction.Builder t;
    try {
      t = parseRange(text, a, e, line, escape);
    } catch (LineParseError ex) {
      throw ex; // BuildKit's parser reads the trigger's line too: kaniko refuses the Dockerfile
    } catch (DockerfileException ex) {
      t = new Instruction.Builder();
      t.keywordAsWritten = keyword;
      t.keyword = name;
      t.line = line;
      t.argText = text.substring(Chars.skipSpaces(text, k, e), e);
    }
    b.triggerBuilder = t;
  }

  private static void validate(Instruction.Builder b, String name, int line) {
    List<String> args = b.args;
    switch (name) {
      case "FROM" -> {
        boolean named = args.size() == 3 && args.get(1).equalsIgnoreCase("as");
        if (args.size() != 1 && !named) {
          throw new DockerfileException(line, args.isEmpty()
              ? "FROM needs an image: FROM [--platform=<platform>] <image> [AS <name>]"
              : "FROM takes an image and optionally AS <name>, not \"" + abbreviate(b.argText)
                  + "\": FROM [--platform=<platform>] <image> [AS <name>]");
        }
        if (named && !StageNames.isValid(StageNames.lower(args.get(2)))) {
          throw new DockerfileException(line, "invalid name for build stage: \"" + abbreviate(args.get(2))
              + "\", name can't start with a number or contain symbols");
        }
      }
      case "COPY", "ADD" -> {
        if (args.size() < 2) {
          throw new DockerfileException(line, name + " needs at least one source and a destination: "
              + name + " <src>... <dest>");
        }
        if (HeredocMarker.parse(args.get(args.size() - 1)) != null) {
          throw new DockerfileException(line, name + " cannot accept a heredoc as a destination");
        }
      }
      case "ENV", "LABEL", "ARG" -> {
        if (b.keyValues.isEmpty()) {
          throw new DockerfileException(line, name + " requires at least one argument");
        }
      }
      case "EXPOSE", "ONBUILD" -> {
        if (args.isEmpty()) {
          throw new DockerfileException(line, name + " requires at least one argument");
        }
      }
      case "VOLUME" -> {
        if (args.isEmpty()) {
          throw new DockerfileException(line, "VOLUME requires at least one argument");
        }
        for (String v : args) {
          if (v.isBlank()) {
            throw new DockerfileException(line, "VOLUME specified can not be an empty string");
          }
        }
      }
      case "WORKDIR", "USER", "MAINTAINER", "STOPSIGNAL" -> {
        if (args.isEmpty()) {
          throw new DockerfileException(line, name + " requires exactly one argument");
        }
      }
      case "SHELL" -> {
        if (!b.json) {
          throw new DockerfileException(line, "SHELL requires the arguments to be in JSON form: SHELL [\"executable\", \"parameters\"]");
        }
        if (args.isEmpty()) {
          throw new DockerfileException(line, "SHELL requires at least one argument");
        }
      }
      case "HEALTHCHECK" -> {
        if (args.isEmpty()) {
          throw new DockerfileException(line, "HEALTHCHECK requires at least one argument");
        }
        String type = args.get(0).toUpperCase(Locale.ROOT);
        if (type.equals("NONE")) {
          if (args.size() > 1) {
            throw new DockerfileException(line, "HEALTHCHECK NONE takes no arguments");
          }
        } else if (!type.equals("CMD")) {
          throw new DockerfileException(line, "Unknown type \"" + abbreviate(args.get(0)) + "\" in HEALTHCHECK (try CMD)");
        } else if (args.size() < 2) {
          throw new DockerfileException(line, "Missing command after HEALTHCHECK CMD");
        } else {
          healthcheckFlags(b.flags, line);
        }
      }
      default -> {
        // RUN, CMD, ENTRYPOINT: any arguments
      }
    }
  }

  /** BuildKit's checks of HEALTHCHECK CMD's flags (parseOptInterval, the retries' ParseInt), which fail kaniko's parse. */
  private static void healthcheckFlags(List<Flag> flags, int line) {
    for (Flag f : flags) {
      if (f.value().isEmpty()) {
        continue; // BuildKit's default
      }
      if (f.name().equals("retries")) {
        long retries;
        try {
          if (!f.value().matches("[+-]?[0-9]+")) {
            throw new NumberFormatException(); // Java reads other scripts' digits, Go's ParseInt does not
          }
          retries = Integer.parseInt(f.value());
        } catch (NumberFormatException e) {
          throw new DockerfileException(line, "HEALTHCHECK --retries=" + abbreviate(f.value()) + " is not a number");
        }
        if (retries < 0) {
          throw new DockerfileException(line, "--retries cannot be negative (" + retries + ")");
        }
        continue;
      }
      long nanos;
      try {
        nanos = GoDuration.nanos(f.value());
      } catch (IllegalArgumentException e) {
        throw new DockerfileException(line, "HEALTHCHECK --" + f.name() + ": " + abbreviate(e.getMessage())
            + " (write a unit: 30s, 1m30s, 500ms)");
      }
      if (nanos != 0 && nanos < 1_000_000L) {
        throw new DockerfileException(line, "Interval \"" + f.name() + "\" cannot be less than 1ms");
      }
    }
  }

  /**
   * A mistake BuildKit's line parser finds (parser/line_parsers.go), not its instruction parser: it
   * fails the Dockerfile even in an ONBUILD trigger, which only the line parser reads.
   */
  static final class LineParseError extends DockerfileException {
    LineParseError(int line, String detail) {
      super(line, detail);
    }
  }
}
