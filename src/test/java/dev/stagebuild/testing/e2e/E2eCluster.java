package dev.stagebuild.testing.e2e;

import static org.awaitility.Awaitility.await;

import dev.stagebuild.api.BuildArg;
import dev.stagebuild.api.DockerfileSpec;
import dev.stagebuild.api.GitSource;
import dev.stagebuild.api.LocalObjectRef;
import dev.stagebuild.api.Source;
import dev.stagebuild.api.StageBuild;
import dev.stagebuild.reconciler.Conditions;
import dev.stagebuild.reconciler.OperatorSettings;
import dev.stagebuild.testing.Builds;
import dev.stagebuild.testing.MockCluster;
import dev.stagebuild.testing.OperatorHarness;
import dev.stagebuild.testing.TestKubelet;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The operator against the mock API server, with a {@link TestKubelet} that runs every pod through a
 * {@link BuildahPodRunner}: StageBuilds go in, real images come out in the environment's registry.
 * Also builds the same Dockerfiles natively with {@code buildah bud}, for comparison.
 */
public final class E2eCluster implements AutoCloseable {
  public static final String NS = "e2e";
  static final OperatorSettings SETTINGS = new OperatorSettings(Duration.ofMinutes(2), Duration.ofSeconds(10),
      Duration.ofSeconds(2), Duration.ofMinutes(10));

  private final E2eEnvironment env;
  private final MockCluster cluster;
  private final KubernetesClient client;
  private final BuildahPodRunner runner;
  private final TestKubelet kubelet;
  private final OperatorHarness operator;
  private final Path dir;

  public E2eCluster(E2eEnvironment env) {
    this.env = env;
    this.dir = env.newDirectory("cluster-");
    this.cluster = new MockCluster();
    this.client = cluster.client();
    cluster.createNamespace(NS);
    this.runner = new BuildahPodRunner(env, client);
    this.kubelet = new TestKubelet(cluster, pod -> runner);
    this.operator = new OperatorHarness(client, SETTINGS).start();
  }

  public KubernetesClient client() {
    return client;
  }

  public TestKubelet kubelet() {
    return kubelet;
  }

  public BuildahPodRunner runner() {
    return runner;
  }

  public E2eEnvironment env() {
    return env;
  }

  // --- sources -------------------------------------------------------------------------------------

  /** A test case's settings next to its Dockerfile; not part of the build context. */
  public static final String CASE_FILE = "case.properties";

