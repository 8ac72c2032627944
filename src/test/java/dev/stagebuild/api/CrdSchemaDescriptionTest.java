package dev.stagebuild.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Every property of the committed CRD's schema has a description, so that
 * {@code kubectl explain stagebuild.<path>} teaches. Fix a failure with @JsonPropertyDescription (or
 * @JsonClassDescription on the field's class) in dev.stagebuild.api, then regenerate with CrdTest.
 */
class CrdSchemaDescriptionTest {
  /** Kubernetes documents these itself (kubectl explain shows the standard text). */
  static final Set<String> STANDARD = Set.of("apiVersion", "kind", "metadata");

  @Test
  void everyPropertyHasADescription() throws IOException {
    JsonNode crd = new ObjectMapper(new YAMLFactory()).readTree(CrdTest.COMMITTED.toFile());
    JsonNode versions = crd.at("/spec/versions");
    assertThat(versions.size()).isPositive();
    List<String> missing = new ArrayList<>();
    for (JsonNode v : versions) {
      JsonNode schema = v.at("/schema/openAPIV3Schema");
      assertThat(schema.isObject()).as("version %s has a schema", v.get("name")).isTrue();
      if (blank(schema)) {
        missing.add(v.get("name").asText() + ": (the kind itself)");
      }
      walk(schema, v.get("name").asText() + ":", true, missing);
    }
    assertThat(missing).as("properties without a description").isEmpty();
  }

  @Test
  void theWalkFindsNestedItemsAndMaps() throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    JsonNode schema = yaml.readTree("""
        properties:
          a: {description: ok, properties: {b: {type: string}}}
          l: {description: ok, items: {properties: {c: {type: string}}}}
          m: {description: ok, additionalProperties: {properties: {d: {type: string}}}}
          kind: {type: string}
        """);
    List<String> missing = new ArrayList<>();
    walk(schema, "", true, missing);
    assertThat(missing).containsExactlyInAnyOrder(".a.b", ".l[].c", ".m{}.d");
  }

  static void walk(JsonNode schema, String path, boolean top, List<String> missing) {
    JsonNode props = schema.get("properties");
    if (props != null) {
      props.fields().forEachRemaining(e -> {
        String p = path + "." + e.getKey();
        if (blank(e.getValue()) && !(top && STANDARD.contains(e.getKey()))) {
          missing.add(p);
        }
        walk(e.getValue(), p, false, missing);
      });
    }
    if (schema.has("items")) {
      walk(schema.get("items"), path + "[]", false, missing);
    }
    if (schema.path("additionalProperties").isObject()) {
      walk(schema.get("additionalProperties"), path + "{}", false, missing);
    }
  }

  static boolean blank(JsonNode schema) {
    return schema.path("description").asText("").isBlank();
  }
}
