package dev.stagebuild.cli;

import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.ExcludedExport;
import dev.stagebuild.plan.PodPlan;
import dev.stagebuild.plan.StagePlan;
import java.io.PrintStream;
import java.util.List;

/** The human-readable form of a plan. */
final class PlanText {
  private PlanText() {}

  static void print(BuildPlan plan, PrintStream out) {
    out.printf("target %s: %d stage%s, %d pod%s in %d wave%s; build context %s%n", plan.finalPod(),
        plan.stages().size(), plural(plan.stages().size()), plan.pods().size(), plural(plan.pods().size()),
        plan.waves().size(), plural(plan.waves().size()), plan.usesContext() ? "needed" : "not needed");

    out.println();
    out.println("Waves (pods of a wave run at the same time):");
    for (int w = 0; w < plan.waves().size(); w++) {
      out.printf("  %d: %s%n", w, String.join(", ", plan.waves().get(w)));
    }

    out.println();
    out.println("Stages:");
    int width = plan.stages().stream().mapToInt(s -> s.name().length()).max().orElse(0);
    for (StagePlan s : plan.stages()) {
      out.printf("  %-" + width + "s  line %-4d FROM %s%n", s.name(), s.line(), s.from());
      out.printf("  %-" + width + "s  dependsOn: %s; pod: %s%n", "", list(s.dependsOn()), s.pod());
    }

    for (PodPlan p : plan.pods()) {
      out.println();
      out.printf("Pod %s%s: stages %s; dependsOn: %s; build context %s%n", p.name(),
          p.isFinal() ? " (final, pushes)" : "", String.join(" -> ", p.stages()), list(p.dependsOn()),
          p.usesContext() ? "needed" : "not needed");
      out.println("  exports:" + (p.exports().isEmpty() && p.excluded().isEmpty() ? " -" : ""));
      for (String e : p.exports()) {
        out.println("    " + e);
      }
      for (var e : p.excluded()) {
        out.println(copyLine(e, "as " + ExcludedExport.archive(p.name(), e.key())));
      }
      if (!p.contextExcluded().isEmpty()) {
        out.println("  copies from the build context, before the executor runs:");
        for (var e : p.contextExcluded()) {
          out.println(copyLine(e, "to " + ExcludedExport.contextDirectory(e.key()) + "/"));
        }
      }
      out.println("  Dockerfile:");
      p.dockerfile().lines().forEach(line -> out.println("    | " + line));
    }
  }

  private static String list(List<String> items) {
    return items.isEmpty() ? "-" : String.join(", ", items);
  }

  private static String plural(int n) {
    return n == 1 ? "" : "s";
  }

  /** One export of a COPY --exclude or --parents: its paths, where it goes, what it leaves out or copies below. */
  private static String copyLine(ExcludedExport e, String where) {
    boolean parents = !e.pivots().isEmpty();
    String what = parents ? ", copied below: " + String.join(" ", e.pivots())
        + (e.patterns().isEmpty() ? "" : ", keeping only: " + String.join(" ", e.patterns().stream()
            .filter(p -> p.startsWith("!")).map(p -> p.substring(1)).toList()))
        : ", without: " + String.join(" ", e.patterns());
    return "    " + String.join(" ", e.paths()) + " (for the COPY " + (parents ? "--parents" : "--exclude") + " of line "
        + e.line() + ", " + where + what + ")";
  }
}
