package dev.stagebuild.plan;

import dev.stagebuild.dockerfile.Dockerfile;
import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.dockerfile.Instruction;
import dev.stagebuild.dockerfile.KeyValue;
import dev.stagebuild.dockerfile.StageNames;
import dev.stagebuild.dockerfile.WordExpander.Variable;
import dev.stagebuild.dockerfile.WordExpander;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The stages of a Dockerfile: global ARGs, each stage's instructions, names, and which stage each
 * FROM builds on.
 *
 * <p>A FROM operand (after global ARGs are substituted) names a stage only when an earlier stage
 * has that name, compared ignoring case as kaniko compares it; otherwise it is an image, even when
 * a later stage has that name: a stage can only build on stages before it, so
 * {@code FROM <later stage>} pulls an image of that name.
 */
final class StageTable {
  final Dockerfile dockerfile;
  final List<Instruction> globalArgs = new ArrayList<>();
  final List<Stage> stages = new ArrayList<>();
  /** Stages named with AS, by lower-case name: what COPY --from and FROM can refer to. */
  final Map<String, Stage> byUserName = new HashMap<>();
  final Scope global = Scope.global();
  final Map<String, String> buildArgs;
  /** The value of the predefined ARG TARGETSTAGE for the pods, or null when none is given them. */
  String targetStage;
  /** spec.secrets' ids; null when secret mounts are not checked. */
  java.util.Set<String> secretIds;

  /**
   * Build arguments whose values the planner does not know (spec.buildArgs from a Secret): kaniko
   * gets their values, so an ARG of that name is unknown here, never unset.
   */
  final java.util.Set<String> unknownArgs;

  private StageTable(Dockerfile dockerfile, Map<String, String> buildArgs, java.util.Set<String> unknownArgs) {
    this.dockerfile = dockerfile;
    this.buildArgs = buildArgs;
    this.unknownArgs = unknownArgs;
  }

  static StageTable of(Dockerfile dockerfile, Map<String, String> buildArgs, String target) {
    return of(dockerfile, buildArgs, java.util.Set.of(), target);
  }

  static StageTable of(Dockerfile dockerfile, Map<String, String> buildArgs, java.util.Set<String> unknownArgs,
      String target) {
    StageTable t = new StageTable(dockerfile, buildArgs, unknownArgs);
    t.split();
    String targetStage = buildArgs.getOrDefault(PlatformArgs.TARGETSTAGE, t.targetStageName(target));
    PlatformArgs.define(t.global, buildArgs, targetStage);
    // Given to the pods only when no ARG TARGETSTAGE=<default> is declared: BuildKit (and the
    // planner) keep such a default, kaniko would let the given --build-arg win over it.
    t.targetStage = t.declaresDefault(PlatformArgs.TARGETSTAGE) ? null : targetStage;
    t.defineGlobalArgs();
    t.kaniko = KanikoGlobalArgs.read(t.globalArgs, buildArgs, unknownArgs, t.targetStage, t.global, t.stages,
        t.escape());
    t.userStages = t.stages.size();
    t.addImageMountStages();
    t.resolveBases();
    return t;
  }

  /**
   * How many of {@link #stages} the Dockerfile has; those after them stand for the images RUN
   * mounts from ({@link #imageMounts}).
   */
  int userStages;

  /**
   * A stage {@code FROM <image>} for each image a {@code RUN --mount=type=bind,from=<image>} names,
   * by the reference as written: kaniko skips such a mount, so the planner mounts that stage instead,
   * as it mounts any stage (its pod exports the source for the mount). Appended after the
   * Dockerfile's stages, so no stage index or line moves; not a target, and no COPY --from or FROM
   * can name it.
   */
  final Map<String, Stage> imageMounts = new java.util.LinkedHashMap<>();

  /** How kaniko reads the global ARGs, where it differs from BuildKit (set by {@link #of}). */
  KanikoGlobalArgs kaniko;

  /**
   * TARGETSTAGE as a whole-Dockerfile build sets it: the target's name, else the last stage's, and
   * "default" for an unnamed one (kaniko's InitPredefinedArgs with the stage it builds last).
   */
  private String targetStageName(String target) {
    if (target != null && !target.isBlank()) {
      return StageNames.lower(target.strip());
    }
    Stage last = stages.isEmpty() ? null : stages.get(stages.size() - 1);
    return last != null && last.named ? last.name : "default";
  }

  /** Whether any ARG of the Dockerfile (global or in a stage) declares {@code name} with a default. */
  private boolean declaresDefault(String name) {
    for (Instruction i : dockerfile.instructions()) {
      if (i.is("ARG") && i.keyValues().stream().anyMatch(kv -> kv.key().equals(name) && kv.value() != null)) {
        return true;
      }
    }
    return false;
  }

  /** The escape character of line continuations and word splitting: the {@code # escape=} directive's. */
  char escape() {
    return dockerfile.escape();
  }

