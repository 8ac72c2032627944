package dev.stagebuild.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.stagebuild.deploy.AdmissionPolicy.Grants;
import dev.stagebuild.deploy.AdmissionPolicy.Result;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * deploy/manifests/06-admission-policy.yaml: a StageBuild may name only the Secrets and ConfigMaps
 * the user sending it may get, since its build hands them to its RUN steps (docs/security.md).
 */
class ReferencedObjectsPolicyTest {
  static final Path POLICY = Path.of("deploy/manifests/06-admission-policy.yaml");
  static final Path CRD = Path.of("deploy/crds/stagebuilds.stagebuild.dev-v1.yml");
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final String NS = "team-a";
  static final int SLOTS = 16;

  final AdmissionPolicy policy = new AdmissionPolicy(POLICY);

  static Grants allSecrets(String user) {
    return new Grants(user, Set.of("secrets/" + NS + "/", "configmaps/" + NS + "/"));
  }

  static Grants only(String user, String... gets) {
    return new Grants(user, Set.of(gets));
  }

  static ObjectNode build(String specYaml) throws Exception {
    ObjectNode sb = (ObjectNode) YAML.readTree("""
        apiVersion: stagebuild.dev/v1alpha1
        kind: StageBuild
        metadata: {name: app, namespace: team-a}
        """);
    sb.set("spec", YAML.readTree(specYaml));
    return sb;
  }

  static final String EVERY_KIND = """
      dockerfile: {inline: "FROM alpine\\nRUN --mount=type=secret,id=npm true\\n"}
      source:
        git: {url: "https://example.invalid/app.git", secretRef: {name: git-creds}}
      output:
        image: registry.example.invalid/app:1
        pushSecretRef: {name: regcred}
        caBundleRef: {name: registry-ca}
      pullSecretRef: {name: regcred}
      secrets: [{id: npm, secretRef: {name: npm-creds}, key: token}]
      buildArgs:
        - {name: PLAIN, value: "1"}
        - {name: TOKEN, valueFrom: {secretKeyRef: {name: npm-creds, key: token}}}
      """;

  @Test
  void everyExpressionCompilesWhereKubernetesCompilesIt() {
    // messageExpression has no authorizer in the API server: none may use it.
    assertThat(policy.compileErrors()).isEmpty();
  }

  @Test
  void anAuthorWhoMayGetTheNamespacesSecretsIsAllowedWithOneCheckPerKind() throws Exception {
    Result r = policy.evaluate(build(EVERY_KIND), null, NS, allSecrets("alice"));
    assertThat(r.matched()).isTrue();
    assertThat(r.denials()).isEmpty();
    assertThat(r.checks()).as("only the two namespace-wide checks").isEqualTo(2);
    assertThat(r.messageErrors()).isEmpty();
  }

  @Test
  void anAuthorWhoMayGetEachNamedObjectByNameIsAllowed() throws Exception {
    Grants bob = only("bob", "secrets/team-a/regcred", "secrets/team-a/git-creds", "secrets/team-a/npm-creds",
        "configmaps/team-a/registry-ca");
    Result r = policy.evaluate(build(EVERY_KIND), null, NS, bob);
    assertThat(r.denials()).isEmpty();
    // regcred twice and npm-creds twice: each distinct Secret is checked once.
    assertThat(r.checks()).isEqualTo(2 + 3 + 1);
    assertThat(r.messageErrors()).isEmpty();
  }

  @Test
  void aBuildSecretTheAuthorMayNotGetIsRefusedByName() throws Exception {
    Grants bob = only("bob", "secrets/team-a/regcred", "secrets/team-a/git-creds", "configmaps/team-a/");
    Result r = policy.evaluate(build(EVERY_KIND), null, NS, bob);
    assertThat(r.denials()).containsExactly(
        "bob may not get Secret npm-creds in namespace team-a, which the spec names: a build hands the Secrets it names to its RUN steps");
  }

