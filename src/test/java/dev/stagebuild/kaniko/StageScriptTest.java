package dev.stagebuild.kaniko;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.stagebuild.api.StageBuild;
import dev.stagebuild.plan.BuildPlan;
import dev.stagebuild.plan.ExcludedExport;
import dev.stagebuild.plan.PodPlan;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Runs stage.sh for real, as the rendered pod would run it, with busybox and a fake executor that
 * lays out a "built" root. Needs busybox (Debian busybox-static).
 */
class StageScriptTest {
  static final String DIGEST = "sha256:" + "2c2ab690".repeat(8);
  static final String ODD = "a b'c$d`e;f\"g";

  // Not @TempDir: it warns about every symlink that points outside it, and the built root has many.
  Path tmp;
  Path busybox;
  Path applets;
  Path workspace;
  Path planDir;
  Path root;
  Path template;
  Path termLog;
  Path digestFile;
  Path argsFile;
  Path executor;
  boolean isRoot;

  final KanikoResources resources = new KanikoResources(RenderSettings.defaults());
  final StageBuild sb = Fixtures.sb("hellogo");

  @AfterEach
  void tearDown() throws IOException {
    PodHarness.deleteTree(tmp);
  }

  @BeforeEach
  void setUp() throws Exception {
    busybox = ShellTools.require("busybox");
    tmp = Files.createTempDirectory("stage-script");
    applets = ShellTools.appletDir(busybox, tmp);
    workspace = Files.createDirectories(tmp.resolve("workspace"));
    planDir = Files.createDirectories(tmp.resolve("plan"));
    root = Files.createDirectories(tmp.resolve("root"));
    template = Files.createDirectories(tmp.resolve("template"));
    termLog = tmp.resolve("termination-log");
    digestFile = tmp.resolve("digest");
    argsFile = tmp.resolve("executor-args");
    executor = tmp.resolve("fake-executor");
    Files.writeString(executor, "#!" + busybox + " sh\n"
        + "# fake kaniko: records its argv, lays out the built root, writes the digest, exits as told\n"
        + "for a in \"$@\"; do printf '%s\\n' \"$a\"; done >\"$FAKE_ARGS\"\n"
        + "cp -a \"$FAKE_TEMPLATE/.\" \"$SB_ROOT/\"\n"
        + "if [ -n \"${FAKE_DIGEST:-}\" ]; then printf '%s' \"$FAKE_DIGEST\" >\"$SB_DIGEST_FILE\"; fi\n"
        // what of the script's own busybox is there when the executor runs (it may clear /busybox)
        + "if [ -n \"${FAKE_TOOLS:-}\" ]; then ls -l \"$SB_TOOLS/busybox\" \"$SB_TOOLS/tar\" >\"$FAKE_TOOLS\"; fi\n"
        // what the pod made in the context before the executor ran
        + "if [ -n \"${FAKE_CONTEXT:-}\" ]; then (cd \"$SB_WORKSPACE/context\" && find exclude) >\"$FAKE_CONTEXT\"; fi\n"
        + "echo \"fake executor: exit ${FAKE_EXIT:-0}\" >&2\n"
        + "exit \"${FAKE_EXIT:-0}\"\n");
    Files.setPosixFilePermissions(executor, PosixFilePermissions.fromString("rwxr-xr-x"));
    // The kubelet creates the termination log empty.
    Files.createFile(termLog);
    isRoot = ((Integer) Files.getAttribute(tmp, "unix:uid")) == 0;
    Files.writeString(tmp.resolve("outside-secret"), "SECRET");
    buildTemplate();
  }

  /** The image the fake executor "built": files, modes, owners, symlinks and odd names. */
  void buildTemplate() throws IOException {
    Path bin = Files.createDirectories(template.resolve("app/bin"));
    write(bin.resolve("tool"), "tool\n", "rwxr-x--x");
    if (isRoot) {
      Files.setAttribute(bin.resolve("tool"), "unix:uid", 1234, NOFOLLOW_LINKS);
      Files.setAttribute(bin.resolve("tool"), "unix:gid", 2345, NOFOLLOW_LINKS);
    }
    Files.createSymbolicLink(bin.resolve("rel"), Path.of("tool"));
    Files.createSymbolicLink(bin.resolve("abs"), Path.of("/usr/lib/libx.so"));
    Path conf = Files.createDirectories(template.resolve("app/conf"));
    write(conf.resolve("settings.ini"), "k=v\n", "rw-r-----");
    Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rwx------"));
    Files.createSymbolicLink(template.resolve("app/link-to-conf"), Path.of("conf"));
    write(template.resolve("app/.hidden"), "hidden\n", "rw-r--r--");
    write(Files.createDirectories(template.resolve("usr/lib")).resolve("libx.so"), "libx\n", "rwxr-xr-x");
    Files.createSymbolicLink(template.resolve("lib"), Path.of("/usr/lib"));
    Path etc = Files.createDirectories(template.resolve("etc"));
    Files.createSymbolicLink(etc.resolve("alt"), Path.of("../usr/lib/libx.so"));
    Files.createSymbolicLink(etc.resolve("hostlink"), Path.of("/etc/hostname"));
    Path odd = Files.createDirectories(template.resolve("odd"));
    write(odd.resolve(ODD), "odd\n", "rw-r--r--");
    write(Files.createDirectories(odd.resolve("sp ace")).resolve("x"), "x\n", "rw-r--r--");
    write(odd.resolve("$(touch pwned)"), "literal\n", "rw-r--r--");
    Path glob = Files.createDirectories(template.resolve("glob"));
    for (String name : List.of("a.jar", "b.jar", ".c.jar", "[weird].jar", "x.txt", "sub3")) {
      write(glob.resolve(name), name + "\n", "rw-r--r--");
    }
    write(Files.createDirectories(glob.resolve("sub1/lib")).resolve("l1"), "l1\n", "rw-r--r--");
    write(Files.createDirectories(glob.resolve("sub2/lib")).resolve("l2"), "l2\n", "rw-r--r--");
    Files.createSymbolicLink(template.resolve("loop"), Path.of("/loop"));
    Files.createSymbolicLink(template.resolve("escape"), Path.of("../../../../../../outside-secret"));
  }

  static void write(Path file, String content, String mode) throws IOException {
    Files.writeString(file, content);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
  }

  PodPlan podPlan(String name, boolean isFinal, List<String> exports) {
    return new PodPlan(name, List.of(name), name, "FROM scratch AS " + name + "\n", List.of(), exports, isFinal, false);
  }

  record Run(ShellTools.Result result, Pod pod) {}

