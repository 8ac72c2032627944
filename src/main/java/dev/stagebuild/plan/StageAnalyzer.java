package dev.stagebuild.plan;

import dev.stagebuild.Texts;
import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.dockerfile.DockerfileParser;
import dev.stagebuild.dockerfile.Flag;
import dev.stagebuild.dockerfile.GoSize;
import dev.stagebuild.dockerfile.HeredocMarker;
import dev.stagebuild.dockerfile.Instruction;
import dev.stagebuild.dockerfile.JsonArray;
import dev.stagebuild.dockerfile.KeyValue;
import dev.stagebuild.dockerfile.Span;
import dev.stagebuild.dockerfile.StageNames;
import dev.stagebuild.dockerfile.WordExpander;
import dev.stagebuild.dockerfile.WordExpander.Expansion;
import dev.stagebuild.dockerfile.WordExpander.Variable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Walks each stage's instructions in order, keeping track of the variables ARG and ENV set, to
 * find the stages it copies from and the paths it copies, rewrite its context sources and its
 * {@code --from} references, and check what StageBuild cannot
 * do. Problems that matter only when the stage is built are deferred to the stage; references to
 * a later stage, to the stage itself or to a stage index that does not exist fail at once, since
 * Docker checks them for every stage too.
 */
final class StageAnalyzer {
  private final StageTable table;
  private Stage stage;
  private Scope scope;
  /** The stage's SHELL as far as this Dockerfile sets it; null: the default (or the base image's). */
  private List<String> shell;
  /** The stage's working directory, absolute and clean; null when the base image's decides it. */
  private String workdir;
  /** The ports the EXPOSE instructions gave so far, over all stages ({@link Budgets#MAX_EXPOSED_PORTS}). */
  private int exposedPorts;

