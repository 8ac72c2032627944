package dev.stagebuild.dockerfile;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * One Dockerfile instruction as the parser read it.
 *
 * <p>Besides the parsed parts it keeps two texts: {@link #source()}, the physical lines exactly as
 * written (continuations, embedded comment lines and here-document bodies included), and
 * {@link #logical()}, the single line Docker parses after removing line continuations. Spans refer to
 * the logical line; {@link #applyEdits} maps them back so that a rewrite can change a few words and
 * keep everything else, line structure included.
 */
public final class Instruction {

  /** Replace the characters of {@code span} (logical line) with {@code replacement}. */
  public record Edit(Span span, String replacement) {}

  private final String keyword;
  private final String keywordAsWritten;
  private final String source;
  private final int line;
  private final int endLine;
  private final String logical;
  private final int[] origin;
  private final List<Flag> flags;
  private final List<String> args;
  private final List<Span> argSpans;
  private final boolean json;
  private final Span jsonSpan;
  private final String argText;
  private final Span argTextSpan;
  private final List<KeyValue> keyValues;
  private final List<Heredoc> heredocs;
  private final Instruction trigger;
  private final boolean openContinuation;

  Instruction(Builder b) {
    this.keyword = b.keyword;
    this.keywordAsWritten = b.keywordAsWritten;
    this.source = b.source;
    this.line = b.line;
    this.endLine = b.endLine;
    this.logical = b.logical;
    this.origin = b.origin;
    this.flags = List.copyOf(b.flags);
    this.args = List.copyOf(b.args);
    this.argSpans = List.copyOf(b.argSpans);
    this.json = b.json;
    this.jsonSpan = b.jsonSpan;
    this.argText = b.argText;
    this.argTextSpan = b.argTextSpan;
    this.keyValues = List.copyOf(b.keyValues);
    this.heredocs = List.copyOf(b.heredocs);
    this.trigger = b.triggerBuilder == null ? null : new Instruction(b.triggerBuilder);
    this.openContinuation = b.openContinuation;
  }

  /** Upper-case instruction name, e.g. {@code COPY}. */
  public String keyword() {
    return keyword;
  }

  public String keywordAsWritten() {
    return keywordAsWritten;
  }

  /** The physical lines of the instruction as written, joined with {@code \n}, without a final newline. */
  public String source() {
    return source;
  }

  /** 1-based line the instruction starts on. */
  public int line() {
    return line;
  }

  /** 1-based last line (a continuation line, or a here-document terminator). */
  public int endLine() {
    return endLine;
  }

  /** The instruction as one line, continuations removed (what Docker parses). */
  public String logical() {
    return logical;
  }

  public List<Flag> flags() {
    return flags;
  }

  /** The last flag of this name (Docker lets a later one win for repeatable flags), if any. */
  public Optional<Flag> flag(String name) {
    Flag found = null;
    for (Flag f : flags) {
      if (f.name().equals(name)) {
        found = f;
      }
    }
    return Optional.ofNullable(found);
  }

  public List<Flag> flags(String name) {
    return flags.stream().filter(f -> f.name().equals(name)).toList();
  }

  /**
   * The arguments: for JSON form the decoded strings; for FROM, COPY, ADD, VOLUME and EXPOSE in shell
   * form the whitespace-separated words as written (quotes and variables not processed); for other
   * instructions the whole argument text as one element (empty list when there is none).
   */
  public List<String> args() {
    return args;
  }

  /** Where each shell-form word of {@link #args()} is; empty for JSON form and single-text forms. */
  public List<Span> argSpans() {
    return argSpans;
  }

  /** True when the arguments were written as a JSON array. */
  public boolean isJson() {
    return json;
  }

  /** The span of the JSON array, or null in shell form. */
  public Span jsonSpan() {
    return jsonSpan;
  }

  /** The text after the keyword and the flags, trimmed. */
  public String argText() {
    return argText;
  }

  public Span argTextSpan() {
    return argTextSpan;
  }

  /** The pairs of ENV, LABEL and ARG; empty for other instructions. */
  public List<KeyValue> keyValues() {
    return keyValues;
  }

  public List<Heredoc> heredocs() {
    return heredocs;
  }

  /** The instruction an ONBUILD wraps; null for other instructions. */
  public Instruction trigger() {
    return trigger;
  }

  /**
   * True when the last line ends with a line continuation (the file ended while the instruction
   * continued): text appended after it would join the instruction.
   */
  public boolean endsInContinuation() {
    return openContinuation;
  }

  public boolean is(String name) {
    return keyword.equals(name);
  }

  /**
   * The source text with the edits applied. Each edit's logical span is mapped to the physical text
   * it came from; a span that crosses a line continuation replaces the continuation too.
   * Edits must not overlap. An empty span inserts after the preceding logical character.
   */
  public String applyEdits(List<Edit> edits) {
    record Replacement(int start, int end, String text) {}
    List<Replacement> replacements = new ArrayList<>();
    for (Edit e : edits) {
      int[] range = toSource(e.span());
      replacements.add(new Replacement(range[0], range[1], e.replacement()));
    }
    // from the end backwards (a later edit keeps what an overlapping earlier one would take), each
    // piece collected once: linear in the text, however many edits (a StringBuilder.replace for each
    // moved the rest of the text every time)
    replacements.sort(Comparator.comparingInt(Replacement::start).reversed());
    List<String> pieces = new ArrayList<>();
    int limit = source.length();
    for (Replacement r : replacements) {
      int end = Math.min(r.end(), limit);
      int start = Math.min(r.start(), end);
      pieces.add(source.substring(end, limit));
      pieces.add(r.text());
      limit = start;
    }
    StringBuilder sb = new StringBuilder(source.length()).append(source, 0, limit);
    for (int k = pieces.size() - 1; k >= 0; k--) {
      sb.append(pieces.get(k));
    }
    return sb.toString();
  }

  /**
   * {@link #applyEdits} without the here-document bodies that follow the instruction's own lines:
   * for an edit that replaces the marker, so that the documents are no longer read.
   */
  public String applyEditsDroppingHeredocs(List<Edit> edits) {
    String edited = applyEdits(edits);
    if (heredocs.isEmpty() || logical.isEmpty()) {
      return edited;
    }
    int cut = source.indexOf('\n', origin[logical.length() - 1]);
    return cut < 0 ? edited : edited.substring(0, edited.length() - (source.length() - cut));
  }

  /** The source range {start, end} that a logical span was read from. */
  private int[] toSource(Span span) {
    int s = span.start();
    int e = span.end();
    if (logical.isEmpty()) {
      return new int[] {source.length(), source.length()};
    }
    if (s >= e) {
      int at = s <= 0 ? origin[0] : origin[Math.min(s, logical.length()) - 1] + 1;
      return new int[] {at, at};
    }
    int start = origin[Math.max(0, Math.min(s, logical.length() - 1))];
    int end = origin[Math.max(0, Math.min(e, logical.length()) - 1)] + 1;
    return new int[] {start, Math.max(start, end)};
  }

  /**
   * An edit that deletes {@code span} and the blanks after it on the same physical line, so that
   * removing a flag does not leave a double space.
   */
  public Edit deletion(Span span) {
    int end = span.end();
    while (end < logical.length() && (logical.charAt(end) == ' ' || logical.charAt(end) == '\t')
        && end > 0 && origin[end] == origin[end - 1] + 1) {
      end++;
    }
    return new Edit(new Span(span.start(), end), "");
  }

  @Override
  public String toString() {
    return "line " + line + ": " + logical;
  }

  /** Mutable assembly used by the parser. */
  static final class Builder {
    String keyword;
    String keywordAsWritten;
    String source;
    int line;
    int endLine;
    String logical;
    int[] origin;
    List<Flag> flags = new ArrayList<>();
    List<String> args = new ArrayList<>();
    List<Span> argSpans = new ArrayList<>();
    boolean json;
    Span jsonSpan;
    String argText = "";
    Span argTextSpan = new Span(0, 0);
    List<KeyValue> keyValues = new ArrayList<>();
    List<Heredoc> heredocs = new ArrayList<>();
    Builder triggerBuilder;
    boolean openContinuation;
  }
}
