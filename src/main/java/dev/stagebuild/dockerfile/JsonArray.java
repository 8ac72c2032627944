package dev.stagebuild.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * Reads the JSON ("exec") form of an instruction's arguments, as Go's {@code json.Unmarshal} into a
 * slice would: the whole text must be one JSON array. A syntactically valid array with a
 * non-string element is an error in Docker; any other invalid text makes Docker fall back to the
 * shell form. The validator is iterative, so deep nesting cannot overflow the stack.
 */
public final class JsonArray {
  private JsonArray() {}

  enum Status { STRINGS, NOT_STRINGS, INVALID }

  /** The outcome; {@code problem} says what made the text invalid JSON. */
  record Result(Status status, List<String> strings, String problem) {}

  private static final int VALUE = 0;
  private static final int FIRST_VALUE = 1;
  private static final int AFTER_VALUE = 2;
  private static final int KEY = 3;
  private static final int FIRST_KEY = 4;
  private static final int COLON = 5;

  static Result parse(String s) {
    int n = s.length();
    int i = skipWhitespace(s, 0);
    if (i >= n || s.charAt(i) != '[') {
      return invalid("not a JSON array");
    }
    List<String> strings = new ArrayList<>();
    boolean allStrings = true;
    StringBuilder stack = new StringBuilder("[");
    int state = FIRST_VALUE;
    i++;
    while (true) {
      i = skipWhitespace(s, i);
      if (stack.length() == 0) {
        if (i < n) {
          return invalid("unexpected text after the closing ]");
        }
        return allStrings ? new Result(Status.STRINGS, strings, null)
            : new Result(Status.NOT_STRINGS, List.of(), null);
      }
      if (i >= n) {
        return invalid(state == VALUE || state == FIRST_VALUE || state == AFTER_VALUE
            ? "unterminated JSON array (missing ])" : "unterminated JSON object");
      }
      char c = s.charAt(i);
      boolean topLevel = stack.length() == 1;
      switch (state) {
        case VALUE, FIRST_VALUE -> {
          if (state == FIRST_VALUE && c == ']') {
            stack.setLength(stack.length() - 1);
            i++;
            state = AFTER_VALUE;
          } else if (c == '[') {
            allStrings &= !topLevel;
            stack.append('[');
            i++;
            state = FIRST_VALUE;
          } else if (c == '{') {
            allStrings &= !topLevel;
            stack.append('{');
            i++;
            state = FIRST_KEY;
          } else if (c == '"') {
            StringBuilder out = new StringBuilder();
            int end = readString(s, i, out);
            if (end < 0) {
              return invalid(end == -1 ? "unterminated string" : "invalid string");
            }
            if (topLevel) {
              strings.add(out.toString());
            }
            i = end;
            state = AFTER_VALUE;
          } else {
            int end = readScalar(s, i);
            if (end < 0) {
              return invalid("invalid value");
            }
            if (outOfRange(s, i, end)) {
              // json.Unmarshal fails on it (strconv.ParseFloat's ErrRange) wherever it is, so BuildKit
              // reads the line in the shell form, as it reads invalid JSON
              return invalid("number out of range");
            }
            allStrings &= !topLevel;
            i = end;
            state = AFTER_VALUE;
          }
        }
        case AFTER_VALUE -> {
          char open = stack.charAt(stack.length() - 1);
          if (c == ',') {
            i++;
            state = open == '[' ? VALUE : KEY;
          } else if ((c == ']' && open == '[') || (c == '}' && open == '{')) {
            stack.setLength(stack.length() - 1);
            i++;
          } else {
            return invalid("expected , or " + (open == '[' ? "]" : "}"));
          }
        }
        case KEY, FIRST_KEY -> {
          if (state == FIRST_KEY && c == '}') {
            stack.setLength(stack.length() - 1);
            i++;
            state = AFTER_VALUE;
          } else if (c == '"') {
            int end = readString(s, i, new StringBuilder());
            if (end < 0) {
              return invalid("unterminated string");
            }
            i = end;
            state = COLON;
          } else {
            return invalid("expected a string key");
          }
        }
        default -> {
          if (c != ':') {
            return invalid("expected :");
          }
          i++;
          state = VALUE;
        }
      }
    }
  }

