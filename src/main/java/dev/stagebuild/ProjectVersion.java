package dev.stagebuild;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/** The project's version, from the pom.properties Maven puts in the packaged jar. */
public final class ProjectVersion {
  /** What {@link #get()} answers outside the packaged jar (e.g. in tests). */
  public static final String DEVELOPMENT = "development build";
  private static final String POM_PROPERTIES = "/META-INF/maven/dev.stagebuild/stagebuild-operator/pom.properties";
  private static final String VERSION = read();

  private ProjectVersion() {}

  public static String get() {
    return VERSION;
  }

  private static String read() {
    try (InputStream in = ProjectVersion.class.getResourceAsStream(POM_PROPERTIES)) {
      if (in == null) {
        return DEVELOPMENT;
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty("version", DEVELOPMENT);
    } catch (IOException e) {
      return DEVELOPMENT;
    }
  }
}
