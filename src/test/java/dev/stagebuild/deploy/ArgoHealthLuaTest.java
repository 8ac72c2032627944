package dev.stagebuild.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.BaseLib;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseMathLib;

/**
 * Runs deploy/argocd/stagebuild-health.lua the way Argo CD does: the live object as the global
 * {@code obj} (JSON turned into Lua tables), only the base, table, string and math libraries, and a
 * table {status, message} as the result.
 */
class ArgoHealthLuaTest {
  static final Path SCRIPT = Path.of("deploy/argocd/stagebuild-health.lua");
  static final Path PATCH = Path.of("deploy/argocd/argocd-cm-patch.yaml");
  static final String KEY = "resource.customizations.health.stagebuild.dev_StageBuild";
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  record Health(String status, String message) {}

  static Health health(String script, String objectYaml) throws IOException {
    Globals g = new Globals();
    g.load(new BaseLib());
    g.load(new PackageLib());
    g.load(new TableLib());
    g.load(new StringLib());
    g.load(new JseMathLib());
    LoadState.install(g);
    LuaC.install(g);
    g.set("obj", toLua(YAML.readValue(objectYaml, Object.class)));
    LuaValue hs = g.load(script, "stagebuild-health").call();
    assertThat(hs.istable()).as("the script returns a table").isTrue();
    String message = hs.get("message").isnil() ? null : hs.get("message").tojstring();
    return new Health(hs.get("status").tojstring(), message);
  }

  static Health health(String objectYaml) throws IOException {
    return health(Files.readString(SCRIPT), objectYaml);
  }

  /** JSON values as Argo CD hands them to Lua: objects and arrays become tables (arrays 1-based). */
  static LuaValue toLua(Object v) {
    if (v == null) {
      return LuaValue.NIL;
    }
    if (v instanceof Map<?, ?> m) {
      LuaTable t = new LuaTable();
      m.forEach((k, val) -> t.set(String.valueOf(k), toLua(val)));
      return t;
    }
    if (v instanceof List<?> l) {
      LuaTable t = new LuaTable();
      for (int i = 0; i < l.size(); i++) {
        t.set(i + 1, toLua(l.get(i)));
      }
      return t;
    }
    if (v instanceof Number n) {
      return LuaValue.valueOf(n.doubleValue());
    }
    if (v instanceof Boolean b) {
      return LuaValue.valueOf(b);
    }
    return LuaValue.valueOf(String.valueOf(v));
  }

  static final String META = """
      apiVersion: stagebuild.dev/v1alpha1
      kind: StageBuild
      metadata: {name: hellogo, namespace: demo, generation: 2}
      """;

  @Test
  void noStatusYetIsProgressing() throws IOException {
    Health h = health(META + "spec: {output: {image: r/x:1}}\n");
    assertThat(h.status()).isEqualTo("Progressing");
    assertThat(h.message()).contains("operator");
  }

  @Test
  void runningIsProgressingWithTheOperatorsMessage() throws IOException {
    Health h = health(META + """
        status:
          observedGeneration: 2
          conditions:
            - {type: Succeeded, status: Unknown, reason: Running, message: "1/2 stages done; running: stage-1"}
            - {type: Ready, status: "False", reason: Running, message: "1/2 stages done; running: stage-1"}
            - {type: Reconciling, status: "True", reason: Running, message: "1/2 stages done; running: stage-1"}
        """);
    assertThat(h).isEqualTo(new Health("Progressing", "Running: 1/2 stages done; running: stage-1"));
  }

  @Test
  void succeededIsHealthy() throws IOException {
    Health h = health(META + """
        status:
          observedGeneration: 2
          conditions:
            - {type: Succeeded, status: "True", reason: Succeeded, message: "pushed r/x@sha256:2c2a"}
            - {type: Ready, status: "True", reason: Succeeded, message: "pushed r/x@sha256:2c2a"}
            - {type: ImageInspected, status: "True", reason: Inspected, message: "size read from the registry"}
        """);
    assertThat(h).isEqualTo(new Health("Healthy", "Succeeded: pushed r/x@sha256:2c2a"));
  }

  @Test
  void failedIsDegradedWithTheConditionMessage() throws IOException {
    Health h = health(META + """
        status:
          observedGeneration: 2
          conditions:
            - {type: Succeeded, status: "False", reason: StageFailed, message: "stage build failed (pod hellogo-2-build, attempt 1): exit code 1"}
            - {type: Ready, status: "False", reason: StageFailed, message: "stage build failed"}
            - {type: Stalled, status: "True", reason: StageFailed, message: "stage build failed"}
        """);
    assertThat(h.status()).isEqualTo("Degraded");
    assertThat(h.message()).isEqualTo("StageFailed: stage build failed (pod hellogo-2-build, attempt 1): exit code 1");
  }

  @Test
  void anOlderGenerationsResultIsProgressingUntilTheOperatorCatchesUp() throws IOException {
    for (String observed : List.of("observedGeneration: 1\n  ", "")) {
      Health h = health(META + "status:\n  " + observed + """
          conditions:
            - {type: Succeeded, status: "True", reason: Succeeded, message: "pushed the old spec"}
          """);
      assertThat(h.status()).as(observed).isEqualTo("Progressing");
      assertThat(h.message()).contains("generation 2");
    }
  }

  @Test
  void statusWithoutConditionsOrWithoutMessagesIsStillDescribed() throws IOException {
    assertThat(health(META + "status: {observedGeneration: 2}\n").status()).isEqualTo("Progressing");
    assertThat(health(META + "status: {observedGeneration: 2, conditions: []}\n").status()).isEqualTo("Progressing");
    assertThat(health(META + """
        status:
          observedGeneration: 2
          conditions: [{type: Succeeded, status: "False"}]
        """)).isEqualTo(new Health("Degraded", "the build failed"));
  }

  @Test
  void theConfigMapPatchCarriesExactlyTheScript() throws IOException {
    var patch = YAML.readTree(PATCH.toFile());
    assertThat(patch.at("/metadata/name").asText()).isEqualTo("argocd-cm");
    assertThat(patch.at("/data").get(KEY).asText()).isEqualTo(Files.readString(SCRIPT));
  }
}
