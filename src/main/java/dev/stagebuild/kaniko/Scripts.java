package dev.stagebuild.kaniko;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * The fixed shell scripts the pods run, passed as {@code sh -c SCRIPT <name> args...}: the
 * arguments stay separate argv entries, so nothing a user wrote is ever spliced into a script.
 */
public final class Scripts {
  /** Runs the executor with its arguments ("$@"), then copies the stage's exports out. */
  public static final String STAGE = load("stage.sh");
  /** Fetches the source (SB_SOURCE_KIND=git or configmap) and prints the Dockerfile markers. */
  public static final String SOURCE = load("source.sh");

  private Scripts() {}

  private static String load(String name) {
    try (InputStream in = Scripts.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing classpath resource dev/stagebuild/kaniko/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
