package dev.stagebuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README's diagrams are what the tool prints today for the command written above each. */
class ReadmeDiagramsTest {
  static final Pattern DIAGRAM = Pattern.compile(
      "<!-- generated: stagebuild (plan [^\\n]*?) -->\\n```mermaid\\n(.*?)```", Pattern.DOTALL);

  @Test
  void diagramsMatchThePlanCommandsOutput() throws Exception {
    String readme = Files.readString(Path.of("README.md"));
    Matcher m = DIAGRAM.matcher(readme);
    List<String> commands = new ArrayList<>();
    while (m.find()) {
      String[] args = m.group(1).split(" ");
      commands.add(m.group(1));
      CliRun r = CliRun.of(() -> null, () -> null, args);
      assertThat(r.code()).as(m.group(1) + ": " + r.err()).isZero();
      assertThat(m.group(2)).as("README diagram of: stagebuild " + m.group(1)
          + " (paste the command's current output)").isEqualTo(r.out());
    }
    assertThat(commands).as("the seed's two examples").hasSize(2)
        .anyMatch(c -> c.contains("examples/hellogo/")).anyMatch(c -> c.contains("examples/calculate-pi/"));
  }
}
