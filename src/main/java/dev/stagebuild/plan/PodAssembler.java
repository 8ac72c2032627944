package dev.stagebuild.plan;

import dev.stagebuild.dockerfile.Directive;
import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.dockerfile.DockerfileParser;
import dev.stagebuild.dockerfile.Instruction;
import dev.stagebuild.dockerfile.Span;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Turns the analysed stages into the plan: which stages the target needs, one pod per stage that
 * is needed as a result (the target and every stage something copies from), each pod's chain and
 * rewritten Dockerfile, and the waves in which pods can run.
 *
 * <p>A stage used only as a FROM parent has no pod: it is built inside each pod whose chain
 * contains it. A stage that is both copied from and a parent is therefore built in its own pod
 * and again in its children's pods; that costs build time but lets those pods start at once
 * instead of waiting for it.
 */
final class PodAssembler {
  /** Upper bound on the rewritten Dockerfiles together: parents repeat in every pod built on them. */
  static final long MAX_TOTAL_DOCKERFILE_CHARS = 16L * 1024 * 1024;

  private final StageTable table;
  private final Stage target;

  private PodAssembler(StageTable table, Stage target) {
    this.table = table;
    this.target = target;
  }

  static BuildPlan assemble(StageTable table, Stage target) {
    return new PodAssembler(table, target).assemble();
  }

  private BuildPlan assemble() {
    List<Stage> needed = needed();
    for (Stage s : needed) {
      if (s.deferred != null) {
        throw s.deferred;
      }
    }
    checkCycles(needed);
    List<Stage> podTargets = podTargets(needed);
    checkSize(podTargets);
    Map<Stage, Set<String>> exports = exports(needed);
    Map<Stage, Map<String, ExcludedExport>> excluded = excluded(needed);
    Set<Stage> mounted = new HashSet<>();
    for (Stage s : needed) {
      mounted.addAll(s.mountsFrom);
    }

    List<PodPlan> pods = new ArrayList<>();
    Map<String, Integer> waveOf = new HashMap<>();
    List<List<String>> waves = new ArrayList<>();
    for (Stage t : podTargets) {
      List<Stage> chain = chain(t);
      List<String> dependsOn = podDependencies(chain);
      int wave = wave(t, dependsOn, waveOf);
      if (wave < 0) {
        throw new IllegalStateException("pod " + t.name + " ordered before a pod it depends on");
      }
      waveOf.put(t.name, wave);
      while (waves.size() <= wave) {
        waves.add(new ArrayList<>());
      }
      waves.get(wave).add(t.name);
      boolean usesContext = chain.stream().anyMatch(s -> s.usesContext);
      pods.add(new PodPlan(t.name, names(chain), t.name, dockerfile(chain), dependsOn,
          List.copyOf(exports.getOrDefault(t, Set.of())), t == target, usesContext, mounted.contains(t),
          List.copyOf(excluded.getOrDefault(t, Map.of()).values()), contextExcluded(chain)));
    }
    return new BuildPlan(stagePlans(needed, pods), List.copyOf(pods),
        waves.stream().map(List::copyOf).toList(), target.name, pods.stream().anyMatch(PodPlan::usesContext),
        table.targetStage);
  }

  /** What each producer exports: every path a needed stage copies from it, sorted. */
  private static Map<Stage, Set<String>> exports(List<Stage> needed) {
    Map<Stage, Set<String>> exports = new HashMap<>();
    for (Stage s : needed) {
      for (Stage.Copy c : s.copies) {
        exports.computeIfAbsent(c.producer(), k -> new TreeSet<>()).addAll(c.paths());
      }
    }
    return exports;
  }

  /** The context exports of a pod's chain, by key (sorted): a stage's copy twice is one export. */
  private static List<ExcludedExport> contextExcluded(List<Stage> chain) {
    Map<String, ExcludedExport> byKey = new TreeMap<>();
    chain.forEach(s -> s.contextExclusions.forEach(e -> byKey.putIfAbsent(e.key(), e)));
    return List.copyOf(byKey.values());
  }

