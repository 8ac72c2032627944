package dev.stagebuild.kaniko;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.stagebuild.api.DockerfileSpec;
import dev.stagebuild.api.LocalObjectRef;
import dev.stagebuild.api.StageBuild;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Runs source.sh for real against a local bare git repository (file://, a fake ssh, and a
 * loopback HTTP server for credentials), and against a kubelet-like ConfigMap mount. Needs
 * busybox and git (Debian busybox-static, git).
 */
class SourceScriptTest {
  static final String DOCKERFILE = "FROM scratch\nCOPY f /f\n";
  static final String MS_DOCKERFILE = "FROM busybox AS ms\nCOPY . /ms\n";

  static Path busybox;
  static Path git;
  static Path repos;
  static Path bare;
  static final Map<String, String> commits = new HashMap<>();

  Path tmp;
  Path workspace;
  Path termLog;
  Path secret;
  Path tmpDir;
  final KanikoResources resources = new KanikoResources(RenderSettings.defaults());

  @BeforeAll
  static void makeRepository() throws Exception {
    busybox = ShellTools.require("busybox");
    git = ShellTools.require("git");
    repos = Files.createTempDirectory("source-script-repos");
    Path work = repos.resolve("work");
    bare = repos.resolve("bare.git");
    git(repos, "init", "-q", "-b", "main", work.toString());
    git(repos, "init", "-q", "--bare", "-b", "main", bare.toString());
    Path app = Files.createDirectories(work.resolve("app"));
    Files.writeString(work.resolve(".dockerignore"), "root-ignore\n");
    Files.writeString(app.resolve("Dockerfile"), DOCKERFILE);
    Files.writeString(app.resolve(".dockerignore"), "*.tmp\n");
    Files.writeString(app.resolve("Dockerfile.ms"), MS_DOCKERFILE);
    Files.writeString(app.resolve("Dockerfile.ms.dockerignore"), "*\n!keep\n");
    Files.writeString(app.resolve("f"), "v1");
    Files.writeString(app.resolve("odd name 'q' $x"), "odd");
    Files.createSymbolicLink(app.resolve("evil-Dockerfile"), Path.of("/etc/passwd"));
    Files.createSymbolicLink(app.resolve("escape"), Path.of("../.."));
    // A contextDir that is a symlink to a directory of the repository: "current" as releases have
    // it, and one whose relative target means the git Secret once moved to context/src (a
    // directory git-secret of the repository, seen from deep/er; ../../git-secret from context/).
    Files.createSymbolicLink(work.resolve("current"), Path.of("app"));
    Files.writeString(Files.createDirectories(work.resolve("git-secret")).resolve("keep"), "decoy");
    Files.createSymbolicLink(Files.createDirectories(work.resolve("deep/er")).resolve("link"), Path.of("../../git-secret"));
    git(work, "add", "-A");
    git(work, "commit", "-q", "-m", "one");
    git(work, "tag", "-a", "-m", "release 1", "v1");
    commits.put("v1", git(work, "rev-parse", "HEAD").strip());
    Files.writeString(app.resolve("f"), "v2");
    git(work, "commit", "-q", "-am", "two");
    commits.put("main", git(work, "rev-parse", "HEAD").strip());
    git(work, "checkout", "-q", "-b", "feature");
    Files.writeString(app.resolve("f"), "feature");
    git(work, "commit", "-q", "-am", "three");
    commits.put("feature", git(work, "rev-parse", "HEAD").strip());
    // A commit only a pull-request ref leads to: clone does not fetch it.
    git(work, "checkout", "-q", "--detach", "main");
    Files.writeString(app.resolve("f"), "pr");
    git(work, "commit", "-q", "-am", "four");
    commits.put("pr", git(work, "rev-parse", "HEAD").strip());
    git(work, "push", "-q", bare.toString(), "main", "feature", "v1", "HEAD:refs/pull/1/head");
  }

  @AfterAll
  static void removeRepository() throws IOException {
    if (repos != null) {
      PodHarness.deleteTree(repos);
    }
  }

