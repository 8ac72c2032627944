package dev.stagebuild.security;

import dev.stagebuild.api.BuildArg;
import dev.stagebuild.api.BuildSecret;
import dev.stagebuild.api.Executor;
import dev.stagebuild.api.GitSource;
import dev.stagebuild.api.LocalObjectRef;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.api.StageBuildSpec;
import dev.stagebuild.api.StageSettings;
import dev.stagebuild.api.Workspace;
import dev.stagebuild.dockerfile.DockerfileException;
import dev.stagebuild.dockerfile.StageNames;
import dev.stagebuild.plan.Budgets;
import dev.stagebuild.registry.ImageReference;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.Toleration;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Checks a StageBuild's spec before anything runs: what the API server would refuse later (names,
 * quantities, label keys, tolerations), what would fail only after every stage ran (the image to
 * push), and what the operator must not allow (operator-owned executor flags, git credentials over
 * plain HTTP, SSH without host-key checking, paths out of the context). Pure: no cluster, no
 * registry. Every problem is a {@link DockerfileException} of kind
 * {@link DockerfileException.Kind#INVALID_SPEC} whose message starts with the field's path.
 */
public final class SpecValidator {
  private static final Pattern DNS_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern QUALIFIED_NAME = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)");
  private static final Pattern LABEL_VALUE = Pattern.compile("(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?");
  /** A Kubernetes quantity: a decimal number with an optional binary or decimal suffix or exponent. */
  private static final Pattern QUANTITY =
      Pattern.compile("\\+?(\\d+(\\.\\d*)?|\\.\\d+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?\\d{1,3})?");
  private static final Pattern RESOURCE_NAME = Pattern.compile("([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?");
  /** A ConfigMap's (and a Secret's) data key, as IsConfigMapKey has it; also not ".", ".." or "..x" (see {@link #isDataKey}). */
  private static final Pattern CONFIG_MAP_KEY = Pattern.compile("[-._a-zA-Z0-9]{1,253}");
  /** A build secret's id, as the CRD schema has it: it becomes kaniko's {@code --secret=id=<id>,src=...}. */
  private static final Pattern SECRET_ID = Pattern.compile(BuildSecret.ID_PATTERN);
  private static final Set<String> ACCESS_MODES = Set.of("ReadWriteOnce", "ReadWriteMany");
  /** The resources a container may name without a domain, besides hugepages-<size>. */
  private static final Set<String> STANDARD_RESOURCES = Set.of("cpu", "memory", "ephemeral-storage");
  private static final String HUGE_PAGES = "hugepages-";
  private static final Set<String> TOLERATION_OPERATORS = Set.of("", "Exists", "Equal");
  private static final Set<String> TOLERATION_EFFECTS = Set.of("", "NoSchedule", "PreferNoSchedule", "NoExecute");
  /** The largest workspace anyone should ask for by mistake or on purpose: 64 TiB. */
  private static final BigDecimal MAX_WORKSPACE_BYTES = BigDecimal.valueOf(64L << 40);
  public static final int MAX_TARGET_CHARS = Budgets.MAX_STAGE_NAME;
  public static final int MAX_BUILD_ARGS = 256;
  public static final int MAX_BUILD_ARG_NAME = 256;
  public static final int MAX_BUILD_ARG_VALUE = 64 * 1024;
  /** Build args go into every stage pod's arguments: all of them together, names and values. */
  public static final int MAX_BUILD_ARGS_CHARS = 256 * 1024;

  private final List<String> problems = new ArrayList<>();

  private SpecValidator() {}

  /** Throws the spec's problems (up to five, in one message), or returns when there is none. */
  public static void validate(StageBuild sb) {
    List<String> problems = problems(sb);
    if (!problems.isEmpty()) {
      List<String> shown = problems.subList(0, Math.min(5, problems.size()));
      String more = problems.size() > shown.size() ? " (and " + (problems.size() - shown.size()) + " more)" : "";
      throw new DockerfileException(DockerfileException.Kind.INVALID_SPEC, 0, String.join("; ", shown) + more);
    }
  }

  /** Every problem of the spec, each starting with the field's path; empty when there is none. */
  public static List<String> problems(StageBuild sb) {
    SpecValidator v = new SpecValidator();
    if (sb == null || sb.getSpec() == null) {
      v.problems.add("spec: missing");
    } else {
      v.spec(sb.getSpec());
    }
    return List.copyOf(v.problems);
  }

  /**
   * The context directory as the source pod gets it: {@code "."} for the repository root (also for
   * {@code ""}, {@code "./"}, {@code "/."}-free spellings such as {@code "a/./b/"} become
   * {@code "a/b"}). Validation has refused absolute paths and {@code ..} before.
   */
  public static String normalContextDir(String contextDir) {
    if (contextDir == null || contextDir.isBlank()) {
      return ".";
    }
    List<String> parts = new ArrayList<>();
    for (String p : contextDir.split("/")) {
      if (!p.isEmpty() && !p.equals(".")) {
        parts.add(p);
      }
    }
    return parts.isEmpty() ? "." : String.join("/", parts);
  }

  private void problem(String field, String what) {
    problems.add(field + ": " + what);
  }

  private void spec(StageBuildSpec spec) {
    output(spec);
    ref("spec.pullSecretRef", spec.pullSecretRef);
    source(spec);
    if (spec.dockerfile != null) {
      relativePath("spec.dockerfile.path", spec.dockerfile.path, false);
    }
    if (spec.target != null) {
      if (spec.target.length() > MAX_TARGET_CHARS) {
        problem("spec.target", "longer than " + MAX_TARGET_CHARS + " characters");
      } else if (hasControl(spec.target)) {
        problem("spec.target", "must not hold control characters");
      }
    }
    buildArgs(spec.buildArgs);
    secrets(spec.secrets);
    stages(spec.stages);
    oneNode(spec);
    workspace(spec.workspace);
    executor(spec.executor, spec);
    if (spec.retries != null && (spec.retries < 0 || spec.retries > 10)) {
      problem("spec.retries", "must be between 0 and 10, got " + spec.retries);
    }
    timeout("spec.timeoutSeconds", spec.timeoutSeconds);
  }

  private void output(StageBuildSpec spec) {
    if (spec.output == null || spec.output.image == null || spec.output.image.isBlank()) {
      problem("spec.output.image", "required");
      return;
    }
    ImageReference output = image("spec.output.image", spec.output.image);
    if (output != null && output.digest().isPresent()) {
      // the final pod pushes to it, and the operator checks the pushed digest against a tag
      problem("spec.output.image", "\"" + abbreviate(spec.output.image) + "\" names a digest: a push to a digest"
          + " succeeds only if the build reproduces that exact image; give a tag instead (repository:tag)");
    }
    ref("spec.output.pushSecretRef", spec.output.pushSecretRef);
    var ca = spec.output.caBundleRef;
    if (ca != null) {
      dnsSubdomain("spec.output.caBundleRef.name", ca.name);
      if (ca.key != null && !isDataKey(ca.key)) {
        problem("spec.output.caBundleRef.key", "not a ConfigMap key (letters, digits, '-', '_', '.'; at most 253;"
            + " not \".\" or \"..\", nor starting with \"..\")");
      }
      if (Boolean.TRUE.equals(spec.output.insecure)) {
        problem("spec.output.caBundleRef", "has no effect with spec.output.insecure: true, which skips TLS"
            + " verification altogether; remove one of them");
      }
    }
  }

  /** {@code image} parsed, or null (and a problem) when it is not a valid image reference. */
  private ImageReference image(String field, String image) {
    try {
      return ImageReference.parse(image);
    } catch (IllegalArgumentException e) {
      problem(field, "not a valid image reference: " + abbreviate(e.getMessage()));
      return null;
    }
  }

  private void ref(String field, LocalObjectRef ref) {
    if (ref == null) {
      return;
    }
    dnsSubdomain(field + ".name", ref.name);
  }

  private void dnsSubdomain(String field, String name) {
    if (name == null || name.isEmpty()) {
      problem(field, "required");
    } else if (name.length() > 253 || !DNS_SUBDOMAIN.matcher(name).matches()) {
      problem(field, "\"" + abbreviate(name) + "\" is not a valid object name (lower-case DNS-1123 subdomain,"
          + " at most 253 characters)");
    }
  }

  private void source(StageBuildSpec spec) {
    if (spec.source == null) {
      return;
    }
    if (spec.source.git == null && spec.source.configMap == null) {
      problem("spec.source", "names no source: set git or configMap, or leave spec.source out");
    }
    ref("spec.source.configMap", spec.source.configMap);
    GitSource git = spec.source.git;
    if (git == null) {
      return;
    }
    ref("spec.source.git.secretRef", git.secretRef);
    relativePath("spec.source.git.contextDir", git.contextDir, true);
    if (git.revision != null) {
      if (git.revision.startsWith("-")) {
        problem("spec.source.git.revision", "must not start with '-'");
      } else if (hasControl(git.revision) || git.revision.length() > Budgets.MAX_PATH_CHARS) {
        problem("spec.source.git.revision", "must be a branch, tag or commit without control characters");
      }
    }
    gitUrl(git);
  }

  private void gitUrl(GitSource git) {
    String field = "spec.source.git.url";
    String url = git.url;
    if (url == null || url.isBlank()) {
      problem(field, "required");
      return;
    }
    String shown = Redactor.redactUrl(abbreviate(url));
    if (url.length() > Budgets.MAX_PATH_CHARS || hasControl(url) || url.chars().anyMatch(Character::isWhitespace)) {
      problem(field, "\"" + shown + "\" must be a URL without whitespace or control characters");
      return;
    }
    if (url.startsWith("-")) {
      problem(field, "must not start with '-'");
      return;
    }
    String lower = url.toLowerCase(Locale.ROOT);
    boolean credentials = git.secretRef != null || Redactor.hasUserInfo(url);
    if (lower.startsWith("https://")) {
      return;
    }
    if (lower.startsWith("ssh://") || scpLike(url)) {
      return;
    }
    if (lower.startsWith("http://")) {
      if (credentials && !Boolean.TRUE.equals(git.insecureHttp)) {
        problem(field, "\"" + shown + "\" is plain http://: the credentials of git.secretRef (or in the URL)"
            + " would travel unencrypted; use https:// or ssh://, or set spec.source.git.insecureHttp: true");
      }
      return;
    }
    if (lower.startsWith("file://")) {
      // the source pod's own filesystem (tests clone local repositories): no credentials to send
      if (credentials) {
        problem(field, "file:// takes no credentials: drop git.secretRef");
      }
      return;
    }
    if (lower.startsWith("git://")) {
      if (git.secretRef != null) {
        problem(field, "git:// has no authentication: drop git.secretRef or use https:// or ssh://");
      }
      return;
    }
    problem(field, "\"" + shown + "\" must be an https://, ssh://, user@host:path, http:// or file:// URL"
        + " (other transports such as ext:: are not allowed)");
  }

  /** {@code [user@]host:path}, the scp-like syntax git treats as ssh (no "://", a ':' before any '/'). */
  private static boolean scpLike(String url) {
    if (url.contains("://")) {
      return false;
    }
    int colon = url.indexOf(':');
    int slash = url.indexOf('/');
    return colon > 0 && (slash < 0 || colon < slash) && !url.contains("::");
  }

  private void relativePath(String field, String path, boolean directory) {
    if (path == null) {
      return;
    }
    if (path.length() > Budgets.MAX_PATH_CHARS) {
      problem(field, "longer than " + Budgets.MAX_PATH_CHARS + " characters");
      return;
    }
    if (hasControl(path)) {
      problem(field, "must not hold control characters or line breaks");
      return;
    }
    if (path.startsWith("/")) {
      problem(field, "\"" + abbreviate(path) + "\" must be relative");
      return;
    }
    for (String part : path.split("/")) {
      if (part.equals("..")) {
        problem(field, "\"" + abbreviate(path) + "\" must not contain '..'");
        return;
      }
    }
    if (!directory && (path.isBlank() || normalContextDir(path).equals("."))) {
      problem(field, "must name a file");
    }
  }

  private void buildArgs(List<BuildArg> args) {
    if (args == null) {
      return;
    }
    if (args.size() > MAX_BUILD_ARGS) {
      // as the CRD schema has it: each is an argument of every stage pod (and a one-character
      // name costs ~20 bytes there), so the budget of characters alone let a pod outgrow etcd
      problem("spec.buildArgs", "at most " + MAX_BUILD_ARGS + " build args, got " + args.size());
      return;
    }
    Map<String, Integer> seen = new HashMap<>();
    long total = 0;
    for (int i = 0; i < args.size(); i++) {
      BuildArg a = args.get(i);
      total += (a == null || a.name == null ? 0 : a.name.length()) + (a == null || a.value == null ? 0 : a.value.length());
      String field = "spec.buildArgs[" + i + "]";
      if (a == null || a.name == null || a.name.isEmpty()) {
        problem(field + ".name", "required");
        continue;
      }
      if (a.name.indexOf('=') >= 0 || hasControl(a.name) || a.name.chars().anyMatch(Character::isWhitespace)
          || a.name.length() > MAX_BUILD_ARG_NAME) {
        problem(field + ".name", "\"" + abbreviate(a.name) + "\" is not an ARG name (no '=', whitespace or"
            + " control characters, at most " + MAX_BUILD_ARG_NAME + " characters)");
        continue;
      }
      Integer earlier = seen.putIfAbsent(a.name, i);
      if (earlier != null) {
        problem(field + ".name", "\"" + a.name + "\" is also spec.buildArgs[" + earlier + "]");
      }
      if (a.value != null && (a.value.length() > MAX_BUILD_ARG_VALUE || a.value.indexOf('\0') >= 0)) {
        problem(field + ".value", "at most " + MAX_BUILD_ARG_VALUE + " characters, no NUL");
      }
      if (a.valueFrom != null) {
        secretBuildArg(field, a);
      }
    }
    if (total > MAX_BUILD_ARGS_CHARS) {
      problem("spec.buildArgs", "names and values together over " + MAX_BUILD_ARGS_CHARS + " characters");
    }
  }

  /**
   * Environment names a secret build arg may not take: the pod's own, kaniko's, the shell's (busybox
   * ash sets some itself). Such names must also be upper case: the stage script's own variables are
   * lower case, and one of those would shadow the Secret's value before kaniko reads it.
   */
  static final java.util.regex.Pattern RESERVED_ENV = java.util.regex.Pattern.compile(
      "(SB_|FF_KANIKO_|KANIKO_|DOCKER_|AWS_|GOOGLE_|AZURE_|SSL_CERT_|LD_|PS|HIST).*|PATH|HOME|HOSTNAME|USER|PWD"
          + "|OLDPWD|SHELL|IFS|ENV|PPID|OPTIND|OPTARG|LINENO|RANDOM|SECONDS|TERM|TMPDIR|HTTPS?_PROXY|NO_PROXY"
          + "|LINE|MAIL|MAILPATH|CDPATH|FUNCNAME");

  private void secretBuildArg(String field, BuildArg a) {
    if (a.value != null) {
      problem(field + ".valueFrom", "set value or valueFrom, not both");
    }
    if (a.valueFrom.secretKeyRef == null) {
      problem(field + ".valueFrom.secretKeyRef", "required");
      return;
    }
    if (!a.name.matches("[A-Z][A-Z0-9_]*") || RESERVED_ENV.matcher(a.name).matches()) {
      problem(field + ".name", "\"" + abbreviate(a.name) + "\" cannot come from a Secret: kaniko reads such an arg"
          + " from its environment, so the name must be an upper-case variable name ([A-Z][A-Z0-9_]*) and not one"
          + " the pod, its shell or kaniko use themselves (PATH, HOME, PPID, SB_*, DOCKER_*, KANIKO_*, ...)");
    }
    String secret = a.valueFrom.secretKeyRef.name;
    if (secret == null || secret.isEmpty()) {
      problem(field + ".valueFrom.secretKeyRef.name", "required");
    } else {
      dnsSubdomain(field + ".valueFrom.secretKeyRef.name", secret);
    }
    secretKey(field + ".valueFrom.secretKeyRef.key", a.valueFrom.secretKeyRef.key);
  }

  private void secretKey(String field, String key) {
    if (key == null || !isDataKey(key)) {
      problem(field, "must be a Secret key ([-._a-zA-Z0-9], at most 253 characters; not \".\" or \"..\", nor"
          + " starting with \"..\")");
    }
  }

  /** A key a ConfigMap or Secret can hold: the API server refuses ".", ".." and keys starting with "..". */
  private static boolean isDataKey(String key) {
    return CONFIG_MAP_KEY.matcher(key).matches() && !key.equals(".") && !key.startsWith("..");
  }

  private void secrets(List<BuildSecret> secrets) {
    if (secrets == null) {
      return;
    }
    Map<String, Integer> ids = new HashMap<>();
    for (int i = 0; i < secrets.size(); i++) {
      BuildSecret s = secrets.get(i);
      String field = "spec.secrets[" + i + "]";
      if (s == null) {
        problem(field, "must not be null");
        continue;
      }
      if (s.id == null || s.id.isEmpty()) {
        problem(field + ".id", "required");
      } else if (!SECRET_ID.matcher(s.id).matches()) {
        problem(field + ".id", "\"" + abbreviate(s.id) + "\" is not a secret id (letters, digits, '.', '_', '-', at most"
            + " 253 characters): the id a RUN --mount=type=secret,id=<id> names");
      } else {
        Integer first = ids.putIfAbsent(s.id, i);
        if (first != null) {
          // which of the two a mount would get is not for the operator to guess
          problem(field + ".id", "\"" + s.id + "\" is already mapped by spec.secrets[" + first + "]");
        }
      }
      if (s.secretRef == null) {
        problem(field + ".secretRef.name", "required");
      } else {
        dnsSubdomain(field + ".secretRef.name", s.secretRef.name);
      }
      // the stage pods' secret volume takes it as an item's key, which the API server requires
      secretKey(field + ".key", s.key);
    }
  }

  /**
   * On a ReadWriteOnce workspace every pod of the build runs on one node and asks for every
   * stage's node selector (PodParts.oneNodePlacement): two entries that want different values of
   * one key can never be met.
   */
  private void oneNode(StageBuildSpec spec) {
    List<StageSettings> stages = spec.stages;
    if (stages == null || Workspace.spansNodes(spec.workspace)) {
      return;
    }
    Map<String, Integer> firstBy = new HashMap<>();
    for (int i = 0; i < stages.size(); i++) {
      StageSettings s = stages.get(i);
      if (s == null || s.nodeSelector == null) {
        continue;
      }
      for (Map.Entry<String, String> e : new java.util.TreeMap<>(s.nodeSelector).entrySet()) {
        Integer first = firstBy.putIfAbsent(e.getKey(), i);
        String before = first == null ? null : stages.get(first).nodeSelector.get(e.getKey());
        if (before != null && !before.equals(e.getValue())) {
          problem("spec.stages[" + i + "].nodeSelector", "asks for " + abbreviate(e.getKey()) + "="
              + abbreviate(String.valueOf(e.getValue())) + " and spec.stages[" + first + "] for "
              + abbreviate(e.getKey()) + "=" + abbreviate(before) + ", but the workspace is ReadWriteOnce, so every"
              + " pod of the build runs on one node: use the same value, or set spec.workspace.accessModes to"
              + " [ReadWriteMany]");
        }
      }
    }
  }

  private void stages(List<StageSettings> stages) {
    if (stages == null) {
      return;
    }
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < stages.size(); i++) {
      StageSettings s = stages.get(i);
      String field = "spec.stages[" + i + "]";
      if (s == null || s.name == null || s.name.isBlank()) {
        problem(field + ".name", "required");
        continue;
      }
      if (s.name.length() > Budgets.MAX_STAGE_NAME || hasControl(s.name)) {
        problem(field + ".name", "not a stage name");
        continue;
      }
      Integer earlier = seen.putIfAbsent(StageNames.lower(s.name), i);
      if (earlier != null) {
        problem(field + ".name", "\"" + s.name + "\" is also spec.stages[" + earlier
            + "] (stage names are case-insensitive)");
      }
      resources(field + ".resources", s.resources);
      if (s.nodeSelector != null) {
        for (Map.Entry<String, String> e : s.nodeSelector.entrySet()) {
          qualifiedName(field + ".nodeSelector", e.getKey());
          labelValue(field + ".nodeSelector[" + abbreviate(String.valueOf(e.getKey())) + "]", e.getValue());
        }
      }
      if (s.tolerations != null) {
        for (int t = 0; t < s.tolerations.size(); t++) {
          toleration(field + ".tolerations[" + t + "]", s.tolerations.get(t));
        }
      }
      timeout(field + ".timeoutSeconds", s.timeoutSeconds);
    }
  }

  private void resources(String field, ResourceRequirements r) {
    if (r == null) {
      return;
    }
    Map<String, BigDecimal> requests = quantities(field + ".requests", r.getRequests());
    Map<String, BigDecimal> limits = quantities(field + ".limits", r.getLimits());
    for (Map.Entry<String, BigDecimal> e : requests.entrySet()) {
      String name = e.getKey();
      BigDecimal limit = limits.get(name);
      // the API server refuses a request over the limit (a request without a limit is fine)
      if (limit != null && e.getValue().compareTo(limit) > 0) {
        problem(field + ".requests." + name, quantityText(r.getRequests().get(name)) + " is more than the limit "
            + quantityText(r.getLimits().get(name)) + " (" + field + ".limits." + name + "), which the API server"
            + " refuses; lower the request or raise the limit");
      } else if (!overcommitAllowed(name) && (limit == null || e.getValue().compareTo(limit) != 0)) {
        // extended resources and huge pages cannot be overcommitted
        problem(field + ".requests." + name, quantityText(r.getRequests().get(name)) + " needs a limit of the same"
            + " amount (" + field + ".limits." + name + "): the API server refuses an extended resource or huge"
            + " pages requested without one; set the limit alone (the request defaults to it)");
      }
    }
    for (String part : List.of("requests", "limits")) {
      Map<String, BigDecimal> amounts = part.equals("requests") ? requests : limits;
      Map<String, Quantity> given = part.equals("requests") ? r.getRequests() : r.getLimits();
      amounts.forEach((name, amount) -> {
        if (extendedResource(name) && amount.stripTrailingZeros().scale() > 0) {
          problem(field + "." + part + "." + name, quantityText(given.get(name)) + " is not a whole number, which the"
              + " API server requires of an extended resource");
        }
      });
    }
    boolean hugePages = requests.keySet().stream().anyMatch(n -> n.startsWith(HUGE_PAGES))
        || limits.keySet().stream().anyMatch(n -> n.startsWith(HUGE_PAGES));
    boolean cpuOrMemory = requests.containsKey("cpu") || requests.containsKey("memory") || limits.containsKey("cpu")
        || limits.containsKey("memory");
    if (hugePages && !cpuOrMemory) {
      problem(field, "huge pages need a cpu or memory request or limit as well, which the API server requires");
    }
    if (r.getClaims() != null && !r.getClaims().isEmpty()) {
      problem(field + ".claims", "not supported");
    }
  }

  /** The valid quantities of {@code map} by resource name, in bytes/units; a problem for each other entry. */
  private Map<String, BigDecimal> quantities(String field, Map<String, Quantity> map) {
    Map<String, BigDecimal> valid = new HashMap<>();
    if (map == null) {
      return valid;
    }
    for (Map.Entry<String, Quantity> e : map.entrySet()) {
      String name = e.getKey();
      if (name == null || name.length() > 253 || !RESOURCE_NAME.matcher(name).matches()) {
        problem(field, "\"" + abbreviate(String.valueOf(name)) + "\" is not a resource name");
        continue;
      }
      if (name.indexOf('/') < 0 ? !STANDARD_RESOURCES.contains(name) && !name.startsWith(HUGE_PAGES)
          : !nativeResource(name) && name.startsWith("requests.")) {
        problem(field, "\"" + abbreviate(name) + "\" is not a container resource: cpu, memory, ephemeral-storage,"
            + " hugepages-<size>, or an extended resource with a domain (example.com/gpu)");
        continue;
      }
      BigDecimal amount = quantity(field + "." + name, e.getValue());
      if (amount != null && name.startsWith(HUGE_PAGES) && !hugePages(field + "." + name, name, amount)) {
        continue;
      }
      if (amount != null) {
        valid.put(name, amount);
      }
    }
    return valid;
  }

  /**
   * hugepages-&lt;size&gt;: the size is a positive quantity and the amount a whole multiple of it, as
   * the API server's validateResourceQuantityHugePageValue has it.
   */
  private boolean hugePages(String field, String name, BigDecimal amount) {
    String size = name.substring(HUGE_PAGES.length());
    BigDecimal page = null;
    if (QUANTITY.matcher(size).matches() && size.length() <= 64) {
      try {
        page = Quantity.getAmountInBytes(new Quantity(size));
      } catch (RuntimeException e) {
        page = null;
      }
    }
    if (page == null || page.signum() <= 0) {
      problem(field, "\"" + abbreviate(size) + "\" is not a page size (e.g. hugepages-2Mi, hugepages-1Gi)");
      return false;
    }
    if (amount.remainder(page).signum() != 0) {
      problem(field, "must be a whole multiple of the page size " + abbreviate(size) + ", as the API server requires");
      return false;
    }
    return true;
  }

  /** A resource of the API server's own (no domain, or a kubernetes.io one), as its IsNativeResource has it. */
  private static boolean nativeResource(String name) {
    return name.indexOf('/') < 0 || name.contains("kubernetes.io/");
  }

  /** An extended resource (example.com/gpu): whole numbers only, never overcommitted. */
  private static boolean extendedResource(String name) {
    return !nativeResource(name) && !name.startsWith("requests.");
  }

  /** Whether a request may be below the limit, as the API server's IsOvercommitAllowed has it. */
  private static boolean overcommitAllowed(String name) {
    return nativeResource(name) && !name.startsWith(HUGE_PAGES);
  }

  private static String quantityText(Quantity q) {
    return abbreviate((q.getAmount() == null ? "" : q.getAmount()) + (q.getFormat() == null ? "" : q.getFormat()));
  }

  /** The amount of {@code q} in bytes/units when it is a valid, non-negative quantity, else null (and a problem). */
  private BigDecimal quantity(String field, Quantity q) {
    String text = q == null ? null : (q.getAmount() == null ? "" : q.getAmount()) + (q.getFormat() == null ? "" : q.getFormat());
    return quantity(field, text);
  }

  private BigDecimal quantity(String field, String text) {
    if (text == null || text.isEmpty() || text.length() > 64 || !QUANTITY.matcher(text).matches()) {
      problem(field, "\"" + abbreviate(String.valueOf(text)) + "\" is not a quantity (e.g. 500m, 2, 1Gi)");
      return null;
    }
    try {
      return Quantity.getAmountInBytes(new Quantity(text));
    } catch (RuntimeException e) {
      problem(field, "\"" + abbreviate(text) + "\" is not a quantity");
      return null;
    }
  }

  private void qualifiedName(String field, String key) {
    if (key == null || key.isEmpty()) {
      problem(field, "a key is empty");
      return;
    }
    String name = key;
    int slash = key.indexOf('/');
    if (slash >= 0) {
      String prefix = key.substring(0, slash);
      name = key.substring(slash + 1);
      if (prefix.isEmpty() || prefix.length() > 253 || !DNS_SUBDOMAIN.matcher(prefix).matches()) {
        problem(field, "key \"" + abbreviate(key) + "\" has an invalid prefix (a DNS subdomain)");
        return;
      }
    }
    if (name.isEmpty() || name.length() > 63 || !QUALIFIED_NAME.matcher(name).matches()) {
      problem(field, "key \"" + abbreviate(key) + "\" is not a valid label key");
    }
  }

  private void labelValue(String field, String value) {
    if (value != null && (value.length() > 63 || !LABEL_VALUE.matcher(value).matches())) {
      problem(field, "\"" + abbreviate(value) + "\" is not a valid label value");
    }
  }

  private void toleration(String field, Toleration t) {
    if (t == null) {
      problem(field, "must not be null");
      return;
    }
    String op = t.getOperator() == null ? "" : t.getOperator();
    String effect = t.getEffect() == null ? "" : t.getEffect();
    if (t.getKey() != null && !t.getKey().isEmpty()) {
      qualifiedName(field + ".key", t.getKey());
    } else if (!op.equals("Exists")) {
      problem(field + ".operator", "must be Exists when key is empty");
    }
    if (!TOLERATION_OPERATORS.contains(op)) {
      problem(field + ".operator", "\"" + abbreviate(op) + "\" is not Exists or Equal");
    }
    if (!TOLERATION_EFFECTS.contains(effect)) {
      problem(field + ".effect", "\"" + abbreviate(effect) + "\" is not NoSchedule, PreferNoSchedule or NoExecute");
    }
    if (op.equals("Exists") && t.getValue() != null && !t.getValue().isEmpty()) {
      problem(field + ".value", "must be empty when operator is Exists");
    }
    labelValue(field + ".value", t.getValue());
    if (t.getTolerationSeconds() != null && !effect.equals("NoExecute")) {
      problem(field + ".tolerationSeconds", "only with effect NoExecute");
    }
  }

  private void workspace(Workspace ws) {
    if (ws == null) {
      return;
    }
    if (ws.size != null) {
      BigDecimal bytes = quantity("spec.workspace.size", ws.size);
      if (bytes != null && (bytes.signum() <= 0 || bytes.compareTo(MAX_WORKSPACE_BYTES) > 0)) {
        problem("spec.workspace.size", "must be more than 0 and at most 64Ti, got " + abbreviate(ws.size));
      }
    }
    if (ws.storageClassName != null) {
      dnsSubdomain("spec.workspace.storageClassName", ws.storageClassName);
    }
    if (ws.claimName != null) {
      dnsSubdomain("spec.workspace.claimName", ws.claimName);
      if (ws.size != null || ws.storageClassName != null) {
        problem("spec.workspace.claimName", "names an existing claim: size and storageClassName describe the claim"
            + " StageBuild would create, so leave them out");
      }
    }
    if (ws.accessModes != null) {
      for (int i = 0; i < ws.accessModes.size(); i++) {
        String m = ws.accessModes.get(i);
        if ("ReadWriteOncePod".equals(m)) {
          // nothing serializes the build's pods for it: a wave's pods, and a shared claim's builds,
          // would wait for one another (and the API server refuses it beside other modes)
          problem("spec.workspace.accessModes[" + i + "]", "ReadWriteOncePod admits one pod at a time, but the"
              + " stages of a wave run at once on the workspace; use ReadWriteOnce (the build's pods then share one"
              + " node) or ReadWriteMany");
        } else if (m == null || !ACCESS_MODES.contains(m)) {
          problem("spec.workspace.accessModes[" + i + "]", "\"" + abbreviate(String.valueOf(m))
              + "\" is not ReadWriteOnce or ReadWriteMany");
        }
      }
    }
  }

  private void executor(Executor executor, StageBuildSpec spec) {
    if (executor == null) {
      return;
    }
    if (executor.image != null && !executor.image.isBlank()) {
      image("spec.executor.image", executor.image);
    }
    if (executor.cache != null && executor.cache.repository != null && !executor.cache.repository.isBlank()) {
      ImageReference cache = image("spec.executor.cache.repository", executor.cache.repository);
      if (cache != null && (cache.tag().isPresent() || cache.digest().isPresent())) {
        // kaniko tags each cached layer as <repository>:<key>, which a tag or digest makes unparseable:
        // the first cached step would fail the stage
        problem("spec.executor.cache.repository", "\"" + abbreviate(executor.cache.repository)
            + "\" names a tag or digest: give a repository only (kaniko tags each cached layer <repository>:<key>)");
      }
    }
    if (executor.mountCache != null) {
      // every stage pod mounts it as a volume's claimName
      dnsSubdomain("spec.executor.mountCache.claimName", executor.mountCache.claimName);
    }
    String flags = ExecutorFlags.problem(executor.args);
    if (flags != null) {
      problems.add(flags);
    }
  }

  private void timeout(String field, Long seconds) {
    if (seconds != null && (seconds < 1 || seconds > Budgets.MAX_TIMEOUT_SECONDS)) {
      problem(field, "must be between 1 and " + Budgets.MAX_TIMEOUT_SECONDS + " (30 days), got " + seconds);
    }
  }

  private static boolean hasControl(String s) {
    return s.chars().anyMatch(Character::isISOControl);
  }

  private static String abbreviate(String text) {
    if (text == null) {
      return "null";
    }
    String oneLine = text.replaceAll("\\p{Cntrl}", "?");
    return oneLine.length() <= 80 ? oneLine : oneLine.substring(0, 77) + "...";
  }
}