  /** What each producer exports for COPY --exclude, by key (sorted); the same copy twice is one export. */
  private static Map<Stage, Map<String, ExcludedExport>> excluded(List<Stage> needed) {
    Map<Stage, Map<String, ExcludedExport>> excluded = new HashMap<>();
    for (Stage s : needed) {
      for (Stage.Exclusion e : s.exclusions) {
        excluded.computeIfAbsent(e.producer(), k -> new TreeMap<>()).putIfAbsent(e.export().key(), e.export());
      }
    }
    return excluded;
  }

  /** One more than the latest wave of the pods it depends on; 0 without dependencies. */
  private static int wave(Stage pod, List<String> dependsOn, Map<String, Integer> waveOf) {
    int wave = 0;
    for (String d : dependsOn) {
      Integer w = waveOf.get(d);
      if (w == null) {
        return -1; // cannot happen: podTargets orders producers first, and cycles are refused
      }
      wave = Math.max(wave, w + 1);
    }
    return wave;
  }

  /**
   * The needed stages with their dependencies (parent and producers, in Dockerfile order) and their
   * pod: the one whose target they are, else the first whose chain builds them.
   */
  private static List<StagePlan> stagePlans(List<Stage> needed, List<PodPlan> pods) {
    Map<String, String> podOf = new HashMap<>();
    for (PodPlan p : pods) {
      podOf.put(p.target(), p.name());
    }
    for (PodPlan p : pods) {
      for (String s : p.stages()) {
        podOf.putIfAbsent(s, p.name());
      }
    }
    List<StagePlan> stages = new ArrayList<>();
    for (Stage s : needed) {
      Set<Stage> deps = new TreeSet<>((a, b) -> Integer.compare(a.index, b.index));
      if (s.parent != null) {
        deps.add(s.parent);
      }
      deps.addAll(s.dependencies());
      deps.addAll(s.ancestorsCopiedFrom);
      stages.add(new StagePlan(s.name, s.index, s.from.line(), s.from.args().get(0),
          s.parent == null ? null : s.parent.name, names(List.copyOf(deps)), podOf.get(s.name)));
    }
    return List.copyOf(stages);
  }

  /** Stages reachable from the target through FROM parents and COPY --from, in Dockerfile order. */
  private List<Stage> needed() {
    boolean[] seen = new boolean[table.stages.size()];
    Deque<Stage> work = new ArrayDeque<>();
    work.push(target);
    seen[target.index] = true;
    while (!work.isEmpty()) {
      Stage s = work.pop();
      List<Stage> next = new ArrayList<>(s.dependencies());
      if (s.parent != null) {
        next.add(s.parent);
      }
      for (Stage n : next) {
        if (!seen[n.index]) {
          seen[n.index] = true;
          work.push(n);
        }
      }
    }
    List<Stage> needed = new ArrayList<>();
    for (Stage s : table.stages) {
      if (seen[s.index]) {
        needed.add(s);
      }
    }
    return needed;
  }

  /** The target and every stage a needed stage copies from, in Dockerfile order. */
  private List<Stage> podTargets(List<Stage> needed) {
    Set<Stage> targets = new LinkedHashSet<>();
    for (Stage s : needed) {
      targets.addAll(s.dependencies());
    }
    targets.add(target);
    List<Stage> remaining = new ArrayList<>(targets);
    remaining.sort((a, b) -> Integer.compare(a.index, b.index));
    // Dockerfile order, except that a pod comes after the pods it copies from (a stage may copy
    // from a later one); checkCycles guarantees every pod gets placed.
    Map<Stage, Set<Stage>> deps = new HashMap<>();
    for (Stage t : remaining) {
      Set<Stage> d = new HashSet<>();
      for (Stage c : chain(t)) {
        d.addAll(c.dependencies());
      }
      deps.put(t, d);
    }
    List<Stage> ordered = new ArrayList<>();
    Set<Stage> placed = new HashSet<>();
    while (!remaining.isEmpty()) {
      int k = 0;
      while (k < remaining.size() && !placed.containsAll(deps.get(remaining.get(k)))) {
        k++;
      }
      if (k == remaining.size()) {
        throw new IllegalStateException("pods depend on each other: " + remaining);
      }
      Stage t = remaining.remove(k);
      ordered.add(t);
      placed.add(t);
    }
    return ordered;
  }