  static String git(Path dir, String... args) throws Exception {
    List<String> cmd = new ArrayList<>(List.of(git.toString(), "-c", "user.name=t", "-c", "user.email=t@example.com"));
    cmd.addAll(List.of(args));
    ShellTools.Result r = ShellTools.run(cmd, Map.of("PATH", "/usr/bin:/bin", "HOME", dir.toString(),
        "GIT_CONFIG_NOSYSTEM", "1"), dir);
    if (r.exit() != 0) {
      throw new IllegalStateException("git " + String.join(" ", args) + ": " + r.stderr());
    }
    return r.stdout();
  }

  @BeforeEach
  void setUp() throws IOException {
    tmp = Files.createTempDirectory("source-script");
    workspace = Files.createDirectories(tmp.resolve("workspace"));
    termLog = Files.createFile(tmp.resolve("termination-log"));
    secret = Files.createDirectories(tmp.resolve("git-secret"));
    tmpDir = Files.createDirectories(tmp.resolve("tmpdir"));
    Files.createDirectories(tmp.resolve("home"));
  }

  @AfterEach
  void tearDown() throws IOException {
    PodHarness.deleteTree(tmp);
  }

  StageBuild gitSb(String url, String revision, String contextDir) {
    StageBuild sb = Fixtures.gitSb("hellogo");
    sb.getSpec().source.git.url = url;
    sb.getSpec().source.git.revision = revision;
    sb.getSpec().source.git.contextDir = contextDir;
    return sb;
  }

  ShellTools.Result runSource(StageBuild sb, List<String> configMapKeys, Map<String, String> extra) throws Exception {
    Pod pod = resources.sourcePod(sb, "2", configMapKeys);
    Map<String, String> remap = Map.of(
        "SB_WORKSPACE", workspace.toString(),
        "SB_TERMINATION_LOG", termLog.toString(),
        "SB_GIT_SECRET", secret.toString(),
        "SB_SOURCE_DIR", tmp.resolve("source").toString());
    Map<String, String> env = new HashMap<>(Map.of(
        "PATH", "/usr/bin:/bin",
        "HOME", tmp.resolve("home").toString(),
        "TMPDIR", tmpDir.toString(),
        "GIT_CONFIG_NOSYSTEM", "1"));
    env.putAll(extra);
    return ShellTools.run(PodHarness.command(pod, busybox), PodHarness.env(pod.getSpec().getContainers().get(0), remap, env), tmp);
  }

  Path src() {
    return workspace.resolve("context/src");
  }

  void assertContextHoldsApp(String f) throws IOException {
    assertThat(src().resolve("f")).hasContent(f);
    assertThat(src().resolve("Dockerfile")).hasContent(DOCKERFILE);
    assertThat(src().resolve("odd name 'q' $x")).hasContent("odd");
    assertThat(src().resolve(".git")).doesNotExist();
    try (Stream<Path> ws = Files.list(workspace)) {
      assertThat(ws.map(p -> p.getFileName().toString())).containsExactly("context");
    }
    try (Stream<Path> ctx = Files.list(workspace.resolve("context"))) {
      assertThat(ctx.map(p -> p.getFileName().toString())).containsExactly("src");
    }
    try (Stream<Path> left = Files.list(tmpDir)) {
      assertThat(left).as("helpers removed").isEmpty();
    }
  }

  @ParameterizedTest(name = "revision ''{0}''")
  @CsvSource({
      "'', main, v2",
      "main, main, v2",
      "feature, feature, feature",
      "v1, v1, v1",
      "@main, main, v2",
      "@feature, feature, feature",
      "@pr, pr, pr",
      "@v1:7, v1, v1",
      "refs/pull/1/head, pr, pr"})
  void checksOutBranchesTagsAndCommits(String revision, String expectedCommit, String f) throws Exception {
    // "@name" stands for the sha of that commit, "@name:7" for its first 7 hex digits.
    String rev = revision;
    if (rev.startsWith("@")) {
      String[] parts = rev.substring(1).split(":");
      rev = commits.get(parts[0]);
      if (parts.length > 1) {
        rev = rev.substring(0, Integer.parseInt(parts[1]));
      }
    }
    ShellTools.Result r = runSource(gitSb("file://" + bare, rev, "app"), null, Map.of());
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertContextHoldsApp(f);
    SourceOutput out = SourceLog.parse(r.stdout(), Files.readString(termLog));
    assertThat(out.commit()).isEqualTo(commits.get(expectedCommit));
    assertThat(out.dockerfile()).isEqualTo(DOCKERFILE);
    assertThat(out.dockerignore()).isEqualTo("*.tmp\n");
    // A name or a full commit id is fetched alone; only an abbreviated id needs the history.
    assertThat(r.stderr()).contains(revision.endsWith(":7") ? "fetching the whole history" : "at depth 1");
  }