  /** Renders the pod and the plan ConfigMap, "mounts" them, and runs the pod's command. */
  Run run(PodPlan pod, Map<String, String> fake) throws Exception {
    BuildPlan plan = new BuildPlan(List.of(), List.of(pod), List.of(List.of(pod.name())), pod.name(), false);
    // A fresh pod: new plan mount, new root, empty termination log; the workspace persists.
    PodHarness.deleteTree(planDir);
    PodHarness.deleteTree(root);
    Files.createDirectories(root);
    PodHarness.mountConfigMap(resources.planConfigMap(sb, "2", plan, "src/**/*.md\n!src/README.md\n").getData(), planDir);
    Files.write(termLog, new byte[0]);
    Pod rendered = resources.stagePod(sb, "2", plan, pod, 1, null);
    Container c = rendered.getSpec().getContainers().get(0);
    Map<String, String> remap = Map.of(
        "SB_WORKSPACE", workspace.toString(),
        "SB_PLAN", planDir.toString(),
        "SB_ROOT", root.toString(),
        "SB_EXECUTOR", executor.toString(),
        "SB_TOOLS", tmp.resolve("tools").toString(),
        "SB_TERMINATION_LOG", termLog.toString(),
        "SB_DIGEST_FILE", digestFile.toString());
    Map<String, String> extra = new HashMap<>(Map.of(
        "PATH", applets.toString(),
        "FAKE_ARGS", argsFile.toString(),
        "FAKE_TEMPLATE", template.toString(),
        "SB_DIGEST_FILE", digestFile.toString()));
    extra.putAll(fake);
    Map<String, String> env = PodHarness.env(c, remap, extra);
    return new Run(ShellTools.run(PodHarness.command(rendered, busybox), env, tmp), rendered);
  }

  /** The pod's export archive, context/from/POD.tar. */
  Path archive(String pod) {
    return workspace.resolve("context/from").resolve(pod + ".tar");
  }

  /** The pod's export archive unpacked (as root, owners kept) into a fresh directory. */
  Path from(String pod) throws Exception {
    Path dir = tmp.resolve("unpacked-" + pod + "-" + System.nanoTime());
    Files.createDirectories(dir);
    ShellTools.Result r = ShellTools.run(List.of(busybox.toString(), "tar", "-x", "--numeric-owner", "-f",
        archive(pod).toString(), "-C", dir.toString()), Map.of("PATH", applets.toString()), tmp);
    assertThat(r.exit()).as(r.stderr()).isZero();
    return dir;
  }

  /** The pod's archive as {@code tar -tv} lists it (times in UTC). */
  List<String> listing(String pod) throws Exception {
    ShellTools.Result r = ShellTools.run(List.of(busybox.toString(), "tar", "-tvf", archive(pod).toString()),
        Map.of("PATH", applets.toString(), "TZ", "UTC"), tmp);
    assertThat(r.exit()).as(r.stderr()).isZero();
    return r.stdout().lines().toList();
  }

