package dev.stagebuild.dockerfile;

import dev.stagebuild.Texts;
import java.util.function.LongConsumer;

/**
 * Docker's processing of one word: quotes, the escape character and variable substitution
 * ({@code $V}, {@code ${V}}, {@code ${V:-w}}, {@code ${V-w}}, {@code ${V:+w}}, {@code ${V+w}},
 * {@code ${V:?w}}, {@code ${V?w}}, {@code ${V#p}}, {@code ${V##p}}, {@code ${V%p}},
 * {@code ${V%%p}}, {@code ${V/p/r}}, {@code ${V//p/r}}), as BuildKit's shell lexer does it for
 * FROM, COPY/ADD sources, ENV and ARG values.
 *
 * <p>At plan time some variables cannot be known (a base image's environment); the {@link Env}
 * says so, and the result is then marked unresolved rather than guessed. Nesting of
 * {@code ${...}} is bounded and pattern matching has a work budget: a Dockerfile is untrusted.
 */
public final class WordExpander {

  /** What the planner knows about a variable. */
  public enum State { SET, UNSET, UNKNOWN }

  /** A variable's state and, when SET, its value. */
  public record Variable(State state, String value) {
    public static final Variable UNSET = new Variable(State.UNSET, null);
    public static final Variable UNKNOWN = new Variable(State.UNKNOWN, null);

    public static Variable of(String value) {
      return new Variable(State.SET, value);
    }
  }

  /** The variables visible where a word is expanded. */
  @FunctionalInterface
  public interface Env {
    Variable get(String name);
  }

  /**
   * The result; when {@code unresolved} is not null the value is meaningless, because the word
   * uses that variable and its value is unknown at plan time.
   */
  public record Expansion(String value, String unresolved) {
    public boolean resolved() {
      return unresolved == null;
    }
  }

  private static final int MAX_DEPTH = 32;
  private static final long MAX_PATTERN_WORK = 5_000_000L;
  /** The most characters one word may expand to (a doubling ARG chain reaches it in 18 steps). */
  public static final int MAX_WORD_CHARS = 256 * 1024;
  /** The most characters all the words of one plan may expand to, together. */
  public static final long MAX_TOTAL_CHARS = 8L * 1024 * 1024;
  /**
   * The work all the words of one plan may cost together: characters copied (also into words that
   * are thrown away, like the alternative of {@code ${U:+word}} with U unset) and pattern-matching
   * steps. Without it, ten thousand small words, each matching a pattern over a long variable and
   * each under the per-word limits, cost a reconcile thread minutes of CPU.
   */
  public static final long MAX_TOTAL_WORK = 64L * 1024 * 1024;
  /**
   * Characters expanded ({@code [0]}) and work done ({@code [1]}) so far by the plan running on this
   * thread (see {@link #budget}).
   */
  private static final ThreadLocal<long[]> TOTAL = new ThreadLocal<>();

  private final String s;
  private final int n;
  private final char escape;
  private final Env env;
  private final boolean processQuotes;
  private final int line;
  private int pos;
  private boolean rawEscapes;
  private String unresolved;
  private long patternWork;
  /** BuildKit's SkipUnsetEnv: a substitution of an unknown variable is left as written, whatever its modifier. */
  private boolean skipUnknown;

  private WordExpander(String s, char escape, Env env, boolean processQuotes, int line) {
    this.s = s;
    this.n = s.length();
    this.escape = escape;
    this.env = env;
    this.processQuotes = processQuotes;
    this.line = line;
  }

  /**
   * Opens a budget of {@link #MAX_TOTAL_CHARS} for all the expansions this thread makes until the
   * returned handle is closed: the planner opens one per plan, so that many words each under
   * {@link #MAX_WORD_CHARS} cannot add up to an unbounded amount of memory.
   */
  public static Budget budget() {
    long[] previous = TOTAL.get();
    TOTAL.set(new long[2]);
    return () -> {
      if (previous == null) {
        TOTAL.remove();
      } else {
        TOTAL.set(previous);
      }
    };
  }

  /** The handle of {@link #budget()}: closing it restores the budget before. */
  public interface Budget extends AutoCloseable {
    @Override
    void close();
  }