  /** The target and the stages it is built FROM: the only stages whose image config reaches the result. */
  private final java.util.Set<Stage> resultChain = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());

  private StageAnalyzer(StageTable table, Stage target) {
    this.table = table;
    for (Stage s = target; s != null; s = s.parent) {
      resultChain.add(s);
    }
  }

  static void analyze(StageTable table, Stage target) {
    StageAnalyzer a = new StageAnalyzer(table, target);
    for (Stage s : table.stages) {
      a.analyze(s);
    }
  }

  private void analyze(Stage s) {
    stage = s;
    scope = s.parent != null ? s.parent.scope.child() : Scope.forImage(s.base);
    shell = s.parent != null ? s.parent.shell : null;
    workdir = s.parent != null ? s.parent.workdir : s.base.equals("scratch") ? "/" : null;
    if (s.parent != null) {
      checkTriggers(s);
      for (Instruction i : s.parent.body) {
        // the parent's triggers run first in this stage: its WORKDIR and SHELL hold here
        Instruction t = i.trigger();
        if (t != null && t.is("WORKDIR")) {
          workdir = null;
        } else if (t != null && t.is("SHELL")) {
          shell(t);
        }
      }
    }
    for (Instruction i : s.body) {
      refuseMountFromVariable(i);
      if (unreadableMount(i)) {
        continue;
      }
      java.util.Optional<String> refusal = KanikoCapabilities.refusal(i, true, table.byUserName.keySet());
      if (refusal.isPresent() && KanikoCapabilities.configOnly(i) && !resultChain.contains(s)) {
        // what kaniko would leave out of this stage's config: the result has only its files
        stage.rewritten.put(i, "# stagebuild: " + i.keyword() + " left out: the image built does not take stage "
            + s.name + "'s config, only files copied from it");
        continue;
      }
      refusal.ifPresent(why -> stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), why)));
      switch (i.keyword()) {
        case "ARG" -> arg(i);
        case "ENV" -> env(i);
        case "COPY", "ADD" -> copy(i);
        case "RUN" -> run(i);
        case "WORKDIR" -> workdir(i);
        case "EXPOSE" -> expose(i);
        case "VOLUME" -> volume(i);
        case "SHELL" -> shell(i);
        default -> {
          // other instructions pass through unchanged and set no variable the planner needs
        }
      }
    }
    s.scope = scope;
    s.shell = shell;
    s.workdir = workdir;
    moveVolumes(s);
  }

  /**
   * Whether a value the planner writes into a VOLUME or a mount flag is read back as itself: kaniko
   * passes those through its word expander again ({@code $}, quotes and the backslash are special).
   */
  private static boolean rewritable(String value) {
    return value.indexOf('$') < 0 && value.indexOf('\'') < 0 && value.indexOf('"') < 0 && value.indexOf('\\') < 0;
  }

  /** The VOLUMEs of the stage being analysed, with their paths as substituted where they stand. */
  private final java.util.Map<Instruction, List<String>> volumes = new java.util.LinkedHashMap<>();

  private void volume(Instruction i) {
    List<String> paths = new ArrayList<>();
    for (String word : i.args()) {
      Expansion e = expand(word, i);
      if (e == null) {
        return;
      }
      if (!e.resolved() || !rewritable(e.value())) {
        paths = null; // refused if it has to move
        break;
      }
      paths.add(e.value());
    }
    volumes.put(i, paths);
  }

  /**
   * kaniko (volume.go) adds a VOLUME's paths to the snapshot's ignore list for the rest of the
   * stage, so what a later RUN, COPY, ADD or WORKDIR writes under them is left out of the image;
   * BuildKit only records the volume in the config. A VOLUME followed by such an instruction is
   * therefore written at the end of the stage instead (a child stage starts with a new ignore list),
   * with its paths as they were substituted where it stood.
   */
  private void moveVolumes(Stage s) {
    int lastWrite = -1;
    for (int k = 0; k < s.body.size(); k++) {
      if (KanikoCapabilities.WRITES_FILES.contains(s.body.get(k).keyword())) {
        lastWrite = k;
      }
    }
    for (var v : volumes.entrySet()) {
      Instruction i = v.getKey();
      if (s.body.indexOf(i) > lastWrite) {
        continue;
      }
      if (v.getValue() == null) {
        stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "VOLUME "
            + i.argText() + " is followed by instructions that write files: " + KanikoCapabilities.KANIKO
            + " would leave what they write under it out of the image, and StageBuild, which moves the VOLUME to"
            + " the end of the stage, cannot write its path there (a variable it cannot resolve, or a $, quote or"
            + " backslash, which kaniko would read again); write the path out, or the VOLUME last"));
        continue;
      }
      String moved = "VOLUME " + JsonArray.write(v.getValue());
      if (DockerfileParser.tooLongForParsers(moved)) {
        stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "VOLUME: moved to the end"
            + " of the stage (it is followed by instructions that write files) and written with its variables"
            + " substituted, it is longer than " + DockerfileParser.MAX_LINE_BYTES + " bytes, the most "
            + KanikoCapabilities.KANIKO + "'s parser reads on one line; split it into several VOLUMEs, or write"
            + " it last"));
        continue;
      }
      s.rewritten.put(i, "# stagebuild: VOLUME moved to the end of the stage");
      if (!v.getValue().isEmpty()) {
        s.trailer.add(moved);
      }
    }
    volumes.clear();
  }

  /**
   * kaniko records each EXPOSE word as substituted, adding /tcp (expose.go); BuildKit splits what a
   * variable gives into words and normalizes each ({@link ExposedPorts}: a range into its ports,
   * {@code ip:host:port} into the port, {@code 053} into 53, the protocol lowercased). A word both
   * read the same stays as written; any other is written as the ports BuildKit reads, each as
   * {@code <port>} or {@code <port>/udp}, which kaniko records as BuildKit does (an unset {@code ARG EE_PORTS} gives no
   * port, {@code PORTS="80 443"} two). kaniko fails on {@code sctp}: refused.
   */
  private void expose(Instruction i) {
    List<Instruction.Edit> edits = new ArrayList<>();
    int ports = 0;
    for (int k = 0; k < i.args().size(); k++) {
      String word = i.args().get(k);
      Expansion e = expand(word, i);
      if (e == null || !e.resolved()) {
        ports++;
        continue; // substituted by kaniko from the base image's environment: not known here
      }
      // BuildKit's ProcessWords splits an unquoted substitution at white space (Go's), and gives no
      // word for an empty one, quoted or not (EXPOSE "$UNSET")
      List<String> read = word.indexOf('"') < 0 && word.indexOf('\'') < 0 ? splitAtSpace(e.value())
          : e.value().isEmpty() ? List.of() : List.of(e.value());
      List<String> exposed = new ArrayList<>();
      for (String port : read) {
        String shown = "EXPOSE " + word + (e.value().equals(word) ? "" : " (" + e.value() + ")");
        List<String> buildKit;
        try {
          buildKit = ExposedPorts.read(port, Budgets.MAX_EXPOSED_PORTS - exposedPorts);
        } catch (ExposedPorts.Invalid invalid) {
          stage.defer(new DockerfileException(i.line(), shown + ": " + invalid.getMessage()));
          return;
        }
        if (buildKit == null) {
          throw Budgets.tooLarge(i.line(), shown + ": the EXPOSE instructions of the Dockerfile give more than "
              + Budgets.MAX_EXPOSED_PORTS + " ports together");
        }
        if (buildKit.stream().anyMatch(p -> p.endsWith("/sctp"))) {
          stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), shown
              + " is not supported: " + KanikoCapabilities.KANIKO + " exposes only tcp and udp ports (expose.go)"));
          return;
        }
        exposedPorts += buildKit.size();
        exposed.addAll(buildKit);
      }
      ports += exposed.size();
      // kept as written when kaniko records the one port BuildKit reads (" 80 " it would record as " 80 /tcp")
      String recorded = e.value().contains("/") ? e.value() : e.value() + "/tcp";
      if (exposed.size() != 1 || !exposed.get(0).equals(recorded)) {
        Span span = i.argSpans().get(k);
        // kaniko adds /tcp to a bare port: the shorter form (a whole range is 65,536 words)
        String written = String.join(" ", exposed.stream().map(p -> p.endsWith("/tcp") ? p.substring(0, p.length() - 4) : p)
            .toList());
        edits.add(exposed.isEmpty() ? i.deletion(span) : new Instruction.Edit(span, written));
      }
    }
    if (ports == 0) {
      stage.rewritten.put(i, "# stagebuild: an EXPOSE of no port (its variables are empty)");
    } else if (!edits.isEmpty()) {
      String edited = i.applyEdits(edits);
      boolean fits = edited.lines().noneMatch(DockerfileParser::tooLongForParsers);
      stage.rewritten.put(i, fits ? edited : ExposedPorts.instructions(words(i, edits)));
    }
  }

  /** The instruction's words with the edits made: an edited word's ports, none for a deleted word. */
  private static List<String> words(Instruction i, List<Instruction.Edit> edits) {
    Map<Integer, String> replaced = new HashMap<>();
    for (Instruction.Edit edit : edits) {
      replaced.put(edit.span().start(), edit.replacement());
    }
    List<String> words = new ArrayList<>();
    for (Span span : i.argSpans()) {
      String replacement = replaced.get(span.start());
      if (replacement == null) {
        words.add(i.logical().substring(span.start(), span.end()));
      } else {
        // the ports the planner wrote, one word each (none for a deleted word)
        Arrays.stream(replacement.split(" ")).filter(w -> !w.isEmpty()).forEach(words::add);
      }
    }
    return words;
  }

  /** Go's {@code strings.Fields}: the words between runs of white space ({@code unicode.IsSpace}). */
  static List<String> splitAtSpace(String value) {
    List<String> words = new ArrayList<>();
    int start = -1;
    for (int k = 0; k <= value.length(); k++) {
      boolean space = k == value.length() || dev.stagebuild.dockerfile.Chars.isSpace(value.charAt(k));
      if (space && start >= 0) {
        words.add(value.substring(start, k));
        start = -1;
      } else if (!space && start < 0) {
        start = k;
      }
    }
    return words;
  }

  /** SHELL takes a JSON array (BuildKit refuses any other form). */
  private void shell(Instruction i) {
    if (i.isJson() && !i.args().isEmpty()) {
      shell = List.copyOf(i.args());
    }
  }

  /** Like BuildKit's dispatchWorkdir: substituted, and joined to the one before when relative. */
  private void workdir(Instruction i) {
    Expansion e = expand(i.argText(), i);
    if (e == null || !e.resolved() || e.value().isEmpty()) {
      workdir = null;
      return;
    }
    boolean absolute = e.value().startsWith("/");
    if (!absolute && workdir == null) {
      return;
    }
    String joined = absolute ? e.value() : workdir + "/" + e.value();
    if (joined.length() > Budgets.MAX_WORKDIR_CHARS) {
      throw Budgets.tooLarge(i.line(), "WORKDIR makes a working directory of more than " + Budgets.MAX_WORKDIR_CHARS
          + " characters (Linux's PATH_MAX)");
    }
    workdir = Paths.cleanAbsolute(joined);
  }

  /** ONBUILD instructions whose trigger a stage built FROM that stage must not run. */
  private static final Set<String> UNPLANNED_TRIGGERS = Set.of("COPY", "ADD", "ARG", "ENV");

  /**
   * BuildKit and kaniko run the ONBUILD triggers of a stage in each stage built FROM it, first
   * thing. Those that copy, mount or set variables would read sources, stages and values the plan
   * never sees (a stage they copy from would be missing from the pod, a context file from the
   * workspace): refused, with the line of the trigger. Other triggers (a plain RUN, metadata) run
   * in the pod as written.
   */
  private void checkTriggers(Stage s) {
    for (Instruction i : s.parent.body) {
      Instruction t = i.trigger();
      if (t == null) {
        continue;
      }
      boolean unplanned = UNPLANNED_TRIGGERS.contains(t.keyword()) || t.is("RUN") && !t.flags().isEmpty();
      if (unplanned) {
        stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "ONBUILD "
            + t.keyword() + " in stage \"" + s.parent.name + "\", which stage \"" + s.name + "\" is built FROM,"
            + " is not supported: the trigger runs in stage \"" + s.name + "\", where StageBuild cannot plan what it"
            + " copies, mounts or sets; write the instruction into stage \"" + s.name + "\" instead"));
        return;
      }
      if (t.is("VOLUME") && s.body.stream().anyMatch(b -> KanikoCapabilities.WRITES_FILES.contains(b.keyword()))) {
        stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "ONBUILD VOLUME in stage \""
            + s.parent.name + "\", which stage \"" + s.name + "\" is built FROM, is not supported: the trigger runs first"
            + " in stage \"" + s.name + "\", and " + KanikoCapabilities.KANIKO + " would leave what that stage writes"
            + " under the volume out of the image; write the VOLUME at the end of stage \"" + s.name + "\" instead"));
        return;
      }
      // what runs as written must be something kaniko builds as BuildKit would
      KanikoCapabilities.refusal(t, false, table.byUserName.keySet()).ifPresent(why ->
          stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "ONBUILD " + why)));
    }
  }

  /** Like Docker: a build argument wins; a bare ARG takes the global value; a default is expanded. */
  private void arg(Instruction i) {
    boolean escaped = false;
    for (KeyValue kv : i.keyValues()) {
      if (!WordExpander.isLiteral(kv.key(), StageTable.expansionEscape())) {
        if (!ArgNames.escapable(kv.key(), table.escape())) {
          // kaniko expands an ARG's name (ParseArg), BuildKit does not: the two would set different
          // variables, and the planner could not tell which path a later COPY reads
          stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "ARG " + kv.key()
              + ": " + KanikoCapabilities.KANIKO + " reads an ARG's name as a word (quotes removed, variables"
              + " substituted), BuildKit as written, and StageBuild cannot write this one so that both read it"
              + " alike (a backslash, white space, a quote it does not close, or the backtick escape directive);"
              + " write the name out"));
          continue;
        }
        escaped = true;
      }
      String given = table.buildArgs.get(kv.key());
      if (table.unknownArgs.contains(kv.key())) {
        // a build arg from a Secret: kaniko has its value, the planner does not
        scope.set(kv.key(), Variable.UNKNOWN);
      } else if (given != null) {
        scope.set(kv.key(), Variable.of(given));
      } else if (kv.value() == null) {
        // kaniko (ParseArg) takes the global value; without one the ARG has no value and hides
        // nothing: an ENV or earlier ARG of that name keeps its value. Strictly a base image's ENV
        // would show through too, but an ARG declaration says the build means it as an argument:
        // take a name nothing in the Dockerfile set as unset rather than unknown.
        Variable global = table.global.get(kv.key());
        if (global.state() == WordExpander.State.SET) {
          scope.set(kv.key(), global);
        } else if (!scope.isSet(kv.key())) {
          scope.set(kv.key(), Variable.UNSET);
        }
      } else {
        scope.set(kv.key(), known(expand(kv.value(), i)));
      }
    }
    if (escaped) {
      // BuildKit takes each name as written (an unquoted comment after an ARG: ARG V="1" # 'v' prefix);
      // kaniko expands it: written so that its expansion is the name as written
      stage.rewritten.put(i, ArgNames.written(i.keyValues()));
    }
  }

  /**
   * Every pair of one ENV is expanded against the variables as they were before it, as kaniko
   * ({@code UpdateConfigEnv}) and BuildKit do: in {@code ENV P=a Q=$P}, Q takes the earlier P.
   */
  private void env(Instruction i) {
    Map<String, Variable> set = new LinkedHashMap<>();
    for (KeyValue kv : i.keyValues()) {
      Expansion key = expand(kv.key(), i);
      if (key != null && !key.resolved()) {
        // the executor sets a variable the planner cannot name: any later value could be it
        stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "ENV " + kv.key()
            + ": the name cannot be resolved when planning (variable " + key.unresolved() + "); write it out"));
      } else if (key != null && !key.value().isEmpty()) {
        set.put(key.value(), known(expand(kv.value(), i)));
      }
    }
    set.forEach(scope::set);
  }

  private static Variable known(Expansion e) {
    return e != null && e.resolved() ? Variable.of(e.value()) : Variable.UNKNOWN;
  }

  /** Expands a word; a syntax error in it is deferred (Docker reports it only when it builds). */
  private Expansion expand(String word, Instruction i) {
    try {
      return WordExpander.expand(word, StageTable.expansionEscape(), scope, i.line());
    } catch (DockerfileException e) {
      if (e.kind() == DockerfileException.Kind.TOO_LARGE) {
        throw e; // a budget is never deferred: memory must stay bounded whatever the target
      }
      stage.defer(e);
      return null;
    }
  }

  private void copy(Instruction i) {
    List<Instruction.Edit> edits = new ArrayList<>();
    Flag fromFlag = i.flag("from").orElse(null);
    if (fromFlag != null && fromFlag.value().isEmpty()) {
      // --from= with nothing copies from the context in Docker; drop the empty flag
      edits.add(i.deletion(fromFlag.span()));
      fromFlag = null;
    }
    if (fromFlag == null) {
      fromContext(i, edits);
      return;
    }
    String ref = expandedRef(i, fromFlag.value(), "--from=" + fromFlag.value());
    if (ref == null) {
      return;
    }
    if (ref.isEmpty()) {
      // only a reference made of variables can get here empty: a literal --from= was dropped above
      stage.defer(new DockerfileException(i.line(), i.keyword() + " --from=" + fromFlag.value()
          + " is empty once its variables are substituted"));
      return;
    }
    Stage producer = producer(ref, i);
    if (producer != null) {
      fromStage(i, fromFlag, producer, edits);
    } else if (!i.flags("exclude").isEmpty()) {
      // an image chosen through variables: KanikoCapabilities could not tell it from a stage
      stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), i.keyword()
          + " --exclude is not supported: " + KanikoCapabilities.KANIKO + " ignores it and would copy the"
          + " excluded files too (from the image " + ref + "); add a stage FROM " + ref + " AS <name> and COPY"
          + " --from=<name> --exclude=... from it, which StageBuild emulates"));
    }
  }

  /**
   * A stage reference ({@code --from=}, a mount's {@code from=}) with its variables substituted;
   * null when it cannot be, the reason deferred to the stage (it fails the plan only if needed).
   */
  private String expandedRef(Instruction i, String ref, String what) {
    return substituted(i, ref, what);
  }

  /**
   * {@code value} with its variables substituted, or null when they cannot be. {@code what}: how a
   * message names the value, whose failure is then deferred to the stage; null to just give null.
   * A budget overrun fails the plan either way.
   */
  private String substituted(Instruction i, String value, String what) {
    if (value.indexOf('$') < 0) {
      return value;
    }
    Expansion e;
    try {
      e = WordExpander.expandVariablesOnly(value, StageTable.expansionEscape(), scope, i.line());
    } catch (DockerfileException ex) {
      if (ex.kind() == DockerfileException.Kind.TOO_LARGE) {
        throw ex;
      }
      if (what != null) {
        stage.defer(ex);
      }
      return null;
    }
    if (!e.resolved()) {
      if (what != null) {
        stage.defer(unresolved(i, what, e.unresolved()));
      }
      return null;
    }
    return e.value();
  }

  /** The stage {@code --from} refers to, or null for an image. */
  private Stage producer(String ref, Instruction i) {
    return producer(ref, i, i.keyword() + " --from=" + ref);
  }

  /** {@code what}: the reference as the messages show it. */
  private Stage producer(String ref, Instruction i, String what) {
    Stage target;
    if (isInteger(ref)) {
      long index = ref.length() > 12 ? Long.MAX_VALUE : Long.parseLong(ref);
      if (index < 0 || index >= table.userStages) {
        throw new DockerfileException(i.line(), what + ": there is no stage " + ref
            + " (stages are numbered from 0 to " + (table.userStages - 1) + ")");
      }
      target = table.stages.get((int) index);
    } else {
      target = table.byUserName.get(StageNames.lower(ref));
      if (target == null) {
        return null;
      }
    }
    if (target == stage) {
      throw new DockerfileException(i.line(), what + " refers to its own stage: a stage cannot copy"
          + " or mount from itself");
    }
    // A later stage is accepted (older BuildKit did; current BuildKit refuses it): its pod runs
    // first. A cycle is refused when the plan is assembled.
    return target;
  }

  private static boolean isInteger(String s) {
    return StageTable.isInteger(s);
  }

  /**
   * {@code COPY --from=<stage>} stays a {@code COPY --from}, so that the executor applies Docker's
   * own semantics (owners and modes kept, symlinks, globs, {@code --parents}, {@code --chown},
   * {@code --chmod}): only the reference is written as the stage's plan name, since the pod's
   * Dockerfile numbers its stages differently and has no variables to choose a stage with. A stage
   * that is not in the consumer's pod is there as a stand-in (see {@link PodAssembler}) holding the
   * paths exported for it, so the sources (expanded now, absolute and cleaned) go to the
   * producer's export list. A FROM ancestor of the consumer is in every pod the consumer is in: it
   * needs neither a stand-in nor exports.
   *
   * <p>With {@code --exclude} (see {@link ExcludePatterns}) the sources go to an export of their own
   * instead ({@link ExcludedExport}), which the producer's pod archives without what the patterns
   * exclude; the COPY copies from that export's stand-in and loses the flags, which kaniko would
   * ignore.
   */
  private void fromStage(Instruction i, Flag fromFlag, Stage producer, List<Instruction.Edit> edits) {
    boolean ancestor = isAncestor(producer, stage);
    List<String> patterns = excludePatterns(i, fromFlag, producer, ancestor);
    if (patterns == null) {
      return;
    }
    for (Flag f : i.flags("exclude")) {
      // kaniko would ignore it: the producer's pod excludes instead (or there is nothing to exclude)
      edits.add(i.deletion(f.span()));
    }
    String reference = ancestor ? producer.name : PodAssembler.standInName(producer);
    if (!ancestor && !reference.equals(producer.name) && table.byUserName.containsKey(reference)) {
      throw new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "StageBuild names the"
          + " stand-in for stage \"" + producer.name + "\" \"" + reference + "\", which another stage is"
          + " called: rename one of them");
    }
    boolean parents = parents(i);
    if (parents && ancestor) {
      stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), i.keyword() + " --from="
          + fromFlag.value() + " --parents is not supported: this stage is built FROM " + producer.name + " in the"
          + " same pod, where " + KanikoCapabilities.KANIKO + " copies from it itself and ignores --parents; copy"
          + " with --parents from a stage this one is not built FROM"));
      return;
    }
    if (parents && !patterns.isEmpty()) {
      stage.defer(parentsWithExclude(i));
      return;
    }
    if (ancestor) {
      stage.ancestorsCopiedFrom.add(producer);
      resolveAncestorSources(i, edits);
    } else {
      List<String> values = new ArrayList<>();
      List<String> heredocs = new ArrayList<>();
      List<String> paths = new ArrayList<>();
      List<String> args = i.args();
      List<String> replaced = new ArrayList<>(args);
      boolean changed = false;
      boolean json = false;
      for (int k = 0; k < args.size() - 1; k++) {
        String source = args.get(k);
        if (HeredocMarker.parse(source) != null) {
          heredocs.add(source);
          continue;
        }
        Expansion e = expand(source, i);
        if (e == null) {
          return;
        }
        if (!e.resolved()) {
          stage.defer(unresolved(i, source, e.unresolved()));
          return;
        }
        if (e.value().indexOf('\n') >= 0 || e.value().indexOf('\r') >= 0 || e.value().indexOf('\0') >= 0) {
          // the export list is one path per line: such a path cannot be handed to another pod
          stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), i.keyword()
              + " --from=" + producer.name + " copies a path with a line break or NUL character"));
          return;
        }
        String path = Paths.cleanAbsolute(withoutPivot(e.value(), parents));
        // (with --parents, checked below on the paths as BuildKit reads them: `..` stops at the pivot)
        if (!parents && liveOnlyRefused(i, fromFlag, source, path)) {
          return;
        }
        if (Paths.bangClass(path)) {
          // the producer's pod matches exports as the shell does, where [!a] is "not a"; kaniko and
          // BuildKit (Go's filepath.Match) read it as "! or a"
          stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), i.keyword()
              + " --from=" + producer.name + " " + source + ": a [!...] in a wildcard is the characters ! and the"
              + " rest to kaniko and BuildKit (Go's filepath.Match), not \"none of them\"; write [^...] for that"));
          return;
        }
        paths.add(path);
        if (parents) {
          values.add(e.value());
          continue;
        }
        if (Paths.climbs(e.value())) {
          // kaniko joins the source to the stage's directory: a `..` must not leave it
          String clamped = Paths.cleanAbsolute(e.value()) + trailing(e.value());
          if (!writable(i, source, clamped)) {
            return;
          }
          replaced.set(k, WordExpander.escapeLiteral(clamped, StageTable.expansionEscape()));
          changed = true;
        } else if (source.indexOf('$') >= 0 && onlySetVariables(source)) {
          // kaniko picks the files a later stage copies before it builds any (CalculateDependencies),
          // without the predefined ARGs (TARGETARCH...) and with an ARG over a later ENV of its name:
          // there a source made of variables can name other files than the COPY then reads (kaniko
          // issue 2593, "Built cross stage deps: map[0:[/binaries/app_]]"). Written as resolved, both
          // name the files BuildKit copies; a value with white space needs the JSON form to stay one.
          // A variable this Dockerfile leaves unset may come from the image's environment, which
          // kaniko reads in both places: such a source stays as written.
          replaced.set(k, writtenResolved(e.value()));
          changed = true;
          json |= e.value().chars().anyMatch(Character::isWhitespace);
        }
      }
      if (changed) {
        replaceSources(i, args, replaced, json, edits);
      }
      if (parents) {
        edits.add(i.deletion(i.flag("parents").orElseThrow().span()));
      }
      if (parents && !values.isEmpty()) {
        ParentsCopy copy = parentsCopy(i, values, heredocs.isEmpty());
        if (copy == null) {
          return;
        }
        for (String p : copy.paths()) {
          if (liveOnlyRefused(i, fromFlag, "--parents: " + p, p)) {
            return;
          }
        }
        if (copy.oneByOne()) {
          stage.producers.add(producer);
          stage.copies.add(new Stage.Copy(producer, copy.paths(), i.line()));
          stage.rewritten.put(i, copiesOneByOne(i, copy.paths(), copy.below(), reference));
          return;
        }
        ExcludedExport export = ExcludedExport.of(producer.name, i.line(), copy.paths(), copy.patterns(), copy.pivots());
        reference = ExcludedExport.standInName(producer.name, export.key());
        if (standInNameTaken(i, reference, "--parents")) {
          return;
        }
        parentsSources(i, copy.pivots(), heredocs, edits);
        stage.exclusions.add(new Stage.Exclusion(producer, export));
      } else if (!patterns.isEmpty() && !paths.isEmpty()) {
        // (only heredoc sources: nothing of the stage to exclude from)
        ExcludedExport export = ExcludedExport.of(producer.name, i.line(), paths, patterns);
        reference = ExcludedExport.standInName(producer.name, export.key());
        if (standInNameTaken(i, reference, "--exclude")) {
          return;
        }
        stage.exclusions.add(new Stage.Exclusion(producer, export));
      } else {
        stage.producers.add(producer);
        stage.copies.add(new Stage.Copy(producer, paths, i.line()));
      }
    }
    if (!fromFlag.value().equals(reference)) {
      edits.add(new Instruction.Edit(fromFlag.span(), "--from=" + reference));
    }
    if (!edits.isEmpty()) {
      stage.rewritten.put(i, i.applyEdits(edits));
    }
  }

  /**
   * A copy from a FROM ancestor in the same pod meets kaniko's CalculateDependencies too (see the
   * sources of {@link #fromStage}): its sources whose variables this Dockerfile sets are written
   * resolved. One with a variable it does not set stays: the base image's environment, which kaniko
   * reads there too, may set it (a bare {@code ARG NODE_VERSION} over {@code FROM node}).
   */
  private void resolveAncestorSources(Instruction i, List<Instruction.Edit> edits) {
    List<String> args = i.args();
    List<String> replaced = new ArrayList<>(args);
    boolean changed = false;
    boolean json = false;
    for (int k = 0; k < args.size() - 1; k++) {
      String source = args.get(k);
      if (source.indexOf('$') < 0 || HeredocMarker.parse(source) != null || !onlySetVariables(source)) {
        continue;
      }
      Expansion e = expand(source, i);
      if (e == null || !e.resolved() || e.value().indexOf('\n') >= 0 || e.value().indexOf('\r') >= 0
          || e.value().indexOf('\0') >= 0) {
        continue;
      }
      replaced.set(k, writtenResolved(e.value()));
      changed = true;
      json |= e.value().chars().anyMatch(Character::isWhitespace);
    }
    if (changed) {
      replaceSources(i, args, replaced, json, edits);
    }
  }

  /** A source's value as the pod's Dockerfile writes it: an empty one is the stage's root ("" cleans to "."). */
  private static String writtenResolved(String value) {
    return value.isEmpty() ? "/" : WordExpander.escapeLiteral(value, StageTable.expansionEscape());
  }

  private static final java.util.regex.Pattern VARIABLE = java.util.regex.Pattern.compile("\\$\\{?([A-Za-z_][A-Za-z0-9_]*)");

  /**
   * A platform ARG (TARGETARCH, BUILDPLATFORM, ...) that no build argument gives and that the word
   * names, or that reached its value through another variable (its value holds the architecture
   * the plan assumed, which the word as written does not: {@code ARG DIR=dist/${TARGETARCH}}, then
   * {@code $DIR}); kaniko sets those from the node it runs on. Null when there is none.
   */
  private String platformVariable(String word, String value) {
    var m = VARIABLE.matcher(word);
    while (m.find()) {
      String name = m.group(1);
      if (name.matches("(BUILD|TARGET)(PLATFORM|OS|OSVERSION|ARCH|VARIANT)") && !table.buildArgs.containsKey(name)) {
        return name;
      }
    }
    if (word.indexOf('$') >= 0) {
      for (String name : List.of("TARGETARCH", "BUILDARCH")) {
        String arch = table.global.get(name).value();
        if (!table.buildArgs.containsKey(name) && arch != null && !arch.isEmpty() && value.contains(arch)
            && !word.contains(arch)) {
          return name;
        }
      }
    }
    return null;
  }

  /** Whether every variable the word names has a value this Dockerfile (or a build argument) gives it. */
  private boolean onlySetVariables(String word) {
    var m = VARIABLE.matcher(word);
    while (m.find()) {
      if (scope.get(m.group(1)).state() != WordExpander.State.SET) {
        return false;
      }
    }
    return true;
  }

  /**
   * The effective {@code --exclude} patterns of a {@code COPY --from=<stage>} (none: an empty list),
   * or null when the copy is refused (deferred to the stage). BuildKit does not expand variables in
   * them. The producer's pod can exclude only what it exports: a FROM ancestor, built in the
   * consumer's own pod, has no export.
   */
  private List<String> excludePatterns(Instruction i, Flag fromFlag, Stage producer, boolean ancestor) {
    List<String> patterns = excludePatterns(i);
    if (patterns != null && ancestor && !patterns.isEmpty()) {
      stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), i.keyword()
          + " --from=" + fromFlag.value() + " --exclude is not supported here: stage \"" + producer.name + "\" is"
          + " built FROM by this stage, in the same pod, where " + KanikoCapabilities.KANIKO + " would ignore"
          + " --exclude; add a stage FROM " + producer.name + " AS " + producer.name + "-files (it gets a pod of"
          + " its own) and COPY --from=" + producer.name + "-files --exclude=... from it"));
      return null;
    }
    return patterns;
  }

  /**
   * The effective {@code --exclude} patterns of a COPY as written (BuildKit does not expand
   * variables in them), without the empty ones BuildKit skips; null when one is refused (deferred).
   */
  private List<String> excludePatterns(Instruction i) {
    List<Flag> flags = i.flags("exclude");
    if (flags.isEmpty()) {
      return List.of();
    }
    if (flags.size() > Budgets.MAX_EXCLUDE_PATTERNS) {
      throw Budgets.tooLarge(i.line(), i.keyword() + " has " + flags.size() + " --exclude flags, over the limit"
          + " of " + Budgets.MAX_EXCLUDE_PATTERNS);
    }
    List<String> patterns = new ArrayList<>();
    for (Flag f : flags) {
      if (f.value().length() > Budgets.MAX_EXCLUDE_PATTERN_CHARS) {
        throw Budgets.tooLarge(i.line(), i.keyword() + " --exclude pattern of " + f.value().length()
            + " characters, over the limit of " + Budgets.MAX_EXCLUDE_PATTERN_CHARS);
      }
      ExcludePatterns.Parsed parsed = ExcludePatterns.parse(f.value());
      if (parsed == null) {
        continue; // BuildKit skips an empty pattern
      }
      if (parsed.refusal() != null) {
        stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), i.keyword()
            + " --exclude=" + Texts.cut(f.value(), 80, "...") + " is not supported: " + parsed.refusal()));
        return null;
      }
      patterns.add(f.value());
    }
    return patterns;
  }

  /**
   * Whether a cleaned source can be written back as one word: in the shell form white space would
   * split it (the JSON form keeps it); the refusal is deferred to the stage.
   */
  private boolean writable(Instruction i, String source, String cleaned) {
    if (i.isJson() || cleaned.chars().noneMatch(Character::isWhitespace)) {
      return true;
    }
    stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), i.keyword() + " "
        + source + ": StageBuild writes a source with .. cleaned, and this one has white space; use the JSON"
        + " form ([\"src\", \"dest\"]) or write the path without .."));
    return false;
  }

  /** A source's trailing {@code /} or {@code /.}, which cleaning drops. */
  private static String trailing(String path) {
    if (path.endsWith("/.")) {
      return "/.";
    }
    return path.endsWith("/") && path.length() > 1 ? "/" : "";
  }

  private static boolean isAncestor(Stage candidate, Stage of) {
    for (Stage a = of.parent; a != null; a = a.parent) {
      if (a == candidate) {
        return true;
      }
    }
    return false;
  }

  /** The path a source names, for the checks: with --parents, without the pivot's {@code /./}. */
  private static String withoutPivot(String path, boolean parents) {
    return parents ? path.replace("/./", "/") : path;
  }

  /** Context sources X become {@code src/X}; URLs of ADD and heredocs stay as they are. */
  private void fromContext(Instruction i, List<Instruction.Edit> edits) {
    if (i.is("COPY") && parents(i)) {
      List<String> patterns = excludePatterns(i);
      if (patterns == null) {
        return;
      }
      if (!patterns.isEmpty()) {
        stage.defer(parentsWithExclude(i));
        return;
      }
      parentsFromContext(i, edits);
      return;
    }
    if (i.is("COPY") && !i.flags("exclude").isEmpty()) {
      List<String> patterns = excludePatterns(i);
      if (patterns == null) {
        return;
      }
      for (Flag f : i.flags("exclude")) {
        // kaniko would ignore it: the pod copies the sources without what it excludes instead
        edits.add(i.deletion(f.span()));
      }
      if (!patterns.isEmpty() && excludedFromContext(i, patterns, edits)) {
        return;
      }
    }
    List<String> args = i.args();
    List<String> replaced = new ArrayList<>(args);
    boolean changed = false;
    boolean remote = false;
    for (int k = 0; k < args.size() - 1; k++) {
      String source = args.get(k);
      if (HeredocMarker.parse(source) != null) {
        continue;
      }
      Expansion e = expand(source, i);
      String value = e != null && e.resolved() ? e.value() : source;
      if (i.is("ADD") && !value.equals(source)) {
        // a git URL or an archive name the check of the instruction as written could not see
        KanikoCapabilities.gitSourceRefusal(source, value).or(() -> KanikoCapabilities.archiveRefusal(value))
            .ifPresent(why -> stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), why)));
      }
      if (i.is("ADD") && Paths.isRemote(value)) {
        remote = true;
        continue;
      }
      stage.usesContext = true;
      if (e == null) {
        continue;
      }
      if (!e.resolved()) {
        // its value could climb out of the context once the executor substitutes it
        stage.defer(unresolved(i, source, e.unresolved()));
        continue;
      }
      if (Paths.climbs(e.value())) {
        // BuildKit reads a context source against "/": `..` stops at the context root. Written as
        // the value the planner computed, so that the executor cannot take it anywhere else.
        String clamped = Paths.clampRelative(Paths.withoutLeadingSlashes(e.value()));
        if (!writable(i, source, clamped)) {
          continue;
        }
        replaced.set(k, "src/" + WordExpander.escapeLiteral(clamped, StageTable.expansionEscape()));
      } else {
        replaced.set(k, "src/" + contextPath(source));
      }
      changed = true;
    }
    if (changed) {
      replaceSources(i, args, replaced, false, edits);
    }
    if (remote && i.flag("chown").isEmpty()) {
      // BuildKit's download is 0:0 whatever the USER; kaniko's (add.go) belongs to the active USER,
      // since FF_KANIKO_COPY_AS_ROOT is read by COPY only. Local sources of the same ADD are 0:0
      // anyway (they go through COPY), and an archive keeps its entries' owners in both.
      int at = i.flags().isEmpty() ? i.argTextSpan().start() : i.flags().get(0).span().start();
      edits.add(new Instruction.Edit(new Span(at, at), "--chown=0:0 "));
    }
    if (!edits.isEmpty()) {
      stage.rewritten.put(i, i.applyEdits(edits));
    }
  }

  /**
   * A source of a COPY whose copy the pod makes from {@code src/} before the executor runs
   * ({@code --exclude}, {@code --parents}): its value as the plan resolves it, or null with the
   * refusal deferred (a variable unset, a line break, a {@code [!...]}, a platform ARG).
   */
  private String contextCopySource(Instruction i, String source, String flag) {
    stage.usesContext = true;
    Expansion e = expand(source, i);
    if (e == null) {
      return null;
    }
    if (!e.resolved()) {
      stage.defer(unresolved(i, source, e.unresolved()));
      return null;
    }
    String value = e.value();
    if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0 || value.indexOf('\0') >= 0) {
      stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), i.keyword() + " "
          + flag + " copies a path with a line break or NUL character, which StageBuild cannot hand to the pod"
          + " that makes the copy"));
      return null;
    }
    if (Paths.bangClass(value)) {
      stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), i.keyword() + " "
          + source + ": a [!...] in a wildcard is the characters ! and the rest to kaniko and BuildKit (Go's"
          + " filepath.Match), not \"none of them\"; write [^...] for that"));
      return null;
    }
    String platform = platformVariable(source, value);
    if (platform != null) {
      // kaniko would substitute the node's platform; the copy is made from the planner's
      stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), i.keyword() + " "
          + flag + " " + source + ": the pod copies the sources as the plan resolves them, with " + platform
          + "=" + scope.get(platform).value() + " (the plan's platform), while kaniko would take " + platform
          + " from the node it runs on; give " + platform + " in spec.buildArgs, or write the path out"));
      return null;
    }
    return value;
  }

  /**
   * {@code COPY --parents} from the build context ({@link ParentsCopy}): the pod copies each
   * source's matches, with the directories above them, from {@code src/} to {@code exclude/<key>/}
   * before the executor runs ({@link ExcludedExport#ofContextParents}); the COPY, without the flag,
   * copies the contents of each pivot there.
   */
  private void parentsFromContext(Instruction i, List<Instruction.Edit> edits) {
    List<String> args = i.args();
    List<String> values = new ArrayList<>();
    List<String> kept = new ArrayList<>();
    for (int k = 0; k < args.size() - 1; k++) {
      String source = args.get(k);
      if (HeredocMarker.parse(source) != null) {
        kept.add(source);
        continue;
      }
      String value = contextCopySource(i, source, "--parents");
      if (value == null) {
        return;
      }
      values.add(value);
    }
    edits.add(i.deletion(i.flag("parents").orElseThrow().span()));
    for (Flag f : i.flags("exclude")) {
      // (empty, which BuildKit skips)
      edits.add(i.deletion(f.span()));
    }
    if (values.isEmpty()) {
      // only here-documents: --parents changes nothing
      stage.rewritten.put(i, i.applyEdits(edits));
      return;
    }
    ParentsCopy copy = parentsCopy(i, values, kept.isEmpty());
    if (copy == null) {
      return;
    }
    if (copy.oneByOne()) {
      List<String> sources = copy.paths().stream().map(p -> Paths.below("src", p, UnaryOperator.identity())).toList();
      stage.rewritten.put(i, copiesOneByOne(i, sources, copy.below(), null));
      return;
    }
    ExcludedExport export = ExcludedExport.ofContextParents(i.line(), copy);
    String dir = ExcludedExport.contextDirectory(export.key());
    List<String> sources = new ArrayList<>();
    for (String pivot : copy.pivots()) {
      sources.add(Paths.below(dir, pivot, UnaryOperator.identity()));
    }
    parentsSources(i, sources, kept, edits);
    stage.contextExclusions.add(export);
    stage.rewritten.put(i, i.applyEdits(edits));
  }

  /**
   * The sources of a rewritten {@code COPY --parents}: the pivots (escaped, in the JSON form when
   * one has white space), then the here-documents as written, then the destination.
   */
  private void parentsSources(Instruction i, List<String> pivots, List<String> heredocs, List<Instruction.Edit> edits) {
    List<String> args = i.args();
    boolean json = pivots.stream().anyMatch(p -> p.chars().anyMatch(Character::isWhitespace));
    if (json && !i.isJson() && !heredocs.isEmpty()) {
      stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), i.keyword()
          + " --parents: a source with white space must be written in the JSON form, which cannot hold this"
          + " COPY's here-document; copy the here-document with a COPY of its own"));
      return;
    }
    // BuildKit copies each pivot's contents into the destination; kaniko wants one named as a
    // directory ("/" at the end) when there are several sources
    String destination = args.get(args.size() - 1);
    boolean slash = pivots.size() + heredocs.size() > 1 && !destination.endsWith("/");
    // (kaniko expands the words of the JSON form too: the pivots are escaped in both forms)
    List<String> escaped = pivots.stream().map(p -> WordExpander.escapeLiteral(p, StageTable.expansionEscape())).toList();
    if (json || i.isJson()) {
      List<String> replaced = new ArrayList<>(escaped);
      replaced.add(slash ? destination + "/" : destination);
      int start = i.isJson() ? i.jsonSpan().start() : i.argSpans().get(0).start();
      int end = i.isJson() ? i.jsonSpan().end() : i.argSpans().get(args.size() - 1).end();
      edits.add(new Instruction.Edit(new Span(start, end), JsonArray.write(replaced)));
      return;
    }
    // (fewer words than the sources when pivots repeat: the sources' whole span is replaced)
    List<String> words = new ArrayList<>(escaped);
    words.addAll(heredocs);
    Span first = i.argSpans().get(0);
    Span last = i.argSpans().get(args.size() - 2);
    edits.add(new Instruction.Edit(new Span(first.start(), last.end()), String.join(" ", words)));
    if (slash) {
      int end = i.argSpans().get(args.size() - 1).end();
      edits.add(new Instruction.Edit(new Span(end, end), "/"));
    }
  }

  /**
   * A {@code COPY --parents} without wildcards as one COPY per source: each of the paths named
   * ({@code sources}, as the pod's Dockerfile names them) to its place below the destination
   * ({@code below}, relative). The flags stay as written but {@code --parents}, and {@code --from}
   * names {@code from} (null: from the context). One line each; a path with white space makes its
   * COPY the JSON form.
   */
  private String copiesOneByOne(Instruction i, List<String> sources, List<String> below, String from) {
    StringBuilder flags = new StringBuilder();
    for (Flag f : i.flags()) {
      if (f.name().equalsIgnoreCase("parents") || f.name().equalsIgnoreCase("exclude")) {
        // (an --exclude here is empty, which BuildKit skips)
        continue;
      }
      flags.append(f.name().equalsIgnoreCase("from") && from != null ? "--from=" + from
          : i.logical().substring(f.span().start(), f.span().end())).append(' ');
    }
    // The destination as written, for kaniko's word expansion, which reads the JSON form's strings
    // as it reads the shell form's words: the paths planned are escaped in both.
    List<String> args = i.args();
    String destination = args.get(args.size() - 1);
    char escape = StageTable.expansionEscape();
    List<String> lines = new ArrayList<>();
    for (int n = 0; n < sources.size(); n++) {
      String source = WordExpander.escapeLiteral(sources.get(n), escape);
      String target = under(destination, WordExpander.escapeLiteral(below.get(n), escape));
      boolean json = i.isJson() || (sources.get(n) + below.get(n)).chars().anyMatch(Character::isWhitespace);
      lines.add(i.keywordAsWritten() + " " + flags + (json ? JsonArray.write(List.of(source, target)) : source + " " + target));
    }
    return String.join("\n", lines);
  }

  /** {@code rest} below the destination as written (itself when {@code rest} is empty). */
  private static String under(String destination, String rest) {
    if (rest.isEmpty()) {
      return destination;
    }
    return destination.endsWith("/") ? destination + rest : destination + "/" + rest;
  }

  /** Whether a path a COPY --from exports is the running pod's, not the image's (the refusal deferred). */
  private boolean liveOnlyRefused(Instruction i, Flag fromFlag, String what, String path) {
    String live = Paths.liveOnly(path);
    if (live == null) {
      return false;
    }
    stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), i.keyword() + " --from="
        + fromFlag.value() + " " + what + " is not supported: " + live + " in a running stage pod is not the image's ("
        + (live.startsWith("/kaniko") || live.startsWith("/busybox") ? "it is the executor's own directory"
            : "the kubelet or the kernel provides it")
        + "), so StageBuild cannot export it; create the file you need in the stage that uses it"));
    return true;
  }

  /** The COPY --parents of these source values, or null with its refusal deferred. */
  private ParentsCopy parentsCopy(Instruction i, List<String> values, boolean oneByOne) {
    try {
      return ParentsCopy.of(values, oneByOne);
    } catch (ParentsCopy.Refused r) {
      stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), r.getMessage()));
      return null;
    }
  }

  /** Whether a stage of the Dockerfile has the name of a COPY's own stand-in (the refusal deferred). */
  private boolean standInNameTaken(Instruction i, String reference, String flag) {
    if (!table.byUserName.containsKey(reference)) {
      return false;
    }
    stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "StageBuild names the"
        + " stand-in for this COPY " + flag + " \"" + reference + "\", which another stage is called: rename that stage"));
    return true;
  }

  private static boolean parents(Instruction i) {
    return i.flag("parents").map(f -> !f.hasValue() || f.value().equals("true")).orElse(false);
  }

  private static DockerfileException parentsWithExclude(Instruction i) {
    return new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), i.keyword() + " --parents with"
        + " --exclude is not supported (kaniko ignores both; StageBuild builds each on its own): copy with"
        + " --parents, then remove what you do not need in a stage of its own, or name the directories you need");
  }

  /**
   * {@code COPY --exclude=...} from the build context: its sources (variables substituted, cleaned,
   * {@code ..} clamped at the context root as BuildKit reads them) become one context export
   * ({@link ExcludedExport#ofContext}), which the pod copies to {@code exclude/<key>/} without what
   * the patterns exclude relative to each source; the COPY then names the sources there. Returns
   * false when the COPY has no source of the context (only here-documents): nothing to exclude from.
   */
  private boolean excludedFromContext(Instruction i, List<String> patterns, List<Instruction.Edit> edits) {
    List<String> args = i.args();
    List<String> replaced = new ArrayList<>(args);
    List<String> paths = new ArrayList<>();
    List<Integer> sources = new ArrayList<>();
    boolean json = false;
    for (int k = 0; k < args.size() - 1; k++) {
      String source = args.get(k);
      if (HeredocMarker.parse(source) != null) {
        continue;
      }
      String value = contextCopySource(i, source, "--exclude");
      if (value == null) {
        return true;
      }
      paths.add(Paths.cleanAbsolute(value));
      sources.add(k);
      json |= value.chars().anyMatch(Character::isWhitespace);
    }
    if (paths.isEmpty()) {
      return false;
    }
    if (json && !i.isJson() && paths.size() < args.size() - 1) {
      stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), i.keyword()
          + " --exclude: a source with white space must be written in the JSON form, which cannot hold this"
          + " COPY's here-document; copy the here-document with a COPY of its own"));
      return true;
    }
    ExcludedExport export = ExcludedExport.ofContext(i.line(), paths, patterns);
    String dir = ExcludedExport.contextDirectory(export.key());
    for (int n = 0; n < sources.size(); n++) {
      replaced.set(sources.get(n), Paths.below(dir, paths.get(n),
          relative -> WordExpander.escapeLiteral(relative, StageTable.expansionEscape())));
    }
    replaceSources(i, args, replaced, json, edits);
    stage.contextExclusions.add(export);
    stage.rewritten.put(i, i.applyEdits(edits));
    return true;
  }

  /**
   * A literal source is cleaned; one with quotes, escapes or variables keeps its text (Docker
   * processes it at build time), only leading slashes go.
   */
  private String contextPath(String source) {
    if (!WordExpander.isLiteral(source, StageTable.expansionEscape())) {
      return Paths.withoutLeadingSlashes(source);
    }
    String cleaned = Paths.cleanRelative(source);
    return cleaned == null ? Paths.withoutLeadingSlashes(source) : cleaned;
  }

  /** Replaces the source words in place (shell form), or writes the arguments as a JSON array. */
  private static void replaceSources(Instruction i, List<String> args, List<String> replaced,
      boolean json, List<Instruction.Edit> edits) {
    if (json || i.isJson()) {
      int start = i.isJson() ? i.jsonSpan().start() : i.argSpans().get(0).start();
      int end = i.isJson() ? i.jsonSpan().end() : i.argSpans().get(args.size() - 1).end();
      edits.add(new Instruction.Edit(new Span(start, end), JsonArray.write(replaced)));
      return;
    }
    for (int k = 0; k < args.size() - 1; k++) {
      if (!replaced.get(k).equals(args.get(k))) {
        edits.add(new Instruction.Edit(i.argSpans().get(k), replaced.get(k)));
      }
    }
  }

  private DockerfileException unresolved(Instruction i, String word, String variable) {
    if (table.global.get(variable).state() == WordExpander.State.SET) {
      // a global ARG (or a predefined one) reaches a stage only when the stage declares it again
      boolean declared = table.globalArgs.stream().anyMatch(a -> a.keyValues().stream()
          .anyMatch(kv -> kv.key().equals(variable)));
      return new DockerfileException(i.line(), i.keyword() + " " + word + ": variable " + variable
          + " cannot be resolved when planning: it is " + (declared ? "an ARG before the first FROM" : "a predefined ARG")
          + ", which a stage sees only after declaring it; add \"ARG " + variable + "\" to this stage (before line "
          + i.line() + ")");
    }
    return new DockerfileException(i.line(), i.keyword() + " " + word + ": variable " + variable
        + " cannot be resolved when planning (no ARG or ENV of this Dockerfile sets it; it may come"
        + " from the base image's environment); write the value out, or declare it with ARG or ENV");
  }

  /**
   * RUN --mount=type=bind without from= mounts the build context: kaniko copies
   * {@code <context>/<source>} in for the command, so the source is written as {@code src/<source>},
   * clamped at the context root as BuildKit does. {@code from=<stage>} would need another stage's
   * file system in this pod.
   */
  private void run(Instruction i) {
    List<Instruction.Edit> edits = mounts(i);
    boolean document = RunHeredocs.isDocumentAlone(i);
    if (document) {
      RunHeredocs.Rewrite r = RunHeredocs.rewrite(i, shell);
      if (r.refusal() != null) {
        stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), r.refusal()));
        return;
      }
      edits.add(new Instruction.Edit(i.argTextSpan(), r.execForm()));
    }
    if (!edits.isEmpty()) {
      stage.rewritten.put(i, document ? i.applyEditsDroppingHeredocs(edits) : i.applyEdits(edits));
    }
  }

  /** The edits of the RUN's mounts (see {@link #run}). */
  private List<Instruction.Edit> mounts(Instruction i) {
    List<Instruction.Edit> edits = new ArrayList<>();
    List<Flag> flags = i.flags("mount");
    List<String> texts = new ArrayList<>();
    for (Flag f : flags) {
      MountSpec m = MountSpec.parse(f.value());
      String text = mountText(i, f, m);
      if (m.type().equals("bind") || m.type().equals("cache") || m.type().equals("tmpfs")) {
        String absolute = absoluteTarget(i, f, MountSpec.parse(text != null ? text : f.value()));
        text = absolute != null ? absolute : text;
      }
      if (text != null && m.type().equals("tmpfs") && executorsOwn(i, MountSpec.parse(text))) {
        text = null;
      }
      texts.add(text);
      if (text != null) {
        edits.add(new Instruction.Edit(f.span(), "--mount=" + text));
      }
    }
    List<Instruction.Edit> reordered = inBuildKitsOrder(i, flags, texts);
    return reordered != null ? reordered : edits;
  }

  /**
   * The mount flags in the order BuildKit mounts them (sorted by target, client/llb/exec.go), when a
   * mount's target holds the target of one written before it: kaniko sets them up in the order
   * written, so the inner one would be moved aside with the outer one. Null when no such pair is
   * there, or a target is not known (a variable, a relative one left to the base image); two
   * mounts at one target are refused (kaniko moves the first aside under a name made of the target,
   * and the second move fails).
   */
  private List<Instruction.Edit> inBuildKitsOrder(Instruction i, List<Flag> flags, List<String> texts) {
    record Placed(Flag flag, String text, String target) {}
    List<Placed> placed = new ArrayList<>();
    for (int k = 0; k < flags.size(); k++) {
      String text = texts.get(k) != null ? texts.get(k) : flags.get(k).value();
      MountSpec m = MountSpec.parse(text);
      String target = m.field("target", "dst", "destination");
      if (m.type().equals("secret") && (target == null || target.isEmpty())) {
        if (m.field("env") != null) {
          continue; // an environment variable only: no mount
        }
        target = m.secretId() == null ? null : "/run/secrets/" + m.secretId();
      }
      String value = target == null ? null : literal(i, target);
      if (value == null || !value.startsWith("/")) {
        return null;
      }
      placed.add(new Placed(flags.get(k), texts.get(k), Paths.cleanAbsolute(value)));
    }
    Map<String, Placed> byTarget = new HashMap<>();
    for (Placed p : placed) {
      if (byTarget.putIfAbsent(p.target(), p) != null) {
        stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "RUN has two mounts at "
            + p.target() + ": " + KanikoCapabilities.KANIKO + " sets the first aside under a name made of the target"
            + " and fails on the second; mount them at different paths"));
        return null;
      }
    }
    boolean nestedOutOfOrder = false;
    for (int k = 0; k < placed.size() && !nestedOutOfOrder; k++) {
      for (int j = 0; j < k; j++) {
        if (placed.get(j).target().startsWith(placed.get(k).target() + "/")) {
          nestedOutOfOrder = true; // a later mount's target holds an earlier one's
          break;
        }
      }
    }
    if (!nestedOutOfOrder) {
      return null; // mounts apart from each other: the order makes no difference
    }
    List<Placed> sorted = new ArrayList<>(placed);
    sorted.sort(java.util.Comparator.comparing(Placed::target));
    List<Instruction.Edit> edits = new ArrayList<>();
    for (int k = 0; k < placed.size(); k++) {
      Placed p = sorted.get(k);
      edits.add(new Instruction.Edit(placed.get(k).flag().span(), "--mount=" + (p.text() != null ? p.text()
          : written(i, p.flag()).substring("--mount=".length()))));
    }
    return edits;
  }

  /** A mount value's variables substituted (as kaniko does when it runs the RUN), or null when not known here. */
  private String literal(Instruction i, String value) {
    return substituted(i, value, null);
  }

  /**
   * Whether a tmpfs mount's target (written out) is one of the pod's own paths ({@code /dev/shm},
   * {@code /kaniko}) or a directory above one ({@code /etc}, where the kubelet mounts
   * {@code /etc/hosts}): kaniko would move it aside for the command, which fails there or takes the
   * pod's files with it. Refused (deferred) when it is.
   */
  private boolean executorsOwn(Instruction i, MountSpec bind) {
    String target = bind.field("target", "dst", "destination");
    String value = target == null ? null : literal(i, target);
    if (value == null) {
      return false;
    }
    String path = Paths.cleanAbsolute(value);
    String live = Paths.liveOnly(path);
    if (live == null) {
      live = Paths.LIVE_ONLY.stream().filter(l -> l.startsWith(path + "/")).findFirst().orElse(null);
    }
    if (live == null) {
      return false;
    }
    stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "RUN --mount=type=tmpfs,target="
        + target + " is not supported: " + live + " in a stage pod is not the image's (the kubelet, the kernel or the"
        + " executor provides it), and " + KanikoCapabilities.KANIKO + " would move " + path + " aside for the command;"
        + " mount the tmpfs elsewhere"));
    return true;
  }

  /**
   * A relative target of a bind or cache mount: BuildKit joins it to the working directory
   * ({@code dispatchRunMounts}), kaniko uses it as written from its own directory, {@code /}.
   * Returns the mount with the absolute target, or null when it is absolute already (or refused).
   */
  private String absoluteTarget(Instruction i, Flag f, MountSpec m) {
    String target = m.field("target", "dst", "destination");
    // Without one, BuildKit mounts at the working directory (a relative target of ""); kaniko at "",
    // which fails the RUN.
    String written = target == null || target.isEmpty() ? "without a target" : "target=" + target;
    String value = target == null ? "" : target.indexOf('$') >= 0 ? expandedRef(i, target, "--mount " + written) : target;
    if (value == null || value.startsWith("/")) {
      return null;
    }
    if (workdir == null) {
      stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "RUN --mount " + written
          + " is relative: BuildKit mounts it under the working directory, " + KanikoCapabilities.KANIKO
          + " under /, and StageBuild does not know this stage's working directory (its base image's); write"
          + " an absolute target, or set WORKDIR in the Dockerfile"));
      return null;
    }
    String absolute = Paths.cleanAbsolute(workdir + "/" + value);
    if (absolute.equals("/")) {
      stage.defer(new DockerfileException(i.line(), "RUN --mount " + written + ": invalid mount target \"/\""));
      return null;
    }
    if (!writtenAsItReads(i, f) || !rewritable(absolute) || absolute.indexOf(',') >= 0) {
      stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "RUN " + written(i, f)
          + ": StageBuild writes the relative target of this mount as an absolute path (" + absolute + ") and"
          + " needs the mount written without quotes or escape characters, and the path without a $, quote,"
          + " backslash or comma (kaniko reads the value again)"));
      return null;
    }
    String others = m.without("target", "dst", "destination");
    if (m.type().equals("cache") && m.field("id") == null) {
      // BuildKit keys the cache by the target as written (cleaned), before joining it
      others = MountSpec.parse(others).with("id", Paths.cleanRelative(value));
    }
    return MountSpec.parse(others).with("target", absolute);
  }

  /**
   * Refuses a RUN that mounts {@code from=} a variable, which BuildKit's parseMount refuses when
   * kaniko parses the Dockerfile (it has no expander yet; a {@code $} at the very end is no
   * variable): the whole Dockerfile fails, whatever stage is built.
   */
  private static void refuseMountFromVariable(Instruction i) {
    if (!i.is("RUN")) {
      return;
    }
    for (Flag f : i.flags("mount")) {
      for (String[] field : MountSpec.parse(f.value()).fields()) {
        int dollar = field[0].equalsIgnoreCase("from") && field[1] != null ? field[1].indexOf('$') : -1;
        if (dollar >= 0 && dollar != field[1].length() - 1) {
          String from = DockerfileException.abbreviate(field[1]);
          throw new DockerfileException(DockerfileException.Kind.INVALID_DOCKERFILE, i.line(), "RUN --mount"
              + " from=" + from + ": 'from' doesn't support variable expansion, define alias stage instead"
              + " (FROM " + from + " AS <alias>, then from=<alias>)");
        }
      }
    }
  }

  /** Whether a RUN has a mount BuildKit refuses when kaniko runs it ({@link MountCheck}); the error is deferred. */
  private boolean unreadableMount(Instruction i) {
    if (!i.is("RUN")) {
      return false;
    }
    for (Flag f : i.flags("mount")) {
      var problem = MountCheck.problem(MountSpec.parse(f.value()));
      if (problem.isPresent()) {
        stage.defer(new DockerfileException(DockerfileException.Kind.INVALID_DOCKERFILE, i.line(), "RUN --mount: "
            + problem.get() + " (BuildKit's parseMount, as kaniko runs the RUN)"));
        return true;
      }
    }
    return false;
  }

  /** The mount rewritten for kaniko (its source or stage), or null when it stays as written. */
  private String mountText(Instruction i, Flag f, MountSpec m) {
    if (m.type().equals("secret")) {
      return secret(i, f, m);
    }
    if (m.type().equals("tmpfs")) {
      return tmpfs(i, f, m);
    }
    boolean fromContext = m.from() == null || m.from().isEmpty() || m.from().equals("context");
    if (fromContext) {
      if (m.type().equals("bind")) {
        stage.usesContext = true;
        String source = m.source() == null ? "" : m.source();
        String value = source;
        if (source.indexOf('$') >= 0) {
          value = expandedRef(i, source, "--mount source=" + source);
          if (value == null) {
            return null;
          }
        }
        String rewritten = "src/" + Paths.clampRelative(Paths.withoutLeadingSlashes(value));
        if (!rewritable(rewritten)) {
          stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "RUN --mount"
              + " source=" + source + ": a source path with a $, quote or backslash in its value is not supported"
              + " (kaniko reads the rewritten value again); rename it"));
          return null;
        }
        if (refusedAsWritten(i, f, "rewrites the source of a context bind mount")) {
          return null;
        }
        String text = m.with("source", rewritten);
        if (m.from() != null) {
          text = MountSpec.parse(text).without("from");
        }
        return text;
      }
      return null;
    }
    if (!m.type().equals("bind")) {
      return null; // a cache mount's from= is refused by KanikoCapabilities
    }
    String ref = expandedRef(i, m.from(), "--mount from=" + m.from());
    if (ref == null) {
      return null;
    }
    if (isInteger(ref)) {
      // BuildKit looks a mount's from= up by stage name only (convert_runmount.go), then pulls it as
      // an image: from=1 is an image called 1, which no registry serves, so the build fails there.
      stage.defer(new DockerfileException(DockerfileException.Kind.INVALID_DOCKERFILE, i.line(), "RUN --mount"
          + " from=" + m.from() + ": a mount takes a stage by its name, not its index (BuildKit would pull an image"
          + " called " + ref + "); name the stage (FROM ... AS <name>) and write from=<name>"));
      return null;
    }
    Stage producer = table.byUserName.containsKey(StageNames.lower(ref))
        ? producer(ref, i, "RUN --mount=type=bind,from=" + ref) : table.imageMounts.get(m.from());
    if (producer == null) {
      if (m.from().indexOf('$') >= 0) {
        // KanikoCapabilities left a reference with a $ to the planner: it names an image after all
        stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "RUN --mount=type=bind,from="
            + m.from() + " is not supported: " + KanikoCapabilities.KANIKO + " skips bind mounts from an image; add a"
            + " stage FROM " + ref + " and mount that stage instead"));
      }
      return null; // an image: refused by KanikoCapabilities
    }
    return stageMount(i, f, m, producer);
  }

  /**
   * {@code RUN --mount=type=tmpfs}: kaniko skips it. BuildKit mounts an empty tmpfs (root's, mode
   * 1777) over the target for the command, so what it hid is there again after it and nothing
   * written there ends in the layer. kaniko's context bind mount does the same by copying: it moves
   * what the target holds aside, copies the source in, runs the command, then removes the target
   * and moves the original back (run.go). So the mount is written as a bind mount of
   * {@link PodAssembler#TMPFS_DIRECTORY}, which every stage pod keeps empty. The size limit is
   * checked as BuildKit reads it, then dropped (kaniko has no way to bound it). The mount is written
   * read-write, as a tmpfs is, unless it says otherwise; kaniko ignores both on a bind mount.
   */
  private String tmpfs(Instruction i, Flag f, MountSpec m) {
    if (m.from() != null && !m.from().isEmpty()) {
      stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "RUN --mount=type=tmpfs"
          + " with from=" + m.from() + ": a tmpfs mount takes nothing from a stage or image; remove from="));
      return null;
    }
    String source = m.source() == null ? "" : m.source();
    if (!Paths.cleanAbsolute(source).equals("/")) {
      // BuildKit keeps it as the mount's selector, a path inside the new (empty) tmpfs: the RUN fails
      stage.defer(new DockerfileException(DockerfileException.Kind.INVALID_DOCKERFILE, i.line(), "RUN"
          + " --mount=type=tmpfs,source=" + source + ": a tmpfs mount starts empty, BuildKit finds no " + source
          + " in it; remove source="));
      return null;
    }
    // a literal size was checked with the other mount fields (MountCheck); any other is checked here
    String size = m.field("size");
    boolean checked = size == null || MountCheck.isLiteral(size);
    String sizeValue = checked ? size : literal(i, size);
    if (!checked && (sizeValue == null || !GoSize.parses(sizeValue))) {
      stage.defer(sizeValue == null
          ? new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "RUN --mount=type=tmpfs,size="
              + size + ": StageBuild checks the size as BuildKit reads it and cannot resolve it here; write it out")
          : new DockerfileException(DockerfileException.Kind.INVALID_DOCKERFILE, i.line(), "RUN --mount: invalid"
              + " value for size: " + sizeValue + " (BuildKit's parseMount, as kaniko runs the RUN)"));
      return null;
    }
    if (refusedAsWritten(i, f, "writes a tmpfs mount as a bind mount of an empty directory")) {
      return null;
    }
    String others = m.without("type", "size", "source", "src", "from");
    boolean access = m.field("ro", "readonly", "rw", "readwrite") != null;
    return "type=bind" + (others.isEmpty() ? "" : "," + others) + ",source=" + PodAssembler.TMPFS_DIRECTORY
        + (access ? "" : ",rw");
  }

  /**
   * {@code RUN --mount=type=bind,from=<stage>}: kaniko skips it, but mounts from the build context.
   * The producer's pod exports the mount's source and leaves it as the directory
   * {@code mounts/<producer>/} of the context; the mount is written as a context bind mount of
   * that directory, at the same target. Kaniko copies it in for the command and removes it after,
   * so nothing of it ends in the layer. Returns the new mount, or null when refused.
   */
  private String stageMount(Instruction i, Flag f, MountSpec m, Stage producer) {
    if (isAncestor(producer, stage)) {
      stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "RUN --mount with from="
          + m.from() + " is not supported: stage \"" + producer.name + "\" is built FROM by this stage, in the"
          + " same pod, and kaniko cannot mount a stage; use COPY --from=" + m.from() + " <path> <dir> before"
          + " this RUN instead"));
      return null;
    }
    if (refusedAsWritten(i, f, "rewrites a bind mount from a stage")) {
      return null;
    }
    String source = m.source() == null || m.source().isEmpty() ? "/" : m.source();
    String value = source.indexOf('$') >= 0 ? expandedRef(i, source, "--mount source=" + source) : source;
    if (value == null) {
      return null;
    }
    String path = Paths.cleanAbsolute(value);
    String live = Paths.liveOnly(path);
    if (live != null || value.indexOf('$') >= 0 || path.indexOf(',') >= 0 || path.indexOf('"') >= 0) {
      stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "RUN --mount from="
          + m.from() + ",source=" + source + " is not supported: " + (live != null ? live + " in a running stage"
              + " pod is not the image's, so StageBuild cannot export it"
              : "StageBuild cannot write that path into the rewritten mount") + "; mount another path"));
      return null;
    }
    stage.copies.add(new Stage.Copy(producer, List.of(path), i.line()));
    stage.mountsFrom.add(producer);
    String dir = PodAssembler.mountDirectory(producer.name) + (path.equals("/") ? "" : path);
    return MountSpec.parse(m.with("source", dir)).without("from");
  }

  /**
   * A secret mount reads a build secret kaniko gets as {@code --secret id=...}: the id must be
   * written out (the pod is given the secrets its Dockerfile names). An id spec.secrets does not map
   * is skipped, as BuildKit and kaniko skip it ({@code required} defaults to false in both), unless
   * the mount says {@code required}: that build could only fail, so it is refused at once.
   */
  private String secret(Instruction i, Flag f, MountSpec m) {
    String id = m.secretId();
    if (id == null || id.indexOf('$') >= 0) {
      stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "RUN --mount=type=secret"
          + " needs its id written out (id=<id>, without variables): StageBuild gives each pod the secrets"
          + " its Dockerfile names"));
      return null;
    }
    String required = m.unreadableRequired();
    if (required != null) {
      stage.defer(required.indexOf('$') >= 0
          ? new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "RUN --mount=type=secret,required="
              + required + ": write true or false (StageBuild does not expand variables there)")
          : new DockerfileException(DockerfileException.Kind.INVALID_DOCKERFILE, i.line(), "RUN --mount=type=secret:"
              + " invalid value for required: \"" + required + "\" (true or false)"));
      return null;
    }
    String rewritten = secretAsKanikoReadsIt(i, f, m, id);
    if (table.secretIds == null || table.secretIds.contains(id)) {
      return rewritten;
    }
    if (!m.required()) {
      return rewritten; // BuildKit and kaniko skip the mount
    }
    stage.defer(new DockerfileException(DockerfileException.Kind.INVALID_SPEC, i.line(), "RUN --mount=type=secret"
        + " with id " + id + " is required, and spec.secrets has no secret with id " + id + "; add {id: " + id
        + ", secretRef: {name: <Secret>}, key: <key>} to spec.secrets, or drop required from the mount if the"
        + " build does without it"));
    return null;
  }

  /**
   * kaniko reads a secret mount's id from {@code id=} only and mounts it at
   * {@code /run/secrets/<id>}; BuildKit takes the id from {@code source=} first and mounts it at
   * {@code /run/secrets/<last element of the id>}. Returns the mount written so that kaniko reads
   * the same secret into the same file, or null when it does already.
   */
  private String secretAsKanikoReadsIt(Instruction i, Flag f, MountSpec m, String id) {
    boolean sourced = m.field("source", "src") != null;
    boolean nested = id.indexOf('/') >= 0 && m.field("target", "dst", "destination") == null && m.field("env") == null;
    if (!sourced && !nested) {
      return null;
    }
    if (refusedAsWritten(i, f, "writes this secret mount as kaniko reads it (id=" + id + ")")) {
      return null;
    }
    String text = MountSpec.parse(m.without("source", "src")).with("id", id);
    if (nested) {
      String base = id;
      while (base.endsWith("/") && base.length() > 1) {
        base = base.substring(0, base.length() - 1);
      }
      text = MountSpec.parse(text).with("target", "/run/secrets/" + base.substring(base.lastIndexOf('/') + 1));
    }
    return text;
  }

  /** The flag as the Dockerfile writes it ({@code --mount=...}). */
  private static String written(Instruction i, Flag f) {
    return i.logical().substring(f.span().start(), f.span().end());
  }

  /**
   * Defers the refusal of a mount StageBuild rewrites ({@code what}) when the flag is not written as
   * it reads; returns whether it did.
   */
  private boolean refusedAsWritten(Instruction i, Flag f, String what) {
    if (writtenAsItReads(i, f)) {
      return false;
    }
    stage.defer(new DockerfileException(DockerfileException.Kind.UNSUPPORTED, i.line(), "RUN " + written(i, f)
        + ": StageBuild " + what + " and needs it written without quotes or escape characters"));
    return true;
  }

  /**
   * Whether the flag's value is written as it reads (no quotes or escape characters): a rewrite
   * writes the parsed value back, which is exact only then.
   */
  private static boolean writtenAsItReads(Instruction i, Flag f) {
    String written = written(i, f);
    return written.substring(written.indexOf('=') + 1).equals(f.value());
  }
}