  /**
   * Refuses a cycle among the needed stages (through FROM parents and COPY --from), as BuildKit
   * does: a stage may copy from a later stage, but not from one that needs it. Kahn's algorithm:
   * what cannot be ordered is on a cycle or needs one.
   */
  private void checkCycles(List<Stage> needed) {
    Map<Stage, Integer> waiting = new HashMap<>();
    Map<Stage, List<Stage>> users = new HashMap<>();
    for (Stage s : needed) {
      Set<Stage> deps = new LinkedHashSet<>(s.dependencies());
      if (s.parent != null) {
        deps.add(s.parent);
      }
      waiting.put(s, deps.size());
      for (Stage d : deps) {
        users.computeIfAbsent(d, k -> new ArrayList<>()).add(s);
      }
    }
    Deque<Stage> ready = new ArrayDeque<>();
    waiting.forEach((s, n) -> {
      if (n == 0) {
        ready.add(s);
      }
    });
    while (!ready.isEmpty()) {
      Stage s = ready.pop();
      waiting.remove(s);
      for (Stage u : users.getOrDefault(s, List.of())) {
        if (waiting.merge(u, -1, Integer::sum) == 0) {
          ready.add(u);
        }
      }
    }
    if (waiting.isEmpty()) {
      return;
    }
    Stage first = waiting.keySet().stream().min((a, b) -> Integer.compare(a.index, b.index)).orElseThrow();
    List<Stage.Copy> copies = new ArrayList<>(first.copies);
    first.exclusions.forEach(e -> copies.add(new Stage.Copy(e.producer(), e.export().paths(), e.export().line())));
    copies.sort((a, b) -> Integer.compare(a.line(), b.line()));
    for (Stage.Copy c : copies) {
      if (waiting.containsKey(c.producer())) {
        throw new DockerfileException(c.line(), "circular dependency detected on stage \"" + c.producer().name
            + "\": it needs stage \"" + first.name + "\", which copies from it; copy from a stage that does"
            + " not need this one");
      }
    }
    throw new DockerfileException(first.from.line(), "circular dependency detected on stage \"" + first.name
        + "\" (through COPY --from and FROM)");
  }

  /** The stage and its FROM ancestors, root first. */
  private List<Stage> chain(Stage last) {
    List<Stage> chain = new ArrayList<>();
    for (Stage s = last; s != null; s = s.parent) {
      chain.add(s);
      if (chain.size() > table.stages.size()) {
        throw new DockerfileException(last.from.line(), "circular FROM chain at stage \"" + last.name + "\"");
      }
    }
    Collections.reverse(chain);
    return chain;
  }

  /** Producer pods of every stage of the chain, in Dockerfile order. */
  private static List<String> podDependencies(List<Stage> chain) {
    Set<Stage> producers = new TreeSet<>((a, b) -> Integer.compare(a.index, b.index));
    for (Stage s : chain) {
      producers.addAll(s.dependencies());
    }
    return producers.stream().map(s -> s.name).toList();
  }

  private static List<String> names(List<Stage> chain) {
    return chain.stream().map(s -> s.name).toList();
  }