  /** Processes a word: quotes removed, escapes applied, variables substituted. */
  public static Expansion expand(String word, char escape, Env env, int line) {
    WordExpander x = new WordExpander(word, escape, env, true, line);
    String value = x.until(-1, false, 0);
    x.charge(value.length());
    return new Expansion(value, x.unresolved);
  }

  /**
   * Whether BuildKit's lexer reads {@code text} with no variable set and {@code SkipUnsetEnv}, as
   * {@code heredocsFromLine} does: an unknown variable is left as written before its modifier is
   * checked ({@code ${SHA:0:7}} is read), while a syntax error ({@code ${V^^}}, {@code ${#V}}, a
   * missing brace or quote) is not.
   */
  public static boolean lexesWithNothingSet(String text) {
    WordExpander x = new WordExpander(text, '\\', name -> Variable.UNKNOWN, true, 0);
    x.skipUnknown = true;
    try {
      x.until(-1, false, 0);
      return true;
    } catch (DockerfileException e) {
      return e.kind() == DockerfileException.Kind.TOO_LARGE; // the plan's own budget, not BuildKit's error
    }
  }

  /**
   * Substitutes variables but leaves quotes alone: for flag values, whose quotes Docker has already
   * removed when it split the flags off.
   */
  public static Expansion expandVariablesOnly(String word, char escape, Env env, int line) {
    WordExpander x = new WordExpander(word, escape, env, false, line);
    String value = x.until(-1, false, 0);
    x.charge(value.length());
    return new Expansion(value, x.unresolved);
  }

  private void charge(int chars) {
    long[] total = TOTAL.get();
    if (total != null) {
      total[0] += chars;
      if (total[0] > MAX_TOTAL_CHARS) {
        throw tooLarge("variable substitutions of the Dockerfile expand to more than "
            + MAX_TOTAL_CHARS + " characters in all");
      }
    }
  }

  /** Counts work (characters copied, pattern steps) against the plan's {@link #MAX_TOTAL_WORK}. */
  private void work(long units) {
    long[] total = TOTAL.get();
    if (total != null) {
      total[1] += units;
      if (total[1] > MAX_TOTAL_WORK) {
        throw tooLarge("variable substitutions of the Dockerfile take more than " + MAX_TOTAL_WORK
            + " steps of work in all (characters copied and pattern steps)");
      }
    }
  }

  /** Appends the result of a substitution to the word being built, counting the copy as work. */
  private void appendSubstitution(StringBuilder sb, String value) {
    work(value.length());
    sb.append(value);
    bound(sb);
  }

  /** Fails as soon as a word being built grows past {@link #MAX_WORD_CHARS}. */
  private void bound(StringBuilder sb) {
    if (sb.length() > MAX_WORD_CHARS) {
      throw tooLarge("variable substitution expands to more than " + MAX_WORD_CHARS + " characters");
    }
  }

  private DockerfileException tooLarge(String detail) {
    return new DockerfileException(DockerfileException.Kind.TOO_LARGE, line,
        detail + " in \"" + Texts.cut(s, 80, "...") + "\"");
  }

  /** True when the word has nothing Docker would process: no quotes, escapes or {@code $}. */
  public static boolean isLiteral(String word, char escape) {
    for (int i = 0; i < word.length(); i++) {
      char c = word.charAt(i);
      if (c == '$' || c == '\'' || c == '"' || c == escape) {
        return false;
      }
    }
    return true;
  }

