package dev.stagebuild.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.Planner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** plan -o dot / -o mermaid: the seed's examples, Dockerfile text that must not break the syntax, Graphviz's verdict. */
class PlanGraphTest {
  static final String HELLOGO_YAML = "examples/hellogo/stagebuild.yaml";
  static final String[] CALCULATE_PI = {"--context", "examples/calculate-pi", "examples/calculate-pi/stagebuild.yaml"};

  /** Quotes, brackets, pipes, markup, entity look-alikes and backslashes in copied paths (a line break is refused). */
  static final String HOSTILE = """
      FROM alpine AS a
      RUN true
      FROM busybox AS chain
      FROM chain AS b
      COPY --from=a /a\\"b /c\\[1\\]\\|\\<b\\>\\#1\\;\\&amp\\;\\`n\\` "/back\\\\slash" /dst/
      """;

  @TempDir
  Path dir;

  static String plan(String format, String... args) {
    String[] all = new String[args.length + 3];
    all[0] = "plan";
    all[1] = "-o";
    all[2] = format;
    System.arraycopy(args, 0, all, 3, args.length);
    CliRun r = CliRun.of(() -> null, () -> null, all);
    assertThat(r.code()).as(r.err()).isZero();
    return r.out();
  }

  @Test
  void hellogoAsDot() {
    assertThat(plan("dot", HELLOGO_YAML)).isEqualTo("""
        digraph stagebuild {
          rankdir=LR;
          node [shape=box, style=rounded];
          edge [fontsize=10];
          subgraph cluster_wave0 {
            label="wave 0";
            style=dashed;
            subgraph cluster_pod0 {
              label="pod build";
              style=solid;
              n0_0 [label="build\\nFROM golang:1.21"];
            }
          }
          subgraph cluster_wave1 {
            label="wave 1";
            style=dashed;
            subgraph cluster_pod1 {
              label="pod stage-1 (pushes)";
              style=solid;
              n1_0 [label="stage-1\\nFROM alpine:3.18.3"];
            }
          }
          n0_0 -> n1_0 [label="COPY --from\\n/usr/local/bin/hello", style=dashed];
        }
        """);
  }

  @Test
  void hellogoAsMermaid() {
    assertThat(plan("mermaid", HELLOGO_YAML)).isEqualTo("""
        flowchart LR
          subgraph wave0 ["wave 0"]
            subgraph pod0 ["pod build"]
              n0_0["build<br>FROM golang:1.21"]
            end
          end
          subgraph wave1 ["wave 1"]
            subgraph pod1 ["pod stage-1 (pushes)"]
              n1_0["stage-1<br>FROM alpine:3.18.3"]
            end
          end
          n0_0 -.->|"COPY --from<br>/usr/local/bin/hello"| n1_0
        """);
  }

  @Test
  void calculatePiEdgeCarriesBothExports() {
    assertThat(plan("mermaid", CALCULATE_PI)).contains(
        "n0_0 -.->|\"COPY --from<br>/calculate_pi/dist/*.whl<br>/calculate_pi/requirements.txt\"| n1_0");
    assertThat(plan("dot", CALCULATE_PI)).contains(
        "n0_0 -> n1_0 [label=\"COPY --from\\n/calculate_pi/dist/*.whl\\n/calculate_pi/requirements.txt\", style=dashed];");
  }

  @Test
  void chainsAreFromEdgesInsideOnePodAndCopiesFromAnAncestorStayInIt() {
    PlanGraph g = PlanGraph.of(Planner.plan(HOSTILE, Map.of(), null));
    assertThat(g.waves()).hasSize(2);
    PlanGraph.Pod b = g.waves().get(1).pods().get(0);
    assertThat(b.stages()).extracting(PlanGraph.Node::name).containsExactly("chain", "b");
    assertThat(g.edges()).containsExactly(new PlanGraph.Edge("n1_0", "n1_1", false, List.of()),
        new PlanGraph.Edge("n0_0", "n1_1", true, List.of("/a\"b", "/back\\slash", "/c[1]|<b>#1;&amp;`n`")));
  }

