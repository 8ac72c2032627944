package dev.stagebuild.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rewritten Dockerfiles of a few plans, compared byte for byte with the files under
 * {@code src/test/resources/golden/<case>/}: {@code <pod>.Dockerfile} for each pod and
 * {@code plan.txt} for the waves, chains, exports and COPY --exclude exports. Run with
 * {@code -Dgolden.update=true} to write them anew (then read the diff before committing it).
 */
class GoldenTest {
  private static final Path SOURCE = Path.of("src/test/resources/golden");

  static List<String> cases() throws IOException {
    try (Stream<Path> s = Files.list(SOURCE)) {
      return s.filter(Files::isDirectory).map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void podDockerfilesMatch(String name) throws IOException {
    Path dir = SOURCE.resolve(name);
    BuildPlan plan = Planner.plan(Files.readString(dir.resolve("Dockerfile")), Map.of(), null);
    List<String> expectedFiles = new ArrayList<>(List.of("Dockerfile", "plan.txt"));
    compare(dir.resolve("plan.txt"), summary(plan));
    for (PodPlan pod : plan.pods()) {
      compare(dir.resolve(pod.name() + ".Dockerfile"), pod.dockerfile());
      expectedFiles.add(pod.name() + ".Dockerfile");
    }
    try (Stream<Path> s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString()).toList())
          .as("files in %s (a stale pod file?)", dir).containsExactlyInAnyOrderElementsOf(expectedFiles);
    }
    ReplanCheck.assertStable(plan, Map.of());
  }

  static String summary(BuildPlan plan) {
    StringBuilder sb = new StringBuilder("waves: ").append(plan.waves()).append('\n');
    for (StagePlan s : plan.stages()) {
      sb.append("stage ").append(s.name()).append(": dependsOn=").append(s.dependsOn())
          .append(" pod=").append(s.pod()).append('\n');
    }
    for (PodPlan p : plan.pods()) {
      sb.append("pod ").append(p.name()).append(": stages=").append(p.stages())
          .append(" dependsOn=").append(p.dependsOn()).append(" exports=").append(p.exports())
          .append(" usesContext=").append(p.usesContext()).append(" final=").append(p.isFinal()).append('\n');
      for (ExcludedExport e : p.excluded()) {
        sb.append("  excluded ").append(e.key()).append(" (line ").append(e.line()).append("): ")
            .append(e.paths()).append(" without ").append(e.matcherLines()).append('\n');
      }
    }
    return sb.toString();
  }

  private static void compare(Path file, String actual) throws IOException {
    if (Boolean.getBoolean("golden.update")) {
      Files.writeString(file, actual);
    }
    assertThat(Files.exists(file)).as("golden file %s (run with -Dgolden.update=true)", file).isTrue();
    assertThat(actual).as("%s", file).isEqualTo(Files.readString(file));
  }
}