  static String mode(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, NOFOLLOW_LINKS));
  }

  static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return lines[lines.length - 1];
  }

  @Test
  void copiesExportsExactly() throws Exception {
    List<String> exports = List.of(
        "/app/bin",
        "/app/link-to-conf",
        "/app/conf",
        "/lib/libx.so",
        "/etc/alt",
        "/odd/" + ODD,
        "/odd/sp ace",
        "/odd/$(touch pwned)",
        "/glob/*.jar",
        "/glob/sub*/lib",
        "/app/../app/./.hidden",
        "/app/bin/tool");
    Run run = run(podPlan("build", false, exports), Map.of());
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();

    // The executor got exactly the rendered arguments, each one whole.
    assertThat(Files.readAllLines(argsFile)).isEqualTo(run.pod().getSpec().getContainers().get(0).getArgs());

    Path out = from("build");
    assertThat(out.resolve("app/bin/tool")).hasContent("tool");
    assertThat(mode(out.resolve("app/bin/tool"))).isEqualTo("rwxr-x--x");
    if (isRoot) {
      assertThat(Files.getAttribute(out.resolve("app/bin/tool"), "unix:uid", NOFOLLOW_LINKS)).isEqualTo(1234);
      assertThat(Files.getAttribute(out.resolve("app/bin/tool"), "unix:gid", NOFOLLOW_LINKS)).isEqualTo(2345);
    }
    // Symlinks inside a copied directory stay symlinks, targets unchanged.
    assertThat(Files.readSymbolicLink(out.resolve("app/bin/rel"))).isEqualTo(Path.of("tool"));
    assertThat(Files.readSymbolicLink(out.resolve("app/bin/abs"))).isEqualTo(Path.of("/usr/lib/libx.so"));
    // A listed symlink is kept as a symlink, and what it points to is taken too: COPY --from in the
    // consumer follows it in the stand-in stage as it would in this one.
    assertThat(Files.readSymbolicLink(out.resolve("app/link-to-conf"))).isEqualTo(Path.of("conf"));
    assertThat(out.resolve("app/link-to-conf/settings.ini")).hasContent("k=v");
    assertThat(mode(out.resolve("app/conf"))).isEqualTo("rwx------");
    assertThat(mode(out.resolve("app/conf/settings.ini"))).isEqualTo("rw-r-----");
    // Symlinks on the way are kept too (/lib -> /usr/lib), their targets taken inside the built root.
    assertThat(Files.readSymbolicLink(out.resolve("lib"))).isEqualTo(Path.of("/usr/lib"));
    assertThat(out.resolve("usr/lib/libx.so")).hasContent("libx");
    assertThat(mode(out.resolve("usr/lib/libx.so"))).isEqualTo("rwxr-xr-x");
    assertThat(Files.readSymbolicLink(out.resolve("etc/alt"))).isEqualTo(Path.of("../usr/lib/libx.so"));
    // Directories above an exported path have the built root's modes.
    assertThat(mode(out.resolve("usr/lib"))).isEqualTo(mode(template.resolve("usr/lib")));
    assertThat(mode(out.resolve("odd"))).isEqualTo(mode(template.resolve("odd")));
    // Odd names round-trip and nothing in them runs.
    assertThat(out.resolve("odd/" + ODD)).hasContent("odd");
    assertThat(out.resolve("odd/sp ace/x")).hasContent("x");
    assertThat(out.resolve("odd/$(touch pwned)")).hasContent("literal");
    try (Stream<Path> all = Files.walk(tmp)) {
      assertThat(all.filter(p -> p.getFileName().toString().equals("pwned"))).isEmpty();
    }
    // Globs match dot files too (like BuildKit), and only what matches.
    try (Stream<Path> glob = Files.list(out.resolve("glob"))) {
      assertThat(glob.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("a.jar", "b.jar", ".c.jar", "[weird].jar", "sub1", "sub2");
    }
    assertThat(out.resolve("glob/sub1/lib/l1")).hasContent("l1");
    assertThat(out.resolve("glob/sub2/lib/l2")).hasContent("l2");
    assertThat(out.resolve("app/.hidden")).hasContent("hidden");

    // The .dockerignore is installed whole, and no temporary file is left in the context.
    Path context = workspace.resolve("context");
    assertThat(context.resolve(".dockerignore")).hasContent("src/**/*.md\n!src/README.md");
    try (Stream<Path> top = Files.list(context)) {
      assertThat(top.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder(".dockerignore", "from", "mounts");
    }
    // the empty directory tmpfs mounts are written as bind mounts of: mode 1777, as a tmpfs's root
    assertThat(context.resolve("mounts/.tmpfs")).isEmptyDirectory();
    assertThat(Files.getPosixFilePermissions(context.resolve("mounts/.tmpfs")))
        .isEqualTo(java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
    assertThat(Files.getAttribute(context.resolve("mounts/.tmpfs"), "unix:mode")).isEqualTo(041777);
    try (Stream<Path> fromDir = Files.list(context.resolve("from"))) {
      assertThat(fromDir.map(p -> p.getFileName().toString())).containsExactly("build.tar");
    }
    // Not the final pod: nothing reported.
    assertThat(termLog).isEmptyFile();
  }

  @Test
  void missingExportFailsLikeCopyFrom() throws Exception {
    Run run = run(podPlan("build", false, List.of("/app/bin", "/nope/file")), Map.of());
    assertThat(run.result().exit()).isEqualTo(1);
    assertThat(lastLine(run.result().stderr())).isEqualTo("stagebuild: export /nope/file not found in stage build");
    assertThat(archive("build")).doesNotExist();
    assertThat(termLog).isEmptyFile();
  }

  @Test
  void globWithoutMatchCopiesNothingAsBuildKitAllows() throws Exception {
    Run run = run(podPlan("build", false, List.of("/glob/*.war", "/app/bin")), Map.of());
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();
    assertThat(from("build").resolve("glob")).doesNotExist();
    assertThat(from("build").resolve("app/bin")).exists();
  }

  @Test
  void onlyWildcardsThatMatchNothingStillLeaveAnArchive() throws Exception {
    Run run = run(podPlan("build", false, List.of("/glob/*.war")), Map.of());
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();
    try (Stream<Path> files = Files.list(from("build"))) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactly(".stagebuild-nothing-exported");
    }
  }

  @Test
  void symlinksResolveInsideTheBuiltRootOnly() throws Exception {
    // /etc/hostname exists on this machine but not in the built root: a path through the link is not found
    Run run = run(podPlan("build", false, List.of("/etc/hostlink/x")), Map.of());
    assertThat(run.result().exit()).isEqualTo(1);
    assertThat(run.result().stderr()).contains("export /etc/hostlink/x not found in stage build");
    run = run(podPlan("build", false, List.of("/escape/x")), Map.of());
    assertThat(run.result().exit()).isEqualTo(1);
    assertThat(run.result().stderr()).contains("export /escape/x not found in stage build");
    assertThat(archive("build")).doesNotExist();

    // ...and a link asked for by name is kept as the link kaniko copies, with nothing from outside
    run = run(podPlan("build", false, List.of("/etc/hostlink", "/escape")), Map.of());
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();
    Path got = from("build");
    assertThat(Files.readSymbolicLink(got.resolve("etc/hostlink"))).isEqualTo(Path.of("/etc/hostname"));
    assertThat(Files.readSymbolicLink(got.resolve("escape"))).isEqualTo(Path.of("../../../../../../outside-secret"));
    assertThat(got.resolve("etc/hostname")).doesNotExist();
  }

  @Test
  void aSymlinkThatLeadsNowhereInTheImageIsKeptAsALinkAsKanikoCopiesIt() throws Exception {
    liveOnlyPaths();
    // as in a running pod: /dev/stdout leads to the process's own descriptor
    write(Files.createDirectories(template.resolve("proc/self/fd")).resolve("1"), "", "rw-r--r--");
    Files.createSymbolicLink(template.resolve("dev/stdout"), Path.of("/proc/self/fd/1"));
    Files.createDirectories(template.resolve("var/log"));
    Files.createSymbolicLink(template.resolve("var/log/access.log"), Path.of("/dev/stdout"));
    Files.createSymbolicLink(template.resolve("app/uploads"), Path.of("/data/uploads"));
    Run run = run(podPlan("build", false, List.of("/var/log/access.log", "/app/upl*", "/loop")), Map.of());
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();
    Path got = from("build");
    assertThat(Files.readSymbolicLink(got.resolve("var/log/access.log"))).isEqualTo(Path.of("/dev/stdout"));
    assertThat(Files.readSymbolicLink(got.resolve("app/uploads"))).isEqualTo(Path.of("/data/uploads"));
    assertThat(Files.readSymbolicLink(got.resolve("loop"))).isEqualTo(Path.of("/loop"));
    assertThat(got.resolve("dev")).doesNotExist();
  }

  @Test
  void symlinkLoopIsRefused() throws Exception {
    Run run = run(podPlan("build", false, List.of("/loop/x")), Map.of());
    assertThat(run.result().exit()).isEqualTo(1);
    assertThat(run.result().stderr()).contains("too many symlinks");
  }

  /** The live pod's /proc, /sys, /dev, kubelet files and /kaniko, /busybox are not the image's. */
  void liveOnlyPaths() throws IOException {
    for (String d : List.of("proc/1", "sys/kernel", "dev/pts", "kaniko/stagebuild", "busybox")) {
      write(Files.createDirectories(template.resolve(d)).resolve("live"), "live\n", "rw-r--r--");
    }
    Files.setPosixFilePermissions(template.resolve("proc"), PosixFilePermissions.fromString("r-xr-xr-x"));
    for (String f : List.of("etc/hosts", "etc/hostname", "etc/resolv.conf")) {
      write(template.resolve(f), "live\n", "rw-r--r--");
    }
    write(template.resolve("etc/os-release"), "image\n", "rw-r--r--");
  }

  @Test
  void rootIsExportedWithoutWhatOnlyTheLivePodHas() throws Exception {
    liveOnlyPaths();
    Run run = run(podPlan("build", false, List.of("/..")), Map.of());
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();
    Path got = from("build");
    assertThat(got.resolve("app/bin/tool")).hasContent("tool");
    assertThat(got.resolve("etc/os-release")).hasContent("image");
    assertThat(Files.readSymbolicLink(got.resolve("lib"))).isEqualTo(Path.of("/usr/lib"));
    // /proc, /sys, /dev as the empty directories the image has, with their modes
    for (String d : List.of("proc", "sys", "dev")) {
      assertThat(got.resolve(d)).isEmptyDirectory();
    }
    assertThat(mode(got.resolve("proc"))).isEqualTo("r-xr-xr-x");
    for (String absent : List.of("kaniko", "busybox", "etc/hosts", "etc/hostname", "etc/resolv.conf")) {
      assertThat(got.resolve(absent)).as(absent).doesNotExist();
    }
    // /etc on its own too, and a wildcard does not reach them
    run = run(podPlan("build", false, List.of("/etc", "/e*/hosts*", "/e*/resolv*")), Map.of());
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();
    got = from("build");
    assertThat(got.resolve("etc/os-release")).hasContent("image");
    assertThat(got.resolve("etc/hosts")).doesNotExist();
    assertThat(got.resolve("etc/hostname")).doesNotExist();
  }

  @Test
  void aMountedPodAlsoLeavesItsExportsAsAContextDirectory() throws Exception {
    PodPlan mounted = new PodPlan("build", List.of("build"), "build", "FROM scratch AS build\n", List.of(),
        List.of("/app/bin", "/usr/lib/libx.so"), false, false, true);
    Run run = run(mounted, Map.of());
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();
    Path dir = workspace.resolve("context/mounts/build");
    assertThat(dir.resolve("app/bin/tool")).hasContent("tool");
    assertThat(mode(dir.resolve("app/bin/tool"))).isEqualTo("rwxr-x--x");
    assertThat(Files.readSymbolicLink(dir.resolve("app/bin/rel"))).isEqualTo(Path.of("tool"));
    assertThat(dir.resolve("usr/lib/libx.so")).hasContent("libx");
    assertThat(from("build").resolve("app/bin/tool")).hasContent("tool");
    // a retry replaces it; a pod nobody mounts from leaves no directory
    assertThat(run(mounted, Map.of()).result().exit()).isZero();
    assertThat(dir.resolve("app/bin/tool")).hasContent("tool");
    try (Stream<Path> top = Files.list(dir); Stream<Path> partial = Files.list(workspace.resolve("partial"))) {
      assertThat(top.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("app", "usr");
      assertThat(partial).as("the replaced directory is removed outside the context").isEmpty();
    }
    assertThat(run(podPlan("other", false, List.of("/app/bin")), Map.of()).result().exit()).isZero();
    assertThat(workspace.resolve("context/mounts/other")).doesNotExist();
  }

  @Test
  void overlappingExportsWithSymlinksMerge() throws Exception {
    // a tree and a path inside it (a consumer copies /app, another mounts /app/bin)
    Run run = run(podPlan("build", false, List.of("/app", "/app/bin", "/app/bin/rel")), Map.of());
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();
    Path got = from("build");
    assertThat(Files.readSymbolicLink(got.resolve("app/bin/rel"))).isEqualTo(Path.of("tool"));
    assertThat(got.resolve("app/bin/tool")).hasContent("tool");
    assertThat(got.resolve("app/conf/settings.ini")).hasContent("k=v");
  }

  @Test
  void liveOnlyPathsByNameAreRefused() throws Exception {
    liveOnlyPaths();
    for (String path : List.of("/proc/1", "/etc/hosts", "/kaniko", "/busybox/live", "/dev")) {
      Run run = run(podPlan("build", false, List.of(path)), Map.of());
      assertThat(run.result().exit()).as(path).isEqualTo(1);
      assertThat(run.result().stderr()).as(path).contains("cannot be exported");
    }
  }

  @Test
  void exportLinesAreNeverEvaluated() throws Exception {
    Path victim = Files.createDirectories(tmp.resolve("victim"));
    Files.writeString(victim.resolve("keep"), "keep");
    for (String line : List.of("; rm -rf " + victim, "`touch pwned`", "$(touch pwned)", "/x || touch pwned",
        "/*/`touch pwned`*", "/a\"; touch pwned; \"")) {
      Run run = run(podPlan("build", false, List.of(line)), Map.of());
      if (line.contains("*")) {
        // A wildcard that matches nothing copies nothing (and runs nothing).
        assertThat(run.result().exit()).as(line).isZero();
      } else {
        assertThat(run.result().exit()).as(line).isEqualTo(1);
        assertThat(run.result().stderr()).as(line).contains("export " + line + " not found in stage build");
      }
    }
    assertThat(victim.resolve("keep")).exists();
    try (Stream<Path> all = Files.walk(tmp)) {
      assertThat(all.filter(p -> p.getFileName().toString().equals("pwned"))).isEmpty();
    }
  }

  @Test
  void executorFailurePropagatesWithAnEmptyTerminationLog() throws Exception {
    Run run = run(podPlan("stage-1", true, List.of("/app/bin")), Map.of("FAKE_EXIT", "3", "FAKE_DIGEST", DIGEST));
    assertThat(run.result().exit()).isEqualTo(3);
    assertThat(lastLine(run.result().stderr())).isEqualTo("fake executor: exit 3");
    // Kaniko wrote a digest before failing to push: it must not be reported.
    assertThat(digestFile).hasContent(DIGEST);
    assertThat(termLog).isEmptyFile();
    assertThat(archive("stage-1")).doesNotExist();
  }

  @Test
  void finalPodReportsTheDigestOnSuccess() throws Exception {
    Run run = run(podPlan("stage-1", true, List.of()), Map.of("FAKE_DIGEST", DIGEST));
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();
    assertThat(termLog).hasContent(DIGEST);
    assertThat(Files.readAllLines(argsFile)).contains("--destination=registry.example.com/eriksf/hellogo:0.0.2",
        "--digest-file=/kaniko/stagebuild/digest");
    assertThat(archive("stage-1")).doesNotExist();
  }

  @Test
  void finalPodWithoutDigestFails() throws Exception {
    Run run = run(podPlan("stage-1", true, List.of()), Map.of());
    assertThat(run.result().exit()).isEqualTo(1);
    assertThat(run.result().stderr()).contains("wrote no digest");
    assertThat(termLog).isEmptyFile();
  }

  @Test
  void aRetryReplacesWhatAnEarlierAttemptLeft() throws Exception {
    Files.createDirectories(archive("build").getParent());
    Files.writeString(archive("build"), "an earlier attempt's archive");
    // an earlier attempt's half-made export: its own names, outside the context, left alone
    Files.createDirectories(workspace.resolve("partial/build.export.build-r1.7/junk"));
    Files.writeString(workspace.resolve("partial/build.export.build-r1.7.tar"), "half written");
    Run run = run(podPlan("build", false, List.of("/app/.hidden")), Map.of());
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();
    Path out = from("build");
    try (Stream<Path> top = Files.list(out)) {
      assertThat(top.map(p -> p.getFileName().toString())).containsExactly("app");
    }
    assertThat(out.resolve("app/.hidden")).hasContent("hidden");
    try (Stream<Path> fromDir = Files.list(workspace.resolve("context/from"))) {
      assertThat(fromDir.map(p -> p.getFileName().toString())).containsExactly("build.tar");
    }
    // nothing of this attempt is left beside the context, and nothing half-made was in it
    try (Stream<Path> partial = Files.list(workspace.resolve("partial"))) {
      assertThat(partial.map(p -> p.getFileName().toString()))
          .containsExactlyInAnyOrder("build.export.build-r1.7", "build.export.build-r1.7.tar");
    }
    try (Stream<Path> context = Files.list(workspace.resolve("context"))) {
      assertThat(context.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("from", "mounts",
          ".dockerignore");
    }
  }

  @Test
  void aTreeAndASymlinkInItKeepTheSymlink() throws Exception {
    // COPY --from=b /app ... and COPY --from=b /app/link-to-conf ...: the first needs the symlink as
    // a symlink, the second what it points to; one file system holds both.
    Run run = run(podPlan("build", false, List.of("/app", "/app/link-to-conf", "/lib/libx.so", "/lib")),
        Map.of());
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();
    Path out = from("build");
    assertThat(Files.readSymbolicLink(out.resolve("app/link-to-conf"))).isEqualTo(Path.of("conf"));
    assertThat(out.resolve("app/conf/settings.ini")).hasContent("k=v");
    assertThat(Files.readSymbolicLink(out.resolve("lib"))).isEqualTo(Path.of("/usr/lib"));
    assertThat(out.resolve("usr/lib/libx.so")).hasContent("libx");
  }

  @Test
  void ownersAndSpecialModeBitsTravelThroughTheArchive() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(isRoot, "needs root to own files as others");
    Path dir = Files.createDirectories(template.resolve("srv/shared"));
    Files.setAttribute(dir, "unix:gid", 1000, NOFOLLOW_LINKS);
    Path suid = template.resolve("srv/odd");
    write(suid, "odd\n", "rwxr-xr-x");
    Files.setAttribute(suid, "unix:uid", 1234, NOFOLLOW_LINKS);
    Files.setAttribute(suid, "unix:gid", 5678, NOFOLLOW_LINKS);
    ShellTools.Result chmod = ShellTools.run(List.of(busybox.toString(), "chmod", "4755", suid.toString()),
        Map.of(), tmp);
    assertThat(chmod.exit()).isZero();
    chmod = ShellTools.run(List.of(busybox.toString(), "chmod", "2775", dir.toString()), Map.of(), tmp);
    assertThat(chmod.exit()).isZero();
    Run run = run(podPlan("build", false, List.of("/srv/odd", "/srv/shared")), Map.of());
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();
    Path out = from("build");
    assertThat(Files.getAttribute(out.resolve("srv/odd"), "unix:mode", NOFOLLOW_LINKS)).isEqualTo(0104755);
    assertThat(Files.getAttribute(out.resolve("srv/odd"), "unix:uid", NOFOLLOW_LINKS)).isEqualTo(1234);
    assertThat(Files.getAttribute(out.resolve("srv/odd"), "unix:gid", NOFOLLOW_LINKS)).isEqualTo(5678);
    assertThat(Files.getAttribute(out.resolve("srv/shared"), "unix:mode", NOFOLLOW_LINKS)).isEqualTo(042775);
    assertThat(Files.getAttribute(out.resolve("srv/shared"), "unix:gid", NOFOLLOW_LINKS)).isEqualTo(1000);
  }

  /** The tree the COPY --exclude tests copy from (fsutil's copy_test.go tree under /ex/src). */
  void excludeTree() throws IOException {
    Path src = Files.createDirectories(template.resolve("ex/src/bar/baz"));
    write(src.resolve("../foo"), "foo\n", "rw-r--r--");
    write(src.resolve("foo3"), "foo3\n", "rw-r--r--");
    write(template.resolve("ex/src/foo2"), "foo2\n", "rw-r--r--");
    Files.setPosixFilePermissions(template.resolve("ex/src/bar"), PosixFilePermissions.fromString("rwx--x---"));
    Path app = Files.createDirectories(template.resolve("ex/app"));
    for (String f : List.of("README.md", "keep.md", "docs/guide.md", "docs/img.png", "lib/a.js", "lib/a.js.map",
        "lib/deep/b.js.map", "node_modules/x/index.js", "we\nird/x.map", "odd/" + ODD)) {
      Path file = app.resolve(f);
      Files.createDirectories(file.getParent());
      write(file, f + "\n", "rw-r--r--");
    }
    Files.createSymbolicLink(app.resolve("link"), Path.of("lib"));
    Files.createSymbolicLink(template.resolve("ex/app-link"), Path.of("app"));
    // an old time on every directory: pruning must not leave its own
    try (Stream<Path> all = Files.walk(template.resolve("ex"))) {
      for (Path d : all.filter(Files::isDirectory).toList()) {
        Files.setLastModifiedTime(d, java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L));
      }
    }
  }

  /** Every path below DIR, relative, sorted. */
  static List<String> tree(Path dir) throws IOException {
    try (Stream<Path> all = Files.walk(dir)) {
      return all.filter(p -> !p.equals(dir)).map(p -> dir.relativize(p).toString()).sorted().toList();
    }
  }

  @Test
  void aCopyWithExcludeGetsAnExportWithoutWhatItsPatternsExclude() throws Exception {
    excludeTree();
    List<ExcludedExport> excluded = List.of(
        // fsutil's own expectations (copy/copy_test.go, TestCopyIncludeExclude)
        new ExcludedExport("00000000000a", 3, List.of("/ex/src"), List.of("bar*", "!bar/baz")),
        new ExcludedExport("00000000000b", 4, List.of("/ex/src"), List.of("**", "!bar/baz", "bar/baz/foo3")),
        new ExcludedExport("00000000000c", 5, List.of("/ex/src"), List.of("bar/baz")),
        // *.md only at the top, a re-include, **/ not through a name with a line break, a directory whole;
        // the source through a symlink is what it points to
        new ExcludedExport("00000000000d", 6, List.of("/ex/app-link/"),
            List.of("*.md", "!keep.md", "**/*.map", "node_modules")),
        // files named as sources are never matched; a directory source is, relative to itself
        new ExcludedExport("00000000000e", 7, List.of("/ex/app/*.md", "/ex/app/docs"), List.of("*.md")),
        // a suffix pattern (**/ then plain text) does reach through a name with a line break
        new ExcludedExport("00000000000f", 8, List.of("/ex/app"), List.of("**/x.map", "lib/**", "odd")));
    PodPlan pod = new PodPlan("build", List.of("build"), "build", "FROM scratch AS build\n", List.of(),
        List.of("/ex/app"), false, false, false, excluded);
    Run run = run(pod, Map.of());
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();

    assertThat(tree(from("build.exclude-00000000000a").resolve("ex/src")))
        .containsExactly("bar", "bar/baz", "bar/baz/foo3", "foo2");
    assertThat(tree(from("build.exclude-00000000000b").resolve("ex/src"))).containsExactly("bar", "bar/baz");
    assertThat(tree(from("build.exclude-00000000000c").resolve("ex/src"))).containsExactly("bar", "bar/foo", "foo2");
    // a directory kept for what is re-included in it is the source's, mode and time (as archived:
    // unpacking its files touches it)
    Path a = from("build.exclude-00000000000a").resolve("ex/src");
    assertThat(mode(a.resolve("bar"))).isEqualTo("rwx--x---");
    assertThat(listing("build.exclude-00000000000a")).anyMatch(l -> l.endsWith(" 2001-09-09 01:46:40 ./ex/src/bar/"));

    Path d = from("build.exclude-00000000000d");
    assertThat(Files.readSymbolicLink(d.resolve("ex/app-link"))).isEqualTo(Path.of("app"));
    assertThat(tree(d.resolve("ex/app"))).containsExactly("docs", "docs/guide.md", "docs/img.png", "keep.md",
        "lib", "lib/a.js", "lib/deep", "link", "odd", "odd/" + ODD, "we\nird", "we\nird/x.map");
    assertThat(Files.readSymbolicLink(d.resolve("ex/app/link"))).isEqualTo(Path.of("lib"));
    assertThat(listing("build.exclude-00000000000d")).anyMatch(l -> l.endsWith(" 2001-09-09 01:46:40 ./ex/app/lib/"))
        .anyMatch(l -> l.endsWith(" 2001-09-09 01:46:40 ./ex/app/"));

    Path e = from("build.exclude-00000000000e");
    assertThat(tree(e.resolve("ex/app"))).containsExactly("README.md", "docs", "docs/img.png", "keep.md");

    Path f = from("build.exclude-00000000000f");
    assertThat(tree(f.resolve("ex/app"))).containsExactly("README.md", "docs", "docs/guide.md", "docs/img.png",
        "keep.md", "lib", "link", "node_modules", "node_modules/x", "node_modules/x/index.js", "we\nird");

    // the plain export of the same source is whole
    assertThat(tree(from("build").resolve("ex/app"))).contains("README.md", "lib/a.js.map", "node_modules/x/index.js");
    try (Stream<Path> fromDir = Files.list(workspace.resolve("context/from"))) {
      assertThat(fromDir.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("build.tar",
          "build.exclude-00000000000a.tar", "build.exclude-00000000000b.tar", "build.exclude-00000000000c.tar",
          "build.exclude-00000000000d.tar", "build.exclude-00000000000e.tar", "build.exclude-00000000000f.tar");
    }
  }

  @Test
  void aCopyWithExcludeFromTheContextCopiesFromADirectoryMadeBeforeTheExecutor() throws Exception {
    Path src = Files.createDirectories(workspace.resolve("context/src"));
    // dev/ and proc/ are a project's own directories here, not the pod's
    for (String f : List.of("README.md", "keep.md", "lib/a.js", "lib/a.js.map", "node_modules/x/index.js", "dev/x",
        "proc/y", "odd/" + ODD)) {
      Path file = src.resolve(f);
      Files.createDirectories(file.getParent());
      write(file, f + "\n", "rw-r-----");
    }
    Files.createSymbolicLink(src.resolve("link"), Path.of("lib"));
    Files.setPosixFilePermissions(src, PosixFilePermissions.fromString("rwxr-x---"));
    var old = java.nio.file.attribute.FileTime.fromMillis(1_000_000_000_000L);
    try (Stream<Path> all = Files.walk(src)) {
      for (Path d : all.filter(p -> Files.isDirectory(p, NOFOLLOW_LINKS)).toList()) {
        Files.setLastModifiedTime(d, old);
      }
    }
    List<ExcludedExport> excluded = List.of(
        new ExcludedExport("0000000000c1", 3, List.of("/"), List.of("*.md", "!keep.md", "**/*.map", "node_modules")),
        new ExcludedExport("0000000000c2", 4, List.of("/lib", "/d*", "/link"), List.of("*.map", "x")));
    // the pod exports from its built root afterwards too, where /dev is the pod's
    PodPlan pod = new PodPlan("build", List.of("build"), "build", "FROM scratch AS build\n", List.of(),
        List.of("/app/.hidden"), false, true, false, List.of(), excluded);
    Path seen = tmp.resolve("seen-by-executor");
    Run run = run(pod, Map.of("FAKE_CONTEXT", seen.toString()));
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();

    Path exports = workspace.resolve("context/exclude");
    Path c1 = exports.resolve("0000000000c1");
    assertThat(tree(c1)).containsExactly("dev", "dev/x", "keep.md", "lib", "lib/a.js", "link", "odd", "odd/" + ODD,
        "proc", "proc/y");
    assertThat(Files.readSymbolicLink(c1.resolve("link"))).isEqualTo(Path.of("lib"));
    assertThat(mode(c1.resolve("keep.md"))).isEqualTo("rw-r-----");
    // COPY exclude/<key>/. takes the directory itself as src/ is; a pruned directory keeps its time
    assertThat(mode(c1)).isEqualTo("rwxr-x---");
    assertThat(Files.getLastModifiedTime(c1)).isEqualTo(old);
    assertThat(Files.getLastModifiedTime(c1.resolve("lib"))).isEqualTo(old);
    // each source pruned relative to itself; a wildcard's matches; a symlinked source with what it points to
    assertThat(tree(exports.resolve("0000000000c2"))).containsExactly("dev", "lib", "lib/a.js", "link");
    // made before the executor ran, and nothing half-made left
    assertThat(Files.readAllLines(seen)).contains("exclude/0000000000c1/keep.md", "exclude/0000000000c2/lib/a.js");
    try (Stream<Path> partial = Files.list(workspace.resolve("partial"))) {
      assertThat(partial).isEmpty();
    }
    assertThat(tree(from("build"))).containsExactly("app", "app/.hidden");
    try (Stream<Path> dir = Files.list(exports)) {
      assertThat(dir.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("0000000000c1", "0000000000c2");
    }
    // the .dockerignore holds there as in src/
    assertThat(Files.readString(workspace.resolve("context/.dockerignore")))
        .contains("src/**/*.md\n", "exclude/*/**/*.md\n", "!exclude/*/README.md\n");

    // a retry (or another pod building the same stage) finds the copies made: they stay as they are,
    // and are not made again (src/lib, gone now, is not looked for)
    Files.writeString(c1.resolve("keep.md"), "made first\n");
    PodHarness.deleteTree(src.resolve("lib"));
    Run again = run(pod, Map.of());
    assertThat(again.result().exit()).as(again.result().stderr()).isZero();
    assertThat(Files.readString(c1.resolve("keep.md"))).isEqualTo("made first\n");
    try (Stream<Path> dir = Files.list(exports)) {
      assertThat(dir.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("0000000000c1", "0000000000c2");
    }

    // a source the context does not have fails the pod before the executor runs
    PodPlan missing = new PodPlan("build", List.of("build"), "build", "FROM scratch AS build\n", List.of(), List.of(),
        false, true, false, List.of(), List.of(new ExcludedExport("0000000000c3", 7, List.of("/nope"), List.of("x"))));
    Run failed = run(missing, Map.of());
    assertThat(failed.result().exit()).isEqualTo(1);
    assertThat(failed.result().stderr()).contains("export /nope not found in the build context")
        .doesNotContain("fake executor");
  }

  @Test
  void aCopyWithParentsGetsAnExportOfItsMatchesWithTheirParentsAndItsPivot() throws Exception {
    excludeTree();
    Files.setPosixFilePermissions(template.resolve("ex/app/docs"), PosixFilePermissions.fromString("rwx--x---"));
    Files.setPosixFilePermissions(template.resolve("ex/app"), PosixFilePermissions.fromString("rwxr-x---"));
    List<ExcludedExport> excluded = List.of(
        // a file, a wildcard, a directory and one inside it (nothing is pruned: no check of sources in sources)
        new ExcludedExport("0000000000a1", 3, List.of("/ex/app/docs/guide.md", "/ex/app/*.md", "/ex/app/lib",
            "/ex/app/lib/deep"), List.of(), List.of("/ex/app")),
        // a wildcard that matches nothing: the pivot is there, empty
        new ExcludedExport("0000000000a2", 4, List.of("/ex/app/*.nothing"), List.of(), List.of("/ex/app")),
        // two pivots side by side
        new ExcludedExport("0000000000a3", 5, List.of("/ex/app/lib/a.js", "/ex/src/bar/baz"), List.of(),
            List.of("/ex/app", "/ex/src")));
    PodPlan pod = new PodPlan("build", List.of("build"), "build", "FROM scratch AS build\n", List.of(), List.of(),
        false, false, false, excluded);
    Run run = run(pod, Map.of());
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();

    Path a1 = from("build.exclude-0000000000a1");
    assertThat(tree(a1)).containsExactly("ex", "ex/app", "ex/app/README.md", "ex/app/docs", "ex/app/docs/guide.md",
        "ex/app/keep.md", "ex/app/lib", "ex/app/lib/a.js", "ex/app/lib/a.js.map", "ex/app/lib/deep",
        "ex/app/lib/deep/b.js.map");
    // the directories above a match, and the pivot, as the stage has them
    assertThat(mode(a1.resolve("ex/app"))).isEqualTo("rwxr-x---");
    assertThat(mode(a1.resolve("ex/app/docs"))).isEqualTo("rwx--x---");
    assertThat(tree(from("build.exclude-0000000000a2"))).containsExactly("ex", "ex/app");
    assertThat(mode(from("build.exclude-0000000000a2").resolve("ex/app"))).isEqualTo("rwxr-x---");
    assertThat(tree(from("build.exclude-0000000000a3"))).containsExactly("ex", "ex/app", "ex/app/lib",
        "ex/app/lib/a.js", "ex/src", "ex/src/bar", "ex/src/bar/baz", "ex/src/bar/baz/foo3");

    // a named path or a pivot the stage does not have fails the pod, as BuildKit fails the COPY; a pivot
    // through a symlink is refused (the COPY copies the pivot's contents by its name)
    for (var c : List.of(
        new ExcludedExport("0000000000a4", 7, List.of("/ex/app/nope.md"), List.of(), List.of("/ex/app")),
        new ExcludedExport("0000000000a4", 7, List.of("/ex/none/*.md"), List.of(), List.of("/ex/none")),
        new ExcludedExport("0000000000a4", 7, List.of("/ex/app-link/lib"), List.of(), List.of("/ex/app-link")))) {
      PodPlan failing = new PodPlan("build", List.of("build"), "build", "FROM scratch AS build\n", List.of(),
          List.of(), false, false, false, List.of(c));
      Run failed = run(failing, Map.of());
      assertThat(failed.result().exit()).as(c.toString()).isEqualTo(1);
      assertThat(lastLine(failed.result().stderr())).as(c.toString()).isIn(
          "stagebuild: export /ex/app/nope.md not found in stage build",
          "stagebuild: COPY --parents of line 7: /ex/none not found (as a directory) in stage build",
          "stagebuild: COPY --parents of line 7: /ex/app-link in stage build is a symlink; StageBuild copies"
              + " --parents below a directory only: write the path it points to");
      assertThat(archive("build.exclude-0000000000a4")).doesNotExist();
    }
  }

  @Test
  void aCopyWithParentsMatchesWithoutFollowingSymlinksAndAnEmptyOneHoldsNothing() throws Exception {
    excludeTree();
    // app/link -> lib: BuildKit copies a matched link as a link and never matches through one
    Path bin = Files.createDirectories(template.resolve("ex/app/bin"));
    Files.createSymbolicLink(bin.resolve("tool"), Path.of("../lib/a.js"));
    Files.setOwner(template.resolve("ex/app"), template.getFileSystem().getUserPrincipalLookupService()
        .lookupPrincipalByName("nobody"));
    List<ExcludedExport> excluded = List.of(
        new ExcludedExport("0000000000d1", 3, List.of("/ex/app/bin/*", "/ex/app/link/*.js"), List.of(),
            List.of("/ex/app")),
        // the pivot / and nothing matched: no marker file in the archive, which the COPY would copy
        new ExcludedExport("0000000000d2", 4, List.of("/ex/app/*.nothing"), List.of(), List.of("/")),
        // a match with a line break in its name is copied, as BuildKit copies it
        new ExcludedExport("0000000000d3", 5, List.of("/ex/app/we*"), List.of(), List.of("/ex/app")));
    PodPlan pod = new PodPlan("build", List.of("build"), "build", "FROM scratch AS build\n", List.of(), List.of(),
        false, false, false, excluded);
    Run run = run(pod, Map.of());
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();
    Path d1 = from("build.exclude-0000000000d1");
    assertThat(tree(d1)).containsExactly("ex", "ex/app", "ex/app/bin", "ex/app/bin/tool");
    assertThat(Files.readSymbolicLink(d1.resolve("ex/app/bin/tool"))).isEqualTo(Path.of("../lib/a.js"));
    // the pivot is root's: kaniko gives its owner to the COPY's destination
    assertThat(listing("build.exclude-0000000000d1")).anyMatch(l -> l.startsWith("d") && l.contains(" root/root ") && l.endsWith(" ./ex/app/"));
    assertThat(tree(from("build.exclude-0000000000d2"))).isEmpty();
    assertThat(tree(from("build.exclude-0000000000d3"))).containsExactly("ex", "ex/app", "ex/app/we\nird",
        "ex/app/we\nird/x.map");
  }

  @Test
  void aCopyWithParentsFromTheContextCopiesFromADirectoryMadeBeforeTheExecutor() throws Exception {
    Path src = Files.createDirectories(workspace.resolve("context/src"));
    for (String f : List.of("packages/a/package.json", "packages/a/index.js", "packages/b/package.json",
        "packages/c/README.md", "go.mod", "cmd/x/main.go", "cmd/y/main.go")) {
      Path file = src.resolve(f);
      Files.createDirectories(file.getParent());
      write(file, f + "\n", "rw-r-----");
    }
    Files.setPosixFilePermissions(src.resolve("cmd"), PosixFilePermissions.fromString("rwx------"));
    List<ExcludedExport> copies = List.of(
        new ExcludedExport("0000000000b1", 3, List.of("/packages/*/package.json"), List.of(), List.of("/packages")),
        new ExcludedExport("0000000000b2", 4, List.of("/go.mod", "/cmd/x/main.go"), List.of(), List.of("/")));
    PodPlan pod = new PodPlan("build", List.of("build"), "build", "FROM scratch AS build\n", List.of(), List.of(),
        false, true, false, List.of(), copies);
    Path seen = tmp.resolve("seen-by-executor");
    Run run = run(pod, Map.of("FAKE_CONTEXT", seen.toString()));
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();
    Path exports = workspace.resolve("context/exclude");
    assertThat(tree(exports.resolve("0000000000b1"))).containsExactly("packages", "packages/a",
        "packages/a/package.json", "packages/b", "packages/b/package.json");
    Path b2 = exports.resolve("0000000000b2");
    assertThat(tree(b2)).containsExactly("cmd", "cmd/x", "cmd/x/main.go", "go.mod");
    assertThat(mode(b2.resolve("cmd"))).isEqualTo("rwx------");
    assertThat(Files.readAllLines(seen)).contains("exclude/0000000000b1/packages/a/package.json",
        "exclude/0000000000b2/cmd/x/main.go");
  }

  @Test
  void excludingFromASourceInsideAnotherIsRefused() throws Exception {
    excludeTree();
    // BuildKit excludes relative to each source; one tree cannot hold /ex/app pruned both ways
    for (List<String> paths : List.of(List.of("/ex/app", "/ex/app/lib"), List.of("/ex/app/lib", "/ex/app-link"),
        List.of("/ex/*", "/ex/app/docs"), List.of("/..", "/ex/src"))) {
      PodPlan pod = new PodPlan("build", List.of("build"), "build", "FROM scratch AS build\n", List.of(), List.of(),
          false, false, false, List.of(new ExcludedExport("0123456789ab", 12, paths, List.of("*.map"))));
      Run run = run(pod, Map.of());
      assertThat(run.result().exit()).as(paths.toString()).isEqualTo(1);
      assertThat(lastLine(run.result().stderr())).as(paths.toString()).startsWith("stagebuild: COPY --exclude of line 12: ")
          .contains("another of its sources").contains("copy them with one COPY each");
      assertThat(archive("build.exclude-0123456789ab")).doesNotExist();
    }
  }

  @Test
  void excludePatternsAreNeverEvaluated() throws Exception {
    excludeTree();
    List<String> patterns = List.of("$(touch pwned)", "`touch pwned`", "a; touch pwned", "*\"; touch pwned; \"");
    PodPlan pod = new PodPlan("build", List.of("build"), "build", "FROM scratch AS build\n", List.of(), List.of(),
        false, false, false, List.of(new ExcludedExport("0123456789ab", 3, List.of("/ex/src"), patterns)));
    Run run = run(pod, Map.of());
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();
    assertThat(tree(from("build.exclude-0123456789ab").resolve("ex/src")))
        .containsExactly("bar", "bar/baz", "bar/baz/foo3", "bar/foo", "foo2");
    try (Stream<Path> all = Files.walk(tmp)) {
      assertThat(all.filter(p -> p.getFileName().toString().equals("pwned"))).isEmpty();
    }
  }

  @Test
  void noExportsNoCopy() throws Exception {
    Run run = run(podPlan("build", false, List.of()), Map.of());
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();
    assertThat(archive("build")).doesNotExist();
    assertThat(termLog).isEmptyFile();
  }

  @Test
  void theScriptHasItsOwnBusyboxUnderKanikoBeforeTheExecutorRuns() throws Exception {
    // kaniko clears the file system before (--pre-cleanup) and between stages but keeps /kaniko;
    // /busybox survives only where the runtime mounts the image's VOLUME. (This host's busybox runs
    // its applets without PATH, so clearing PATH here would prove nothing: the copy is checked.)
    Path seen = tmp.resolve("tools-seen");
    Run run = run(podPlan("build", false, List.of("/app/bin/tool")), Map.of("FAKE_TOOLS", seen.toString()));
    assertThat(run.result().exit()).as(run.result().stderr()).isZero();
    assertThat(Files.readString(seen)).contains("tar -> " + tmp.resolve("tools/busybox"));
    assertThat(Files.mismatch(tmp.resolve("tools/busybox"), busybox)).isEqualTo(-1L);
  }

  @Test
  void withoutABusyboxOfItsOwnAndNoMountedBusyboxThePodStopsBeforeTheBuild() throws Exception {
    // SB_TOOLS cannot be made (a file is in the way), and this host has no /busybox mount
    Path blocked = Files.writeString(tmp.resolve("blocked"), "");
    ShellTools.Result r = ShellTools.run(List.of(busybox.toString(), "sh", "-c", Scripts.STAGE, "stage"),
        Map.of("PATH", applets.toString(), "SB_POD", "build", "SB_WORKSPACE", workspace.toString(),
            "SB_EXECUTOR", executor.toString(), "SB_TOOLS", blocked.resolve("tools").toString()), tmp);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.stderr()).contains("cannot install its applets into " + blocked.resolve("tools"))
        .contains("/busybox is no mount");
    assertThat(Files.exists(argsFile)).as("the executor did not run").isFalse();
  }

  @Test
  void refusesAPodNameThatIsNotOnePathComponent() throws Exception {
    ShellTools.Result r = ShellTools.run(List.of(busybox.toString(), "sh", "-c", Scripts.STAGE, "stage"),
        Map.of("PATH", applets.toString(), "SB_POD", "../x", "SB_WORKSPACE", workspace.toString(),
            "SB_EXECUTOR", executor.toString()), tmp);
    assertThat(r.exit()).isEqualTo(1);
    assertThat(r.stderr()).contains("invalid SB_POD '../x'");
    assertThat(Files.exists(argsFile)).isFalse();
  }
}
