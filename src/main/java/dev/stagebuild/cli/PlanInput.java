package dev.stagebuild.cli;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.stagebuild.Texts;
import dev.stagebuild.api.BuildArg;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildSpec;
import dev.stagebuild.plan.Budgets;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@code plan} plans: the Dockerfile text with its target and build arguments, read from a
 * Dockerfile or from a StageBuild YAML (whose {@code spec.dockerfile.inline}, or
 * {@code spec.dockerfile.path} next to the YAML file or in a local checkout of its source given
 * with {@code --context}, gives the Dockerfile).
 *
 * @param dockerignore the source's .dockerignore when known (from --context), else null
 * @param found where --context found the Dockerfile, or null
 * @param warnings what the user should know of the input that does not stop the plan (unknown fields)
 */
record PlanInput(String dockerfile, String target, Map<String, String> buildArgs, StageBuild build,
    String dockerignore, LocalContext.Found found, List<String> warnings) {

  /** A problem with the input file that is not in a Dockerfile (exit code 1). */
  static final class InputException extends Exception {
    InputException(String message) {
      super(message);
    }
  }

  private static final String API_VERSION = StageBuild.GROUP + "/" + StageBuild.VERSION;
  /** The largest file {@code plan} reads: a StageBuild YAML (etcd stores objects up to 1.5 MiB) or a Dockerfile. */
  static final int MAX_INPUT_BYTES = Budgets.MAX_YAML_BYTES;

  /** Up to {@link #MAX_INPUT_BYTES} + 1 bytes of a file (one more than allowed tells it is too large). */
  static byte[] readBounded(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.readNBytes(MAX_INPUT_BYTES + 1);
    }
  }

  /** The bytes as text: refused when over {@link #MAX_INPUT_BYTES} or not UTF-8 (naming the line). */
  static String text(String name, byte[] bytes) throws InputException {
    if (bytes.length > MAX_INPUT_BYTES) {
      throw new InputException(name + ": larger than " + MAX_INPUT_BYTES + " bytes");
    }
    CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
    try {
      return decoder.decode(ByteBuffer.wrap(bytes)).toString();
    } catch (CharacterCodingException e) {
      // a UTF-8 sequence never holds a '\n' byte: decode line by line to find the first bad line
      int line = 1;
      int start = 0;
      for (int i = 0; i <= bytes.length; i++) {
        if (i == bytes.length || bytes[i] == '\n') {
          try {
            StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes, start, i - start));
          } catch (CharacterCodingException stop) {
            break;
          }
          line++;
          start = i + 1;
        }
      }
      int bad = start;
      throw new InputException(name + ": line " + line + ": not valid UTF-8 text (byte " + bad
          + " onwards); save the file as UTF-8");
    }
  }

  /**
   * @param name the FILE argument ({@code -} for stdin), for messages and to resolve paths
   * @param text its content
   */
  static PlanInput read(String name, String text) throws InputException {
    return read(name, text, null);
  }

  /** @param context the --context directory, or null */
  static PlanInput read(String name, String text, String context) throws InputException {
    if (!looksLikeYaml(name, text)) {
      // FILE is the Dockerfile; DIR is its build context (for the .dockerignore)
      LocalContext.Found found = context == null ? null
          : LocalContext.contextOnly(context, name.equals("-") ? null : name);
      return new PlanInput(text, null, Map.of(), null, found == null ? null : found.dockerignoreText(), found,
          List.of());
    }
    JsonNode resource = stageBuild(name, text);
    StageBuild build;
    StageBuildSpec spec;
    List<String> unknown = new ArrayList<>();
    List<String> warnings = new ArrayList<>();
    try {
      build = yamlMapper().addHandler(new UnknownFields(unknown)).treeToValue(resource, StageBuild.class);
      spec = build.getSpec();
    } catch (IOException | RuntimeException e) {
      throw new InputException(name + ": not a valid StageBuild: " + brief(e));
    }
    unknown.forEach(field -> warnings.add(name + ": unknown field " + field + " (ignored: the API server would"
        + " drop it too, with a warning)"));
    if (spec == null) {
      throw new InputException(name + ": the StageBuild has no spec");
    }
    Map<String, String> args = new LinkedHashMap<>();
    if (spec.buildArgs != null) {
      for (BuildArg a : spec.buildArgs) {
        if (a != null && a.name != null) {
          args.put(a.name, a.value == null ? "" : a.value);
        }
      }
    }
    if (context != null && (spec.dockerfile == null || spec.dockerfile.inline == null)) {
      String contextDir = spec.source != null && spec.source.git != null ? spec.source.git.contextDir : null;
      LocalContext.Found found = LocalContext.find(context, contextDir,
          spec.dockerfile == null ? null : spec.dockerfile.path);
      return new PlanInput(found.dockerfileText(), spec.target, args, build, found.dockerignoreText(), found,
          warnings);
    }
    return new PlanInput(dockerfileOf(name, spec), spec.target, args, build, null, null, warnings);
  }

  /** A {@code .yaml}/{@code .yml} file, or a text whose first line is a YAML key of a resource. */
  static boolean looksLikeYaml(String name, String text) {
    String lower = name.toLowerCase(Locale.ROOT);
    if (lower.endsWith(".yaml") || lower.endsWith(".yml")) {
      return true;
    }
    for (String line : text.lines().toList()) {
      String t = line.strip();
      if (t.isEmpty() || t.startsWith("#")) {
        continue;
      }
      return t.equals("---") || t.startsWith("apiVersion:") || t.startsWith("kind:");
    }
    return false;
  }

  private static JsonNode stageBuild(String name, String text) throws InputException {
    List<String> kinds = new ArrayList<>();
    try (MappingIterator<JsonNode> docs = yamlMapper().readerFor(JsonNode.class).readValues(text)) {
      while (docs.hasNext()) {
        JsonNode doc = docs.next();
        if (doc == null || !doc.isObject()) {
          continue;
        }
        String kind = doc.path("kind").asText("");
        if (kind.equals("StageBuild")) {
          String apiVersion = doc.path("apiVersion").asText("");
          if (!apiVersion.equals(API_VERSION)) {
            throw new InputException(name + ": a StageBuild needs apiVersion: " + API_VERSION
                + ", not \"" + apiVersion + "\"");
          }
          return doc;
        }
        kinds.add(kind.isEmpty() ? "(no kind)" : kind);
      }
    } catch (IOException | RuntimeException e) {
      // SnakeYAML's own errors (nesting too deep, a key too long) are runtime exceptions
      throw new InputException(name + ": not valid YAML: " + brief(e));
    }
    throw new InputException(name + ": no StageBuild in it (kind: StageBuild, apiVersion: "
        + API_VERSION + ")" + (kinds.isEmpty() ? "" : "; found kind " + String.join(", ", kinds)));
  }

  /** The parser's message without Jackson's source dump, on one short line, after the field it is about. */
  private static String brief(Exception e) {
    Throwable t = e;
    while (t.getCause() != null && !(t instanceof com.fasterxml.jackson.core.JsonProcessingException)) {
      t = t.getCause(); // MappingIterator wraps the parser's exception
    }
    String m = t instanceof com.fasterxml.jackson.core.JsonProcessingException j ? j.getOriginalMessage()
        : e.getMessage();
    if (m == null) {
      m = e.getClass().getSimpleName();
    }
    if (t instanceof com.fasterxml.jackson.databind.JsonMappingException mapping && !mapping.getPath().isEmpty()) {
      m = fieldPath(mapping.getPath()) + ": " + m;
    }
    m = m.strip().replaceAll("\\s+", " ");
    return m.length() <= 300 ? m : m.substring(0, 297) + "...";
  }

  private static String dockerfileOf(String name, StageBuildSpec spec) throws InputException {
    if (spec.dockerfile != null && spec.dockerfile.inline != null) {
      return spec.dockerfile.inline;
    }
    String path = spec.dockerfile != null && spec.dockerfile.path != null ? spec.dockerfile.path : "Dockerfile";
    if (spec.source != null && spec.source.git != null) {
      // The Dockerfile is the repository's, at the revision built; a file next to the YAML may be another.
      String url = spec.source.git.url == null ? "URL" : spec.source.git.url;
      throw new InputException(name + ": the Dockerfile (spec.dockerfile.path: " + path + ") is in the git"
          + " source; plan it against a checkout: git clone " + url + " DIR; plan --context DIR " + name);
    }
    List<Path> candidates = new ArrayList<>();
    Path dir;
    try {
      dir = name.equals("-") ? Path.of("").toAbsolutePath() : Path.of(name).toAbsolutePath().getParent();
      candidates.add(dir.resolve(path));
    } catch (InvalidPathException e) {
      throw new InputException(name + ": spec.dockerfile.path is not a valid path: " + e.getMessage());
    }
    for (Path p : candidates) {
      if (!insideFolder(dir, p)) {
        // never read (or name in a message) a file outside the YAML's folder
        throw new InputException(name + ": spec.dockerfile.path and spec.source.git.contextDir must stay"
            + " inside the folder of the YAML file");
      }
      if (Files.isRegularFile(p)) {
        try {
          return text(p.getFileName().toString(), readBounded(p));
        } catch (IOException e) {
          throw new InputException("cannot read " + p + ": " + ioMessage(e));
        }
      }
    }
    String target = spec.target == null || spec.target.isBlank() ? "" : "--target " + spec.target + " ";
    throw new InputException(name + ": the Dockerfile (spec.dockerfile.path: " + path + ") is in the"
        + " build source, not next to this file; pass it directly: plan " + target + "<Dockerfile>");
  }

  /** True when {@code file}, its symbolic links followed as far as they exist, is below {@code dir}. */
  private static boolean insideFolder(Path dir, Path file) {
    try {
      Path base = dir.toRealPath();
      Path normal = file.toAbsolutePath().normalize();
      Path real = Files.exists(normal) ? normal.toRealPath() : normal;
      return real.startsWith(base) && normal.startsWith(dir.toAbsolutePath().normalize());
    } catch (IOException e) {
      return false;
    }
  }

  /** What went wrong reading a file, in words (a NoSuchFileException's message is only the path). */
  static String ioMessage(IOException e) {
    if (e instanceof java.nio.file.NoSuchFileException) {
      return "no such file";
    }
    if (e instanceof java.nio.file.AccessDeniedException) {
      return "permission denied";
    }
    return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
  }

  /** {@code spec.buildArgs[0].name}: a field as kubectl's messages name it. */
  static String fieldPath(List<com.fasterxml.jackson.databind.JsonMappingException.Reference> path) {
    StringBuilder sb = new StringBuilder();
    for (var r : path) {
      if (r.getFieldName() != null) {
        sb.append(sb.length() == 0 ? "" : ".").append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  /** Notes the fields the API would not know (as kubectl's field validation warns of them) and skips them. */
  private static final class UnknownFields extends com.fasterxml.jackson.databind.deser.DeserializationProblemHandler {
    private static final int MAX = 20;
    private final List<String> found;

    UnknownFields(List<String> found) {
      this.found = found;
    }

    @Override
    public boolean handleUnknownProperty(com.fasterxml.jackson.databind.DeserializationContext context,
        com.fasterxml.jackson.core.JsonParser p, com.fasterxml.jackson.databind.JsonDeserializer<?> deserializer,
        Object beanOrClass, String propertyName) throws IOException {
      if (found.size() < MAX) {
        found.add(TerminalText.printable(Texts.cut(field(p, propertyName), 120, "..."), false));
      }
      p.skipChildren();
      return true;
    }

    /** {@code spec.buildArgs[0].vlue}, as {@link #fieldPath} names fields. */
    private static String field(com.fasterxml.jackson.core.JsonParser p, String name) {
      // the parser is at the field's value: at a nested object or list, its context is the value's own
      var holder = p.getParsingContext();
      if (p.currentToken() != null && p.currentToken().isStructStart()) {
        holder = holder.getParent();
      }
      java.util.ArrayDeque<String> parts = new java.util.ArrayDeque<>(List.of(name));
      for (var c = holder == null ? null : holder.getParent(); c != null && !c.inRoot(); c = c.getParent()) {
        if (c.inArray()) {
          parts.push("[" + c.getCurrentIndex() + "]");
        } else if (c.getCurrentName() != null) {
          parts.push(c.getCurrentName());
        }
      }
      StringBuilder path = new StringBuilder();
      for (String part : parts) {
        path.append(path.length() == 0 || part.startsWith("[") ? "" : ".").append(part);
      }
      return path.toString();
    }
  }

  static ObjectMapper yamlMapper() {
    // kubectl refuses a mapping with a key twice ("mapping key ... already defined"); Jackson keeps the last
    return new ObjectMapper(new YAMLFactory().enable(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION))
        .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  }
}
