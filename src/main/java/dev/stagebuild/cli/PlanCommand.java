package dev.stagebuild.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.BuildCheck;
import dev.stagebuild.plan.DockerignoreRewriter;
import dev.stagebuild.security.SpecValidator;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code plan [-o text|json|yaml] [--target T] [--build-arg K=V]... FILE}: shows, without a
 * cluster, how StageBuild would build a Dockerfile (FILE, or {@code -} for stdin) or a StageBuild
 * YAML: the waves of pods, the stage graph, and each pod's rewritten Dockerfile and exports.
 *
 * <p>Exit codes: 0 planned, 1 the input cannot be planned (the message names the line), 2 usage.
 */
public final class PlanCommand {
  static final int OK = 0;
  static final int BAD_INPUT = 1;
  static final int USAGE = 2;

  static final String USAGE_TEXT = """
      usage: stagebuild plan [-o text|json|yaml|dot|mermaid] [--context DIR] [--target STAGE]
                             [--build-arg NAME=VALUE]... FILE
        FILE  a Dockerfile, or a StageBuild YAML (its inline Dockerfile, or spec.dockerfile.path
              next to the YAML file or in --context DIR; its spec.target and spec.buildArgs
              apply), or - for stdin
        -o, --output      text (default), json, yaml (+ the objects the operator creates),
                          dot (Graphviz) or mermaid: the stage graph by wave and pod
        --context DIR     a local checkout of the build's source: the Dockerfile is read from
                          DIR/<source.git.contextDir>/<dockerfile.path>, and its .dockerignore applies
        --target STAGE    build only what STAGE needs (overrides spec.target)
        --build-arg N=V   a value for ARG N (overrides spec.buildArgs); may repeat""";

  private PlanCommand() {}

  /** The arguments after the {@code plan} word (a leading {@code plan} is tolerated). */
  public static int run(List<String> args, PrintStream out, PrintStream err) {
    return run(args, System.in, out, err);
  }

  static int run(List<String> args, InputStream stdin, PrintStream out, PrintStream err) {
    Options options;
    try {
      options = Options.parse(args);
    } catch (IllegalArgumentException e) {
      err.println("error: " + e.getMessage());
      err.println(USAGE_TEXT);
      return USAGE;
    }
    if (options.help) {
      out.println(USAGE_TEXT);
      return OK;
    }
    String text;
    try {
      text = PlanInput.text(options.file, options.file.equals("-")
          ? stdin.readNBytes(PlanInput.MAX_INPUT_BYTES + 1)
          : PlanInput.readBounded(Path.of(options.file)));
      // checked before reading the Dockerfile from it, so that a typo is named as such
      if (options.context != null && !Files.isDirectory(Path.of(options.context))) {
        err.println("error: --context " + options.context + ": not a directory");
        return BAD_INPUT;
      }
    } catch (IOException e) {
      err.println("error: cannot read " + options.file + ": " + PlanInput.ioMessage(e));
      return BAD_INPUT;
    } catch (InvalidPathException e) {
      err.println("error: cannot read " + options.file + ": " + e.getMessage());
      return BAD_INPUT;
    } catch (PlanInput.InputException e) {
      err.println("error: " + e.getMessage());
      return BAD_INPUT;
    }
    BuildPlan plan;
    StageBuild build;
    PlanInput input;
    try {
      input = PlanInput.read(options.file, text, options.context);
      input.warnings().forEach(w -> err.println("warning: " + w));
      if (input.build() != null) {
        SpecValidator.validate(input.build()); // the spec as written, before the command line's overrides
      }
      Map<String, String> buildArgs = new LinkedHashMap<>(input.buildArgs());
      buildArgs.putAll(options.buildArgs);
      String target = options.target != null ? options.target : input.target();
      build = ClusterObjects.buildFor(input, options.file, buildArgs, options.buildArgs.keySet(), target);
      plan = BuildCheck.plan(build, input.dockerfile(), input.build() != null);
      // every format refuses what the operator refuses, also the .dockerignore found with --context
      BuildCheck.checkDockerignore(DockerignoreRewriter.installed(plan, DockerignoreRewriter.rewrite(input.dockerignore())));
    } catch (DockerfileException | PlanInput.InputException e) {
      err.println("error: " + TerminalText.printable(e.getMessage(), true));
      return BAD_INPUT;
    }
    switch (options.format) {
      case TEXT -> {
        if (input.found() != null) {
          out.println(contextNote(input.found()));
        }
        // the Dockerfile's own text, for a terminal (JSON and YAML escape control characters themselves)
        ByteArrayOutputStream shown = new ByteArrayOutputStream();
        PlanText.print(plan, new PrintStream(shown, true, StandardCharsets.UTF_8));
        out.print(TerminalText.printable(shown.toString(StandardCharsets.UTF_8), true));
      }
      case JSON -> out.println(write(jsonMapper(), plan));
      case YAML -> out.print(write(yamlMapper(), yamlDocument(plan, build, input.dockerignore())));
      case DOT -> out.print(GraphText.dot(PlanGraph.of(plan)));
      case MERMAID -> out.print(GraphText.mermaid(PlanGraph.of(plan)));
      default -> throw new IllegalStateException(options.format.toString());
    }
    out.flush();
    return OK;
  }