  /**
   * Copies a test resource directory (without {@value #CASE_FILE}), with the environment's substitutions ({@code @BASE@} etc.)
   * applied to every file, to a new directory.
   */
  public Path context(Path resource) {
    Path out = newDirectory("context-");
    try (Stream<Path> all = Files.walk(resource)) {
      for (Path p : (Iterable<Path>) all::iterator) {
        Path target = out.resolve(resource.relativize(p).toString());
        if (p.getFileName().toString().equals(CASE_FILE)) {
          continue;
        }
        if (Files.isSymbolicLink(p)) {
          Files.createSymbolicLink(target, Files.readSymbolicLink(p));
        } else if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          byte[] bytes = Files.readAllBytes(p);
          String text = utf8(bytes);
          // Archives and other binary files are copied as they are; only text gets the substitutions.
          Files.write(target, text == null ? bytes : env.substitute(text).getBytes(StandardCharsets.UTF_8));
          if (Files.isExecutable(p)) {
            target.toFile().setExecutable(true, false);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out;
  }

  /** A git repository (one commit on main) holding {@code context}; its file:// URL. */
  public String gitRepository(Path context) {
    Path repo = newDirectory("repo-");
    git(repo.getParent(), "clone", "-q", "--no-hardlinks", emptyRepository(), repo.toString());
    copyTree(context, repo);
    git(repo, "add", "-A");
    git(repo, "-c", "user.name=e2e", "-c", "user.email=e2e@stagebuild.dev", "commit", "-q", "-m", "context");
    return "file://" + repo;
  }

  private String emptyRepository() {
    Path empty = newDirectory("empty-");
    git(empty, "init", "-q", "-b", "main");
    return empty.toString();
  }

  /** A fresh checkout of a repository without .git: the context as the source pod makes it. */
  public Path checkout(String url) {
    Path out = newDirectory("checkout-");
    E2eEnvironment.deleteTree(out);
    git(out.getParent(), "clone", "-q", url, out.toString());
    E2eEnvironment.deleteTree(out.resolve(".git"));
    return out;
  }

  private void git(Path cwd, String... args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(BuildTools.require("git").toString());
    cmd.addAll(List.of(args));
    Map<String, String> e = new LinkedHashMap<>(Proc.hostEnv());
    e.put("HOME", dir.toString());
    e.put("GIT_CONFIG_NOSYSTEM", "1");
    Proc.run(cmd, e, cwd, null, Duration.ofMinutes(1)).check();
  }

  private static void copyTree(Path from, Path to) {
    Proc.run(List.of("cp", "-a", from + "/.", to.toString()), Proc.hostEnv(), null, null, Duration.ofMinutes(1))
        .check();
  }

  /** A ConfigMap with each regular file of {@code context} (top level only) as a key. */
  public void configMap(String name, Path context) {
    Map<String, String> data = new LinkedHashMap<>();
    Map<String, String> binaryData = new LinkedHashMap<>();
    try (Stream<Path> files = Files.list(context)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        if (Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
          byte[] bytes = Files.readAllBytes(f);
          String text = utf8(bytes);
          if (text != null) {
            data.put(f.getFileName().toString(), text);
          } else {
            // As kubectl create configmap --from-file does with a file that is not UTF-8.
            binaryData.put(f.getFileName().toString(), Base64.getEncoder().encodeToString(bytes));
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    client.configMaps().inNamespace(NS).resource(new ConfigMapBuilder().withNewMetadata().withName(name)
        .endMetadata().withData(data).withBinaryData(binaryData.isEmpty() ? null : binaryData).build()).create();
  }

  /** The bytes as text, or null when they are not valid UTF-8 (an archive, an image). */
  static String utf8(byte[] bytes) {
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
          .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT)
          .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
    } catch (java.nio.charset.CharacterCodingException e) {
      return null;
    }
  }

  // --- StageBuilds ---------------------------------------------------------------------------------

  /** A StageBuild pushing to {@code <registry>/e2e/<name>:1}, insecure (plain HTTP). */
  public StageBuild stageBuild(String name) {
    StageBuild sb = Builds.stageBuild(name, env.registry().image("e2e/" + name + ":1"));
    sb.getMetadata().setNamespace(NS);
    sb.getSpec().output.insecure = true;
    return sb;
  }

  public static void gitSource(StageBuild sb, String url) {
    sb.getSpec().source = new Source();
    sb.getSpec().source.git = new GitSource();
    sb.getSpec().source.git.url = url;
    sb.getSpec().source.git.revision = "main";
  }

  public static void configMapSource(StageBuild sb, String configMap) {
    sb.getSpec().source = new Source();
    sb.getSpec().source.configMap = new LocalObjectRef(configMap);
  }

  public static void dockerfilePath(StageBuild sb, String path) {
    sb.getSpec().dockerfile = new DockerfileSpec();
    sb.getSpec().dockerfile.path = path;
  }

  public static void buildArgs(StageBuild sb, Map<String, String> args) {
    if (!args.isEmpty()) {
      sb.getSpec().buildArgs = args.entrySet().stream().map(e -> new BuildArg(e.getKey(), e.getValue())).toList();
    }
  }

  public void create(StageBuild sb) {
    client.resource(sb).inNamespace(NS).create();
  }

  public StageBuild get(String name) {
    return client.resources(StageBuild.class).inNamespace(NS).withName(name).get();
  }

  /** Creates the StageBuild and waits until Succeeded is True or False. */
  public StageBuild build(StageBuild sb, Duration timeout) {
    create(sb);
    return awaitFinished(sb.getMetadata().getName(), timeout);
  }

  public StageBuild awaitFinished(String name, Duration timeout) {
    return await().atMost(timeout).pollInterval(Duration.ofMillis(100)).until(() -> get(name), E2eCluster::isFinished);
  }

  /**
   * The build ended, and after a success the registry look-up (which runs after the build, off the
   * reconcile thread) has answered too.
   */
  public static boolean isFinished(StageBuild sb) {
    String c = condition(sb, "Succeeded");
    return "False".equals(c) || ("True".equals(c) && condition(sb, "ImageInspected") != null);
  }

  public static String condition(StageBuild sb, String type) {
    if (sb == null || sb.getStatus() == null) {
      return null;
    }
    var c = Conditions.find(sb.getStatus().conditions, type);
    return c == null ? null : c.getStatus();
  }

  public static String reason(StageBuild sb, String type) {
    var c = sb == null || sb.getStatus() == null ? null : Conditions.find(sb.getStatus().conditions, type);
    return c == null ? null : c.getReason();
  }

  public static String message(StageBuild sb, String type) {
    var c = sb == null || sb.getStatus() == null ? null : Conditions.find(sb.getStatus().conditions, type);
    return c == null ? null : c.getMessage();
  }

  /** The logs of the build's pods, as the runner recorded them: for assertion messages. */
  public String podLogs(String build) {
    StringBuilder out = new StringBuilder();
    for (String pod : kubelet.startedPods()) {
      if (pod.startsWith(build + "-")) {
        out.append("--- ").append(pod).append('\n').append(Proc.tail(runner.log(pod), 40, 6000)).append('\n');
      }
    }
    return out.toString();
  }

  /** The condition message and the pod logs: what a person needs when a build failed. */
  public String explain(StageBuild sb) {
    return "Succeeded=" + condition(sb, "Succeeded") + " " + reason(sb, "Succeeded") + ": "
        + message(sb, "Succeeded") + "\n" + podLogs(sb.getMetadata().getName());
  }

  // --- native builds -------------------------------------------------------------------------------

  /** A native build of the Dockerfile with buildah; the result's image ID (or a failure). */
  public record NativeBuild(Proc.Result result, String image, Duration took) {}

  public NativeBuild nativeBuild(Path context, String dockerfile, Map<String, String> buildArgs, String target,
      int jobs) {
    return nativeBuild(context, dockerfile, buildArgs, target, jobs, List.of());
  }

  /** A native build with extra {@code buildah bud} flags. */
  public NativeBuild nativeBuild(Path context, String dockerfile, Map<String, String> buildArgs, String target,
      int jobs, List<String> flags) {
    Path iid = newDirectory("native-").resolve("iid");
    List<String> bud = new ArrayList<>(List.of("bud", "--isolation", "chroot", "--layers=false", "--tls-verify=false",
        "--jobs", Integer.toString(jobs), "-f", context.resolve(dockerfile).toString(), "--iidfile", iid.toString()));
    if (target != null && !target.isBlank()) {
      bud.addAll(List.of("--target", target));
    }
    buildArgs.forEach((k, v) -> bud.addAll(List.of("--build-arg", k + "=" + v)));
    bud.addAll(flags);
    bud.add(context.toString());
    long start = System.nanoTime();
    Proc.Result r = env.buildah().run(bud, null, Duration.ofMinutes(5));
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    String image = null;
    try {
      image = Files.exists(iid) ? Files.readString(iid).strip() : null;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new NativeBuild(r, image, took);
  }

  /** Pulls an image by reference from the (insecure) registry into buildah's storage; its ID. */
  public String pull(String reference) {
    return env.buildah().lastLine("pull", "--quiet", "--tls-verify=false", "docker://" + reference);
  }

  public Path newDirectory(String prefix) {
    try {
      return Files.createTempDirectory(dir, prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    operator.close();
    kubelet.close();
    cluster.close();
    runner.close();
    env.buildah().reset();
    E2eEnvironment.deleteTree(dir);
  }
}
