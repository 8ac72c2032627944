package dev.stagebuild.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;
import java.util.List;

/**
 * One jar, two uses: {@code plan ...} plans a Dockerfile or StageBuild with no cluster and without
 * starting the operator; anything else runs the operator.
 */
@QuarkusMain
public final class Main {
  private Main() {}

  public static void main(String... args) {
    if (args.length > 0 && "plan".equals(args[0])) {
      List<String> rest = Arrays.asList(args).subList(1, args.length);
      System.exit(PlanCommand.run(rest, System.out, System.err));
    }
    Quarkus.run(args);
  }
}