  @Test
  void eachKindOfSecretReferenceIsChecked() throws Exception {
    String[] specs = {
      "output: {image: r.invalid/a, pushSecretRef: {name: x}}",
      "output: {image: r.invalid/a}\npullSecretRef: {name: x}",
      "output: {image: r.invalid/a}\nsource: {git: {url: 'https://h.invalid/r.git', secretRef: {name: x}}}",
      "output: {image: r.invalid/a}\nsecrets: [{id: a, secretRef: {name: x}, key: k}]",
      "output: {image: r.invalid/a}\nbuildArgs: [{name: A, valueFrom: {secretKeyRef: {name: x, key: k}}}]",
    };
    for (String spec : specs) {
      Result r = policy.evaluate(build(spec), null, NS, only("carol", "configmaps/team-a/"));
      assertThat(r.denials()).as(spec).singleElement().asString().contains("may not get Secret x ");
      Result allowed = policy.evaluate(build(spec), null, NS, only("carol", "secrets/team-a/x"));
      assertThat(allowed.denials()).as(spec).isEmpty();
    }
  }

  @Test
  void eachConfigMapReferenceIsChecked() throws Exception {
    String[] specs = {
      "output: {image: r.invalid/a}\nsource: {configMap: {name: y}}",
      "output: {image: r.invalid/a, caBundleRef: {name: y}}",
    };
    for (String spec : specs) {
      Result r = policy.evaluate(build(spec), null, NS, only("dave", "secrets/team-a/"));
      assertThat(r.denials()).as(spec).containsExactly(
          "dave may not get ConfigMap y in namespace team-a, which the spec names: a build reads the ConfigMaps it names");
      assertThat(policy.evaluate(build(spec), null, NS, only("dave", "configmaps/team-a/y")).denials()).isEmpty();
    }
  }

  @Test
  void aSecretOfTheSameNameInAnotherNamespaceDoesNotCount() throws Exception {
    Result r = policy.evaluate(build(EVERY_KIND), null, NS, only("erin", "secrets/other/", "configmaps/other/"));
    assertThat(r.denials()).hasSize(4); // regcred, git-creds, npm-creds, registry-ca
  }

  @Test
  void everySlotChecksItsSecret() throws Exception {
    // 16 distinct Secrets, each given by name; the j-th one withheld is refused by name.
    for (int withheld = 0; withheld < SLOTS; withheld++) {
      List<String> gets = new ArrayList<>();
      StringBuilder spec = new StringBuilder("output: {image: r.invalid/a}\nsecrets:\n");
      for (int i = 0; i < SLOTS; i++) {
        spec.append("  - {id: s").append(i).append(", secretRef: {name: s").append(i).append("}, key: k}\n");
        if (i != withheld) {
          gets.add("secrets/team-a/s" + i);
        }
      }
      Result r = policy.evaluate(build(spec.toString()), null, NS, only("frank", gets.toArray(String[]::new)));
      assertThat(r.denials()).as("withheld s%d", withheld).singleElement().asString()
          .startsWith("frank may not get Secret s" + withheld + " in namespace team-a");
    }
  }

  @Test
  void moreSecretReferencesThanSlotsNeedGetOnAllSecrets() throws Exception {
    List<String> gets = new ArrayList<>();
    StringBuilder spec = new StringBuilder("output: {image: r.invalid/a}\nsecrets:\n");
    for (int i = 0; i <= SLOTS; i++) {
      spec.append("  - {id: s").append(i).append(", secretRef: {name: s").append(i % 2).append("}, key: k}\n");
      gets.add("secrets/team-a/s" + i);
    }
    // 17 references of two Secrets the user may get by name: refused, with what to do.
    Result r = policy.evaluate(build(spec.toString()), null, NS, only("grace", gets.toArray(String[]::new)));
    assertThat(r.denials()).containsExactly("the spec names Secrets 17 times, and this policy checks at most 16 Secret"
        + " references one by one: grant grace get on all Secrets of namespace team-a, or name fewer");
    assertThat(policy.evaluate(build(spec.toString()), null, NS, allSecrets("grace")).denials()).isEmpty();
  }

