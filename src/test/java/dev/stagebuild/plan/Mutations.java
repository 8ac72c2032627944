package dev.stagebuild.plan;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/** Random damage to a text: delete, duplicate, swap or insert characters or whole lines. */
final class Mutations {
  private Mutations() {}

  /** Characters that matter to a Dockerfile's syntax, more likely than others to be inserted. */
  private static final String SPECIAL = "\\`\"'$#{}[]<<-=:/. \t\n\r,*?!";

  static String mutate(String text, Random r) {
    String s = text;
    int count = 1 + r.nextInt(5);
    for (int i = 0; i < count; i++) {
      s = r.nextBoolean() ? mutateChars(s, r) : mutateLines(s, r);
    }
    return s;
  }

  private static String mutateChars(String s, Random r) {
    StringBuilder sb = new StringBuilder(s);
    int at = sb.length() == 0 ? 0 : r.nextInt(sb.length());
    switch (r.nextInt(4)) {
      case 0 -> {
        if (sb.length() > 0) {
          sb.deleteCharAt(at);
        }
      }
      case 1 -> {
        if (sb.length() > 0) {
          int len = Math.min(1 + r.nextInt(20), sb.length() - at);
          sb.insert(at, sb.substring(at, at + len));
        }
      }
      case 2 -> {
        if (sb.length() > 1) {
          int other = r.nextInt(sb.length());
          char c = sb.charAt(at);
          sb.setCharAt(at, sb.charAt(other));
          sb.setCharAt(other, c);
        }
      }
      default -> {
        char c = r.nextInt(4) == 0 ? (char) (r.nextInt(0x3000) + 1) : SPECIAL.charAt(r.nextInt(SPECIAL.length()));
        sb.insert(at, c);
      }
    }
    return sb.toString();
  }

  private static String mutateLines(String s, Random r) {
    List<String> lines = new ArrayList<>(Arrays.asList(s.split("\n", -1)));
    int at = r.nextInt(lines.size());
    switch (r.nextInt(4)) {
      case 0 -> lines.remove(at);
      case 1 -> lines.add(at, lines.get(at));
      case 2 -> {
        int other = r.nextInt(lines.size());
        String l = lines.get(at);
        lines.set(at, lines.get(other));
        lines.set(other, l);
      }
      default -> lines.add(at, pickLine(r));
    }
    return String.join("\n", lines);
  }

  private static String pickLine(Random r) {
    String[] lines = {"FROM alpine AS x", "COPY --from=x /a /b", "RUN <<EOF", "EOF", "\\", "`", "# escape=`",
        "ARG X=${Y:-z}", "COPY [\"a\"", "ONBUILD RUN <<EOF", "", "   ", "# comment", "FROM x", "COPY --from=0 . .",
        "RUN --mount=from=x,target=/y true", "ENV A", "COPY ../../x /"};
    return lines[r.nextInt(lines.length)];
  }
}