  /**
   * The escape character of variable expansion: always the backslash. kaniko expands ENV, ARG,
   * FROM, COPY/ADD, WORKDIR, USER, LABEL and EXPOSE with BuildKit's default escape token, whatever
   * {@code # escape=} says, so under a backtick {@code /a\b} still reads {@code /ab}.
   */
  static char expansionEscape() {
    return '\\';
  }

  private void split() {
    java.util.Set<String> userNames = new java.util.HashSet<>();
    for (Instruction i : dockerfile.instructions()) {
      if (i.is("FROM") && i.args().size() == 3) {
        userNames.add(StageNames.lower(i.args().get(2)));
      }
    }
    Stage current = null;
    for (Instruction i : dockerfile.instructions()) {
      if (i.is("FROM")) {
        boolean named = i.args().size() == 3;
        String name = named ? StageNames.lower(i.args().get(2)) : implicitName(stages.size(), userNames);
        current = new Stage(stages.size(), name, named, i);
        if (named) {
          Stage earlier = byUserName.putIfAbsent(name, current);
          if (earlier != null) {
            throw new DockerfileException(i.line(), "duplicate stage name \"" + name
                + "\" (already used on line " + earlier.from.line() + ")");
          }
        }
        stages.add(current);
      } else if (current != null) {
        current.body.add(i);
      } else if (i.is("ARG")) {
        globalArgs.add(i);
      } else {
        throw new DockerfileException(i.line(), i.keyword() + " before the first FROM: only ARG"
            + " instructions may come before FROM (no build stage in current context)");
      }
    }
    if (stages.isEmpty()) {
      throw new DockerfileException(0, "the Dockerfile has no FROM instruction");
    }
  }

  private void addImageMountStages() {
    record Mount(Instruction run, MountSpec spec) {}
    List<Mount> mounts = new ArrayList<>();
    java.util.Set<String> taken = new java.util.HashSet<>();
    stages.forEach(st -> taken.add(st.name));
    for (Stage st : stages) {
      for (Instruction i : st.body) {
        if (i.is("RUN")) {
          i.flags("mount").forEach(f -> {
            MountSpec m = MountSpec.parse(f.value());
            mounts.add(new Mount(i, m));
            // nor the name of an image a mount names, which a generated FROM would then mean
            if (m.from() != null) {
              taken.add(StageNames.lower(m.from()));
            }
          });
        }
      }
    }
    for (Mount mount : mounts) {
      MountSpec m = mount.spec();
      Instruction i = mount.run();
      String ref = m.from();
      if (!m.type().equals("bind") || ref == null || ref.isEmpty() || ref.equals("context")
          || ref.equals("scratch") || ref.indexOf('$') >= 0 || isInteger(ref)
          || byUserName.containsKey(StageNames.lower(ref)) || imageMounts.containsKey(ref)
          || !imageReference(ref)) {
        continue;
      }
      if (userStages + imageMounts.size() >= Budgets.MAX_STAGES) {
        throw Budgets.tooLarge(i.line(), "the Dockerfile's stages and the images its RUN instructions mount"
            + " are more than " + Budgets.MAX_STAGES);
      }
      String name = "image-mount-" + (imageMounts.size() + 1);
      for (int n = 2; taken.contains(name); n++) {
        name = "image-mount-" + (imageMounts.size() + 1) + "-" + n;
      }
      taken.add(name);
      // parsed on the line of the RUN that mounts it, for messages and the plan's listing
      Instruction from = dev.stagebuild.dockerfile.DockerfileParser.instructionAt("FROM " + ref + " AS " + name,
          i.line());
      Stage image = new Stage(stages.size(), name, true, from);
      stages.add(image);
      imageMounts.put(ref, image);
    }
  }

  /** Whether a mount's from= is a valid image reference (the distribution grammar); it is then one word. */
  static boolean imageReference(String ref) {
    return imageReferenceProblem(ref) == null;
  }

