package dev.stagebuild.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.extensions.CelExtensions;
import dev.cel.extensions.CelOptionalLibrary;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Evaluates a ValidatingAdmissionPolicy's CEL the way the Kubernetes 1.30 API server does, for the
 * parts a policy here uses: {@code object}, {@code oldObject}, {@code request}, {@code variables}
 * and {@code authorizer} (k8s.io/apiserver pkg/cel/library/authz.go: group, resource, namespace,
 * name, check, allowed), the list library's {@code indexOf}, optional types and the strings
 * extension. matchConditions must all hold for the policy to apply (they see no variables); every
 * validation must hold; an expression with an error denies the request ({@code failurePolicy:
 * Fail}). As there, every messageExpression is evaluated, without {@code authorizer}, in a pass of
 * its own with the variables computed again.
 *
 * <p>Costs are modelled where they are large (pkg/cel/library/cost.go): 350,000 per authorizer
 * check and, for {@code indexOf}, the whole list's strings at a tenth of their length; a variable
 * is an expression of its own. The API server allows 1,000,000 per expression and 10,000,000 per
 * evaluation (pkg/apis/cel/config.go).
 */
final class AdmissionPolicy {
  static final long CHECK_COST = 350_000;
  static final long PER_EXPRESSION_LIMIT = 1_000_000;
  static final long PER_EVALUATION_BUDGET = 10_000_000;

  /** What a user may {@code get}: "resource/namespace/name", or "resource/namespace/" for all names. */
  record Grants(String user, Set<String> gets) {
    boolean allows(String resource, String namespace, String name) {
      return gets.contains(resource + "/" + namespace + "/")
          || (!name.isEmpty() && gets.contains(resource + "/" + namespace + "/" + name));
    }
  }

  /**
   * The outcome: not matched, allowed, or denied with the messages of the failed validations; the
   * authorizer checks made, the modelled cost of each expression and of the whole evaluation (the
   * validation pass and the message pass), and the messageExpressions that failed.
   */
  record Result(boolean matched, List<String> denials, int checks, Map<String, Long> costByExpression,
      long totalCost, List<String> messageErrors) {
    long maxExpressionCost() {
      return costByExpression.values().stream().mapToLong(Long::longValue).max().orElse(0);
    }
  }

  record Authz(Grants grants, Counter counter) {}

  record GroupCheck(Authz authz, String group) {}

  record ResourceCheck(Authz authz, String group, String resource, String namespace, String name) {}

  record Decision(boolean allowed) {}

  static final class Counter {
    int checks;
    long cost;
    /** Cost of the variables evaluated inside other expressions, not charged to those. */
    long nested;
  }

  private static final CelType AUTHORIZER = OpaqueType.create("kubernetes.authorization.Authorizer");
  private static final CelType GROUP_CHECK = OpaqueType.create("kubernetes.authorization.GroupCheck");
  private static final CelType RESOURCE_CHECK = OpaqueType.create("kubernetes.authorization.ResourceCheck");
  private static final CelType DECISION = OpaqueType.create("kubernetes.authorization.Decision");
  private static final Pattern VARIABLE = Pattern.compile("variables\\.(\\w+)");
  /** Counts the cost of the expression being evaluated ({@code indexOf} has no other way to reach it). */
  private static final ThreadLocal<Counter> CURRENT = new ThreadLocal<>();

  private final JsonNode spec;
  private final Cel withAuthorizer = cel(true);
  private final Cel withoutAuthorizer = cel(false);

  AdmissionPolicy(Path file) {
    this.spec = Manifests.documents(file).stream()
        .filter(d -> d.path("kind").asText().equals("ValidatingAdmissionPolicy"))
        .findFirst().orElseThrow().path("spec");
  }

  JsonNode spec() {
    return spec;
  }

  /**
   * Every expression compiles in the environment Kubernetes gives it, and names only variables
   * declared (for a variable, declared before it; for a matchCondition, none); returns the errors.
   */
  List<String> compileErrors() {
    List<String> errors = new ArrayList<>();
    for (JsonNode c : spec.path("matchConditions")) {
      check(withAuthorizer, c.path("expression").asText(), List.of(), errors);
    }
    List<String> declared = new ArrayList<>();
    for (JsonNode v : spec.path("variables")) {
      check(withAuthorizer, v.path("expression").asText(), declared, errors);
      declared.add(v.path("name").asText());
    }
    for (JsonNode v : spec.path("validations")) {
      check(withAuthorizer, v.path("expression").asText(), declared, errors);
      if (v.has("messageExpression")) {
        check(withoutAuthorizer, v.path("messageExpression").asText(), declared, errors);
      }
    }
    return errors;
  }

  private static void check(Cel cel, String expression, List<String> declared, List<String> errors) {
    try {
      ast(cel, expression);
    } catch (CelValidationException e) {
      errors.add(e.getMessage());
    }
    Matcher m = VARIABLE.matcher(expression);
    while (m.find()) {
      if (!declared.contains(m.group(1))) {
        errors.add("undeclared variable " + m.group(1) + " in: " + expression);
      }
    }
  }

