package dev.stagebuild.plan;

import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.dockerfile.Instruction;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One stage of the Dockerfile, and what the analysis of its instructions found. */
final class Stage {
  /** A {@code COPY --from=<stage>}: the stage it copies from, the paths it copies, its line. */
  record Copy(Stage producer, List<String> paths, int line) {}

  /**
   * A {@code COPY --from=<stage> --exclude=...}: the producer exports its sources once more,
   * without what the patterns exclude, for a stand-in of their own.
   */
  record Exclusion(Stage producer, ExcludedExport export) {}

  final int index;
  final String name;
  final boolean named;
  final Instruction from;
  final List<Instruction> body = new ArrayList<>();

  /** The FROM operand after the global ARGs are substituted. */
  String base;
  /** The earlier stage this one is FROM, or null for an image. */
  Stage parent;

  /** Variables at the end of the stage: what a stage FROM this one starts with. */
  Scope scope;
  /** Its SHELL at the end of the stage as the Dockerfile sets it (null: not set here). */
  java.util.List<String> shell;
  /** Its working directory at the end of the stage, absolute; null when its base image's decides it. */
  String workdir;
  /** Stages outside its FROM chain this one copies from, in the order of first use. */
  final Set<Stage> producers = new LinkedHashSet<>();
  /** FROM ancestors this one copies from: built in the same pod, so neither exported nor waited for. */
  final Set<Stage> ancestorsCopiedFrom = new LinkedHashSet<>();
  final List<Copy> copies = new ArrayList<>();
  /**
   * Stages of other pods this one bind-mounts from (RUN --mount=type=bind,from=<stage>): waited
   * for and exported, but no stand-in (the mount reads the exports as a context directory).
   */
  final Set<Stage> mountsFrom = new LinkedHashSet<>();

  /** Its {@code COPY --from=<stage> --exclude=...} of stages of other pods, in order. */
  final List<Exclusion> exclusions = new ArrayList<>();

  /**
   * Its {@code COPY --exclude=...} from the build context, in order: the pod that builds the stage
   * copies their sources, without what the patterns exclude, to {@code exclude/<key>/} of the
   * context before the executor runs (see {@link ExcludedExport#contextDirectory}).
   */
  final List<ExcludedExport> contextExclusions = new ArrayList<>();

  /** Stages of other pods this one needs built first: what it copies from or mounts. */
  Set<Stage> dependencies() {
    if (mountsFrom.isEmpty() && exclusions.isEmpty()) {
      return producers;
    }
    Set<Stage> all = new LinkedHashSet<>(producers);
    all.addAll(mountsFrom);
    exclusions.forEach(e -> all.add(e.producer()));
    return all;
  }
  /** Lines written after the stage's last instruction (the VOLUMEs the rewrite moves there). */
  final List<String> trailer = new ArrayList<>();
  /** Body instructions whose text the rewrite changes. */
  final Map<Instruction, String> rewritten = new IdentityHashMap<>();
  boolean usesContext;
  /** The first problem that matters only when the stage is built. */
  DockerfileException deferred;

  Stage(int index, String name, boolean named, Instruction from) {
    this.index = index;
    this.name = name;
    this.named = named;
    this.from = from;
  }

  void defer(DockerfileException problem) {
    if (deferred == null) {
      deferred = problem;
    }
  }

  String textOf(Instruction instruction) {
    return rewritten.getOrDefault(instruction, instruction.source());
  }

  @Override
  public String toString() {
    return name;
  }
}