  @Test
  void repositoryRootAsContextWithADockerfileInASubdirectory() throws Exception {
    StageBuild sb = gitSb("file://" + bare, "main", null);
    sb.getSpec().dockerfile = new DockerfileSpec();
    sb.getSpec().dockerfile.path = "app/Dockerfile";
    ShellTools.Result r = runSource(sb, null, Map.of());
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(src().resolve("app/f")).hasContent("v2");
    assertThat(src().resolve(".git")).doesNotExist();
    SourceOutput out = SourceLog.parse(r.stdout(), Files.readString(termLog));
    assertThat(out.dockerfile()).isEqualTo(DOCKERFILE);
    // No app/Dockerfile.dockerignore: the context root's .dockerignore applies.
    assertThat(out.dockerignore()).isEqualTo("root-ignore\n");
  }

  @Test
  void dockerfileSpecificDockerignoreWins() throws Exception {
    StageBuild sb = gitSb("file://" + bare, "main", "./app/");
    sb.getSpec().dockerfile = new DockerfileSpec();
    sb.getSpec().dockerfile.path = "Dockerfile.ms";
    ShellTools.Result r = runSource(sb, null, Map.of());
    assertThat(r.exit()).as(r.stderr()).isZero();
    SourceOutput out = SourceLog.parse(r.stdout());
    assertThat(out.dockerfile()).isEqualTo(MS_DOCKERFILE);
    assertThat(out.dockerignore()).isEqualTo("*\n!keep\n");
  }