  /** Evaluates the policy for a request on a namespaced object; {@code oldObject} null on CREATE. */
  Result evaluate(JsonNode object, JsonNode oldObject, String namespace, Grants grants) throws Exception {
    Counter counter = new Counter();
    Map<String, Object> input = new HashMap<>();
    input.put("object", value(object));
    input.put("oldObject", oldObject == null ? NullValue.NULL_VALUE : value(oldObject));
    input.put("request", Map.of("namespace", namespace, "userInfo", Map.of("username", grants.user())));
    input.put("variables", Map.of());
    input.put("authorizer", new Authz(grants, counter));
    Map<String, Long> costs = new LinkedHashMap<>();
    for (JsonNode c : spec.path("matchConditions")) {
      Object matched = eval(withAuthorizer, c.path("expression").asText(), input, counter, costs, "match " + c.path("name").asText());
      if (!Boolean.TRUE.equals(matched)) {
        return new Result(false, List.of(), counter.checks, costs, counter.cost, List.of());
      }
    }
    // matchConditions have a budget of their own (2,500,000); the validations' starts here.
    long matchCost = counter.cost;
    input.put("variables", variables(input, counter, costs, true));
    List<String> denials = new ArrayList<>();
    List<JsonNode> failed = new ArrayList<>();
    int i = 0;
    for (JsonNode v : spec.path("validations")) {
      Object ok = eval(withAuthorizer, v.path("expression").asText(), input, counter, costs, "validation " + i++);
      if (!Boolean.TRUE.equals(ok)) {
        failed.add(v);
      }
    }
    // The message pass: every messageExpression, the variables computed again, no authorizer.
    Map<String, Object> noAuthorizer = new HashMap<>(input);
    noAuthorizer.remove("authorizer");
    noAuthorizer.put("variables", variables(noAuthorizer, counter, costs, false));
    List<String> messageErrors = new ArrayList<>();
    i = 0;
    for (JsonNode v : spec.path("validations")) {
      String id = "message " + i++;
      String message = v.path("message").asText();
      if (v.has("messageExpression")) {
        try {
          message = (String) eval(withoutAuthorizer, v.path("messageExpression").asText(), noAuthorizer, counter, costs, id);
        } catch (IllegalStateException e) {
          // The API server logs it and falls back to message.
          messageErrors.add(e.getMessage());
        }
      }
      if (failed.contains(v)) {
        denials.add(message);
      }
    }
    return new Result(true, denials, counter.checks, costs, counter.cost - matchCost, messageErrors);
  }

