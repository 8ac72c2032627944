package dev.stagebuild.dockerfile;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses a Dockerfile the way BuildKit's parser does, line by line.
 *
 * <ul>
 *   <li>Parser directives ({@code # syntax=}, {@code # escape=}, {@code # check=}) are read only
 *       from the lines before anything else (a blank line, comment or instruction ends them).
 *   <li>A line whose first non-blank character is {@code #} is a comment, also between the lines
 *       of a continued instruction; blank lines inside a continuation are skipped.
 *   <li>The escape character at the end of a line (blanks after it allowed) continues the
 *       instruction on the next line, unless it is itself escaped.
 *   <li>RUN, COPY and ADD lines (also under ONBUILD) may open here-documents; their bodies follow
 *       the instruction and are never read as instructions.
 * </ul>
 *
 * <p>Only {@link DockerfileException} leaves {@link #parse}; the work is linear in the input.
 */
public final class DockerfileParser {
  private static final char BOM = '\uFEFF';

  private final String[] lines;
  private final List<Directive> directives = new ArrayList<>();
  private final Set<String> seenDirectives = new HashSet<>();
  private char escape = '\\';
  private int next;
  /** Added to every line number: for an instruction the planner writes on behalf of a line. */
  private int firstLine = 1;

  private DockerfileParser(String text) {
    List<String> split = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < text.length(); i++) {
      if (text.charAt(i) == '\n') {
        split.add(text.substring(start, i));
        start = i + 1;
      }
    }
    if (start < text.length()) {
      split.add(text.substring(start));
    }
    if (!split.isEmpty() && !split.get(0).isEmpty() && split.get(0).charAt(0) == BOM) {
      split.set(0, split.get(0).substring(1));
    }
    this.lines = split.toArray(new String[0]);
    for (int k = 0; k < lines.length; k++) {
      if (tooLongForParsers(lines[k])) {
        throw new DockerfileException(k + 1, "the line is longer than " + MAX_LINE_BYTES + " bytes, the most"
            + " BuildKit's and kaniko's parser read (\"dockerfile line greater than max allowed size\"); split it"
            + " with line continuations");
      }
    }
  }

  /** BuildKit's parser reads a physical line with a bufio.Scanner: at most this many bytes, line ending included. */
  public static final int MAX_LINE_BYTES = 65535;

  /** Whether BuildKit's (and kaniko's) parser would refuse this physical line as too long. */
  public static boolean tooLongForParsers(String line) {
    return line.length() > MAX_LINE_BYTES / 3 && utf8Length(line) + 1 > MAX_LINE_BYTES;
  }

  /** The UTF-8 length of a line (what the parsers' byte limit counts). */
  private static int utf8Length(String s) {
    int bytes = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
    }
    return bytes;
  }

  /**
   * One instruction written on one line (no continuation or here-document), numbered as line
   * {@code line}: what the planner writes on behalf of that line of the Dockerfile.
   */
  public static Instruction instructionAt(String text, int line) {
    if (text.indexOf('\n') >= 0 || text.indexOf('\r') >= 0) {
      throw new IllegalArgumentException("one line expected");
    }
    DockerfileParser p = new DockerfileParser(text);
    p.firstLine = line;
    return p.instruction(0, Chars.skipSpaces(text, 0, text.length()));
  }

  /** Parses a whole Dockerfile. An input without any instruction is an error. */
  public static Dockerfile parse(String text) {
    if (text == null) {
      throw new DockerfileException(0, "the Dockerfile is empty");
    }
    DockerfileParser p = new DockerfileParser(text);
    List<Instruction> instructions = p.instructions();
    if (instructions.isEmpty()) {
      throw new DockerfileException(0, "the Dockerfile is empty: it has no instructions");
    }
    return new Dockerfile(p.directives, p.escape, instructions);
  }

  private List<Instruction> instructions() {
    List<Instruction> result = new ArrayList<>();
    boolean directivesDone = false;
    while (next < lines.length) {
      int index = next;
      String content = withoutCarriageReturn(lines[index]);
      int lead = Chars.skipSpaces(content, 0, content.length());
      String stripped = content.substring(lead);
      if (!directivesDone) {
        if (directive(stripped, index + 1, lines[index])) {
          next++;
          continue;
        }
        directivesDone = true;
      }
      if (stripped.isEmpty() || stripped.charAt(0) == '#') {
        next++;
        continue;
      }
      result.add(instruction(index, lead));
    }
    return result;
  }

  /** Reads one parser directive; false when the line is not one (which ends the directives). */
  private boolean directive(String stripped, int lineNumber, String raw) {
    if (stripped.isEmpty() || stripped.charAt(0) != '#') {
      return false;
    }
    String body = stripped.substring(Chars.skipSpaces(stripped, 1, stripped.length()));
    int i = 0;
    int n = body.length();
    if (n == 0 || !isAsciiLetter(body.charAt(0))) {
      return false;
    }
    while (i < n && (isAsciiLetter(body.charAt(i)) || (body.charAt(i) >= '0' && body.charAt(i) <= '9'))) {
      i++;
    }
    String name = body.substring(0, i).toLowerCase(Locale.ROOT);
    while (i < n && Chars.isRegexSpace(body.charAt(i))) {
      i++;
    }
    if (i >= n || body.charAt(i) != '=') {
      return false;
    }
    i++;
    while (i < n && Chars.isRegexSpace(body.charAt(i))) {
      i++;
    }
    int end = n;
    while (end > i && Chars.isRegexSpace(body.charAt(end - 1))) {
      end--;
    }
    if (end <= i || !(name.equals("syntax") || name.equals("escape") || name.equals("check"))) {
      return false;
    }
    String value = body.substring(i, end);
    if (!seenDirectives.add(name)) {
      throw new DockerfileException(lineNumber, "only one " + name + " parser directive can be used");
    }
    if (name.equals("escape")) {
      if (!value.equals("`") && !value.equals("\\")) {
        throw new DockerfileException(lineNumber,
            "invalid escape token '" + value + "' does not match ` or \\");
      }
      escape = value.charAt(0);
    }
    if (name.equals("check")) {
      checkOptions(value, lineNumber);
    }
    directives.add(new Directive(name, value, lineNumber, raw));
    return true;
  }

  /**
   * BuildKit's ParseLintOptions, which kaniko runs before it builds: {@code skip=}, {@code error=}
   * and {@code experimental=}, separated by {@code ;}. Anything else fails kaniko's parse.
   */
  private static void checkOptions(String value, int lineNumber) {
    for (String part : value.trim().split(";", 3)) {
      int eq = part.indexOf('=');
      String key = eq < 0 ? part : part.substring(0, eq).trim();
      if (eq < 0 || !(key.equals("skip") || key.equals("error") || key.equals("experimental"))) {
        throw new DockerfileException(lineNumber, "invalid check option \"" + DockerfileException.abbreviate(key)
            + "\" in the check directive (it takes skip=, error= and experimental=, separated by ;)");
      }
      if (key.equals("error") && !GoBool.parses(part.substring(eq + 1).trim())) {
        throw new DockerfileException(lineNumber, "failed to parse check option \"" + DockerfileException.abbreviate(part)
            + "\": error= takes true or false");
      }
    }
  }

  private static boolean isAsciiLetter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
  }

  /** Reads the instruction that starts on line {@code first}, its continuations and heredocs. */
  private Instruction instruction(int first, int lead) {
    LogicalLine logical = new LogicalLine();
    int offset = 0;
    String content = withoutCarriageReturn(lines[first]);
    boolean continues = appendPiece(logical, content, lead, offset);
    offset += lines[first].length() + 1;
    int last = first;
    next = first + 1;
    while (continues && next < lines.length) {
      String line = withoutCarriageReturn(lines[next]);
      int lineOffset = offset;
      offset += lines[next].length() + 1;
      last = next;
      next++;
      int nonBlank = Chars.skipSpaces(line, 0, line.length());
      if (nonBlank == line.length() || line.charAt(nonBlank) == '#') {
        continue; // blank and comment lines inside a continuation are skipped
      }
      continues = appendPiece(logical, line, 0, lineOffset);
    }
    boolean open = continues;
    String text = logical.text();
    int[] origin = logical.origin();
    Instruction.Builder parsed = InstructionParser.parse(text, origin, first + firstLine, escape);
    List<Heredoc> heredocs = new ArrayList<>();
    Instruction.Builder heredocOwner = parsed.triggerBuilder != null ? parsed.triggerBuilder : parsed;
    if (!heredocOwner.json && Keywords.takesHeredocs(heredocOwner.keyword) && text.contains("<<")) {
      for (HeredocMarker.Marker m : HeredocMarker.findAll(text)) {
        heredocs.add(readHeredoc(m, first + firstLine));
        last = next - 1;
      }
    }
    String source = join(first, last);
    return InstructionParser.finish(parsed, source, last + firstLine, heredocs, open);
  }

  private Heredoc readHeredoc(HeredocMarker.Marker marker, int startLine) {
    StringBuilder body = new StringBuilder();
    while (next < lines.length) {
      String line = withoutCarriageReturn(lines[next]);
      next++;
      String candidate = line;
      if (marker.chomp()) {
        int t = 0;
        while (t < candidate.length() && candidate.charAt(t) == '\t') {
          t++;
        }
        candidate = candidate.substring(t);
      }
      if (candidate.equals(marker.name())) {
        return new Heredoc(marker.name(), marker.fileDescriptor(), marker.chomp(), marker.expand(),
            body.toString());
      }
      body.append(lines[next - 1]).append('\n');
    }
    throw new DockerfileException(startLine, "unterminated heredoc: no line \"" + marker.name()
        + "\" ends the here-document <<" + marker.name() + " that starts here");
  }

  /**
   * Appends one physical line's text (from {@code from}) to the logical line, without a trailing
   * continuation; returns whether the line continues.
   */
  private boolean appendPiece(LogicalLine logical, String line, int from, int lineOffset) {
    int end = line.length();
    int last = end;
    while (last > from && (line.charAt(last - 1) == ' ' || line.charAt(last - 1) == '\t')) {
      last--;
    }
    boolean continues = false;
    if (last > from && line.charAt(last - 1) == escape
        && (last - 1 == from || line.charAt(last - 2) != escape)) {
      continues = true;
      end = last - 1;
    }
    logical.append(line, from, end, lineOffset);
    return continues;
  }

  private String join(int first, int last) {
    StringBuilder sb = new StringBuilder();
    for (int i = first; i <= last; i++) {
      if (i > first) {
        sb.append('\n');
      }
      sb.append(lines[i]);
    }
    return sb.toString();
  }

  private static String withoutCarriageReturn(String line) {
    int end = line.length();
    while (end > 0 && line.charAt(end - 1) == '\r') {
      end--;
    }
    return end == line.length() ? line : line.substring(0, end);
  }

  /** The logical line being assembled, with where each character came from in the source. */
  static final class LogicalLine {
    private final StringBuilder text = new StringBuilder();
    private int[] origin = new int[64];

    void append(String line, int from, int to, int lineOffset) {
      int needed = text.length() + (to - from);
      if (needed > origin.length) {
        origin = Arrays.copyOf(origin, Math.max(needed, origin.length * 2));
      }
      for (int i = from; i < to; i++) {
        origin[text.length()] = lineOffset + i;
        text.append(line.charAt(i));
      }
    }

    String text() {
      return text.toString();
    }

    int[] origin() {
      return Arrays.copyOf(origin, text.length());
    }
  }
}
