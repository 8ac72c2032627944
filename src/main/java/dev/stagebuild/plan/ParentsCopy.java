package dev.stagebuild.plan;

import java.util.ArrayList;
import java.util.List;

/**
 * A {@code COPY --parents} as BuildKit copies it (dockerfile2llb's convert_copy.go): each source
 * is cut at its first {@code /./} into a pivot directory and a pattern below it (without one, the
 * pivot is the root and the pattern the whole source); the COPY copies the pivot's contents, of
 * them only the pattern's matches and the directories above them (those it creates take the
 * source's mode and the --chown owner; those the destination has stay as they are). kaniko ignores
 * the flag, so:
 * <ul>
 *   <li>without wildcards, each source becomes a COPY of its own, of the path it names to that
 *       path below the destination: kaniko then touches no directory above it that exists;</li>
 *   <li>with wildcards (the matches are known only when the pod runs), StageBuild exports the
 *       matches with their parent directories ({@link ExcludedExport} without patterns) and the
 *       COPY, without the flag, copies the pivots' contents from that export. kaniko then also gives
 *       the directories above the matches that the destination has the owner of the source's (or
 *       the --chown), as it does for the destination of any COPY of a directory.</li>
 * </ul>
 *
 * @param paths each source's pivot and pattern joined, absolute and cleaned (the pattern's
 *     {@code ..} stops at its pivot, as BuildKit normalizes it), in the COPY's order
 * @param pivots the distinct pivots, absolute and cleaned, in the order of their first source
 * @param below each source's pattern, relative to its pivot ("" for the pivot itself), in the
 *     COPY's order: where its match goes below the destination
 * @param oneByOne whether each source names one path (no wildcard), which StageBuild copies with
 *     a COPY of its own to that path below the destination: false also beside a here-document
 * @param patterns with a {@code **}: the {@code --exclude} patterns that prune the pivot (its only
 *     path) to what the sources match ({@code **}, then {@code !<pattern>} for each); else empty
 */
record ParentsCopy(List<String> paths, List<String> pivots, List<String> below, boolean oneByOne, List<String> patterns) {

  /** A source StageBuild cannot copy with its parents; the message says why. */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * @param sources the sources' values, variables substituted, in the COPY's order (no heredocs)
   * @param alone whether a COPY per source may copy them (no here-document beside them): without
   *     wildcards, each path is then copied alone (at most {@link Budgets#MAX_PARENTS_COPIES})
   * @throws Refused for a wildcard in a pivot; copied as one export, two pivots one inside the other
   *     (the contents of the outer one would hold the other's paths); with {@code **}, two pivots or
   *     a pattern the {@code --exclude} machinery cannot match exactly
   */
  static ParentsCopy of(List<String> sources, boolean alone) {
    List<String> paths = new ArrayList<>();
    List<String> pivots = new ArrayList<>();
    List<String> below = new ArrayList<>();
    boolean literal = true;
    for (String source : sources) {
      int cut = source.indexOf("/./");
      String pivot = cut < 0 ? "/" : Paths.cleanAbsolute(source.substring(0, cut));
      String pattern = Paths.cleanAbsolute(cut < 0 ? source : source.substring(cut + 3));
      if (cut >= 0 && hasWildcard(source.substring(0, cut))) {
        throw new Refused("COPY --parents " + source + ": a wildcard before the /./ is not supported (StageBuild"
            + " copies below named directories); write the directory out, or use a COPY --parents for each");
      }
      paths.add(pattern.equals("/") ? pivot : pivot.equals("/") ? pattern : pivot + pattern);
      below.add(pattern.substring(1));
      literal &= !hasWildcard(pattern);
      if (!pivots.contains(pivot)) {
        pivots.add(pivot);
      }
    }
    if (below.stream().anyMatch(q -> q.contains("**"))) {
      return withDoubleStars(sources, pivots, below);
    }
    // (one COPY per source copies each path alone: nested pivots matter only to the export's contents)
    for (String outer : literal && alone ? List.<String>of() : pivots) {
      for (String inner : pivots) {
        if (!outer.equals(inner) && (outer.equals("/") || inner.startsWith(outer + "/"))) {
          throw new Refused("COPY --parents copies below " + outer + " and below " + inner + ", one inside the"
              + " other, which StageBuild cannot keep apart: copy them with a COPY --parents each");
        }
      }
    }
    if (literal && alone && sources.size() > Budgets.MAX_PARENTS_COPIES) {
      throw new Refused("COPY --parents names " + sources.size() + " paths, which StageBuild would copy with a COPY"
          + " (a layer) each, over the limit of " + Budgets.MAX_PARENTS_COPIES + ": split it, or name them with a"
          + " wildcard (copied as one)");
    }
    return new ParentsCopy(List.copyOf(paths), List.copyOf(pivots), List.copyOf(below), literal && alone, List.of());
  }

  /**
   * A {@code **} (any number of directories to BuildKit's patternmatcher, one name to the pod's
   * walk, as to Go's filepath.Match): the pivot is exported whole and then pruned with the
   * {@code --exclude} machinery, {@code **} excluded and each pattern re-included, which is what an
   * include pattern keeps (a match, what is inside a matched directory, the directories above a
   * match). The patterns apply to every source, so all must have the same pivot.
   */
  private static ParentsCopy withDoubleStars(List<String> sources, List<String> pivots, List<String> below) {
    if (pivots.size() > 1) {
      throw new Refused("COPY --parents with ** copies below one directory only, and this one copies below "
          + String.join(" and ", pivots) + ": copy each with a COPY --parents of its own");
    }
    List<String> patterns = new ArrayList<>();
    if (!below.contains("")) {
      // (a source that is the pivot itself keeps all of it: nothing to prune)
      patterns.add("**");
      for (int n = 0; n < below.size(); n++) {
        String pattern = "!" + below.get(n);
        if (pattern.length() > Budgets.MAX_EXCLUDE_PATTERN_CHARS || patterns.size() >= Budgets.MAX_EXCLUDE_PATTERNS) {
          throw new Refused("COPY --parents with ** has too many or too long sources, over the limits of "
              + Budgets.MAX_EXCLUDE_PATTERNS + " and " + Budgets.MAX_EXCLUDE_PATTERN_CHARS + " characters");
        }
        ExcludePatterns.Parsed parsed = ExcludePatterns.parse(pattern);
        if (parsed == null || parsed.refusal() != null) {
          throw new Refused("COPY --parents " + sources.get(n) + " is not supported with **: "
              + (parsed == null ? "an empty pattern" : parsed.refusal()));
        }
        patterns.add(pattern);
      }
    }
    return new ParentsCopy(List.copyOf(pivots), List.copyOf(pivots), List.copyOf(below), false, List.copyOf(patterns));
  }

  /** Go's filepath.Match special characters, as BuildKit's containsWildcards finds them. */
  private static boolean hasWildcard(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\') {
        i++;
      } else if (c == '*' || c == '?' || c == '[') {
        return true;
      }
    }
    return false;
  }
}