  @Test
  void theLargestSpecTheCrdAllowsIsRefusedWithItsMessageNotACostError() throws Exception {
    // Every reference the CRD allows (3 + secrets' maxItems + buildArgs' maxItems), names of 253
    // characters: no expression fails (an error would deny with the API server's words instead).
    // What it costs is mostly building the lists, which the model does not charge; the costly part,
    // the checks and indexOf, is measured below.
    int secretsMax = crdMaxItems("secrets");
    int buildArgsMax = crdMaxItems("buildArgs");
    ObjectNode sb = build("output: {image: r.invalid/a, caBundleRef: {name: ca}}\nsource: {configMap: {name: ctx}}");
    ObjectNode spec = (ObjectNode) sb.get("spec");
    spec.with("output").putObject("pushSecretRef").put("name", longName(0, 253));
    spec.putObject("pullSecretRef").put("name", longName(1, 253));
    spec.with("source").remove("configMap");
    spec.with("source").putObject("git").put("url", "https://h.invalid/r.git").putObject("secretRef").put("name", longName(2, 253));
    ArrayNode secrets = spec.putArray("secrets");
    for (int i = 0; i < secretsMax; i++) {
      secrets.addObject().put("id", "id" + i).put("key", "k").putObject("secretRef").put("name", longName(3 + i, 253));
    }
    ArrayNode args = spec.putArray("buildArgs");
    for (int i = 0; i < buildArgsMax; i++) {
      args.addObject().put("name", "A" + i).putObject("valueFrom").putObject("secretKeyRef")
          .put("name", longName(3 + secretsMax + i, 253)).put("key", "k");
    }
    for (Grants g : List.of(allSecrets("heidi"), only("heidi", "configmaps/team-a/"))) {
      Result r = policy.evaluate(sb, null, NS, g);
      assertThat(r.denials()).hasSize(g.gets().contains("secrets/team-a/") ? 0 : 1);
      assertThat(r.messageErrors()).isEmpty();
      assertWithinCostLimits(r);
    }
  }

  @Test
  void sixteenSecretsGivenByNameStayWithinTheCostLimitsWhateverTheirLength() throws Exception {
    for (int length : new int[] {253, 60_000}) {
      StringBuilder spec = new StringBuilder("output: {image: r.invalid/a, caBundleRef: {name: ca}}\n"
          + "source: {configMap: {name: ctx}}\nbuildArgs:\n");
      List<String> gets = new ArrayList<>(List.of("configmaps/team-a/ca", "configmaps/team-a/ctx"));
      for (int i = 0; i < SLOTS; i++) {
        spec.append("  - {name: A").append(i).append(", valueFrom: {secretKeyRef: {name: ")
            .append(longName(i, length)).append(", key: k}}}\n");
        gets.add("secrets/team-a/" + longName(i, length));
      }
      Result r = policy.evaluate(build(spec.toString()), null, NS, only("ivy", gets.toArray(String[]::new)));
      assertThat(r.denials()).as("names of %d characters", length).isEmpty();
      assertThat(r.checks()).isEqualTo(1 + SLOTS + 1 + 2);
      assertThat(r.messageErrors()).isEmpty();
      assertWithinCostLimits(r);
    }
  }

  private static void assertWithinCostLimits(Result r) {
    // A margin for what the model leaves out (field selections, comparisons, list building).
    assertThat(r.maxExpressionCost()).as("the costliest expression: %s", r.costByExpression())
        .isLessThan(AdmissionPolicy.PER_EXPRESSION_LIMIT * 9 / 10);
    assertThat(r.totalCost()).isLessThan(AdmissionPolicy.PER_EVALUATION_BUDGET * 9 / 10);
  }

  private static String longName(int i, int length) {
    String n = "s" + i + "-";
    return n + "x".repeat(length - n.length());
  }

