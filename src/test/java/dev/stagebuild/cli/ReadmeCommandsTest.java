package dev.stagebuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every README command line of the jar that needs no cluster ({@code $ java -jar
 * target/quarkus-app/quarkus-run.jar plan|version|--help ...}) works from a fresh checkout: run
 * in-process, the part before a pipe or comment. .ci/run runs several through the packaged jar.
 */
class ReadmeCommandsTest {
  static final String PREFIX = "$ java -jar target/quarkus-app/quarkus-run.jar ";

  @Test
  void clusterFreeCommandsOfTheReadmeSucceed() throws Exception {
    List<String> ran = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("README.md"))) {
      if (!line.startsWith(PREFIX)) {
        continue;
      }
      String command = line.substring(PREFIX.length()).replaceAll("\\s[|#].*$", "").strip();
      String[] args = command.split("\\s+");
      if (!List.of("plan", "version", "--help").contains(args[0])) {
        continue;
      }
      CliRun r = CliRun.of(() -> null, () -> null, args);
      assertThat(r.code()).as(command + ": " + r.err()).isZero();
      assertThat(r.out()).as(command).isNotBlank();
      ran.add(command);
    }
    assertThat(ran).as("README commands run").hasSizeGreaterThanOrEqualTo(8)
        .anyMatch(c -> c.startsWith("plan --context examples/calculate-pi"))
        .anyMatch(c -> c.startsWith("plan -o mermaid"))
        .anyMatch(c -> c.startsWith("plan -o dot"));
  }
}