  /** Every line of the Mermaid text is one of the forms the renderer writes, quoted texts holding safe characters only. */
  @Test
  void mermaidEscapesDockerfileText() {
    String text = GraphText.mermaid(PlanGraph.of(Planner.plan(HOSTILE, Map.of(), null)));
    String label = "\"(?:[A-Za-z0-9 ./_:=,+@*()-]|#\\d+;|<br>)*\"";
    Pattern line = Pattern.compile("flowchart LR|  subgraph wave\\d+ \\[" + label + "]|    subgraph pod\\d+ \\["
        + label + "]|      n\\d+_\\d+\\[" + label + "]|    end|  end|  n\\d+_\\d+ (-->|-\\.->)\\|" + label
        + "\\| n\\d+_\\d+");
    assertThat(text.lines()).allSatisfy(l -> assertThat(l).matches(line));
    assertThat(text).contains("\"COPY --from<br>/a#34;b<br>/back#92;slash<br>/c#91;1#93;#124;#60;b#62;#35;1#59;#38;amp#59;"
        + "#96;n#96;\"");
  }

  @Test
  void dotEscapesDockerfileText() {
    String text = GraphText.dot(PlanGraph.of(Planner.plan(HOSTILE, Map.of(), null)));
    assertThat(text).contains("[label=\"COPY --from\\n/a\\\"b\\n/back\\\\slash\\n/c[1]|<b>#1;&amp;amp;`n`\", style=dashed];");
    // outside labels, only the renderer's own syntax
    String outside = text.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"");
    assertThat(outside).doesNotContain("[1]", "<b>", "slash");
  }

  @Test
  void graphvizAcceptsTheSeedsExamplesAndHostileText() throws Exception {
    Graphviz.dot();
    Map<String, String> graphs = Map.of(
        "hellogo", plan("dot", HELLOGO_YAML),
        "calculate-pi", plan("dot", CALCULATE_PI),
        "hostile", GraphText.dot(PlanGraph.of(Planner.plan(HOSTILE, Map.of(), null))));
    for (Map.Entry<String, String> g : graphs.entrySet()) {
      Graphviz.Result r = Graphviz.svg(g.getValue(), dir);
      assertThat(r.exit()).as(g.getKey() + ": " + r.stderr()).isZero();
      assertThat(r.stderr()).as(g.getKey()).isEmpty();
      // nodes and edges as many as the renderer wrote: no text broke out of a label
      long nodes = g.getValue().lines().filter(l -> l.matches("\\s+n\\d+_\\d+ \\[label=.*")).count();
      long edges = g.getValue().lines().filter(l -> l.contains(" -> ")).count();
      assertThat(count(r.svg(), "class=\"node\"")).as(g.getKey()).isEqualTo(nodes);
      assertThat(count(r.svg(), "class=\"edge\"")).as(g.getKey()).isEqualTo(edges);
    }
    assertThat(Graphviz.svg(graphs.get("hostile"), dir).svg()).contains("/a&quot;b", "/back\\slash",
        "/c[1]|&lt;b&gt;#1;&amp;amp;`n`");
  }

  @Test
  void everyPodOfEveryWaveIsDrawn() {
    BuildPlan plan = Planner.plan(Files.exists(Path.of("examples/parallel/stagebuild.yaml")) ? parallelDockerfile()
        : HOSTILE, Map.of(), null);
    PlanGraph g = PlanGraph.of(plan);
    assertThat(g.waves()).hasSize(plan.waves().size());
    assertThat(g.waves().stream().mapToInt(w -> w.pods().size()).sum()).isEqualTo(plan.pods().size());
  }

  private static String parallelDockerfile() {
    try {
      return PlanInput.read("examples/parallel/stagebuild.yaml",
          Files.readString(Path.of("examples/parallel/stagebuild.yaml"))).dockerfile();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static long count(String s, String what) {
    Matcher m = Pattern.compile(Pattern.quote(what)).matcher(s);
    long n = 0;
    while (m.find()) {
      n++;
    }
    return n;
  }
}