  private static Result invalid(String problem) {
    return new Result(Status.INVALID, List.of(), problem);
  }

  private static int skipWhitespace(String s, int i) {
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        break;
      }
      i++;
    }
    return i;
  }

  /** Reads a JSON string starting at the quote; returns the index after it, -1 unterminated, -2 invalid. */
  private static int readString(String s, int start, StringBuilder out) {
    int i = start + 1;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '"') {
        return i + 1;
      }
      if (c < 0x20) {
        return -2;
      }
      if (c == '\\') {
        if (i + 1 >= s.length()) {
          return -1;
        }
        char e = s.charAt(i + 1);
        switch (e) {
          case '"', '\\', '/' -> out.append(e);
          case 'b' -> out.append('\b');
          case 'f' -> out.append('\f');
          case 'n' -> out.append('\n');
          case 'r' -> out.append('\r');
          case 't' -> out.append('\t');
          case 'u' -> {
            if (i + 6 > s.length()) {
              return -1;
            }
            int v = hex4(s, i + 2);
            if (v < 0) {
              return -2;
            }
            i += 4;
            if (Character.isSurrogate((char) v)) {
              // Go's unquote: an escaped pair is one character, any other surrogate is U+FFFD
              int w = i + 8 <= s.length() && s.charAt(i + 2) == '\\' && s.charAt(i + 3) == 'u' ? hex4(s, i + 4) : -1;
              if (Character.isHighSurrogate((char) v) && w >= 0 && Character.isLowSurrogate((char) w)) {
                out.append((char) v).append((char) w);
                i += 6;
              } else {
                out.append('\uFFFD');
              }
            } else {
              out.append((char) v);
            }
          }
          default -> {
            return -2;
          }
        }
        i += 2;
        continue;
      }
      out.append(c);
      i++;
    }
    return -1;
  }

  /** Four ASCII hex digits at {@code at} as Go's getu4 reads them (no other script's digits), or -1. */
  private static int hex4(String s, int at) {
    if (at + 4 > s.length()) {
      return -1;
    }
    int v = 0;
    for (int k = at; k < at + 4; k++) {
      char c = s.charAt(k);
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) {
        return -1;
      }
      v = v * 16 + d;
    }
    return v;
  }

  /** A JSON number that is no float64: Go's decoder rounds it to infinity and reports ErrRange (underflow is 0, no error). */
  private static boolean outOfRange(String s, int start, int end) {
    char c = s.charAt(start);
    return (c == '-' || (c >= '0' && c <= '9')) && Double.isInfinite(Double.parseDouble(s.substring(start, end)));
  }

  /** Reads true, false, null or a number; returns the index after it or -1. */
  private static int readScalar(String s, int start) {
    for (String literal : new String[] {"true", "false", "null"}) {
      if (s.startsWith(literal, start)) {
        return start + literal.length();
      }
    }
    int i = start;
    int n = s.length();
    if (i < n && s.charAt(i) == '-') {
      i++;
    }
    if (i >= n) {
      return -1;
    }
    if (s.charAt(i) == '0') {
      i++;
    } else if (s.charAt(i) >= '1' && s.charAt(i) <= '9') {
      i = digits(s, i);
    } else {
      return -1;
    }
    if (i < n && s.charAt(i) == '.') {
      int j = digits(s, i + 1);
      if (j == i + 1) {
        return -1;
      }
      i = j;
    }
    if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
      i++;
      if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
        i++;
      }
      int j = digits(s, i);
      if (j == i) {
        return -1;
      }
      i = j;
    }
    return i;
  }

  private static int digits(String s, int i) {
    while (i < s.length() && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
      i++;
    }
    return i;
  }

  /** Writes strings as a JSON array in Docker's usual style: {@code ["a", "b"]}. */
  public static String write(List<String> items) {
    StringBuilder sb = new StringBuilder("[");
    for (int k = 0; k < items.size(); k++) {
      if (k > 0) {
        sb.append(", ");
      }
      quote(items.get(k), sb);
    }
    return sb.append(']').toString();
  }

  public static void quote(String s, StringBuilder sb) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }
}
