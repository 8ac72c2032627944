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

  @Test
  void plainNamesStayReadable() {
    assertThat(BuildNames.podName("hellogo", "2", "build", 1)).isEqualTo("hellogo-2-build");
    assertThat(BuildNames.podName("hellogo", "2", "source", 1)).isEqualTo("hellogo-2-source");
    assertThat(BuildNames.podName("hellogo", "2", "stage-1", 1)).isEqualTo("hellogo-2-stage-1");
    assertThat(BuildNames.pvcName("hellogo", "2")).isEqualTo("hellogo-2-workspace");
    assertThat(BuildNames.planConfigMapName("hellogo", "2-abcdef")).isEqualTo("hellogo-2-abcdef-plan");
  }

  @Test
  void retriesGetASuffix() {
    assertThat(BuildNames.podName("hellogo", "2", "build", 2)).isEqualTo("hellogo-2-build-r2");
    assertThat(BuildNames.podName("hellogo", "2", "build", 13)).isEqualTo("hellogo-2-build-r13");
    assertThat(BuildNames.podName("hellogo", "2", "build", 0)).isEqualTo("hellogo-2-build");
  }

  @Test
  void changedNamesAreSanitizedAndHashed() {
    String name = BuildNames.podName("hello.go", "2", "build_tools.v2", 1);
    assertDnsLabel(name);
    assertThat(name).isEqualTo("hello-go-2-build-tools-v2-" + Hashes.sha256Hex("hello.go-2-build_tools.v2", 8));
    // Two steps that sanitize alike stay apart.
    assertThat(BuildNames.podName("app", "1", "build-tools", 1)).isEqualTo("app-1-build-tools");
    assertThat(BuildNames.podName("app", "1", "build.tools", 1))
        .isNotEqualTo(BuildNames.podName("app", "1", "build_tools", 1))
        .isNotEqualTo("app-1-build-tools")
        .startsWith("app-1-build-tools-");
  }

  @Test
  void upperCaseIsLoweredAndHashed() {
    String name = BuildNames.podName("App", "1", "Build", 1);
    assertDnsLabel(name);
    assertThat(name).startsWith("app-1-build-").hasSize("app-1-build-".length() + 8);
  }

  @Test
  void longNamesAreShortenedTo63WithAHash() {
    String sb = "a".repeat(60);
    String name = BuildNames.podName(sb, "12-abcdef", "compile-everything", 3);
    assertDnsLabel(name);
    assertThat(name).hasSize(63).endsWith("-" + Hashes.sha256Hex(sb + "-12-abcdef-compile-everything-r3", 8));
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
    assertThat(name).isEqualTo("b".repeat(53) + "-" + Hashes.sha256Hex(sb + "-1-x", 8));
  }

  @Test
  void exactly63CharactersIsKept() {
    String sb = "s".repeat(63 - "-1-build".length());
    assertThat(BuildNames.podName(sb, "1", "build", 1)).isEqualTo(sb + "-1-build");
    assertThat(BuildNames.podName(sb, "1", "build", 2)).hasSize(63).doesNotEndWith("-r2");
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