  /** Escapes a literal value so that processing it gives back the value. */
  public static String escapeLiteral(String value, char escape) {
    StringBuilder sb = new StringBuilder(value.length());
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == '$' || c == '\'' || c == '"' || c == escape) {
        sb.append(escape);
      }
      sb.append(c);
    }
    return sb.toString();
  }

  private DockerfileException error(String detail) {
    return new DockerfileException(line, detail + " in \"" + Texts.cut(s, 80, "...") + "\"");
  }


  /** Reads until {@code stop} (consumed) or the end; {@code stop} -1 means the end of the word. */
  private String until(int stop, boolean raw, int depth) {
    boolean savedRaw = rawEscapes;
    rawEscapes = raw;
    try {
      StringBuilder sb = new StringBuilder();
      while (pos < n) {
        char c = s.charAt(pos);
        if (stop >= 0 && c == stop) {
          pos++;
          work(sb.length());
          return sb.toString();
        }
        if (c == '$') {
          appendSubstitution(sb, dollar(depth));
        } else if (processQuotes && c == '\'') {
          sb.append(singleQuoted());
        } else if (processQuotes && c == '"') {
          appendSubstitution(sb, doubleQuoted(depth));
        } else {
          pos++;
          if (c == escape) {
            if (rawEscapes) {
              sb.append(c);
            }
            if (pos >= n) {
              break;
            }
            c = s.charAt(pos++);
          }
          sb.append(c);
        }
      }
      if (stop >= 0) {
        throw error("unexpected end of statement while looking for matching " + (char) stop);
      }
      work(sb.length());
      return sb.toString();
    } finally {
      rawEscapes = savedRaw;
    }
  }

  private String singleQuoted() {
    int end = s.indexOf('\'', pos + 1);
    if (end < 0) {
      throw error("unexpected end of statement while looking for matching single-quote");
    }
    String v = s.substring(pos + 1, end);
    pos = end + 1;
    return v;
  }

  private String doubleQuoted(int depth) {
    StringBuilder sb = new StringBuilder();
    pos++;
    while (true) {
      if (pos >= n) {
        throw error("unexpected end of statement while looking for matching double-quote");
      }
      char c = s.charAt(pos);
      if (c == '"') {
        pos++;
        return sb.toString();
      }
      if (c == '$') {
        appendSubstitution(sb, dollar(depth));
        continue;
      }
      pos++;
      if (c == escape) {
        if (rawEscapes) {
          sb.append(c);
        }
        if (pos >= n) {
          continue;
        }
        char next = s.charAt(pos);
        if (next == '"' || next == '$' || next == escape) {
          c = next;
          pos++;
        }
      }
      sb.append(c);
    }
  }

  private String dollar(int depth) {
    pos++;
    if (pos >= n || s.charAt(pos) != '{') {
      String name = name();
      if (name.isEmpty()) {
        return "$";
      }
      return valueOf(name);
    }
    pos++;
    if (pos >= n) {
      throw error("syntax error: missing '}'");
    }
    char first = s.charAt(pos);
    if (first == '{' || first == '}' || first == ':') {
      throw error("syntax error: bad substitution");
    }
    String name = name();
    if (pos >= n) {
      throw error("syntax error: missing '}'");
    }
    char op = s.charAt(pos++);
    if (op == '}') {
      return valueOf(name);
    }
    if (depth >= MAX_DEPTH) {
      throw error("variable substitutions nested more than " + MAX_DEPTH + " deep");
    }
    if (op == '/') {
      return replace(name, depth);
    }
    boolean nullIsUnset = false;
    String opText = String.valueOf(op);
    if (op == ':') {
      nullIsUnset = true;
      if (pos >= n) {
        throw error("syntax error: missing '}'");
      }
      op = s.charAt(pos++);
      opText += op;
    }
    boolean patternOp = op == '#' || op == '%';
    boolean known = op == '-' || op == '+' || op == '?' || patternOp;
    if ((nullIsUnset && patternOp) || (!nullIsUnset && !known)) {
      throw error("unsupported modifier (" + opText + ") in substitution");
    }
    String word = untilClosingBrace(patternOp, depth);
    if (!known) {
      if (skipUnknown && lookup(name).state() == State.UNKNOWN) {
        return markUnresolved(name); // BuildKit returns an unset variable's text before it looks at the modifier
      }
      throw error("unsupported modifier (" + opText + ") in substitution");
    }
    Variable v = lookup(name);
    if (v.state() == State.UNKNOWN) {
      return markUnresolved(name);
    }
    boolean set = v.state() == State.SET;
    String value = set ? v.value() : "";
    boolean empty = !set || (nullIsUnset && value.isEmpty());
    switch (op) {
      case '-':
        return empty ? word : value;
      case '+':
        return empty ? "" : word;
      case '?':
        if (!set) {
          throw error(name + ": " + (word.isEmpty() ? "is not allowed to be unset" : word));
        }
        if (empty) {
          throw error(name + ": " + (word.isEmpty() ? "is not allowed to be empty" : word));
        }
        return value;
      default:
        boolean longest = !word.isEmpty() && word.charAt(0) == op;
        String pattern = longest ? word.substring(1) : word;
        return op == '#' ? trimPrefix(value, pattern, longest) : trimSuffix(value, pattern, longest);
    }
  }

  private String untilClosingBrace(boolean raw, int depth) {
    try {
      return until('}', raw, depth + 1);
    } catch (DockerfileException e) {
      if (pos >= n && e.kind() != DockerfileException.Kind.TOO_LARGE) {
        throw error("syntax error: missing '}'");
      }
      throw e;
    }
  }

  private String replace(String name, int depth) {
    boolean all = pos < n && s.charAt(pos) == '/';
    if (all) {
      pos++;
    }
    String pattern;
    try {
      pattern = until('/', true, depth + 1);
    } catch (DockerfileException e) {
      if (pos >= n && e.kind() != DockerfileException.Kind.TOO_LARGE) {
        throw error("syntax error: missing '/' in ${}");
      }
      throw e;
    }
    String replacement = untilClosingBrace(true, depth);
    Variable v = lookup(name);
    if (v.state() == State.UNKNOWN) {
      return markUnresolved(name);
    }
    String value = v.state() == State.SET ? v.value() : "";
    ShellPattern p = ShellPattern.compile(pattern, this::error);
    LongConsumer spend = this::spend; // once, not once per position
    StringBuilder out = new StringBuilder();
    int i = 0;
    int previousEnd = -1;
    boolean replaced = false;
    while (i <= value.length()) {
      int end = (all || !replaced) ? p.longestMatchAt(value, i, spend) : -1;
      if (end == i && previousEnd == i) {
        end = -1; // like Go's regexp: no empty match right after a match
      }
      if (end >= 0) {
        previousEnd = end;
        out.append(replacement);
        bound(out);
        replaced = true;
        if (end > i) {
          i = end;
          continue;
        }
      }
      if (i < value.length()) {
        // by code point: Go's regexp steps past an empty match by a rune
        int c = value.codePointAt(i);
        out.appendCodePoint(c);
        i += Character.charCount(c);
      } else {
        i++;
      }
    }
    work(out.length());
    return out.toString();
  }

  private String trimPrefix(String value, String pattern, boolean longest) {
    ShellPattern p = ShellPattern.compile(pattern, this::error);
    int end = longest ? p.longestMatchAt(value, 0, this::spend) : p.shortestMatchAt(value, 0, this::spend);
    return end < 0 ? value : value.substring(end);
  }

  private String trimSuffix(String value, String pattern, boolean longest) {
    ShellPattern p = ShellPattern.compile(pattern, this::error).reversed();
    work(2L * value.length());
    String reversed = new StringBuilder(value).reverse().toString();
    int end = longest ? p.longestMatchAt(reversed, 0, this::spend) : p.shortestMatchAt(reversed, 0, this::spend);
    return end < 0 ? value : value.substring(0, value.length() - end);
  }

  private void spend(long steps) {
    work(steps);
    patternWork += steps;
    if (patternWork > MAX_PATTERN_WORK) {
      throw error("variable substitution pattern too costly to evaluate");
    }
  }

  /** A variable name: letters, digits and _; a run of digits or one special parameter character. */
  private String name() {
    // by code point, as BuildKit's lexer reads runes (unicode.IsLetter, unicode.IsDigit): a letter
    // or digit outside the BMP is two chars here and one rune there
    int start = pos;
    if (pos < n && Character.isDigit(s.codePointAt(pos))) {
      while (pos < n && Character.isDigit(s.codePointAt(pos))) {
        pos += Character.charCount(s.codePointAt(pos));
      }
      return s.substring(start, pos);
    }
    if (pos < n && "@*#?-$!0".indexOf(s.charAt(pos)) >= 0) {
      pos++;
      return s.substring(start, pos);
    }
    while (pos < n && (Character.isLetterOrDigit(s.codePointAt(pos)) || s.charAt(pos) == '_')) {
      pos += Character.charCount(s.codePointAt(pos));
    }
    return s.substring(start, pos);
  }

  private Variable lookup(String name) {
    Variable v = env.get(name);
    return v == null ? Variable.UNSET : v;
  }

  private String valueOf(String name) {
    Variable v = lookup(name);
    if (v.state() == State.UNKNOWN) {
      return markUnresolved(name);
    }
    return v.state() == State.SET ? v.value() : "";
  }

  private String markUnresolved(String name) {
    if (unresolved == null) {
      unresolved = name;
    }
    return "";
  }
}