  /** What {@code -o yaml} prints: the plan, and the Kubernetes objects the operator would create for it. */
  static Object yamlDocument(BuildPlan plan, StageBuild build, String dockerignore) {
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("plan", plan);
    doc.put("objects", ClusterObjects.of(build, plan, dockerignore));
    return doc;
  }

  private static String contextNote(LocalContext.Found f) {
    return "context " + f.contextDir() + (f.dockerfile() == null ? "" : "; Dockerfile " + f.dockerfile())
        + "; .dockerignore " + (f.dockerignore() == null ? "none" : f.dockerignore()
            + " (" + f.dockerignoreText().lines().filter(l -> !l.isBlank() && !l.strip().startsWith("#")).count()
            + " patterns, in the plan ConfigMap of -o yaml)") + "\n";
  }

  private static String write(ObjectMapper mapper, Object value) {
    try {
      return mapper.writeValueAsString(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize the plan", e);
    }
  }

  static ObjectMapper jsonMapper() {
    return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
  }

  static ObjectMapper yamlMapper() {
    return new ObjectMapper(new YAMLFactory()
        .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
        .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
        .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
        .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER));
  }

  /** The parsed command line. */
  static final class Options {
    OutputFormat format = OutputFormat.TEXT;
    String target;
    final Map<String, String> buildArgs = new LinkedHashMap<>();
    String file;
    String context;
    boolean help;

    static Options parse(List<String> args) {
      Options o = new Options();
      int i = 0;
      if (args.size() > 1 && args.get(0).equals("plan")) {
        i = 1;
      }
      boolean onlyFiles = false;
      for (; i < args.size(); i++) {
        String a = args.get(i);
        if (onlyFiles || a.equals("-") || !a.startsWith("-")) {
          if (o.file != null) {
            throw new IllegalArgumentException("one FILE only, got " + o.file + " and " + a);
          }
          o.file = a;
          continue;
        }
        String name = a;
        String value = null;
        int eq = a.indexOf('=');
        if (a.startsWith("--") && eq > 0) {
          name = a.substring(0, eq);
          value = a.substring(eq + 1);
        }
        switch (name) {
          case "--" -> onlyFiles = true;
          case "-h", "--help" -> o.help = true;
          case "-o", "--output" -> {
            value = value != null ? value : next(args, ++i, name);
            o.format = OutputFormat.named(value);
            if (o.format == null) {
              throw new IllegalArgumentException("unknown output format " + value + " (text, json, yaml, dot or mermaid)");
            }
          }
          case "--target" -> o.target = value != null ? value : next(args, ++i, name);
          case "--context" -> o.context = value != null ? value : next(args, ++i, name);
          case "--build-arg" -> {
            String kv = value != null ? value : next(args, ++i, name);
            int e = kv.indexOf('=');
            if (e <= 0) {
              throw new IllegalArgumentException("--build-arg needs NAME=VALUE, got " + kv);
            }
            o.buildArgs.put(kv.substring(0, e), kv.substring(e + 1));
          }
          default -> throw new IllegalArgumentException("unknown option " + a);
        }
      }
      if (o.file == null && !o.help) {
        throw new IllegalArgumentException("FILE is missing");
      }
      return o;
    }

    private static String next(List<String> args, int i, String option) {
      if (i >= args.size()) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args.get(i);
    }
  }
}