  /**
   * Refuses a plan whose Dockerfiles would be too large together, before writing them: each
   * stage's size with its ancestors' is summed along the FROM chains, in Dockerfile order.
   */
  private void checkSize(List<Stage> podTargets) {
    long prefix = 0;
    for (Directive d : table.dockerfile.directives()) {
      prefix += d.source().length() + 1;
    }
    for (Instruction a : table.globalArgs) {
      prefix += a.source().length() + 1;
    }
    long[] chainSize = new long[table.stages.size()];
    for (Stage s : table.stages) {
      long own = s.from.source().length() + 16L;
      for (Instruction i : s.body) {
        own += s.textOf(i).length() + 1; // as written for the pod: a rewrite can be longer
      }
      for (String line : s.trailer) {
        own += line.length() + 1;
      }
      for (Stage p : s.producers) {
        // at most: a producer two stages of the chain copy from stands in once
        own += standIn(p).length() + 1;
      }
      for (Stage.Exclusion e : s.exclusions) {
        own += standIn(e).length() + 1;
      }
      chainSize[s.index] = own + (s.parent == null ? 0 : chainSize[s.parent.index]);
    }
    long total = 0;
    for (Stage t : podTargets) {
      total += prefix + chainSize[t.index];
    }
    if (total > MAX_TOTAL_DOCKERFILE_CHARS) {
      throw new DockerfileException(DockerfileException.Kind.UNSUPPORTED, 0, "the pods' Dockerfiles"
          + " would be more than " + MAX_TOTAL_DOCKERFILE_CHARS / (1024 * 1024) + " MiB together (each pod"
          + " repeats the stages its target is built FROM); use fewer or shorter stages");
    }
  }

  /**
   * Directives, the global ARGs, then each stage of the chain as written, with COPY/ADD rewritten,
   * and — at its place in the Dockerfile's order — a stand-in for each stage outside the chain that
   * the chain copies from (see {@link #standIn}). An unnamed stage gets {@code AS stage-<index>} so
   * that the pod's target has the plan's name.
   */
  private String dockerfile(List<Stage> chain) {
    StringBuilder sb = new StringBuilder();
    for (Directive d : table.dockerfile.directives()) {
      sb.append(d.source()).append('\n');
    }
    for (Instruction a : table.globalArgs) {
      sb.append(closed(a, a.source())).append('\n');
    }
    if (!table.kaniko.forPods.isEmpty()) {
      sb.append("# stagebuild: as BuildKit reads them (kaniko would not)\n");
      for (Map.Entry<String, String> e : table.kaniko.forPods.entrySet()) {
        sb.append(KanikoGlobalArgs.line(e.getKey(), e.getValue())).append('\n');
      }
    }
    // Stages in their Dockerfile order: a FROM or COPY --from word that names an image in the
    // original (because the stage of that name comes later) still does in the pod.
    // A stand-in for a stage defined after the first stage of the chain that copies from it
    // comes just before that stage: kaniko builds stages in order and copies only from built ones.
    Map<Integer, Stage> ordered = new TreeMap<>();
    for (Stage s : chain) {
      ordered.put(2 * s.index + 1, s);
    }
    for (Stage s : chain) {
      for (Stage p : s.producers) {
        if (!chain.contains(p) && !ordered.containsValue(p)) {
          ordered.put(p.index < s.index ? 2 * p.index + 1 : 2 * s.index, p);
        }
      }
    }
    Set<String> standInsSoFar = new java.util.HashSet<>();
    for (Stage s : ordered.values()) {
      if (!chain.contains(s)) {
        standInsSoFar.add(standInName(s));
        continue;
      }
      // a COPY --exclude's stand-in comes just before the first stage of the chain that copies with it
      s.exclusions.forEach(e -> standInsSoFar.add(ExcludedExport.standInName(e.producer().name, e.export().key())));
      if (s.parent == null && standInsSoFar.contains(s.base.toLowerCase(java.util.Locale.ROOT))) {
        throw new DockerfileException(DockerfileException.Kind.UNSUPPORTED, s.from.line(), "FROM " + s.base
            + " names an image, but stage \"" + s.base + "\" (defined later) is copied from before it in the"
            + " same pod, where FROM " + s.base + " would mean that stage; rename the stage or the image");
      }
    }
    Stage scratchInChain = null;
    Set<String> excludedSoFar = new java.util.HashSet<>();
    for (Stage s : ordered.values()) {
      if (sb.length() > 0) {
        sb.append('\n');
      }
      if (!chain.contains(s)) {
        checkNoScratchBefore(scratchInChain, chain, s);
        sb.append(standIn(s));
        continue;
      }
      for (Stage.Exclusion e : s.exclusions) {
        if (excludedSoFar.add(e.export().key() + "/" + e.producer().name)) {
          checkNoScratchBefore(scratchInChain, chain, e.producer());
          sb.append(standIn(e)).append('\n');
        }
      }
      if (s.name.equals(SCRATCH)) {
        scratchInChain = s;
      }
      String from = closed(s.from, fromLine(s));
      checkLineLengths(s.from, from); // its image, as BuildKit resolves it, can be longer than written
      sb.append(from).append('\n');
      for (Instruction i : s.body) {
        String text = closed(i, s.textOf(i));
        if (s.rewritten.containsKey(i)) {
          checkLineLengths(i, text);
        }
        sb.append(text).append('\n');
      }
      for (String line : s.trailer) {
        checkLineLengths(s.from, line);
        sb.append(line).append('\n');
      }
    }
    return sb.toString();
  }

