package dev.stagebuild.plan;

import dev.stagebuild.Texts;
import dev.stagebuild.dockerfile.Heredoc;
import dev.stagebuild.dockerfile.HeredocMarker;
import dev.stagebuild.dockerfile.Instruction;
import dev.stagebuild.dockerfile.JsonArray;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * A RUN whose whole command is one here-document ({@code RUN <<EOF}, {@code <<-EOF},
 * {@code <<'EOF'}, {@code << EOF}). BuildKit ({@code dockerfile2llb.dispatchRun}) runs the
 * document itself: {@code SHELL + [document]}, tabs stripped for {@code <<-}, or, when it starts
 * with {@code #!}, as an executable file. kaniko ({@code pkg/commands/run.go}) does not: it hands
 * the shell {@code <<EOF sh} followed by the document, so the outer shell substitutes the
 * document's {@code $VAR} and {@code $(...)} before the inner {@code sh} runs it (a variable the
 * script sets reads empty), {@code SHELL} and {@code #!} are ignored, and any other form of the
 * marker ({@code <<-EOF}, {@code <<'EOF'}, {@code << EOF}, {@code 0<<EOF}) runs nothing at all.
 * The planner therefore writes such a RUN in exec form, {@code RUN [<shell>..., "<document>"]}:
 * the document is one argument (data, never spliced into a command), run as BuildKit runs it.
 * Any other RUN with here-documents is the same command in both and stays as written.
 */
final class RunHeredocs {
  static final List<String> DEFAULT_SHELL = List.of("/bin/sh", "-c");
  /** Interpreters of a {@code #!} document that take {@code -c <script>} as running the script. */
  private static final Set<String> SHELLS = Set.of("sh", "bash", "ash", "dash", "ksh", "mksh", "zsh");
  /** Where BuildKit mounts a {@code #!} document to run it ({@code dispatchRun}'s {@code /dev/pipes/}). */
  static final String SCRIPT_DIR = "/dev/pipes/";

  private RunHeredocs() {}

  /** Whether this RUN's command is a here-document alone (BuildKit's {@code MustParseHeredoc} of the command). */
  static boolean isDocumentAlone(Instruction i) {
    return i.is("RUN") && !i.isJson() && !i.heredocs().isEmpty() && HeredocMarker.parse(i.argText()) != null;
  }

  /** The exec form to write instead, or the reason it cannot be written. */
  record Rewrite(String execForm, String refusal) {}

  /**
   * @param shell the stage's SHELL as far as the Dockerfile sets it; null for the default (a base
   *     image's own SHELL is not known to the planner)
   */
  static Rewrite rewrite(Instruction i, List<String> shell) {
    Heredoc h = i.heredocs().get(0);
    String document = document(h);
    List<String> argv;
    if (document.startsWith("#!")) {
      argv = shebang(document);
      if (argv == null) {
        String first = document.lines().findFirst().orElse("#!");
        return new Rewrite(null, "RUN <<" + h.name() + " runs a \"" + Texts.cut(first, 80, "...")
            + "\" script: BuildKit"
            + " runs it as an executable file, " + KanikoCapabilities.KANIKO + " runs the here-document with sh"
            + " and ignores the #! line; StageBuild runs such a script only with a shell (" + String.join(", ",
                SHELLS.stream().sorted().toList()) + "); write RUN <interpreter> <<'" + h.name() + "' instead");
      }
      argv.add(document);
      // BuildKit runs the script as the file /dev/pipes/<marker>: the script's $0 is that path.
      argv.add(SCRIPT_DIR + h.name());
    } else {
      argv = new ArrayList<>(shell == null ? DEFAULT_SHELL : shell);
      argv.add(document);
    }
    return new Rewrite(JsonArray.write(argv), null);
  }

  /**
   * The document as BuildKit hands it to the shell: as written (its parser keeps the line endings,
   * a CR too), leading tabs stripped from each line for {@code <<-}.
   */
  static String document(Heredoc h) {
    return h.chomp() ? LEADING_TABS.matcher(h.content()).replaceAll("") : h.content();
  }

  /**
   * BuildKit's {@code (?m)^\t+}: Go's {@code ^} follows only {@code \n}, Java's also a lone CR,
   * U+0085, U+2028 and U+2029 unless {@code UNIX_LINES}.
   */
  private static final java.util.regex.Pattern LEADING_TABS =
      java.util.regex.Pattern.compile("^\\t+", java.util.regex.Pattern.MULTILINE | java.util.regex.Pattern.UNIX_LINES);

  /**
   * {@code #!<interpreter> [<argument>]} as the kernel reads it (the rest of the line is one
   * argument) made into an argv that runs the document with {@code -c}, for a shell; null for any
   * other interpreter.
   */
  private static List<String> shebang(String document) {
    int eol = document.indexOf('\n');
    String line = (eol < 0 ? document : document.substring(0, eol)).substring(2).strip();
    int space = indexOfBlank(line);
    String interpreter = space < 0 ? line : line.substring(0, space);
    String argument = space < 0 ? null : line.substring(space).strip();
    List<String> argv = new ArrayList<>();
    argv.add(interpreter);
    if (!interpreter.startsWith("/")) {
      return null; // the kernel runs only a path
    }
    if (baseName(interpreter).equals("env")) {
      // #!/usr/bin/env bash: env looks the shell up; anything more would be one odd argument to env
      if (argument == null || indexOfBlank(argument) >= 0 || !SHELLS.contains(baseName(argument))) {
        return null;
      }
      argv.add(argument);
    } else {
      if (!SHELLS.contains(baseName(interpreter)) || (argument != null && !argument.startsWith("-"))) {
        return null;
      }
      if (argument != null) {
        argv.add(argument);
      }
    }
    argv.add("-c");
    return argv;
  }

  private static int indexOfBlank(String s) {
    for (int k = 0; k < s.length(); k++) {
      if (s.charAt(k) == ' ' || s.charAt(k) == '\t') {
        return k;
      }
    }
    return -1;
  }

  private static String baseName(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

}
