package dev.stagebuild.security;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which kaniko executor flags a StageBuild may pass through {@code spec.executor.args}. The
 * operator owns every flag that decides what is built from where, what is pushed where, and what
 * the pod reports (the flags of kaniko v1.28.3's {@code cmd/executor/cmd/root.go} listed below):
 * setting one through the spec would let the build push elsewhere, skip the push and still report
 * success, or write a forged digest.
 */
public final class ExecutorFlags {
  /** Long flags (without the leading {@code --}) the operator sets or that must stay unset. */
  public static final Set<String> OPERATOR_OWNED = Set.of(
      // what is built, from where
      "dockerfile", "context", "context-sub-path", "bucket", "git", "target", "build-arg",
      "kaniko-dir", "materialize", "pre-cleanup", "custom-platform", "customPlatform",
      // where it goes and what is reported
      "destination", "no-push", "tar-path", "tarPath", "oci-layout-path", "digest-file",
      "image-name-with-digest-file", "image-name-tag-with-digest-file", "dryrun",
      "push-ignore-immutable-tag-errors", "skip-push-permission-check",
      // transport security of the push: spec.output.insecure and spec.output.caBundleRef decide.
      // The per-registry variants reach the push too (kaniko's DoPush, its push check and the
      // layer cache take --insecure-registry; its transport for every request to a host takes
      // --skip-tls-verify-registry and --registry-certificate, and a later --registry-certificate
      // for the same host replaces the operator's). --insecure-pull and --skip-tls-verify-pull
      // stay allowed: kaniko reads them for base-image pulls only (v1.28.3 reads the latter nowhere).
      "insecure", "skip-tls-verify", "insecure-registry", "skip-tls-verify-registry", "registry-certificate",
      // the files the stage script reads afterwards must stay
      "cleanup", "force",
      // secret material from pod files: spec fields decide what a build may read
      "secret");
  /** Short forms: {@code -f} dockerfile, {@code -c} context, {@code -b} bucket, {@code -d} destination. */
  public static final Set<Character> OPERATOR_OWNED_SHORT = Set.of('f', 'c', 'b', 'd');
  /** The most extra arguments, and characters in one. */
  public static final int MAX_ARGS = 64;
  public static final int MAX_ARG_CHARS = 4096;

  private ExecutorFlags() {}

  /**
   * Null when the arguments may be passed, else why not (naming the first offending entry as
   * {@code spec.executor.args[i]}).
   */
  public static String problem(List<String> args) {
    if (args == null) {
      return null;
    }
    if (args.size() > MAX_ARGS) {
      return "spec.executor.args: at most " + MAX_ARGS + " arguments, got " + args.size();
    }
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      String field = "spec.executor.args[" + i + "]";
      if (a == null) {
        return field + ": must not be null";
      }
      if (a.length() > MAX_ARG_CHARS) {
        return field + ": longer than " + MAX_ARG_CHARS + " characters";
      }
      if (a.indexOf('\0') >= 0 || a.indexOf('\n') >= 0 || a.indexOf('\r') >= 0) {
        return field + ": must not hold a NUL or line break";
      }
      if (a.equals("--")) {
        return field + ": \"--\" would end the executor's flags";
      }
      if (helpFlag(a)) {
        return field + ": " + a + " makes the executor print its usage and exit without building";
      }
      String owned = ownedFlag(a);
      if (owned != null) {
        return field + ": " + owned + " is set by the operator and cannot be given in spec.executor.args"
            + hint(owned);
      }
    }
    return null;
  }

  /** What to use instead of an operator-owned flag, when the spec has a field for it. */
  private static String hint(String flag) {
    return switch (flag.toLowerCase(Locale.ROOT)) {
      case "--insecure", "--skip-tls-verify", "--insecure-registry", "--skip-tls-verify-registry" ->
          "; spec.output.insecure decides the push registry's transport (--insecure-pull is allowed for base images)";
      case "--registry-certificate" -> "; use spec.output.caBundleRef for the output registry's CA";
      default -> "";
    };
  }

  /** {@code --help} or {@code -h} (cobra's own flag, also in a shorthand group before any value). */
  static boolean helpFlag(String arg) {
    if (arg.startsWith("--")) {
      String name = arg.substring(2);
      int eq = name.indexOf('=');
      return (eq >= 0 ? name.substring(0, eq) : name).equalsIgnoreCase("help");
    }
    if (arg.startsWith("-")) {
      for (int k = 1; k < arg.length(); k++) {
        char c = arg.charAt(k);
        if (c == 'h') {
          return true;
        }
        if (c == 'v' || c == '=') {
          return false; // -v takes the rest as its value
        }
      }
    }
    return false;
  }

  /** The operator-owned flag {@code arg} sets ({@code --name} or {@code -x}), or null. */
  static String ownedFlag(String arg) {
    if (arg.startsWith("--")) {
      String name = arg.substring(2);
      int eq = name.indexOf('=');
      if (eq >= 0) {
        name = name.substring(0, eq);
      }
      // pflag matches names exactly; normalise case only to refuse look-alikes too
      if (OPERATOR_OWNED.contains(name) || OPERATOR_OWNED.contains(name.toLowerCase(Locale.ROOT))) {
        return "--" + name;
      }
      return null;
    }
    if (arg.startsWith("-") && arg.length() > 1) {
      // -d x, -d=x, -dx, and shorthand groups like -vd (only v takes a value before others)
      for (int k = 1; k < arg.length(); k++) {
        char c = arg.charAt(k);
        if (OPERATOR_OWNED_SHORT.contains(c)) {
          return "-" + c;
        }
        if (c == 'v' || c == '=') {
          break; // -v takes the rest as its value
        }
      }
    }
    return null;
  }
}
