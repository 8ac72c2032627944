package dev.stagebuild.plan;

import dev.stagebuild.Texts;
import dev.stagebuild.dockerfile.Flag;
import dev.stagebuild.dockerfile.Instruction;
import dev.stagebuild.dockerfile.StageNames;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What the kaniko executor StageBuild ships (the osscontainertools fork, v1.28.3) does with each
 * Dockerfile construct, in one place. A construct is either built as BuildKit builds it (natively,
 * or because the planner rewrites it into something kaniko does exactly), or refused here with
 * the instruction's line and what to write instead. Nothing reaches kaniko that it would ignore.
 *
 * <p>Read from the fork's source at v1.28.3:
 * <ul>
 *   <li>{@code pkg/commands/run.go}: every RUN flag other than {@code --mount} is logged with a
 *       warning and ignored ({@code --network}, {@code --security}, ...); {@code type=cache} is a
 *       directory under {@code /kaniko/caches} keyed by {@code id} (else the target), {@code from}
 *       and {@code source} ignored; {@code type=secret} is read from {@code --secret id=...};
 *       {@code type=bind} without {@code from} copies {@code <context>/<source>} in for the command
 *       and removes it after, {@code from=<stage>} is skipped with a warning (the planner rewrites
 *       it into a context bind mount of the producer's exports); every other type
 *       ({@code tmpfs}, {@code ssh}) is skipped with a warning (the planner writes a tmpfs mount as a
 *       context bind mount of an empty directory). A relative mount target is taken
 *       from {@code /} (the executor's directory), where BuildKit joins it to the working directory
 *       (the planner writes it absolute). A command that is one
 *       here-document alone ({@code RUN <<EOF}) is run as {@code <<EOF sh}, so the outer shell
 *       expands the document first, and not at all for other forms of the marker (the planner
 *       writes it in exec form, see {@link RunHeredocs}).
 *   <li>{@code pkg/commands/copy.go}, {@code add.go}: {@code --parents}, {@code --exclude},
 *       {@code --link} are parsed (by BuildKit's parser) and never read; ADD's {@code --checksum},
 *       {@code --keep-git-dir}, {@code --unpack} neither, and ADD has no git sources. The planner
 *       emulates {@code COPY --exclude} from a stage and from the context (see {@link ExcludePatterns}).
 *   <li>{@code pkg/commands/healthcheck.go}: {@code --start-interval} is not carried into the image.
 *   <li>{@code pkg/config/featureflags.go}: heredoc bodies of COPY/ADD are expanded only with
 *       {@code FF_KANIKO_EXPAND_HEREDOC}, which every stage pod sets.
 * </ul>
 *
 * <p>{@link #refusal} looks at one instruction as written (or as rewritten for a pod), so the
 * end-to-end stand-in for kaniko can apply the same model to the Dockerfiles it runs.
 */
public final class KanikoCapabilities {
  /** The executor version this model was read from. */
  public static final String KANIKO = "kaniko v1.28.3";

  /**
   * The instructions that write the stage's file system: what a VOLUME before them in the stage
   * would hide from kaniko's snapshot (volume.go).
   */
  public static final Set<String> WRITES_FILES = Set.of("RUN", "COPY", "ADD", "WORKDIR");

  /** RUN --mount types kaniko implements. */
  static final Set<String> MOUNT_TYPES = Set.of("bind", "cache", "secret");

  private KanikoCapabilities() {}

  /**
   * Why kaniko cannot build this instruction as BuildKit would, with what to write instead; empty
   * when it can (possibly after the planner's rewrite, which this method does not need).
   *
   * @param stageMountsAllowed whether this is the original Dockerfile, whose {@code RUN
   *     --mount=type=bind,from=<stage>}, {@code COPY --from=<stage> --exclude}, {@code RUN <<EOF} and
   *     EXPOSE words BuildKit normalizes the planner rewrites (or refuses); in a pod's Dockerfile (or
   *     an ONBUILD trigger, which runs as written) they must be gone
   * @param stageNames lower-case stage names of the Dockerfile the instruction is in
   */
  public static Optional<String> refusal(Instruction i, boolean stageMountsAllowed, Set<String> stageNames) {
    return switch (i.keyword()) {
      case "RUN" -> run(i, stageMountsAllowed, stageNames);
      case "COPY", "ADD" -> copy(i, stageMountsAllowed, stageNames);
      case "USER" -> java.util.regex.Pattern.compile("\\$\\{[^}]*:[-+?]").matcher(i.argText()).find()
          ? Optional.of("USER " + i.argText() + " is not supported: " + KANIKO + " splits USER at ':' before it"
              + " substitutes variables (user.go) and fails on ${VAR:-default}; set the value with ARG or ENV"
              + " (ARG APP_UID=1000, then USER $APP_UID)")
          : Optional.empty();
      case "EXPOSE" -> stageMountsAllowed ? Optional.empty() : Optional.ofNullable(ExposedPorts.recordedOtherwise(i.args()))
          .map(w -> "EXPOSE " + w + " is not supported as written: " + KANIKO + " records the word itself (expose.go),"
              + " BuildKit the ports it reads; write one port a word, as <port> or <port>/udp (EXPOSE 8080 9090/udp)");
      case "MAINTAINER" -> Optional.of("MAINTAINER is not supported: " + KANIKO + " skips it (BuildKit sets the"
          + " image's author); use LABEL org.opencontainers.image.authors=\"" + i.argText() + "\" instead");
      case "HEALTHCHECK" -> i.flag("start-interval").map(f -> "HEALTHCHECK --start-interval is not supported: "
          + KANIKO + " drops it from the image config (pkg/commands/healthcheck.go keeps interval, timeout,"
          + " start-period and retries); remove it");
      default -> Optional.empty();
    };
  }

  /**
   * Whether the instruction only sets the stage's image config, in a way {@link #refusal} refuses
   * (MAINTAINER, HEALTHCHECK --start-interval): in a stage whose config the result does not take (a
   * stage only copied or mounted from), leaving it out builds the same image.
   */
  public static boolean configOnly(Instruction i) {
    return i.is("MAINTAINER") || i.is("HEALTHCHECK");
  }

  private static Optional<String> run(Instruction i, boolean stageMountsAllowed, Set<String> stageNames) {
    if (!stageMountsAllowed && RunHeredocs.isDocumentAlone(i)) {
      return Optional.of("RUN " + i.argText() + ": " + KANIKO + " runs a here-document that is the whole"
          + " command as \"<<EOF sh\", so the outer shell substitutes its $VAR and $(...) first and SHELL and #!"
          + " are ignored (other forms of the marker run nothing); BuildKit runs the document itself");
    }
    for (Flag f : i.flags()) {
      String name = f.name().toLowerCase(Locale.ROOT);
      switch (name) {
        case "mount" -> {
          Optional<String> m = mount(f, stageMountsAllowed, stageNames);
          if (m.isPresent()) {
            return m;
          }
        }
        case "network" -> {
          if (!f.value().equals("default")) {
            return Optional.of("RUN --network=" + f.value() + " is not supported: " + KANIKO + " ignores the"
                + " flag and runs the command with the pod's network; remove the flag (the pod's network is"
                + " what --network=default gives)");
          }
        }
        case "security" -> {
          if (!f.value().equals("sandbox")) {
            return Optional.of("RUN --security=" + f.value() + " is not supported: " + KANIKO + " ignores the"
                + " flag and runs the command unprivileged; remove the flag");
          }
        }
        default -> {
          return Optional.of("RUN --" + f.name() + " is not supported: " + KANIKO + " ignores the flag;"
              + " remove it");
        }
      }
    }
    return Optional.empty();
  }

  private static Optional<String> mount(Flag f, boolean stageMountsAllowed, Set<String> stageNames) {
    MountSpec m = MountSpec.parse(f.value());
    String type = m.type();
    if (type.equals("tmpfs") && stageMountsAllowed) {
      return Optional.empty(); // the planner writes it as a context bind mount of an empty directory
    }
    if (!MOUNT_TYPES.contains(type)) {
      String instead = switch (type) {
        case "tmpfs" -> "write the files to a directory the same RUN removes before it ends"
            + " (kaniko would keep them in the layer)";
        case "ssh" -> "fetch what needs SSH in the source (spec.source.git with a secretRef) or with a"
            + " build secret (--mount=type=secret)";
        default -> "remove it";
      };
      return Optional.of("RUN --mount=type=" + type + " is not supported: " + KANIKO + " skips the mount"
          + " with a warning and runs the command without it; " + instead);
    }
    String target = m.field("target", "dst", "destination");
    if (!stageMountsAllowed && !type.equals("secret") && target != null && !target.isEmpty()
        && !target.startsWith("/") && target.indexOf('$') < 0) {
      return Optional.of("RUN --mount target=" + target + " is relative: " + KANIKO + " mounts it under /,"
          + " BuildKit under the working directory");
    }
    if (!stageMountsAllowed && type.equals("secret")) {
      String id = m.field("id");
      if (m.field("source", "src") != null) {
        return Optional.of("RUN --mount=type=secret with source=: " + KANIKO + " reads the secret named by id=,"
            + " BuildKit the one named by source=");
      }
      if (id != null && id.indexOf('/') >= 0 && m.field("target", "dst", "destination") == null
          && m.field("env") == null) {
        return Optional.of("RUN --mount=type=secret,id=" + id + " without a target: " + KANIKO + " mounts it at"
            + " /run/secrets/" + id + ", BuildKit at /run/secrets/ and the id's last element");
      }
    }
    String from = m.from();
    boolean hasFrom = from != null && !from.isEmpty() && !from.equals("context");
    if (type.equals("cache")) {
      if (hasFrom || m.source() != null) {
        return Optional.of("RUN --mount=type=cache with " + (hasFrom ? "from=" + from : "source=" + m.source())
            + " is not supported: " + KANIKO + " ignores from= and source= of a cache mount and starts"
            + " with an empty cache; seed the cache in the same RUN (cp -a from a COPY'd directory)");
      }
    } else if (type.equals("bind") && hasFrom) {
      // a reference made of variables is resolved (or refused) by the planner
      boolean stage = namesStage(from, stageNames);
      if (!stage && stageMountsAllowed && from.equals("scratch")) {
        return Optional.of("RUN --mount=type=bind,from=scratch mounts an empty directory; write"
            + " --mount=type=tmpfs,target=<dir> for that");
      }
      String problem = stage || !stageMountsAllowed ? null : StageTable.imageReferenceProblem(from);
      if (!stage && stageMountsAllowed && problem == null) {
        return Optional.empty(); // the planner adds a stage FROM the image and mounts that
      }
      if (problem != null) {
        return Optional.of("RUN --mount=type=bind,from=" + from + ": no stage of this Dockerfile has that name, and"
            + " it is no image reference either (" + problem + ")");
      }
      if (!stage) {
        return Optional.of("RUN --mount=type=bind,from=" + from + " is not supported: " + KANIKO + " skips"
            + " bind mounts from an image; add a stage FROM " + from + " and mount that stage instead");
      }
      if (!stageMountsAllowed) {
        return Optional.of("RUN --mount=type=bind,from=" + from + ": " + KANIKO + " skips bind mounts"
            + " from another stage with a warning");
      }
    }
    return Optional.empty();
  }

  private static Optional<String> copy(Instruction i, boolean original, Set<String> stageNames) {
    String k = i.keyword();
    for (Flag f : i.flags()) {
      String name = f.name().toLowerCase(Locale.ROOT);
      switch (name) {
        case "parents" -> {
          if (!f.hasValue() || f.value().equals("true")) {
            Optional<String> p = parents(i, original, stageNames);
            if (p.isPresent()) {
              return p;
            }
          }
        }
        case "exclude" -> {
          Optional<String> e = exclude(i, f, original, stageNames);
          if (e.isPresent()) {
            return e;
          }
        }
        case "checksum" -> {
          return Optional.of("ADD --checksum is not supported: " + KANIKO + " does not verify it; download"
              + " with RUN and check the digest there (echo \"<sha256>  file\" | sha256sum -c)");
        }
        case "keep-git-dir", "unpack" -> {
          return Optional.of("ADD --" + f.name() + " is not supported: " + KANIKO + " ignores it; fetch the"
              + " files with RUN instead");
        }
        case "chown" -> {
          if (f.value().startsWith(":")) {
            return Optional.of(k + " --chown=" + f.value() + " is not supported: " + KANIKO + " fails on a group"
                + " without a user (BuildKit takes user 0); write --chown=0" + f.value());
          }
        }
        default -> {
          // --from, --chmod as BuildKit; --link only changes how layers are stacked
        }
      }
    }
    if (!original && i.is("COPY")) {
      Optional<String> predefined = predefinedInStageSource(i, stageNames);
      if (predefined.isPresent()) {
        return predefined;
      }
    }
    if (i.is("ADD")) {
      for (String source : i.args().subList(0, Math.max(0, i.args().size() - 1))) {
        Optional<String> git = gitSourceRefusal(source, source);
        if (git.isPresent()) {
          return git;
        }
        Optional<String> archive = archiveRefusal(source);
        if (archive.isPresent()) {
          return archive;
        }
      }
      if (!original && i.flag("chown").isEmpty() && i.args().stream().limit(Math.max(0, i.args().size() - 1))
          .anyMatch(Paths::isRemote)) {
        return Optional.of("ADD <url> without --chown: " + KANIKO + " gives the download to the active USER,"
            + " BuildKit to 0:0");
      }
    }
    return Optional.empty();
  }

  private static final java.util.regex.Pattern PREDEFINED_PLATFORM_ARG =
      java.util.regex.Pattern.compile("(?<!\\\\)\\$\\{?(TARGET|BUILD)(PLATFORM|OS|ARCH|VARIANT)(?![A-Za-z0-9_])");

  /**
   * {@code COPY --from=<stage> .../app-$TARGETARCH}: kaniko picks the files a stage keeps for later
   * stages before it builds any ({@code CalculateDependencies}), without the predefined ARGs, so it
   * keeps {@code .../app-} and the COPY finds nothing (kaniko issue 2593). The planner writes such
   * sources resolved; one left in a pod's Dockerfile fails the pod.
   */
  private static Optional<String> predefinedInStageSource(Instruction i, Set<String> stageNames) {
    Optional<Flag> from = i.flag("from").filter(f -> isInteger(f.value())
        || stageNames.contains(StageNames.lower(f.value())));
    if (from.isEmpty()) {
      return Optional.empty();
    }
    for (String source : i.args().subList(0, Math.max(0, i.args().size() - 1))) {
      var m = PREDEFINED_PLATFORM_ARG.matcher(source);
      if (m.find()) {
        return Optional.of("COPY --from=" + from.get().value() + " " + source + ": " + KANIKO + " chooses the files"
            + " it keeps of a stage for later ones without " + m.group(1) + m.group(2) + " (CalculateDependencies)"
            + " and the COPY finds none; write the path out");
      }
    }
    return Optional.empty();
  }

  /**
   * ADD of a local xz or zstd file: kaniko takes it for an archive ({@code fileIsCompressedTar})
   * and stops ("unsupported compression algorithm", {@code tar_util.go}); BuildKit unpacks it.
   * Known by the name only: kaniko reads the content.
   */
  static Optional<String> archiveRefusal(String source) {
    String lower = source.toLowerCase(Locale.ROOT);
    if (!Paths.isRemote(source) && (lower.endsWith(".xz") || lower.endsWith(".txz") || lower.endsWith(".zst")
        || lower.endsWith(".tzst"))) {
      return Optional.of("ADD " + source + " is not supported: " + KANIKO + " takes an xz or zstd file for an"
          + " archive and cannot unpack it (the executor stops); COPY it and unpack it in a RUN (tar -xf)");
    }
    return Optional.empty();
  }

  /**
   * {@code --exclude}: kaniko ignores it. The planner emulates it for {@code COPY --from=<stage>} and
   * COPY from the build context of the original Dockerfile (the producer's pod, or the pod that
   * copies from the context, exports the sources without what the patterns exclude, and the flag is
   * dropped), and refuses what it cannot emulate with the line; every other copy is refused here.
   */
  private static Optional<String> exclude(Instruction i, Flag f, boolean original, Set<String> stageNames) {
    String k = i.keyword();
    String what = k + " --exclude=" + Texts.cut(f.value(), 80, "...") + " is not supported: " + KANIKO
        + " ignores it and would copy the excluded files too";
    Optional<Flag> from = i.is("COPY") ? i.flag("from").filter(g -> !g.value().isEmpty()) : Optional.empty();
    if (from.isEmpty()) {
      if (original && i.is("COPY")) {
        return Optional.empty(); // the planner's: the pod copies the sources without what it excludes
      }
      return Optional.of(what + (i.is("COPY") ? " (from the build context)" : "; COPY the files with --exclude"
          + " (which StageBuild emulates), then unpack or fetch them with RUN"));
    }
    String ref = from.get().value();
    if (!namesStage(ref, stageNames)) {
      return Optional.of(fromImage(what, ref, "--exclude=...", "emulates"));
    }
    if (!original) {
      return Optional.of(what + " (from another stage)");
    }
    return Optional.empty(); // the planner's (StageAnalyzer)
  }

  /** A refusal of a COPY flag from an image: the planner handles it only from a stage, so name one. */
  private static String fromImage(String what, String image, String flag, String verb) {
    return what + " (from the image " + image + "); add a stage FROM " + image + " AS <name> and COPY --from=<name> "
        + flag + " from it, which StageBuild " + verb;
  }

  /** Whether a --from word names a stage (or may, through a variable the planner resolves), not an image. */
  private static boolean namesStage(String ref, Set<String> stageNames) {
    return ref.indexOf('$') >= 0 || stageNames.contains(StageNames.lower(ref)) || isInteger(ref);
  }

  /**
   * {@code COPY --parents}: kaniko ignores it. From the build context or another stage, the planner
   * builds it ({@link ParentsCopy}); from an image, nothing can.
   */
  private static Optional<String> parents(Instruction i, boolean original, Set<String> stageNames) {
    String k = i.keyword();
    String what = k + " --parents is not supported: " + KANIKO + " ignores it and would copy the sources"
        + " without their parent directories";
    Optional<Flag> from = i.flag("from").filter(g -> !g.value().isEmpty());
    if (from.isPresent() && !namesStage(from.get().value(), stageNames)) {
      String ref = from.get().value();
      return Optional.of(fromImage(what, ref, "--parents", "builds"));
    }
    if (!original) {
      return Optional.of(what);
    }
    return Optional.empty(); // the planner's (StageAnalyzer)
  }

  /**
   * ADD of a git repository: BuildKit clones it, kaniko downloads the URL as a file.
   *
   * @param written the source as the Dockerfile writes it
   * @param value the source once its variables are substituted (the same when it has none)
   */
  static Optional<String> gitSourceRefusal(String written, String value) {
    if (!isGitSource(value)) {
      return Optional.empty();
    }
    return Optional.of("ADD " + written + (written.equals(value) ? "" : " (" + value + ")") + " is not supported: "
        + KANIKO + " has no git sources for ADD (it would download the URL as a file); clone it with RUN git"
        + " clone, or build from it as spec.source.git");
  }

  /**
   * The sources BuildKit's ADD reads as a git repository: git://, git@ and ssh:// URLs, and HTTP(S)
   * URLs whose path ends in .git, with a #ref fragment or (Dockerfile 1.18) ?ref=... query parameters
   * (BuildKit's ParseGitRef looks at the URL's path alone).
   */
  static boolean isGitSource(String source) {
    String s = source;
    if (s.length() >= 2 && (s.charAt(0) == '"' || s.charAt(0) == '\'') && s.charAt(s.length() - 1) == s.charAt(0)) {
      s = s.substring(1, s.length() - 1);
    }
    if (s.startsWith("git://") || s.startsWith("git@") || s.startsWith("ssh://")) {
      return true;
    }
    if (!s.startsWith("http://") && !s.startsWith("https://")) {
      return false;
    }
    // the path: after the host, before the query and the fragment
    int hostStart = s.indexOf("://") + 3;
    int end = s.length();
    for (char c : new char[] {'#', '?'}) {
      int at = s.indexOf(c, hostStart);
      if (at >= 0 && at < end) {
        end = at;
      }
    }
    int pathStart = s.indexOf('/', hostStart);
    String path = pathStart < 0 || pathStart > end ? "" : s.substring(pathStart, end);
    return path.endsWith(".git");
  }

  /** kaniko reads a numeric stage reference with Go's strconv.Atoi, as the planner does. */
  private static boolean isInteger(String s) {
    return StageTable.isInteger(s);
  }
}