  @Test
  void anUpdateIsCheckedWhenItMayStartABuild() throws Exception {
    Grants operatorOfTheTeam = only("ivan");
    ObjectNode old = build(EVERY_KIND);

    ObjectNode relabelled = old.deepCopy();
    ((ObjectNode) relabelled.get("metadata")).putObject("annotations").put("example.com/owner", "team-a");
    assertThat(policy.evaluate(relabelled, old, NS, operatorOfTheTeam).matched()).isFalse();

    ObjectNode cancelled = old.deepCopy();
    ((ObjectNode) cancelled.get("spec")).put("cancel", true);
    assertThat(policy.evaluate(cancelled, old, NS, operatorOfTheTeam).matched()).isFalse();

    ObjectNode newDockerfile = old.deepCopy();
    ((ObjectNode) newDockerfile.get("spec").get("dockerfile")).put("inline", "FROM alpine\nRUN cat /run/secrets/*\n");
    Result r = policy.evaluate(newDockerfile, old, NS, operatorOfTheTeam);
    assertThat(r.matched()).isTrue();
    assertThat(r.denials()).hasSize(4);

    ObjectNode rebuilt = old.deepCopy();
    ((ObjectNode) rebuilt.get("metadata")).putObject("annotations").put("stagebuild.dev/rebuild", "1");
    assertThat(policy.evaluate(rebuilt, relabelled, NS, operatorOfTheTeam).matched())
        .as("a rebuild reads the source again").isTrue();
    assertThat(policy.evaluate(rebuilt, old, NS, operatorOfTheTeam).matched()).isTrue();
    ObjectNode labelled = rebuilt.deepCopy();
    ((ObjectNode) labelled.get("metadata")).putObject("labels").put("team", "a");
    assertThat(policy.evaluate(labelled, rebuilt, NS, operatorOfTheTeam).matched()).isFalse();

    ObjectNode cancelFalse = old.deepCopy();
    ((ObjectNode) cancelFalse.get("spec")).put("cancel", false);
    assertThat(policy.evaluate(cancelFalse, old, NS, operatorOfTheTeam).matched())
        .as("cancel: false added raises the generation: a new build").isTrue();
    assertThat(policy.evaluate(old, cancelFalse, NS, operatorOfTheTeam).matched()).as("and removed").isTrue();

    ObjectNode uncancelled = cancelled.deepCopy();
    ((ObjectNode) uncancelled.get("spec")).put("cancel", false);
    assertThat(policy.evaluate(uncancelled, cancelled, NS, operatorOfTheTeam).matched())
        .as("cancel taken back starts a build").isTrue();

    ObjectNode fieldRemoved = old.deepCopy();
    ((ObjectNode) fieldRemoved.get("spec")).remove("buildArgs");
    assertThat(policy.evaluate(fieldRemoved, old, NS, operatorOfTheTeam).matched()).isTrue();
    ObjectNode fieldAdded = old.deepCopy();
    ((ObjectNode) fieldAdded.get("spec")).putObject("resources");
    assertThat(policy.evaluate(fieldAdded, old, NS, operatorOfTheTeam).matched()).isTrue();
  }

  @Test
  void aStageBuildWithoutASpecIsJudgedWithoutError() throws Exception {
    ObjectNode sb = build("{}");
    sb.remove("spec");
    Result r = policy.evaluate(sb, null, NS, only("ken"));
    assertThat(r.denials()).isEmpty();
    assertThat(r.messageErrors()).isEmpty();
  }

  @Test
  void aSpecThatNamesNothingNeedsNoRights() throws Exception {
    Result r = policy.evaluate(build("output: {image: r.invalid/a}\ndockerfile: {inline: \"FROM scratch\\n\"}"),
        null, NS, only("judy"));
    assertThat(r.matched()).isTrue();
    assertThat(r.denials()).isEmpty();
    assertThat(r.checks()).as("no authorizer call (each may be a webhook's round trip)").isZero();
  }

  @Test
  void thePolicyMatchesStageBuildWritesButNotTheirStatusAndRefusesWhenItCannotDecide() {
    JsonNode spec = policy.spec();
    assertThat(spec.path("failurePolicy").asText()).isEqualTo("Fail");
    JsonNode rule = spec.path("matchConstraints").path("resourceRules").get(0);
    assertThat(rule.path("apiGroups").toString()).isEqualTo("[\"stagebuild.dev\"]");
    // One version, the CRD's: a request in another is converted to it first (matchPolicy Equivalent).
    JsonNode crd = Manifests.documents(CRD).get(0);
    assertThat(rule.path("apiVersions").toString()).isEqualTo("[\"" + crd.path("spec").path("versions").get(0).path("name").asText() + "\"]");
    assertThat(spec.path("matchConstraints").path("matchPolicy").asText()).isEqualTo("Equivalent");
    // "stagebuilds" without a subresource: the operator's status writes never match.
    assertThat(rule.path("resources").toString()).isEqualTo("[\"stagebuilds\"]");
    assertThat(rule.path("operations").toString()).isEqualTo("[\"CREATE\",\"UPDATE\"]");
    List<JsonNode> docs = Manifests.documents(POLICY);
    assertThat(docs).hasSize(2);
    assertThat(docs.get(1).path("kind").asText()).isEqualTo("ValidatingAdmissionPolicyBinding");
    assertThat(docs.get(1).path("spec").path("policyName").asText()).isEqualTo(docs.get(0).path("metadata").path("name").asText());
    assertThat(docs.get(1).path("spec").path("validationActions").toString()).isEqualTo("[\"Deny\"]");
  }

  private static int crdMaxItems(String field) {
    JsonNode crd = Manifests.documents(CRD).get(0);
    return crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema")
        .path("properties").path("spec").path("properties").path(field).path("maxItems").asInt();
  }
}