  /**
   * The stage a pod copies from when that stage is built in another pod: an empty image with the
   * paths the producer's pod exported, unpacked from the tar archive it left in the workspace
   * ({@code context/from/<stage>.tar}). A local tar added with ADD is unpacked with the owners,
   * modes and symlinks it holds, so {@code COPY --from=<stage>} then copies from a file system that
   * is, for the paths it names, the producer's own.
   */
  static String standIn(Stage producer) {
    return "# stagebuild: the files of stage " + producer.name + ", exported by its own pod\n"
        + "FROM scratch AS " + standInName(producer) + "\n"
        + "ADD " + exportArchive(producer.name) + " /\n";
  }

  /** Refuses a stand-in's {@code FROM scratch} after a stage named scratch of the chain, which it would mean. */
  private static void checkNoScratchBefore(Stage scratchInChain, List<Stage> chain, Stage producer) {
    if (scratchInChain != null) {
      throw new DockerfileException(DockerfileException.Kind.UNSUPPORTED, scratchInChain.from.line(),
          "stage \"scratch\" is built FROM by stage \"" + chain.get(chain.size() - 1).name + "\", which"
              + " copies from stage \"" + producer.name + "\" of another pod; StageBuild stands that stage in"
              + " with FROM scratch, which would then mean this stage: rename stage \"scratch\"");
    }
  }

  /**
   * The stand-in for a {@code COPY --from=<stage> --exclude=...}: the sources that COPY names, as
   * the producer's pod exported them without what the patterns exclude
   * ({@code context/from/<stage>.exclude-<key>.tar}).
   */
  static String standIn(Stage.Exclusion e) {
    String name = ExcludedExport.standInName(e.producer().name, e.export().key());
    return "# stagebuild: the files of stage " + e.producer().name + " for the COPY of line "
        + e.export().line() + (e.export().pivots().isEmpty() ? ", less what it excludes" : ", with their parent directories")
        + ", exported by its own pod\n"
        + "FROM scratch AS " + name + "\n"
        + "ADD " + ExcludedExport.archive(e.producer().name, e.export().key()) + " /\n";
  }

  static final String SCRATCH = "scratch";

  /**
   * The stand-in's stage name: the producer's, except for a stage named {@code scratch} (BuildKit
   * only warns about that name), whose stand-in is {@code stage-<index>}, so that no stand-in's
   * {@code FROM scratch} can mean another stand-in.
   */
  static String standInName(Stage producer) {
    return producer.name.equals(SCRATCH) ? "stage-" + producer.index : producer.name;
  }

  /**
   * Where a pod's exports are in the build context as a directory, for a consumer's bind mount:
   * {@code mounts/<pod>}.
   */
  static String mountDirectory(String pod) {
    return "mounts/" + pod;
  }

