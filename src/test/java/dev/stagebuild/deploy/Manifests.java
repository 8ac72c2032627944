package dev.stagebuild.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the YAML under deploy/ the way kubectl would: every document, typed by apiVersion/kind. */
public final class Manifests {
  public static final Path DIR = Path.of("deploy/manifests");
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private static final KubernetesSerialization K8S = new KubernetesSerialization();

  private Manifests() {}

  /** Each YAML document of the file, as a tree. */
  public static List<JsonNode> documents(Path file) {
    try (var parser = YAML.getFactory().createParser(file.toFile())) {
      List<JsonNode> docs = new ArrayList<>();
      var it = YAML.readValues(parser, JsonNode.class);
      while (it.hasNext()) {
        JsonNode n = it.next();
        if (n != null && !n.isNull() && !n.isMissingNode()) {
          docs.add(n);
        }
      }
      return docs;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Each document of the file as a Fabric8 model object. */
  public static List<HasMetadata> objects(Path file) {
    return documents(file).stream().map(d -> K8S.unmarshal(d.toString(), HasMetadata.class)).toList();
  }

  /** The numbered manifests in apply order. */
  public static List<Path> numbered() {
    try (var files = Files.list(DIR)) {
      return files.filter(p -> p.getFileName().toString().matches("\\d\\d-.*\\.yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The image the pom's "image" profile builds: stagebuild.image.repository:stagebuild.image.tag. */
  public static String pomImage() {
    try {
      String pom = Files.readString(Path.of("pom.xml"));
      String repo = property(pom, "stagebuild.image.repository");
      String tag = property(pom, "stagebuild.image.tag");
      if ("${project.version}".equals(tag)) {
        Matcher m = Pattern.compile("<artifactId>stagebuild-operator</artifactId>\\s*<version>([^<]+)</version>")
            .matcher(pom);
        if (!m.find()) {
          throw new IllegalStateException("no project version in pom.xml");
        }
        tag = m.group(1);
      }
      return repo + ":" + tag;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String property(String pom, String name) {
    Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">").matcher(pom);
    if (!m.find()) {
      throw new IllegalStateException("no property " + name + " in pom.xml");
    }
    return m.group(1).trim();
  }
}
