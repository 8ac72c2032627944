package dev.stagebuild.cli;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;
import java.util.Arrays;

/**
 * The jar's entry point: {@link Cli} runs the command named by the first argument; only
 * {@code operator} starts Quarkus (the operator, its informers and HTTP endpoints), and only
 * after a cheap probe found a cluster.
 */
@QuarkusMain
public final class Main {
  private Main() {}

  public static void main(String... args) {
    int code = Cli.standard().run(Arrays.asList(args), System.in, System.out, System.err);
    if (code == Cli.START_OPERATOR) {
      Quarkus.run();
      return;
    }
    System.exit(code);
  }
}
