package dev.stagebuild.deploy;

import dev.stagebuild.registry.RegistryException;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * docs/conditions.md documents every condition reason: those the operator's contract names, and
 * every reason literal the reconciler's code sets (found by reading its source, so that a new
 * reason cannot ship undocumented).
 */
class ConditionsDocTest {
  static final Path DOC = Path.of("docs/conditions.md");
  /** The reconciler's sources (a property points elsewhere when they are built apart). */
  static final Path RECONCILER = Path.of(System.getProperty("stagebuild.reconciler.sources",
      "src/main/java/dev/stagebuild/reconciler"));

  /** The reasons of the issue's contract. */
  static final List<String> CONTRACT = List.of("Pending", "Running", "Succeeded", "StageFailed", "SourceFailed",
      "Timeout", "InvalidDockerfile", "InvalidSpec", "SecretNotFound", "InvalidSecret", "SourceNotFound",
      "Unschedulable", "ImagePullFailed", "PushFailed", "OOMKilled", "RegistryUnreachable", "RegistryUnauthorized",
      "ImageNotFound");

  /** Where the reconciler hands a reason literal to a condition. */
  static final List<Pattern> REASON_SITES = List.of(
      Pattern.compile("\\b(?:fail|pending|inProgress)\\(\"([A-Z][A-Za-z]+)\""),
      Pattern.compile("new Blocker\\(\"([A-Z][A-Za-z]+)\""),
      Pattern.compile("new Refusal\\(\"([A-Z][A-Za-z]+)\""),
      Pattern.compile("Inspection\\.(?:failed|withdrawn)\\(\"([A-Z][A-Za-z]+)\""),
      Pattern.compile("\\bABANDONED = \"([A-Z][A-Za-z]+)\""),
      Pattern.compile("->\\s*\"([A-Z][A-Za-z]+)\";"),
      Pattern.compile("return ([^;]*\"[A-Z][A-Za-z]+\"[^;]*);"),
      Pattern.compile("reason = [^;]*\"([A-Z][A-Za-z]+)\""),
      Pattern.compile("Conditions\\.[A-Z_]+, \"(?:True|False|Unknown)\", \"([A-Z][A-Za-z]+)\""),
      // PodInspector passes these kubelet reasons through as they are.
      Pattern.compile("CONFIG_FAILURES = Set\\.of\\(([^)]*)\\)"));

  static Set<String> reasonsInCode() throws IOException {
    Set<String> found = new TreeSet<>();
    // The registry client names the reasons of failed size look-ups.
    for (RegistryException.Reason r : RegistryException.Reason.values()) {
      found.add(r.conditionReason());
    }
    if (!Files.isDirectory(RECONCILER)) {
      return found;
    }
    try (Stream<Path> files = Files.list(RECONCILER)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
        String src = Files.readString(f);
        for (Pattern p : REASON_SITES) {
          Matcher m = p.matcher(src);
          while (m.find()) {
            Matcher words = Pattern.compile("\"([A-Z][A-Za-z]+)\"|^([A-Z][A-Za-z]+)$").matcher(m.group(1));
            while (words.find()) {
              found.add(words.group(1) != null ? words.group(1) : words.group(2));
            }
          }
        }
      }
    }
    return found;
  }

  @Test
  void everyReasonIsDocumented() throws IOException {
    String doc = Files.readString(DOC);
    Set<String> reasons = new TreeSet<>(CONTRACT);
    reasons.addAll(reasonsInCode());
    List<String> undocumented = reasons.stream().filter(r -> !doc.contains("`" + r + "`")).toList();
    assertThat(undocumented).as("reasons missing from " + DOC).isEmpty();
  }

  @Test
  void theCodeScanFindsTheReconcilersReasons() throws IOException {
    Set<String> found = reasonsInCode();
    // Spot checks from BuildDecider, PodInspector, Prerequisites and ImageInspector.
    assertThat(found).contains("Running", "Succeeded", "Timeout", "InvalidSpec", "PushFailed", "SourceFailed",
        "OOMKilled", "Forbidden", "NameConflict", "Cancelled", "Disrupted", "VolumeMultiAttach", "Unschedulable", "ImagePullFailed", "CreateContainerConfigError",
        "SecretNotFound", "InvalidSecret", "SourceNotFound", "RegistryUnreachable", "RegistryProtocolError", "Inspected",
        "Planning", "InvalidDockerfile", "CABundleNotFound", "DigestMismatch", "TagMoved");
  }

  @Test
  void everyConditionTypeIsExplained() throws IOException {
    String doc = Files.readString(DOC);
    for (String type : List.of("Succeeded", "Ready", "Reconciling", "Stalled", "ImageInspected")) {
      assertThat(doc).contains("| `" + type + "` |");
    }
  }
}
