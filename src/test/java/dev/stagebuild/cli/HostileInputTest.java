package dev.stagebuild.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.stagebuild.api.DockerfileSpec;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildSpec;
import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.kaniko.KanikoResources;
import dev.stagebuild.kaniko.RenderSettings;
import dev.stagebuild.plan.BuildCheck;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.PodPlan;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The hostile-input catalogue (src/test/resources/hostile/cases.txt): Dockerfiles and StageBuild
 * specs an attacker or a careless author could write, each with its expected outcome. Every case
 * goes through {@link BuildCheck#plan} (what the operator calls) and through {@code plan -o json}
 * and {@code plan -o yaml} in-process; both must agree, refuse only with the project's clean error
 * naming the line or field, stay within a memory budget (bytes allocated, counted by the JVM), and
 * when the plan is accepted, every object it renders must be one an API server accepts.
 *
 * <p>Format of a case: {@code === name}, {@code expect: ok} or {@code expect: KIND [line N] [| text]}
 * (KIND a {@link DockerfileException.Kind}), then optional sections {@code spec:} (YAML merged
 * over a default spec), {@code dockerfile:} (the rest of the case, verbatim) or
 * {@code generate: NAME ARG} (a Dockerfile made by {@link #generate}). In a Dockerfile, {@code <NUL>}
 * stands for the NUL character; U+FFFD is what a decoder leaves for bytes that are not UTF-8.
 */
public class HostileInputTest {
  static final String CASES = "/hostile/cases.txt";
  static final String IMAGE = "localhost:5000/team/app:1";
  /** Bytes the planner may allocate for one case (a count, not a time): the held-out bound is 1 GiB. */
  static final long MAX_ALLOCATED_BYTES = 512L * 1024 * 1024;
  static final Pattern EXPECT = Pattern.compile("(ok|INVALID_SPEC|INVALID_DOCKERFILE|UNSUPPORTED|TOO_LARGE)"
      + "(?:\\s+line\\s+(\\d+))?(?:\\s*\\|\\s*(.*))?");
  static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");
  static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
  static final Pattern CONFIGMAP_KEY = Pattern.compile("[-._a-zA-Z0-9]+");
  static final Pattern ENV_NAME = Pattern.compile("[-._a-zA-Z][-._a-zA-Z0-9]*");

  public record Case(String name, String kind, Integer line, String text, String spec, String dockerfile) {
    public boolean ok() {
      return kind.equals("ok");
    }

    @Override
    public String toString() {
      return name;
    }
  }

  public static List<Case> cases() throws IOException {
    String all;
    try (InputStream in = HostileInputTest.class.getResourceAsStream(CASES)) {
      all = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    List<Case> cases = new ArrayList<>();
    for (String block : all.split("(?m)^=== ")) {
      if (block.isBlank() || block.startsWith("#")) {
        continue;
      }
      String name = block.substring(0, block.indexOf('\n')).strip();
      String rest = block.substring(block.indexOf('\n') + 1);
      String expect = null;
      StringBuilder spec = null;
      String dockerfile = null;
      List<String> lines = rest.lines().toList();
      for (int i = 0; i < lines.size(); i++) {
        String l = lines.get(i);
        if (l.startsWith("expect:")) {
          expect = l.substring(7).strip();
        } else if (l.startsWith("generate:")) {
          String[] g = l.substring(9).strip().split("\\s+");
          dockerfile = generate(g[0], Integer.parseInt(g[1]));
        } else if (l.equals("dockerfile:")) {
          // <NUL> stands for a NUL character, which a text file should not hold
          dockerfile = (String.join("\n", lines.subList(i + 1, lines.size())) + "\n").replace("<NUL>", "\0");
          break;
        } else if (l.equals("spec:")) {
          spec = new StringBuilder();
        } else if (spec != null && (l.startsWith(" ") || l.isEmpty())) {
          spec.append(l).append('\n');
        } else if (!l.isBlank() && !l.startsWith("#")) {
          throw new IllegalArgumentException("case " + name + ": unexpected line " + l);
        }
      }
      Matcher m = EXPECT.matcher(expect == null ? "" : expect);
      if (!m.matches()) {
        throw new IllegalArgumentException("case " + name + ": bad expect: " + expect);
      }
      cases.add(new Case(name, m.group(1), m.group(2) == null ? null : Integer.valueOf(m.group(2)),
          m.group(3) == null ? null : m.group(3).strip(), spec == null ? null : spec.toString(),
          dockerfile == null ? "FROM scratch\n" : dockerfile));
    }
    return cases;
  }

  /** Inputs too large to write out. */
  static String generate(String kind, int n) {
    StringBuilder sb = new StringBuilder();
    switch (kind) {
      case "doubling" -> {
        // ARG v1=$v0$v0 ... : 2^n characters
        sb.append("ARG v0=aaaaaaaaaaaaaaaa\n");
        for (int i = 1; i <= n; i++) {
          sb.append("ARG v").append(i).append("=$v").append(i - 1).append("$v").append(i - 1).append('\n');
        }
        sb.append("FROM alpine:$v").append(n).append('\n');
      }
      case "doubling-in-stage" -> {
        sb.append("FROM alpine AS a\nARG v0=aaaaaaaaaaaaaaaa\n");
        for (int i = 1; i <= n; i++) {
          sb.append("ENV v").append(i).append("=$v").append(i - 1).append("$v").append(i - 1).append('\n');
        }
        sb.append("FROM scratch\nCOPY --from=a /x /x\n");
      }
      case "replace-blowup" -> {
        // ${a//?/$a}: every character replaced by the whole value, n times over
        sb.append("ARG a=").append("x".repeat(600)).append('\n');
        for (int i = 0; i < n; i++) {
          sb.append("ARG a=${a//?/$a}\n");
        }
        sb.append("FROM alpine:$a\n");
      }
      case "discarded-replace" -> {
        // a 256 KiB value, then n words that each match a pattern over it and are thrown away
        sb.append("ARG a0=aaaaaaaaaaaaaaaa\n");
        for (int i = 1; i <= 14; i++) {
          sb.append("ARG a").append(i).append("=${a").append(i - 1).append("}${a").append(i - 1).append("}\n");
        }
        for (int i = 0; i < n; i++) {
          sb.append("ARG x").append(i).append("=${unset:+${a14/b/}}\n");
        }
        sb.append("FROM scratch\n");
      }
      case "many-args" -> {
        // each word under the per-word limit, together far over the plan's
        // (a physical line holds at most 65535 bytes: four variables of 50,000)
        sb.append("ARG y=").append("y".repeat(50_000)).append('\n').append("ARG big=$y$y$y$y\n");
        for (int i = 0; i < n; i++) {
          sb.append("ARG c").append(i).append("=$big\n");
        }
        sb.append("FROM scratch\n");
      }
      case "chain" -> {
        String pad = "n".repeat(100);
        sb.append("FROM alpine AS ").append(pad).append("0\n");
        for (int i = 1; i < n; i++) {
          sb.append("FROM ").append(pad).append(i - 1).append(" AS ").append(pad).append(i).append('\n');
        }
      }
      case "wave" -> {
        for (int i = 0; i < n; i++) {
          sb.append("FROM alpine AS s").append(i).append("\nRUN x\n");
        }
        sb.append("FROM scratch\n");
        for (int i = 0; i < n; i++) {
          sb.append("COPY --from=s").append(i).append(" /x /x").append(i).append('\n');
        }
      }
      case "instructions" -> {
        sb.append("FROM alpine\n");
        for (int i = 0; i < n; i++) {
          sb.append("RUN true\n");
        }
      }
      case "big-stage" -> {
        // one stage of n KiB: the plan repeats it (plan.json and the pod's Dockerfile)
        sb.append("FROM alpine\n");
        String line = "RUN echo " + "z".repeat(1000) + "\n";
        for (int i = 0; i < n; i++) {
          sb.append(line);
        }
      }
      case "long-name" -> sb.append("FROM alpine AS ").append("a".repeat(n)).append('\n');
      case "deep-nesting" -> {
        sb.append("FROM alpine\nENV A=").append("${B:-".repeat(n)).append('x').append("}".repeat(n)).append('\n');
      }
      case "pattern-cost" -> {
        sb.append("ARG a=").append("a".repeat(n)).append("\nARG b=${a#*").append("*a".repeat(30)).append("b}\n");
        sb.append("FROM alpine:$b\n");
      }
      case "huge-text" -> sb.append("FROM alpine\n").append("# ").append("c".repeat(n * 1024)).append('\n');
      case "workdir-chain" -> {
        // a 16,000-character variable joined to the working directory in each of n chained stages
        sb.append("FROM alpine AS s0\nWORKDIR /\nENV x=").append("w".repeat(16_000)).append('\n');
        for (int i = 1; i < n; i++) {
          sb.append("FROM s").append(i - 1).append(" AS s").append(i).append("\nWORKDIR $x\n");
        }
        sb.append("FROM alpine AS unrelated\nRUN true\n");
      }
      case "workdir-steps" -> {
        sb.append("FROM alpine\nWORKDIR /\n");
        for (int i = 0; i < n; i++) {
          sb.append("WORKDIR abcdefgh\n");
        }
      }
      default -> throw new IllegalArgumentException("unknown generator " + kind);
    }
    return sb.toString();
  }

  public static StageBuild stageBuild(Case c) throws IOException {
    ObjectMapper yaml = new YAMLMapper();
    ObjectNode spec = yaml.createObjectNode();
    spec.putObject("output").put("image", IMAGE).putObject("pushSecretRef").put("name", "regcred");
    if (c.spec() != null) {
      JsonNode given = yaml.readTree(c.spec());
      if (given != null && given.isObject()) {
        spec.setAll((ObjectNode) given);
      }
    }
    StageBuild sb = new StageBuild();
    sb.setMetadata(new ObjectMetaBuilder().withName("hostile").withNamespace("demo")
        .withUid("0f6c2c5e-1111-2222-3333-444455556666").withGeneration(1L).build());
    sb.setSpec(yaml.treeToValue(spec, StageBuildSpec.class));
    if (sb.getSpec().dockerfile == null || sb.getSpec().dockerfile.path == null) {
      sb.getSpec().dockerfile = new DockerfileSpec();
      sb.getSpec().dockerfile.inline = c.dockerfile();
    }
    return sb;
  }

  @Test
  void theCatalogueHasAtLeastAHundredCasesWithUniqueNames() throws IOException {
    List<Case> all = cases();
    assertThat(all).hasSizeGreaterThanOrEqualTo(100);
    assertThat(all.stream().map(Case::name).distinct().count()).isEqualTo(all.size());
    assertThat(all.stream().filter(Case::ok).count()).as("safe plans").isGreaterThanOrEqualTo(15);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void thePlannerRefusesCleanlyOrPlansObjectsAnApiServerAccepts(Case c) throws IOException {
    StageBuild sb;
    try {
      sb = stageBuild(c);
    } catch (IOException e) {
      // the spec cannot even be read as a StageBuild: the API server's schema refuses it first
      assertThat(c.kind()).as("case %s: spec does not parse: %s", c.name(), e.getMessage()).isEqualTo("INVALID_SPEC");
      return;
    }
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    BuildPlan plan = null;
    DockerfileException refused = null;
    try {
      // with spec.dockerfile.path the operator reads the text from the source
      plan = BuildCheck.plan(sb, c.dockerfile());
    } catch (DockerfileException e) {
      refused = e;
    } catch (Throwable t) {
      fail("case " + c.name() + ": threw " + t, t);
    }
    long allocated = threads.getCurrentThreadAllocatedBytes() - before;
    assertThat(allocated).as("case %s: bytes allocated by planning", c.name()).isLessThan(MAX_ALLOCATED_BYTES);
    if (c.ok()) {
      assertThat(refused).as("case %s refused: %s", c.name(), refused == null ? "" : refused.getMessage()).isNull();
      assertAcceptable(c, sb, plan);
      return;
    }
    assertThat(refused).as("case %s: expected %s, planned", c.name(), c.kind()).isNotNull();
    assertThat(refused.kind().name()).as("case %s: %s", c.name(), refused.getMessage()).isEqualTo(c.kind());
    if (c.line() != null) {
      assertThat(refused.line()).as("case %s: %s", c.name(), refused.getMessage()).isEqualTo(c.line());
    }
    if (c.text() != null) {
      assertThat(refused.getMessage()).as("case %s", c.name()).contains(c.text());
    }
    assertThat(refused.getMessage()).as("case %s: a short message", c.name()).hasSizeLessThan(2_000);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void thePlanCommandAgreesInEveryFormat(Case c, @TempDir Path dir) throws IOException {
    StageBuild sb;
    try {
      sb = stageBuild(c);
    } catch (IOException e) {
      return; // covered above
    }
    Path file = dir.resolve("sb.yaml");
    Files.writeString(file, new YAMLMapper().writeValueAsString(sb));
    for (String format : List.of("json", "yaml", "text")) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code;
      try {
        code = PlanCommand.run(List.of("-o", format, file.toString()), new ByteArrayInputStream(new byte[0]),
            new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
      } catch (Throwable t) {
        fail("case " + c.name() + " -o " + format + ": threw " + t, t);
        return;
      }
      String stderr = err.toString(StandardCharsets.UTF_8);
      assertThat(stderr).as("case %s -o %s: no stack trace", c.name(), format).doesNotContain("\tat ", "Exception");
      if (c.ok()) {
        assertThat(code).as("case %s -o %s: %s", c.name(), format, stderr).isZero();
      } else {
        assertThat(code).as("case %s -o %s", c.name(), format).isEqualTo(PlanCommand.BAD_INPUT);
        assertThat(stderr).as("case %s -o %s", c.name(), format).startsWith("error: ");
        if (c.text() != null) {
          assertThat(stderr).as("case %s -o %s", c.name(), format).contains(c.text());
        }
        if (c.line() != null && c.line() > 0) {
          assertThat(stderr).as("case %s -o %s", c.name(), format).contains("line " + c.line() + ":");
        }
      }
    }
  }

  /** What an API server would refuse: names, label values, annotation and ConfigMap sizes, object sizes. */
  static void assertAcceptable(Case c, StageBuild sb, BuildPlan plan) throws IOException {
    KanikoResources resources = new KanikoResources(RenderSettings.defaults());
    List<HasMetadata> objects = new ArrayList<>();
    objects.add(resources.workspace(sb, "1"));
    ConfigMap cm = resources.planConfigMap(sb, "1", plan, "");
    objects.add(cm);
    if (sb.getSpec().source != null) {
      objects.add(resources.sourcePod(sb, "1", List.of()));
    }
    for (PodPlan p : plan.pods()) {
      objects.add(resources.stagePod(sb, "1", plan, p, 1, null));
    }
    ObjectMapper json = new ObjectMapper();
    for (HasMetadata o : objects) {
      String what = "case " + c.name() + ": " + o.getKind() + " " + o.getMetadata().getName();
      assertThat(o.getMetadata().getName()).as(what).hasSizeLessThanOrEqualTo(63).matches(DNS_LABEL);
      if (o.getMetadata().getLabels() != null) {
        o.getMetadata().getLabels().forEach((k, v) ->
            assertThat(v).as(what + " label " + k).hasSizeLessThanOrEqualTo(63).matches(LABEL_VALUE));
      }
      long annotations = 0;
      if (o.getMetadata().getAnnotations() != null) {
        for (Map.Entry<String, String> e : o.getMetadata().getAnnotations().entrySet()) {
          annotations += e.getKey().length() + e.getValue().getBytes(StandardCharsets.UTF_8).length;
        }
      }
      assertThat(annotations).as(what + " annotations").isLessThan(256 * 1024);
      assertThat(json.writeValueAsBytes(o).length).as(what + " size").isLessThan(1_500_000);
      if (o instanceof Pod pod) {
        for (Container ct : pod.getSpec().getContainers()) {
          for (EnvVar e : ct.getEnv()) {
            assertThat(e.getName()).as(what).matches(ENV_NAME);
          }
        }
      }
    }
    assertThat(KanikoResources.bytes(cm.getData())).as("case " + c.name() + ": plan ConfigMap").isLessThan(1024 * 1024);
    cm.getData().keySet().forEach(k -> assertThat(k).as("case " + c.name() + ": ConfigMap key")
        .hasSizeLessThanOrEqualTo(253).matches(CONFIGMAP_KEY));
    for (PodPlan p : plan.pods()) {
      for (String path : p.exports()) {
        assertThat(path).as("case " + c.name() + ": export").doesNotContain("\n", "\r", "\0");
      }
    }
  }

  static Stream<Case> okCases() throws IOException {
    return cases().stream().filter(Case::ok);
  }
}