  /**
   * The empty directory every stage pod keeps in the build context (root's, mode 1777, as a
   * tmpfs's root is) for the bind mounts a {@code RUN --mount=type=tmpfs} is written as. No pod is
   * named with a leading dot.
   */
  static final String TMPFS_DIRECTORY = "mounts/.tmpfs";

  /** Where a pod's exports are in the build context: {@code from/<pod>.tar}. */
  static String exportArchive(String pod) {
    return "from/" + pod + ".tar";
  }

  /**
   * The FROM line as written, except: a parent chosen through variables ({@code FROM
   * build_${TARGETARCH}}) is written as the stage the plan chose, so that the pod cannot pick a
   * stage it does not contain; a named stage is written with the plan's (lower-case) name; an
   * unnamed stage is named {@code AS stage-<index>}.
   */
  private String fromLine(Stage s) {
    List<Instruction.Edit> edits = new ArrayList<>();
    Instruction from = s.from;
    if (s.parent != null && !from.args().get(0).equals(s.parent.name)) {
      edits.add(new Instruction.Edit(from.argSpans().get(0), s.parent.name));
    } else if (s.parent == null && table.kaniko.resolvesBaseDifferently(s)) {
      // an image chosen through variables is written as BuildKit resolves it: kaniko resolves FROM
      // without TARGETARCH, BUILDPLATFORM... and lets no empty --build-arg replace a default
      edits.add(new Instruction.Edit(from.argSpans().get(0), s.base));
    }
    if (s.named && !from.args().get(2).equals(s.name)) {
      // Stage names are case-insensitive (BuildKit's parser, kaniko's --target): the pod's
      // Dockerfile names its stages as the plan does, so that --target=<name> finds the stage
      // with every executor, also those that compare names exactly.
      edits.add(new Instruction.Edit(from.argSpans().get(2), s.name));
    }
    if (!s.named) {
      int end = from.logical().length();
      edits.add(new Instruction.Edit(new Span(end, end), " AS " + s.name));
    }
    return edits.isEmpty() ? from.source() : from.applyEdits(edits);
  }

  /**
   * An instruction that ran into the end of the file with a line continuation would swallow what
   * follows it in a pod's Dockerfile: drop that last continuation character (comment and blank
   * lines after it stay, as comments).
   */
  /**
   * A rewritten instruction must still be readable by kaniko's parser (BuildKit's): no physical line
   * over 65535 bytes (a long here-document written as one exec-form line would be).
   */
  private static void checkLineLengths(Instruction i, String text) {
    for (String line : text.split("\n", -1)) {
      if (DockerfileParser.tooLongForParsers(line)) {
        throw new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), i.keyword() + ": as StageBuild"
            + " writes it for kaniko, a line of it is longer than " + DockerfileParser.MAX_LINE_BYTES + " bytes,"
            + " the most kaniko's parser reads; " + (i.keyword().equals("RUN")
                ? "for a long RUN <<EOF script, COPY the script into the stage and RUN it instead"
                : "shorten it (StageBuild writes it with what it names resolved: variables, stage sources)"));
      }
    }
  }

  private String closed(Instruction i, String text) {
    if (!i.endsInContinuation()) {
      return text;
    }
    int lineEnd = text.length();
    while (lineEnd > 0) {
      int lineStart = text.lastIndexOf('\n', lineEnd - 1) + 1;
      String line = text.substring(lineStart, lineEnd).strip();
      if (!line.isEmpty() && line.charAt(0) != '#') {
        int end = lineEnd;
        while (end > lineStart && Character.isWhitespace(text.charAt(end - 1))) {
          end--;
        }
        if (end > lineStart && text.charAt(end - 1) == table.escape()) {
          return text.substring(0, end - 1) + text.substring(end);
        }
        return text;
      }
      lineEnd = lineStart - 1;
    }
    return text;
  }
}