  /**
   * The variables, each an expression of its own evaluated when first read, as the API server's
   * lazy map does (a variable no expression reads costs nothing); without the authorizer, those that
   * use it are left out.
   */
  private Map<String, Object> variables(Map<String, Object> input, Counter counter, Map<String, Long> costs,
      boolean authorizer) {
    Map<String, String> expressions = new LinkedHashMap<>();
    for (JsonNode v : spec.path("variables")) {
      String expression = v.path("expression").asText();
      if (authorizer || !expression.contains("authorizer")) {
        expressions.put(v.path("name").asText(), expression);
      }
    }
    Map<String, Object> values = new HashMap<>();
    Cel cel = authorizer ? withAuthorizer : withoutAuthorizer;
    Map<String, Object> lazy = new java.util.AbstractMap<>() {
      @Override
      public boolean containsKey(Object key) {
        return expressions.containsKey(key);
      }

      @Override
      public Object get(Object key) {
        String name = (String) key;
        if (!expressions.containsKey(name)) {
          return null;
        }
        if (!values.containsKey(name)) {
          try {
            values.put(name, eval(cel, expressions.get(name), input, counter, costs,
                "variable " + name + (authorizer ? "" : " (messages)")));
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }
        return values.get(name);
      }

      @Override
      public java.util.Set<Entry<String, Object>> entrySet() {
        Map<String, Object> all = new LinkedHashMap<>();
        expressions.keySet().forEach(n -> all.put(n, get(n)));
        return all.entrySet();
      }
    };
    return lazy;
  }

  /** Evaluates one expression and records its own cost (a variable it reads first is charged to the variable). */
  private Object eval(Cel cel, String expression, Map<String, Object> input, Counter counter,
      Map<String, Long> costs, String id) throws Exception {
    long before = counter.cost;
    long nestedBefore = counter.nested;
    Counter outer = CURRENT.get();
    CURRENT.set(counter);
    try {
      return cel.createProgram(ast(cel, expression)).eval(input);
    } catch (CelEvaluationException e) {
      throw new IllegalStateException(id + " failed (failurePolicy Fail denies the request): " + e.getMessage(), e);
    } finally {
      long total = counter.cost - before;
      costs.put(id, total - (counter.nested - nestedBefore));
      if (outer != null) {
        counter.nested += total - (counter.nested - nestedBefore);
      }
      if (outer == null) {
        CURRENT.remove();
      } else {
        CURRENT.set(outer);
      }
    }
  }

  private static CelAbstractSyntaxTree ast(Cel cel, String expression) throws CelValidationException {
    return cel.compile(expression).getAst();
  }

  private static Cel cel(boolean authorizer) {
    var builder = CelFactory.standardCelBuilder()
        .setOptions(CelOptions.current().enableOptionalSyntax(true).build())
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .addCompilerLibraries(CelOptionalLibrary.INSTANCE, CelExtensions.strings())
        .addRuntimeLibraries(CelOptionalLibrary.INSTANCE, CelExtensions.strings())
        .addVar("object", SimpleType.DYN)
        .addVar("oldObject", SimpleType.DYN)
        .addVar("request", SimpleType.DYN)
        .addVar("variables", SimpleType.DYN)
        // Kubernetes' list library (pkg/cel/library/lists.go): the first index of an element, or -1.
        .addFunctionDeclarations(CelFunctionDecl.newFunctionDeclaration("indexOf",
            CelOverloadDecl.newMemberOverload("list_a_indexOf_int", SimpleType.INT,
                ListType.create(SimpleType.DYN), SimpleType.DYN)))
        .addFunctionBindings(CelFunctionBinding.from("list_a_indexOf_int", List.class, Object.class,
            AdmissionPolicy::indexOf));
    if (authorizer) {
      builder.addVar("authorizer", AUTHORIZER)
          .addFunctionDeclarations(
              member("group", "authorizer_group", GROUP_CHECK, AUTHORIZER, SimpleType.STRING),
              member("resource", "groupcheck_resource", RESOURCE_CHECK, GROUP_CHECK, SimpleType.STRING),
              member("namespace", "resourcecheck_namespace", RESOURCE_CHECK, RESOURCE_CHECK, SimpleType.STRING),
              member("name", "resourcecheck_name", RESOURCE_CHECK, RESOURCE_CHECK, SimpleType.STRING),
              member("check", "resourcecheck_check", DECISION, RESOURCE_CHECK, SimpleType.STRING),
              CelFunctionDecl.newFunctionDeclaration("allowed",
                  CelOverloadDecl.newMemberOverload("decision_allowed", SimpleType.BOOL, DECISION)))
          .addFunctionBindings(
              CelFunctionBinding.from("authorizer_group", Authz.class, String.class, GroupCheck::new),
              CelFunctionBinding.from("groupcheck_resource", GroupCheck.class, String.class,
                  (g, r) -> new ResourceCheck(g.authz(), g.group(), r, "", "")),
              CelFunctionBinding.from("resourcecheck_namespace", ResourceCheck.class, String.class,
                  (r, ns) -> new ResourceCheck(r.authz(), r.group(), r.resource(), ns, r.name())),
              CelFunctionBinding.from("resourcecheck_name", ResourceCheck.class, String.class,
                  (r, n) -> new ResourceCheck(r.authz(), r.group(), r.resource(), r.namespace(), n)),
              CelFunctionBinding.from("resourcecheck_check", ResourceCheck.class, String.class,
                  AdmissionPolicy::check),
              CelFunctionBinding.from("decision_allowed", Decision.class, Decision::allowed));
    }
    return builder.build();
  }

  /** The API server charges the whole list, whatever the position found (cost.go, "indexOf"). */
  private static long indexOf(List<?> list, Object element) {
    Counter counter = CURRENT.get();
    for (Object e : list) {
      counter.cost += e instanceof String str ? str.length() / 10 : 1;
    }
    return list.indexOf(element);
  }

  private static Decision check(ResourceCheck r, String verb) {
    r.authz().counter().checks++;
    r.authz().counter().cost += CHECK_COST;
    boolean core = r.group().isEmpty();
    return new Decision(core && verb.equals("get") && r.authz().grants().allows(r.resource(), r.namespace(), r.name()));
  }

  private static CelFunctionDecl member(String function, String overload, CelType result, CelType target, CelType arg) {
    return CelFunctionDecl.newFunctionDeclaration(function, CelOverloadDecl.newMemberOverload(overload, result, target, arg));
  }

  /** JSON as CEL's runtime values: maps, lists, strings, int64, double, bool, null. */
  static Object value(JsonNode n) {
    if (n.isObject()) {
      Map<String, Object> m = new LinkedHashMap<>();
      n.fields().forEachRemaining(e -> m.put(e.getKey(), value(e.getValue())));
      return m;
    }
    if (n.isArray()) {
      List<Object> l = new ArrayList<>();
      n.forEach(e -> l.add(value(e)));
      return l;
    }
    if (n.isIntegralNumber()) {
      return n.asLong();
    }
    if (n.isNumber()) {
      return n.asDouble();
    }
    if (n.isBoolean()) {
      return n.asBoolean();
    }
    if (n.isNull()) {
      return NullValue.NULL_VALUE;
    }
    return Objects.requireNonNull(n.asText());
  }
}