  @Test
  void inlineDockerfileIsNotPrinted() throws Exception {
    StageBuild sb = gitSb("file://" + bare, "main", "app");
    sb.getSpec().dockerfile = new DockerfileSpec();
    sb.getSpec().dockerfile.inline = "FROM scratch\n";
    ShellTools.Result r = runSource(sb, null, Map.of());
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(r.stdout()).doesNotContain("stagebuild:dockerfile:begin");
    SourceOutput out = SourceLog.parse(r.stdout(), Files.readString(termLog));
    assertThat(out.dockerfile()).isNull();
    assertThat(out.dockerignore()).isEqualTo("*.tmp\n");
    assertThat(out.commit()).isEqualTo(commits.get("main"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
      "contextDir ..      | ../x      | Dockerfile      | main     | contextDir '../x' must not contain '..'",
      "contextDir missing | nope      | Dockerfile      | main     | contextDir 'nope' is not a directory",
      "contextDir symlink | app/escape| Dockerfile      | main     | contextDir 'app/escape' points outside the repository",
      "no Dockerfile      | app       | Dockerfile.gone | main     | Dockerfile 'Dockerfile.gone' not found in the build context",
      "Dockerfile symlink | app       | evil-Dockerfile | main     | Dockerfile 'evil-Dockerfile' points outside the build context",
      "Dockerfile ..      | app       | ../Dockerfile   | main     | dockerfile '../Dockerfile' must not contain '..'",
      "unknown revision   | app       | Dockerfile      | nope     | revision 'nope' not found in file://",
      "option revision    | app       | Dockerfile      | --upload-pack=touch pwned | must not start with '-'"})
  void failuresAreClearAndLeaveTheTerminationLogEmpty(String why, String contextDir, String dockerfile, String revision,
      String message) throws Exception {
    StageBuild sb = gitSb("file://" + bare, revision, contextDir);
    sb.getSpec().dockerfile = new DockerfileSpec();
    sb.getSpec().dockerfile.path = dockerfile;
    ShellTools.Result r = runSource(sb, null, Map.of());
    assertThat(r.exit()).as(why).isNotZero();
    assertThat(r.stderr()).as(why).contains(message);
    assertThat(termLog).isEmptyFile();
    assertThat(r.stdout()).doesNotContain("root:");
    try (Stream<Path> all = Files.walk(tmp)) {
      assertThat(all.filter(p -> p.getFileName().toString().equals("pwned"))).isEmpty();
    }
  }

  @Test
  void aSymlinkedContextDirIsTheDirectoryItNamesInTheRepository() throws Exception {
    ShellTools.Result r = runSource(gitSb("file://" + bare, "main", "current"), null, Map.of());
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(Files.isSymbolicLink(src())).isFalse();
    assertContextHoldsApp("v2");
  }

  @Test
  void aSymlinkedContextDirCannotNameTheGitSecretOnceMoved() throws Exception {
    // deep/er/link -> ../../git-secret is the repository's git-secret directory where it is, but
    // the git Secret's mount if the link itself became context/src: its password the "Dockerfile".
    Files.writeString(secret.resolve("username"), "robot");
    Files.writeString(secret.resolve("password"), "hunter2-git-token");
    StageBuild sb = gitSb("file://" + bare, "main", "deep/er/link");
    sb.getSpec().dockerfile = new DockerfileSpec();
    sb.getSpec().dockerfile.path = "password";
    ShellTools.Result r = runSource(sb, null, Map.of());
    String leaked = Base64.getEncoder().encodeToString("hunter2-git-token".getBytes(StandardCharsets.UTF_8));
    assertThat(r.stdout()).doesNotContain(leaked).doesNotContain("hunter2-git-token");
    assertThat(r.exit()).isNotZero();
    assertThat(r.stderr()).contains("Dockerfile 'password' not found in the build context");
    assertThat(Files.isSymbolicLink(src())).isFalse();
    assertThat(src().resolve("keep")).hasContent("decoy");
  }

  @Test
  void sshKeyIsUsedThroughGitSshCommand() throws Exception {
    // A stand-in for ssh: records how git called it, then runs the remote command locally.
    Path bin = Files.createDirectories(tmp.resolve("fake-bin"));
    Path log = tmp.resolve("ssh-log");
    Files.writeString(bin.resolve("ssh"), "#!/bin/sh\n"
        + "prev=\n"
        + "for a in \"$@\"; do\n"
        + "  printf '%s\\n' \"$a\" >>\"$FAKE_SSH_LOG\"\n"
        + "  if [ \"$prev\" = -i ]; then cp \"$a\" \"$FAKE_SSH_LOG.key\"; stat -c %a \"$a\" >\"$FAKE_SSH_LOG.mode\"; fi\n"
        + "  prev=$a; last=$a\n"
        + "done\n"
        + "exec sh -c \"$last\"\n");
    Files.setPosixFilePermissions(bin.resolve("ssh"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(secret.resolve("ssh-privatekey"), "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n");
    Files.setPosixFilePermissions(secret.resolve("ssh-privatekey"), PosixFilePermissions.fromString("r--r--r--"));

    StageBuild sb = gitSb("ssh://git@git.example.com" + bare, "feature", "app");
    sb.getSpec().source.git.secretRef = new LocalObjectRef("git-creds");
    // Without known_hosts, SSH is refused unless the spec says to skip host-key checking.
    ShellTools.Result refused = runSource(sb, null, Map.of("PATH", bin + ":/usr/bin:/bin", "FAKE_SSH_LOG", log.toString()));
    assertThat(refused.exit()).isNotZero();
    assertThat(refused.stderr()).contains("no known_hosts", "insecureSkipHostKeyCheck");
    assertThat(log).doesNotExist();
    sb.getSpec().source.git.insecureSkipHostKeyCheck = true;
    ShellTools.Result r = runSource(sb, null, Map.of("PATH", bin + ":/usr/bin:/bin", "FAKE_SSH_LOG", log.toString()));
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertContextHoldsApp("feature");
    List<String> args = Files.readAllLines(log);
    assertThat(args).containsSubsequence("-o", "IdentitiesOnly=yes")
        .containsSubsequence("-o", "StrictHostKeyChecking=accept-new")
        .contains("git@git.example.com");
    assertThat(tmp.resolve("ssh-log.key")).hasContent("-----BEGIN OPENSSH PRIVATE KEY-----\nfake");
    assertThat(tmp.resolve("ssh-log.mode")).hasContent("600");

    // With known_hosts in the Secret, host keys are checked against it.
    Files.writeString(secret.resolve("known_hosts"), "git.example.com ssh-ed25519 AAAA\n");
    Files.delete(log);
    r = runSource(sb, null, Map.of("PATH", bin + ":/usr/bin:/bin", "FAKE_SSH_LOG", log.toString()));
    assertThat(r.exit()).as(r.stderr()).isZero();
    assertThat(Files.readAllLines(log)).containsSubsequence("-o", "StrictHostKeyChecking=yes");
  }

  @Test
  void credentialsInTheUrlAreRedactedFromEveryMessage() throws Exception {
    // git itself hides them; the script names the URL when a revision is missing
    StageBuild sb = gitSb("file://robot:s3cr3t-token@" + bare, "nope", "app");
    ShellTools.Result r = runSource(sb, null, Map.of());
    assertThat(r.exit()).isNotZero();
    assertThat(r.stderr()).contains("***@").doesNotContain("s3cr3t-token");
    assertThat(r.stdout()).doesNotContain("s3cr3t-token");
    assertThat(termLog).isEmptyFile();
  }

  @Test
  void httpsCredentialsComeFromTheSecretThroughAskpass() throws Exception {
    List<String> authorizations = new CopyOnWriteArrayList<>();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", exchange -> {
      String auth = exchange.getRequestHeaders().getFirst("Authorization");
      if (auth != null) {
        authorizations.add(auth);
      }
      exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"git\"");
      exchange.sendResponseHeaders(401, -1);
      exchange.close();
    });
    server.start();
    try {
      Files.writeString(secret.resolve("username"), "robot");
      Files.writeString(secret.resolve("password"), "pa ss'$(word)\"");
      StageBuild sb = gitSb("http://127.0.0.1:" + server.getAddress().getPort() + "/team/app.git", "main", null);
      sb.getSpec().source.git.secretRef = new LocalObjectRef("git-creds");
      ShellTools.Result r = runSource(sb, null, Map.of());
      assertThat(r.exit()).isNotZero();
      assertThat(termLog).isEmptyFile();
      assertThat(authorizations).isNotEmpty().allSatisfy(a -> assertThat(a).startsWith("Basic "));
      String decoded = new String(Base64.getDecoder().decode(authorizations.get(0).substring(6)), StandardCharsets.UTF_8);
      assertThat(decoded).isEqualTo("robot:pa ss'$(word)\"");
      try (Stream<Path> left = Files.list(tmpDir)) {
        assertThat(left).as("askpass helper removed after a failure too").isEmpty();
      }
    } finally {
      server.stop(0);
    }
  }

  @Test
  void configMapSourceCopiesTheKeysDereferenced() throws Exception {
    Map<String, String> data = new HashMap<>();
    data.put("Dockerfile", DOCKERFILE);
    data.put(".dockerignore", "*.md\n");
    data.put("app.go", "package main\n");
    PodHarness.mountConfigMap(data, tmp.resolve("source"));
    StageBuild sb = Fixtures.configMapSb("hellogo");
    ShellTools.Result r = runSource(sb, List.of("Dockerfile", ".dockerignore", "app.go"), Map.of());
    assertThat(r.exit()).as(r.stderr()).isZero();
    try (Stream<Path> files = Files.list(src())) {
      assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("Dockerfile", ".dockerignore", "app.go");
    }
    assertThat(Files.isSymbolicLink(src().resolve("app.go"))).isFalse();
    assertThat(src().resolve("app.go")).hasContent("package main");
    SourceOutput out = SourceLog.parse(r.stdout(), Files.readString(termLog));
    assertThat(out).isEqualTo(new SourceOutput(DOCKERFILE, "*.md\n", null));
  }
}
