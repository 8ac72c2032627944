package dev.stagebuild.kaniko;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class BuildNamesTest {
  static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?");

  static void assertDnsLabel(String name) {
    assertThat(name).hasSizeLessThanOrEqualTo(63).matches(DNS_LABEL);
  }

  @Test
  void buildIdIsTheGenerationWithoutRebuildAnnotation() {
    assertThat(BuildNames.buildId(2, null)).isEqualTo("2");
    assertThat(BuildNames.buildId(2, "")).isEqualTo("2");
    assertThat(BuildNames.buildId(2, "  ")).isEqualTo("2");
  }

  @Test
  void buildIdHashesTheRebuildAnnotation() {
    String id = BuildNames.buildId(7, "now");
    assertThat(id).matches("7-[0-9a-f]{6}").isEqualTo("7-" + Hashes.sha256Hex("now", 6));
    assertThat(BuildNames.buildId(7, "later")).isNotEqualTo(id);
    assertThat(BuildNames.buildId(7, "now")).isEqualTo(id);
  }

  @Test
  void sha256PrefixIsTheKnownDigest() {
    // printf abc | sha256sum
    assertThat(Hashes.sha256Hex("abc", 8)).isEqualTo("ba7816bf");
  }

  static String key(String... parts) {
    return Hashes.sha256Hex(String.join("\0", parts), 8);
  }

  @Test
  void namesAreReadableWithAKeyedSuffix() {
    assertThat(BuildNames.podName("hellogo", "2", "build", 1))
        .isEqualTo("hellogo-2-build-" + key("pod", "hellogo", "2", "build", "1"));
    assertThat(BuildNames.podName("hellogo", "2", "source", 1)).startsWith("hellogo-2-source-");
    assertThat(BuildNames.pvcName("hellogo", "2")).isEqualTo("hellogo-2-workspace-" + key("workspace", "hellogo", "2"));
    assertThat(BuildNames.planConfigMapName("hellogo", "2-abcdef"))
        .isEqualTo("hellogo-2-abcdef-plan-" + key("plan", "hellogo", "2-abcdef"));
  }

  @Test
  void namesOfDifferentStageBuildsNeverCollide() {
    // Joined with '-', these were both "a-1-b-2-x": one author could fail another's build by naming a stage.
    assertThat(BuildNames.podName("a", "1", "b-2-x", 1)).isNotEqualTo(BuildNames.podName("a-1-b", "2", "x", 1));
    assertThat(BuildNames.pvcName("x", "2-123456")).isNotEqualTo(BuildNames.pvcName("x-2", "123456"));
    assertThat(BuildNames.planConfigMapName("x", "2-123456")).isNotEqualTo(BuildNames.planConfigMapName("x-2", "123456"));
    // A step that looks like a retry suffix is not a retry.
    assertThat(BuildNames.podName("a", "1", "b-r2", 1)).isNotEqualTo(BuildNames.podName("a", "1", "b", 2));
  }

  @Test
  void retriesGetASuffix() {
    assertThat(BuildNames.podName("hellogo", "2", "build", 2)).startsWith("hellogo-2-build-r2-");
    assertThat(BuildNames.podName("hellogo", "2", "build", 13)).startsWith("hellogo-2-build-r13-");
    assertThat(BuildNames.podName("hellogo", "2", "build", 0)).isEqualTo(BuildNames.podName("hellogo", "2", "build", 1));
  }

  @Test
  void changedNamesAreSanitized() {
    String name = BuildNames.podName("hello.go", "2", "build_tools.v2", 1);
    assertDnsLabel(name);
    assertThat(name).isEqualTo("hello-go-2-build-tools-v2-" + key("pod", "hello.go", "2", "build_tools.v2", "1"));
    // Two steps that sanitize alike stay apart.
    assertThat(BuildNames.podName("app", "1", "build.tools", 1))
        .isNotEqualTo(BuildNames.podName("app", "1", "build_tools", 1))
        .isNotEqualTo(BuildNames.podName("app", "1", "build-tools", 1))
        .startsWith("app-1-build-tools-");
  }

  @Test
  void upperCaseIsLowered() {
    String name = BuildNames.podName("App", "1", "Build", 1);
    assertDnsLabel(name);
    assertThat(name).startsWith("app-1-build-").hasSize("app-1-build-".length() + 8);
  }

  @Test
  void longNamesAreShortenedTo63() {
    String sb = "a".repeat(60);
    String name = BuildNames.podName(sb, "12-abcdef", "compile-everything", 3);
    assertDnsLabel(name);
    assertThat(name).hasSize(63).endsWith("-" + key("pod", sb, "12-abcdef", "compile-everything", "3"));
    assertThat(BuildNames.podName(sb, "12-abcdef", "compile-everything", 4)).isNotEqualTo(name);
    assertDnsLabel(BuildNames.pvcName("x".repeat(253), "1"));
    assertDnsLabel(BuildNames.planConfigMapName("x".repeat(253), "1"));
  }

  @Test
  void shorteningNeverLeavesADashBeforeTheHash() {
    // The cut falls right after a '-': it is dropped so that no "--" or trailing '-' appears.
    String sb = "b".repeat(53) + "-" + "c".repeat(20);
    String name = BuildNames.podName(sb, "1", "x", 1);
    assertDnsLabel(name);
    assertThat(name).isEqualTo("b".repeat(53) + "-" + key("pod", sb, "1", "x", "1"));
  }

  @Test
  void namesAreDeterministicAndDistinct() {
    Set<String> names = new HashSet<>();
    for (int attempt = 1; attempt <= 20; attempt++) {
      for (String step : new String[] {"source", "build", "build.a", "build_a", "Build", "stage-0"}) {
        String name = BuildNames.podName("my.build-" + "z".repeat(50), "3", step, attempt);
        assertDnsLabel(name);
        assertThat(BuildNames.podName("my.build-" + "z".repeat(50), "3", step, attempt)).isEqualTo(name);
        assertThat(names.add(name)).as("unique: %s", name).isTrue();
      }
    }
  }
}