  /** Why a mount's from= is not a valid image reference, or null when it is one. */
  static String imageReferenceProblem(String ref) {
    try {
      dev.stagebuild.registry.ImageReference.parse(ref);
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  /** Go's strconv.Atoi syntax: an optional sign and ASCII digits (a stage index). */
  static boolean isInteger(String s) {
    int start = s.startsWith("+") || s.startsWith("-") ? 1 : 0;
    if (start >= s.length()) {
      return false;
    }
    for (int k = start; k < s.length(); k++) {
      if (s.charAt(k) < '0' || s.charAt(k) > '9') {
        return false;
      }
    }
    return true;
  }

  /**
   * An unnamed stage is called {@code stage-<index>} in the plan (pods, status, spec.stages), or
   * {@code stage-<index>-<n>} when the Dockerfile names another stage that already.
   */
  private static String implicitName(int index, java.util.Set<String> userNames) {
    String name = "stage-" + index;
    for (int n = 2; userNames.contains(name); n++) {
      name = "stage-" + index + "-" + n;
    }
    return name;
  }

  /** ARGs before the first FROM: build arguments override their defaults, in order. */
  private void defineGlobalArgs() {
    for (Instruction arg : globalArgs) {
      for (KeyValue kv : arg.keyValues()) {
        String given = buildArgs.get(kv.key());
        if (unknownArgs.contains(kv.key())) {
          global.set(kv.key(), Variable.UNKNOWN);
        } else if (given != null) {
          global.set(kv.key(), Variable.of(given));
        } else if (kv.value() != null) {
          WordExpander.Expansion x = WordExpander.expand(kv.value(), expansionEscape(), global, arg.line());
          // made of a build argument from a Secret: as unknown as it
          global.set(kv.key(), x.resolved() ? Variable.of(x.value()) : Variable.UNKNOWN);
        }
      }
    }
  }

  private void resolveBases() {
    Map<String, Stage> earlier = new HashMap<>();
    for (Stage s : stages) {
      String operand = s.from.args().get(0);
      WordExpander.Expansion expanded = WordExpander.expand(operand, expansionEscape(), global, s.from.line());
      if (!expanded.resolved()) {
        // a build argument from a Secret: the planner cannot tell which image (or stage) this is
        s.base = operand;
        s.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, s.from.line(), "FROM " + operand
            + ": variable " + expanded.unresolved() + " comes from a build argument whose value is in a Secret,"
            + " which the planner does not read; name the image with a plain build argument"));
        if (s.named) {
          earlier.put(s.name, s);
        }
        continue;
      }
      String base = expanded.value();
      if (base.isEmpty()) {
        throw new DockerfileException(s.from.line(), "base name (" + operand + ") should not be blank"
            + " (set the ARG it uses before the first FROM, or pass it as a build argument)");
      }
      s.base = base;
      // Case-insensitive, as BuildKit and kaniko (baseImageIndex) resolve it: FROM Build is stage build.
      // A stage an image mount adds is always that image.
      s.parent = s.index < userStages ? earlier.get(StageNames.lower(base)) : null;
      checkPlatform(s);
      if (s.named) {
        earlier.put(s.name, s);
      }
    }
  }

  /**
   * kaniko v1.28.3 ignores {@code FROM --platform} and pulls the node's platform: the plan builds
   * for TARGETPLATFORM (the node's), so the flag is exact only when it names that platform, as
   * {@code --platform=$BUILDPLATFORM} or {@code $TARGETPLATFORM} do in a one-platform build.
   */
  private void checkPlatform(Stage s) {
    var flag = s.from.flag("platform");
    if (flag.isEmpty()) {
      return;
    }
    String value = WordExpander.expandVariablesOnly(flag.get().value(), expansionEscape(), global, s.from.line()).value();
    String target = buildArgs.getOrDefault("TARGETPLATFORM", PlatformArgs.DEFAULT_PLATFORM);
    // compared as BuildKit compares platforms: amd64 and linux/x86_64 are linux/amd64
    String node = PlatformSpec.normalize(target, null);
    String wanted = PlatformSpec.normalize(value, node);
    if (wanted == null && !value.equals(target)) {
      // "linux/" from an unset ARG: advice to build on such nodes would name no platform
      s.defer(new DockerfileException(s.from.line(), "FROM --platform=" + flag.get().value() + " (" + value
          + ") names no platform BuildKit reads (an ARG it uses is unset?): pass the ARGs it uses as build"
          + " arguments, or remove the flag"));
      return;
    }
    if (!value.equals(target) && !wanted.equals(node)) {
      s.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, s.from.line(), "FROM --platform="
          + flag.get().value() + " (" + value + ") is not supported: " + KanikoCapabilities.KANIKO + " ignores the"
          + " flag and pulls the node's platform, which StageBuild takes to be TARGETPLATFORM (" + target + ");"
          + " remove the flag, or build on " + wanted + " nodes with the build argument TARGETPLATFORM=" + wanted));
    }
  }

  /** The stage the build ends with: the named (or implicitly named) one, else the last. */
  Stage target(String target) {
    List<Stage> own = stages.subList(0, userStages);
    if (target == null || target.isBlank()) {
      return own.get(own.size() - 1);
    }
    String wanted = StageNames.lower(target.trim());
    for (Stage s : own) {
      if (s.name.equals(wanted)) {
        return s;
      }
    }
    List<String> names = own.stream().map(s -> s.name).limit(50).toList();
    String more = own.size() > names.size() ? " and " + (own.size() - names.size()) + " more" : "";
    throw new DockerfileException(DockerfileException.Kind.INVALID_SPEC, 0, "target stage \""
        + target.trim() + "\" not found; the Dockerfile's stages are: " + String.join(", ", names) + more);
  }
}
