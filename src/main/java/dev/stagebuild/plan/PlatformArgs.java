package dev.stagebuild.plan;

import dev.stagebuild.dockerfile.WordExpander.Variable;
import java.util.Map;

/**
 * The ARGs Docker defines before the first FROM on its own (TARGETPLATFORM, BUILDARCH, ...). At
 * plan time the platform is not known from a builder, so it is linux/amd64 unless the build
 * arguments say otherwise: {@code TARGETPLATFORM=linux/arm64/v8} also sets TARGETOS, TARGETARCH
 * and TARGETVARIANT, and each of them can be given on its own. BUILDPLATFORM is TARGETPLATFORM
 * unless given: kaniko builds on the node whose platform it pulls.
 */
final class PlatformArgs {
  private PlatformArgs() {}

  static final String DEFAULT_PLATFORM = "linux/amd64";
  static final String TARGETSTAGE = "TARGETSTAGE";

  static void define(Scope global, Map<String, String> buildArgs, String targetStage) {
    // kaniko sets BUILDPLATFORM to the platform it runs on, the node's, which the plan takes to be
    // TARGETPLATFORM (kaniko pulls the node's platform): a given TARGETPLATFORM is BUILDPLATFORM too
    String targetPlatform = buildArgs.getOrDefault("TARGETPLATFORM", DEFAULT_PLATFORM);
    for (String prefix : new String[] {"BUILD", "TARGET"}) {
      String platform = buildArgs.getOrDefault(prefix + "PLATFORM", targetPlatform);
      String[] parts = platform.split("/", 3);
      set(global, buildArgs, prefix + "PLATFORM", platform);
      set(global, buildArgs, prefix + "OS", parts[0]);
      set(global, buildArgs, prefix + "OSVERSION", "");
      set(global, buildArgs, prefix + "ARCH", parts.length > 1 ? parts[1] : "");
      set(global, buildArgs, prefix + "VARIANT", parts.length > 2 ? parts[2] : "");
    }
    set(global, buildArgs, TARGETSTAGE, targetStage);
  }

  private static void set(Scope global, Map<String, String> buildArgs, String name, String value) {
    global.set(name, Variable.of(buildArgs.getOrDefault(name, value)));
  }
}
