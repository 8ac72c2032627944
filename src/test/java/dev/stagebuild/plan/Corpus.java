package dev.stagebuild.plan;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/** The real-world Dockerfiles under {@code src/test/resources/corpus}. */
final class Corpus {
  private Corpus() {}

  static Path folder() {
    try {
      return Path.of(Corpus.class.getResource("/corpus").toURI());
    } catch (URISyntaxException | NullPointerException e) {
      throw new IllegalStateException("no corpus folder on the test class path", e);
    }
  }

  /** Every Dockerfile of the corpus (not its notes), sorted by name. */
  static List<Path> files() {
    try (Stream<Path> s = Files.list(folder())) {
      return s.filter(Files::isRegularFile)
          .filter(p -> p.getFileName().toString().toLowerCase(Locale.ROOT).contains("dockerfile"))
          .sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The Dockerfile as its project has it: without the {@code # origin:} line the corpus adds. */
  static String dockerfile(Path file) {
    try {
      String text = Files.readString(file);
      return text.startsWith("# origin:") ? text.substring(text.indexOf('\n') + 1) : text;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** EXPECTED-ERRORS.txt: file name to a fragment of the error message. */
  static Map<String, String> expectedErrors() {
    Map<String, String> expected = new LinkedHashMap<>();
    try {
      for (String line : Files.readAllLines(folder().resolve("EXPECTED-ERRORS.txt"))) {
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        int tab = line.indexOf('\t');
        if (tab < 0) {
          throw new IllegalStateException("EXPECTED-ERRORS.txt: no tab in: " + line);
        }
        expected.put(line.substring(0, tab), line.substring(tab + 1));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return expected;
  }
}
