package dev.stagebuild.testing.e2e;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.stagebuild.dockerfile.Dockerfile;
import dev.stagebuild.dockerfile.DockerfileParser;
import dev.stagebuild.dockerfile.Instruction;
import dev.stagebuild.plan.KanikoBindStandIn;
import dev.stagebuild.plan.KanikoCapabilities;
import dev.stagebuild.testing.PodBehavior;
import dev.stagebuild.testing.PodOutcome;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Executes the pods the operator creates, for real, on this machine: a {@link PodBehavior} for the
 * {@link dev.stagebuild.testing.TestKubelet}.
 *
 * <p>The pod's volumes become local directories: the workspace PVC one directory per claim name
 * (shared by the pods of a build, like the volume), a ConfigMap or Secret its keys as files in the
 * kubelet's layout ({@code ..data} and symlinks), honouring {@code items}. Paths in the pod's
 * environment are mapped onto them; a path on no volume lands in a private directory that stands
 * for the container's own file system.
 *
 * <ul>
 *   <li>Source pod: the pod's own script (from its command, unchanged) runs under {@code busybox sh}
 *       with the host's git; its output is the pod log the operator reads the Dockerfile from.
 *   <li>Stage pod: the pod's own stage script runs under {@code busybox sh -c SCRIPT stage ARGS...}
 *       with only busybox applets on PATH. {@code SB_EXECUTOR} is a fixed shim that hands the call
 *       back to Java through two FIFOs; Java checks that the shim got exactly the pod's arguments,
 *       maps the kaniko flags onto {@code buildah bud} (and {@code buildah push} for
 *       {@code --destination}), mounts the built image and points {@code SB_ROOT} (a symlink) at
 *       it, and answers with the exit code. The script then copies the exports out of the built
 *       root as it would in the cluster. buildah gets the pod's Dockerfile with kaniko's copying
 *       of context bind mounts written out ({@link KanikoBindStandIn}).
 * </ul>
 *
 * <p>It refuses — fails the pod with a message saying what — every pod field, volume, environment
 * variable or executor flag it does not know how to run faithfully, so that something new the
 * operator puts into a pod cannot pass these tests untested.
 */
public final class BuildahPodRunner implements PodBehavior, AutoCloseable {
  /** Exit code of a pod this runner refuses to run. */
  public static final int REFUSED = 126;

  static final Set<String> POD_SPEC_FIELDS = Set.of("volumes", "containers", "restartPolicy",
      "automountServiceAccountToken", "enableServiceLinks", "affinity", "nodeSelector", "tolerations",
      "activeDeadlineSeconds", "nodeName",
      // accepted, not enforced: the runner runs every pod as the test's user (KanikoResourcesTest checks them)
      "securityContext",
      // no effect on what a pod builds: no token is mounted (KanikoResourcesTest checks both)
      "serviceAccountName");
  static final Set<String> CONTAINER_FIELDS = Set.of("name", "image", "command", "args", "env", "volumeMounts",
      "terminationMessagePath", "terminationMessagePolicy", "resources", "securityContext");
  static final Set<String> MOUNT_FIELDS = Set.of("name", "mountPath", "readOnly", "subPath");
  static final Set<String> KEYED_VOLUME_FIELDS = Set.of("secretName", "items", "defaultMode", "optional");

  /** Stage pod environment: name → how it is mapped. */
  static final Map<String, EnvKind> STAGE_ENV = Map.ofEntries(
      Map.entry("SB_WORKSPACE", EnvKind.PATH), Map.entry("SB_PLAN", EnvKind.PATH),
      Map.entry("SB_TOOLS", EnvKind.PATH), Map.entry("SB_TERMINATION_LOG", EnvKind.PATH), Map.entry("SB_DIGEST_FILE", EnvKind.PATH),
      Map.entry("DOCKER_CONFIG", EnvKind.PATH), Map.entry("SB_POD", EnvKind.VALUE),
      Map.entry("SB_FINAL", EnvKind.VALUE), Map.entry("SB_ROOT", EnvKind.ROOT),
      Map.entry("SB_EXECUTOR", EnvKind.EXECUTOR), Map.entry("FF_KANIKO_COPY_AS_ROOT", EnvKind.COPY_AS_ROOT),
      Map.entry("FF_KANIKO_EXPAND_HEREDOC", EnvKind.EXPAND_HEREDOC),
      Map.entry("FF_KANIKO_RUN_MOUNT_BIND", EnvKind.RUN_MOUNT_BIND),
      // buildah does what BuildKit does; kaniko only with each of these set (StagePods)
      Map.entry("FF_KANIKO_CHOWN_ON_IMPLICIT_DIRS", EnvKind.BUILDKIT_COMPATIBILITY),
      Map.entry("FF_KANIKO_COPY_CHMOD_ON_IMPLICIT_DIRS", EnvKind.BUILDKIT_COMPATIBILITY),
      Map.entry("FF_KANIKO_RUN_HONOR_GROUP", EnvKind.BUILDKIT_COMPATIBILITY),
      Map.entry("FF_KANIKO_UNTAR_SKIP_ROOT", EnvKind.BUILDKIT_COMPATIBILITY));
  static final Map<String, EnvKind> SOURCE_ENV = Map.of(
      "SB_WORKSPACE", EnvKind.PATH, "SB_TERMINATION_LOG", EnvKind.PATH, "SB_SOURCE_DIR", EnvKind.PATH,
      "SB_GIT_SECRET", EnvKind.PATH, "SB_SOURCE_KIND", EnvKind.VALUE, "SB_GIT_URL", EnvKind.VALUE,
      "SB_GIT_REVISION", EnvKind.VALUE, "SB_CONTEXT_DIR", EnvKind.VALUE, "SB_DOCKERFILE", EnvKind.VALUE,
      "SB_PRINT_DOCKERFILE", EnvKind.VALUE);

  enum EnvKind { PATH, VALUE, ROOT, EXECUTOR, COPY_AS_ROOT, EXPAND_HEREDOC, RUN_MOUNT_BIND, BUILDKIT_COMPATIBILITY }

  private static final ObjectMapper FIELDS = new ObjectMapper()
      .setSerializationInclusion(JsonInclude.Include.NON_EMPTY);
  private static final Duration DEFAULT_DEADLINE = Duration.ofMinutes(10);

  private final E2eEnvironment env;
  private final KubernetesClient client;
  private final Path work;
  private final ExecutorService io = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "buildah-pod-runner-io");
    t.setDaemon(true);
    return t;
  });
  private final List<ExecutorCall> calls = new java.util.concurrent.CopyOnWriteArrayList<>();

  /** One executor call a stage pod made, as mapped onto buildah. */
  public record ExecutorCall(String pod, List<String> kanikoArgs, List<String> budArgs, int exit, Duration took) {}

  /** When a pod ran on this runner, and for a stage pod when its executor call did. */
  public record PodTimes(String pod, java.time.Instant started, java.time.Instant executorStarted,
      java.time.Instant built, java.time.Instant executorDone, java.time.Instant ended) {}

  private final Map<String, PodTimes> times = new java.util.concurrent.ConcurrentHashMap<>();

  /** The pods' timelines, by pod name. */
  public Map<String, PodTimes> times() {
    return Map.copyOf(times);
  }

  public BuildahPodRunner(E2eEnvironment env, KubernetesClient client) {
    this.env = env;
    this.client = client;
    this.work = env.newDirectory("pods-");
  }

  /** The executor calls made so far, in the order they finished. */
  public List<ExecutorCall> calls() {
    return List.copyOf(calls);
  }

  /** A pod's log as this runner recorded it (for debugging a failed test). */
  public String log(String podName) {
    Path log = work.resolve("pods").resolve(podName).resolve("log");
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public PodOutcome run(Pod pod) {
    String name = pod.getMetadata().getName();
    times.put(name, new PodTimes(name, java.time.Instant.now(), null, null, null, null));
    try {
      return execute(pod);
    } catch (Refused r) {
      String message = "e2e pod runner refuses pod " + pod.getMetadata().getName() + ": " + r.getMessage();
      return new PodOutcome("Failed", REFUSED, message, null, message + "\n");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      times.computeIfPresent(name, (k, t) -> new PodTimes(k, t.started(), t.executorStarted(), t.built(),
          t.executorDone(), java.time.Instant.now()));
    }
  }

  private void mark(String pod, int which) {
    java.time.Instant now = java.time.Instant.now();
    times.computeIfPresent(pod, (k, t) -> new PodTimes(k, t.started(), which == 0 ? now : t.executorStarted(),
        which == 1 ? now : t.built(), which == 2 ? now : t.executorDone(), t.ended()));
  }

  /** Something in a pod this runner cannot run faithfully. */
  static final class Refused extends RuntimeException {
    Refused(String message) {
      super(message);
    }
  }

  // --- the pod -------------------------------------------------------------------------------------

  private PodOutcome execute(Pod pod) throws IOException {
    String name = pod.getMetadata().getName();
    onlyFields("pod spec", pod.getSpec(), POD_SPEC_FIELDS);
    if (!"Never".equals(pod.getSpec().getRestartPolicy())) {
      throw new Refused("restartPolicy " + pod.getSpec().getRestartPolicy() + " (only Never)");
    }
    if (pod.getSpec().getContainers().size() != 1) {
      throw new Refused(pod.getSpec().getContainers().size() + " containers (only one)");
    }
    Container c = pod.getSpec().getContainers().get(0);
    onlyFields("container", c, CONTAINER_FIELDS);
    List<String> command = c.getCommand();
    if (command == null || command.size() != 4 || !command.get(1).equals("-c")
        || !Set.of("/busybox/sh", "/bin/sh").contains(command.get(0))) {
      throw new Refused("command " + abbreviate(command) + " (expected [<sh>, -c, <script>, <name>])");
    }
    String script = command.get(2);
    String kind = command.get(3);
    Path podDir = Files.createDirectories(work.resolve("pods").resolve(name));
    PodFs view = new PodFs(podDir, Files.createDirectories(podDir.resolve("fs")), mounts(pod, c, podDir),
        envValue(c, "DOCKER_CONFIG", "/kaniko/.docker"));
    Path termLog = view.local(c.getTerminationMessagePath() == null ? "/dev/termination-log"
        : c.getTerminationMessagePath());
    Files.createDirectories(termLog.getParent());
    Files.write(termLog, new byte[0]);
    Duration deadline = pod.getSpec().getActiveDeadlineSeconds() == null ? DEFAULT_DEADLINE
        : Duration.ofSeconds(pod.getSpec().getActiveDeadlineSeconds());
    List<String> args = c.getArgs() == null ? List.of() : c.getArgs();

    Run run = switch (kind) {
      case "source" -> {
        if (!args.isEmpty()) {
          throw new Refused("source pod with arguments " + args);
        }
        yield runSource(view, c, script, deadline);
      }
      case "stage" -> runStage(view, name, c, script, args, deadline, secretEnv(pod.getMetadata().getNamespace(), c));
      default -> throw new Refused("unknown script name '" + kind + "' (source or stage)");
    };
    String log = Files.readString(podDir.resolve("log"), StandardCharsets.UTF_8);
    String message = Files.readString(termLog, StandardCharsets.UTF_8);
    if (run.exit == 0) {
      return PodOutcome.succeedWithLog(message, log);
    }
    if (message.isEmpty() && "FallbackToLogsOnError".equals(c.getTerminationMessagePolicy())) {
      // the kubelet's fallback: the last 80 lines of the log, at most 2048 bytes
      message = Proc.tail(log, 80, 2048);
    }
    return new PodOutcome("Failed", run.exit, message, null, log);
  }

  private record Run(int exit) {}

  /** The pod's file system as this runner lays it out: mounts onto local directories. */
  private record PodFs(Path dir, Path fs, Map<String, Path> mounts, String dockerConfig) {
    /** The local path for a path inside the pod. */
    Path local(String podPath) {
      if (!podPath.startsWith("/")) {
        throw new Refused("relative path " + podPath);
      }
      String best = null;
      for (String m : mounts.keySet()) {
        if ((podPath.equals(m) || podPath.startsWith(m + "/")) && (best == null || m.length() > best.length())) {
          best = m;
        }
      }
      if (best == null) {
        return fs.resolve(podPath.substring(1));
      }
      String rest = podPath.substring(best.length());
      return rest.isEmpty() ? mounts.get(best) : mounts.get(best).resolve(rest.substring(1));
    }
  }

  private Map<String, Path> mounts(Pod pod, Container c, Path podDir)
      throws IOException {
    Map<String, Volume> volumes = new LinkedHashMap<>();
    for (Volume v : pod.getSpec().getVolumes() == null ? List.<Volume>of() : pod.getSpec().getVolumes()) {
      volumes.put(v.getName(), v);
    }
    Map<String, Path> mounts = new LinkedHashMap<>();
    String ns = pod.getMetadata().getNamespace();
    for (VolumeMount m : c.getVolumeMounts() == null ? List.<VolumeMount>of() : c.getVolumeMounts()) {
      onlyFields("volume mount " + m.getName(), m, MOUNT_FIELDS);
      Volume v = volumes.get(m.getName());
      if (v == null) {
        throw new Refused("volume mount " + m.getName() + " has no volume");
      }
      Path local = volume(ns, v, podDir);
      if (m.getSubPath() != null) {
        if (v.getPersistentVolumeClaim() == null || !m.getSubPath().matches("[a-z0-9][a-z0-9._-]*")) {
          throw new Refused("volume mount " + m.getName() + " with subPath " + m.getSubPath()
              + " (only a plain name on a PVC)");
        }
        local = Files.createDirectories(local.resolve(m.getSubPath()));
      }
      mounts.put(m.getMountPath(), local);
    }
    return mounts;
  }

  private Path volume(String ns, Volume v, Path podDir) throws IOException {
    Map<String, Object> fields = fields(v);
    fields.remove("name");
    if (fields.size() != 1) {
      throw new Refused("volume " + v.getName() + " with " + fields.keySet());
    }
    if (v.getPersistentVolumeClaim() != null) {
      onlyFields("volume " + v.getName(), v.getPersistentVolumeClaim(), Set.of("claimName", "readOnly"));
      return Files.createDirectories(work.resolve("pvc").resolve(v.getPersistentVolumeClaim().getClaimName()));
    }
    Path dir = podDir.resolve("volumes").resolve(v.getName());
    if (v.getEmptyDir() != null) {
      onlyFields("volume " + v.getName(), v.getEmptyDir(), Set.of("medium", "sizeLimit"));
      return Files.createDirectories(dir);
    }
    if (v.getConfigMap() != null) {
      onlyFields("volume " + v.getName(), v.getConfigMap(), Set.of("name", "items", "defaultMode", "optional"));
      ConfigMap cm = client.configMaps().inNamespace(ns).withName(v.getConfigMap().getName()).get();
      if (cm == null) {
        throw new Refused("ConfigMap " + v.getConfigMap().getName() + " of volume " + v.getName() + " not found");
      }
      Map<String, byte[]> data = new LinkedHashMap<>();
      if (cm.getData() != null) {
        cm.getData().forEach((k, val) -> data.put(k, val.getBytes(StandardCharsets.UTF_8)));
      }
      if (cm.getBinaryData() != null) {
        cm.getBinaryData().forEach((k, val) -> data.put(k, Base64.getDecoder().decode(val)));
      }
      writeKeyed(dir, data, v.getConfigMap().getItems());
      return dir;
    }
    if (v.getSecret() != null) {
      onlyFields("volume " + v.getName(), v.getSecret(), KEYED_VOLUME_FIELDS);
      Secret s = client.secrets().inNamespace(ns).withName(v.getSecret().getSecretName()).get();
      if (s == null) {
        throw new Refused("Secret " + v.getSecret().getSecretName() + " of volume " + v.getName() + " not found");
      }
      Map<String, byte[]> data = new LinkedHashMap<>();
      if (s.getData() != null) {
        s.getData().forEach((k, val) -> data.put(k, Base64.getDecoder().decode(val)));
      }
      if (s.getStringData() != null) {
        s.getStringData().forEach((k, val) -> data.put(k, val.getBytes(StandardCharsets.UTF_8)));
      }
      writeKeyed(dir, data, v.getSecret().getItems());
      return dir;
    }
    throw new Refused("volume " + v.getName() + " of kind " + fields.keySet() + " (only PVC, ConfigMap, Secret)");
  }

  /** The kubelet's layout: files in a timestamped directory, {@code ..data} pointing at it, a symlink per key. */
  static void writeKeyed(Path dir, Map<String, byte[]> data, List<KeyToPath> items) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    if (items == null || items.isEmpty()) {
      files.putAll(data);
    } else {
      for (KeyToPath item : items) {
        if (!data.containsKey(item.getKey())) {
          throw new Refused("key " + item.getKey() + " not found for volume item " + item.getPath());
        }
        files.put(item.getPath() == null ? item.getKey() : item.getPath(), data.get(item.getKey()));
      }
    }
    Path stamped = Files.createDirectories(dir.resolve("..2026_01_01_00_00_00.000000001"));
    for (var e : files.entrySet()) {
      if (e.getKey().startsWith("/") || e.getKey().contains("..")) {
        throw new Refused("volume path " + e.getKey());
      }
      Path f = stamped.resolve(e.getKey());
      Files.createDirectories(f.getParent());
      Files.write(f, e.getValue());
    }
    Files.createSymbolicLink(dir.resolve("..data"), stamped.getFileName());
    for (String key : files.keySet()) {
      String top = key.contains("/") ? key.substring(0, key.indexOf('/')) : key;
      if (!Files.exists(dir.resolve(top), LinkOption.NOFOLLOW_LINKS)) {
        Files.createSymbolicLink(dir.resolve(top), Path.of("..data", top));
      }
    }
  }

  // --- environment ---------------------------------------------------------------------------------

  /**
   * The values of a container's environment variables that come from Secret keys, as the kubelet
   * fills them in; only in stage pods (secret build args), for a bare {@code --build-arg=NAME}.
   */
  private Map<String, String> secretEnv(String ns, Container c) {
    Map<String, String> out = new LinkedHashMap<>();
    for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
      if (e.getValueFrom() == null) {
        continue;
      }
      var ref = e.getValueFrom().getSecretKeyRef();
      if (ref == null || e.getValueFrom().getConfigMapKeyRef() != null || e.getValueFrom().getFieldRef() != null
          || e.getValueFrom().getResourceFieldRef() != null) {
        throw new Refused("env " + e.getName() + " with a valueFrom other than secretKeyRef");
      }
      Secret s = client.secrets().inNamespace(ns).withName(ref.getName()).get();
      String value = s == null ? null : s.getData() != null && s.getData().containsKey(ref.getKey())
          ? new String(Base64.getDecoder().decode(s.getData().get(ref.getKey())), StandardCharsets.UTF_8)
          : s.getStringData() == null ? null : s.getStringData().get(ref.getKey());
      if (value == null) {
        // the kubelet would not start the container (CreateContainerConfigError)
        throw new Refused("env " + e.getName() + ": Secret " + ref.getName() + " or its key " + ref.getKey()
            + " not found");
      }
      out.put(e.getName(), value);
    }
    return out;
  }

  private Map<String, String> environment(PodFs view, Container c, Map<String, EnvKind> known, Path rootLink,
      Path executor, Map<String, String> fromSecrets) {
    Map<String, String> out = new LinkedHashMap<>();
    for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
      if (e.getValueFrom() != null) {
        if (!fromSecrets.containsKey(e.getName())) {
          throw new Refused("env " + e.getName() + " with valueFrom");
        }
        out.put(e.getName(), fromSecrets.get(e.getName()));
        continue;
      }
      EnvKind kind = known.get(e.getName());
      if (kind == null) {
        throw new Refused("env " + e.getName() + "=" + e.getValue() + " (unknown to the runner)");
      }
      String value = e.getValue() == null ? "" : e.getValue();
      out.put(e.getName(), switch (kind) {
        case VALUE -> value;
        case PATH -> value.isEmpty() ? "" : view.local(value).toString();
        case ROOT -> {
          if (!value.equals("/")) {
            throw new Refused("SB_ROOT=" + value + " (the executor builds into /)");
          }
          yield rootLink.toString();
        }
        case EXECUTOR -> {
          if (!value.equals("/kaniko/executor")) {
            throw new Refused("SB_EXECUTOR=" + value + " (only /kaniko/executor)");
          }
          yield executor.toString();
        }
        case COPY_AS_ROOT -> {
          // buildah copies context files as 0:0 (like Docker): what kaniko does with this flag on
          if (!value.equals("true")) {
            throw new Refused("FF_KANIKO_COPY_AS_ROOT=" + value + ": buildah always copies context files as"
                + " 0:0, which is kaniko's behaviour only with the flag set to true");
          }
          yield value;
        }
        case RUN_MOUNT_BIND -> {
          // buildah always mounts context bind mounts: kaniko only with the flag
          if (!value.equals("true")) {
            throw new Refused("FF_KANIKO_RUN_MOUNT_BIND=" + value + ": buildah always mounts RUN --mount=type=bind"
                + " from the context, kaniko only with the flag set to true");
          }
          yield value;
        }
        case BUILDKIT_COMPATIBILITY -> {
          if (!value.equals("true")) {
            throw new Refused(e.getName() + "=" + value + ": buildah builds as BuildKit does, kaniko only with the"
                + " flag set to true");
          }
          yield value;
        }
        case EXPAND_HEREDOC -> {
          // buildah expands an unquoted COPY/ADD heredoc (like BuildKit): kaniko only with the flag
          if (!value.equals("true")) {
            throw new Refused("FF_KANIKO_EXPAND_HEREDOC=" + value + ": buildah always expands variables in an"
                + " unquoted COPY/ADD heredoc, kaniko only with the flag set to true");
          }
          yield value;
        }
      });
    }
    // What a container runtime sets.
    out.put("HOME", view.local("/root").toString());
    out.put("HOSTNAME", "e2e-pod");
    return out;
  }

  // --- source pod ----------------------------------------------------------------------------------

  private Run runSource(PodFs view, Container c, String script, Duration deadline) throws IOException {
    Map<String, String> envs = environment(view, c, SOURCE_ENV, null, null, Map.of());
    envs.put("PATH", env.applets() + ":" + env.gitBin());
    Files.createDirectories(view.local("/root"));
    List<String> cmd = List.of(env.busybox().toString(), "sh", "-c", script, "source");
    Proc.Result r = Proc.run(cmd, envs, view.fs(), view.dir().resolve("log"), deadline);
    return new Run(r.exit());
  }

  // --- stage pod -----------------------------------------------------------------------------------

  private Run runStage(PodFs view, String podName, Container c, String script, List<String> args, Duration deadline,
      Map<String, String> fromSecrets) throws IOException {
    Path dir = view.dir();
    Path rootLink = dir.resolve("root");
    Files.createSymbolicLink(rootLink, Files.createDirectories(dir.resolve("no-root-yet")));
    Path executor = dir.resolve("executor");
    Files.createSymbolicLink(executor, env.shim());
    Path request = dir.resolve("request");
    Path response = dir.resolve("response");
    Proc.run(List.of(env.applets().resolve("mkfifo").toString(), request.toString(), response.toString()),
        Proc.hostEnv(), dir, null, Duration.ofSeconds(10)).check();
    Map<String, String> envs = environment(view, c, STAGE_ENV, rootLink, executor, fromSecrets);
    if (!"true".equals(envs.get("FF_KANIKO_COPY_AS_ROOT"))) {
      throw new Refused("stage pod without FF_KANIKO_COPY_AS_ROOT=true: kaniko would copy context files as"
          + " the stage's USER, buildah (like Docker) copies them as 0:0");
    }
    for (Map.Entry<String, EnvKind> flag : STAGE_ENV.entrySet()) {
      if (flag.getValue() == EnvKind.BUILDKIT_COMPATIBILITY && !"true".equals(envs.get(flag.getKey()))) {
        throw new Refused("stage pod without " + flag.getKey() + "=true: kaniko would build differently from"
            + " BuildKit (and buildah) without it");
      }
    }
    if (!"true".equals(envs.get("FF_KANIKO_EXPAND_HEREDOC"))) {
      throw new Refused("stage pod without FF_KANIKO_EXPAND_HEREDOC=true: kaniko would copy an unquoted heredoc"
          + " with its variables unexpanded, buildah (like BuildKit) expands them");
    }
    envs.put("PATH", env.applets().toString());
    Files.createDirectories(view.local("/root"));
    Path log = dir.resolve("log");
    Files.createFile(log);

    List<String> cmd = new ArrayList<>(List.of(env.busybox().toString(), "sh", "-c", script, "stage"));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(view.fs().toFile()).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    pb.environment().clear();
    pb.environment().putAll(envs);
    long started = System.nanoTime();
    Process p = pb.start();
    Future<byte[]> requested = io.submit(() -> {
      try (InputStream in = Files.newInputStream(request)) {
        return in.readAllBytes();
      }
    });
    Built built = null;
    try {
      while (true) {
        if (requested.isDone()) {
          byte[] got = get(requested);
          if (got.length > 0) {
            List<String> shimArgs = splitNul(got);
            int rc;
            if (!shimArgs.equals(args)) {
              append(log, "e2e pod runner: the executor got " + shimArgs + ", the pod's args are " + args + "\n");
              rc = 127;
            } else {
              mark(podName, 0);
              built = executor(view, podName, args, log, remaining(started, deadline), fromSecrets);
              mark(podName, 2);
              rc = built.exit;
            }
            respond(response, rc, p);
          }
          break;
        }
        if (!p.isAlive()) {
          // The script ended without calling the executor: unblock the reader with an empty request.
          try (OutputStream out = Files.newOutputStream(request, StandardOpenOption.WRITE)) {
            out.flush();
          }
          get(requested);
          break;
        }
        if (System.nanoTime() - started > deadline.toNanos()) {
          break;
        }
        sleep(20);
      }
      int exit = Proc.await(p, remaining(started, deadline));
      return new Run(exit);
    } finally {
      if (p.isAlive()) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
      }
      requested.cancel(true);
      if (built != null) {
        built.cleanUp(env.buildah());
      }
    }
  }

  /** What buildah built for a pod: the image and the mounted container to clean up. */
  private record Built(int exit, String image, String container) {
    void cleanUp(Buildah buildah) {
      if (container != null) {
        buildah.run("umount", container);
        buildah.run("rm", container);
      }
      if (image != null && !named(buildah, image)) {
        buildah.run("rmi", "--force", image);
      }
    }

    /**
     * Whether the image has a name: a pod whose Dockerfile is a FROM alone (a stage an image mount
     * makes) gets its base image's ID from buildah, and that image is also other builds'.
     */
    private static boolean named(Buildah buildah, String image) {
      String id = image.startsWith("sha256:") ? image : "sha256:" + image;
      return buildah.run("images", "--no-trunc", "--format", "{{.ID}} {{.Name}}").output().lines()
          .anyMatch(l -> l.startsWith(id + " ") && !l.endsWith(" <none>"));
    }
  }

  /**
   * The executor call: kaniko's flags mapped onto buildah. Every flag the operator renders must be
   * known here; anything else refuses the pod.
   */
  private Built executor(PodFs view, String podName, List<String> args, Path log, Duration timeout,
      Map<String, String> fromSecrets) throws IOException {
    Path dockerfile = null;
    Path context = null;
    String target = null;
    List<String> buildArgs = new ArrayList<>();
    List<String> destinations = new ArrayList<>();
    Path digestFile = null;
    boolean noPush = false;
    boolean insecurePush = false;
    boolean insecurePull = false;
    List<String> secrets = new ArrayList<>();
    for (String a : args) {
      String flag = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      String value = a.contains("=") ? a.substring(a.indexOf('=') + 1) : null;
      switch (flag) {
        case "--dockerfile" -> dockerfile = view.local(required(a, value));
        case "--context" -> {
          if (value == null || !value.startsWith("dir://")) {
            throw new Refused("executor argument " + a + " (only --context=dir://<path>)");
          }
          context = view.local(value.substring("dir://".length()));
        }
        case "--target" -> target = required(a, value);
        case "--build-arg" -> {
          if (value != null && !value.contains("=") && fromSecrets.containsKey(value)) {
            // kaniko takes a bare NAME from its environment, which has it from a Secret
            buildArgs.add(value + "=" + fromSecrets.get(value));
          } else if (value == null || !value.contains("=")) {
            // a bare NAME of no Secret would take whatever the executor's environment holds
            throw new Refused("executor argument " + a + " (only --build-arg=NAME=VALUE, or a bare NAME whose"
                + " value the pod has from a Secret)");
          } else {
            buildArgs.add(value);
          }
        }
        case "--no-push" -> noPush = isTrue(a, value);
        case "--destination" -> destinations.add(required(a, value));
        case "--digest-file" -> digestFile = view.local(required(a, value));
        // kaniko fork: keep the built root on disk at the end; buildah's mounted image is that root
        // buildah starts each build from its images alone, as kaniko does after --pre-cleanup
        case "--materialize", "--pre-cleanup" -> isTrue(a, value);
        case "--insecure", "--skip-tls-verify" -> insecurePush |= isTrue(a, value);
        case "--insecure-pull", "--skip-tls-verify-pull" -> insecurePull |= isTrue(a, value);
        case "--secret" -> {
          // kaniko: id=<id>,src=<file in the pod>; buildah reads the same flag
          if (value == null || !value.matches("id=[A-Za-z0-9._-]+,src=/[^,]+")) {
            throw new Refused("executor argument " + a + " (only --secret=id=<id>,src=<absolute file>)");
          }
          String src = value.substring(value.indexOf(",src=") + 5);
          secrets.add(value.substring(0, value.indexOf(",src=")) + ",src=" + view.local(src));
        }
        default -> throw new Refused("executor argument " + a + " (unknown to the runner)");
      }
    }
    if (dockerfile == null || context == null) {
      throw new Refused("executor without --dockerfile or --context: " + args);
    }
    refuseWhatKanikoIgnores(dockerfile);
    // kaniko copies context bind mounts in and out; buildah would mount them (see KanikoBindStandIn)
    String explicit;
    try {
      explicit = KanikoBindStandIn.rewrite(Files.readString(dockerfile));
    } catch (KanikoBindStandIn.Unsupported e) {
      throw new Refused("the pod's Dockerfile, " + e.getMessage());
    }
    if (noPush) {
      explicit = withoutEmptyLastStage(explicit);
    }
    Path budDockerfile = view.dir().resolve("Dockerfile.kaniko-binds");
    Files.writeString(budDockerfile, explicit);
    if (noPush == !destinations.isEmpty()) {
      throw new Refused("executor needs exactly one of --no-push and --destination: " + args);
    }
    if (digestFile != null && destinations.isEmpty()) {
      throw new Refused("--digest-file without --destination");
    }
    Path authFile = view.local(view.dockerConfig() + "/config.json");
    Path iidFile = view.dir().resolve("iid");
    List<String> bud = new ArrayList<>(List.of("bud", "--isolation", "chroot", "--layers=false",
        "--tls-verify=" + !insecurePull, "-f", budDockerfile.toString(), "--iidfile", iidFile.toString()));
    if (target != null) {
      bud.addAll(List.of("--target", target));
    }
    for (String b : buildArgs) {
      bud.addAll(List.of("--build-arg", b));
    }
    for (String s : secrets) {
      bud.addAll(List.of("--secret", s));
    }
    if (Files.isRegularFile(authFile)) {
      bud.addAll(List.of("--authfile", authFile.toString()));
    }
    bud.add(context.toString());
    long start = System.nanoTime();
    Buildah buildah = env.buildah();
    // As in kaniko, RUN --mount=type=cache directories live in /kaniko/caches: empty for each pod,
    // unless a volume is mounted there. buildah keeps them under $TMPDIR/buildah-cache-<uid>.
    Map<String, String> budEnv = new LinkedHashMap<>(buildah.env());
    Path caches = view.local("/kaniko/caches");
    Files.createDirectories(caches);
    budEnv.put("TMPDIR", caches.toString());
    Proc.Result r = Proc.run(buildah.command(bud), budEnv, null, log, timeout);
    String image = Files.exists(iidFile) ? Files.readString(iidFile).strip() : null;
    if (r.exit() != 0 || image == null) {
      calls.add(new ExecutorCall(podName, args, bud, r.exit(), Duration.ofNanos(System.nanoTime() - start)));
      return new Built(r.exit() == 0 ? 1 : r.exit(), image, null);
    }
    for (String destination : destinations) {
      Path digest = view.dir().resolve("pushed-digest");
      List<String> push = new ArrayList<>(List.of("push", "--tls-verify=" + !insecurePush, "--digestfile",
          digest.toString()));
      if (Files.isRegularFile(authFile)) {
        push.addAll(List.of("--authfile", authFile.toString()));
      }
      push.addAll(List.of(image, "docker://" + destination));
      Proc.Result pushed = buildah.run(push, log, timeout);
      if (pushed.exit() != 0) {
        calls.add(new ExecutorCall(podName, args, bud, pushed.exit(), Duration.ofNanos(System.nanoTime() - start)));
        return new Built(pushed.exit(), image, null);
      }
      if (digestFile != null && destination.equals(destinations.get(0))) {
        Files.createDirectories(digestFile.getParent());
        Files.writeString(digestFile, Files.readString(digest).strip());
      }
    }
    mark(podName, 1);
    Proc.Result from = buildah.run(List.of("from", "--pull=never", "--quiet", image), log, timeout);
    if (from.exit() != 0) {
      return new Built(from.exit(), image, null);
    }
    String container = lastLine(from.output());
    Proc.Result mount = buildah.run(List.of("mount", container), null, timeout);
    if (mount.exit() != 0) {
      append(log, mount.output());
      return new Built(mount.exit(), image, container);
    }
    Path root = Path.of(lastLine(mount.output()));
    Path rootLink = view.dir().resolve("root");
    Files.delete(rootLink);
    Files.createSymbolicLink(rootLink, root);
    calls.add(new ExecutorCall(podName, args, bud, 0, Duration.ofNanos(System.nanoTime() - start)));
    return new Built(0, image, container);
  }

  /**
   * A last stage that is a FROM alone (the stage an image mount makes) gets a LABEL: buildah gives
   * such a build its base image's ID, which this runner would then remove, and leaves the working
   * container behind. For a pod that pushes nothing only the files count, which a label leaves alone.
   */
  static String withoutEmptyLastStage(String dockerfile) {
    List<Instruction> instructions = DockerfileParser.parse(dockerfile).instructions();
    if (!instructions.get(instructions.size() - 1).is("FROM")) {
      return dockerfile;
    }
    return dockerfile + (dockerfile.endsWith("\n") ? "" : "\n") + "LABEL stagebuild.e2e.stand-in=from-alone\n";
  }

  /**
   * As strict as kaniko: a construct of the pod's Dockerfile that kaniko v1.28.3 ignores (the
   * planner's {@link KanikoCapabilities}) fails the pod, since buildah would build it and a test
   * could pass on what only buildah does.
   */
  static void refuseWhatKanikoIgnores(Path dockerfile) throws IOException {
    Dockerfile parsed = DockerfileParser.parse(Files.readString(dockerfile));
    Set<String> stages = new java.util.HashSet<>();
    for (Instruction i : parsed.instructions()) {
      if (i.is("FROM") && i.args().size() == 3) {
        stages.add(i.args().get(2).toLowerCase(java.util.Locale.ROOT));
      }
    }
    Instruction volume = null;
    for (Instruction i : parsed.instructions()) {
      java.util.Optional<String> why = KanikoCapabilities.refusal(i, false, stages);
      if (why.isPresent()) {
        throw new Refused("the pod's Dockerfile, line " + i.line() + ": " + why.get());
      }
      // kaniko (volume.go) leaves what is written under a VOLUME later in its stage out of the
      // image; buildah, like BuildKit, keeps it
      volume = i.is("FROM") ? null : i.is("VOLUME") ? i : volume;
      if (volume != null && KanikoCapabilities.WRITES_FILES.contains(i.keyword())) {
        throw new Refused("the pod's Dockerfile, line " + i.line() + ": " + i.keyword() + " after the VOLUME of line "
            + volume.line() + ": kaniko leaves what it writes under the volume out of the image");
      }
    }
  }

  private static String envValue(Container c, String name, String fallback) {
    if (c.getEnv() != null) {
      for (EnvVar e : c.getEnv()) {
        if (e.getName().equals(name) && e.getValue() != null) {
          return e.getValue();
        }
      }
    }
    return fallback;
  }

  private static String required(String arg, String value) {
    if (value == null || value.isEmpty()) {
      throw new Refused("executor argument " + arg + " without a value");
    }
    return value;
  }

  private static boolean isTrue(String arg, String value) {
    if (value == null || value.equals("true")) {
      return true;
    }
    throw new Refused("executor argument " + arg + " (only the plain flag or =true)");
  }

  private void respond(Path response, int rc, Process script) {
    Future<?> written = io.submit(() -> {
      Files.writeString(response, rc + "\n");
      return null;
    });
    while (!written.isDone()) {
      if (!script.isAlive()) {
        // nobody will read the answer: unblock the writer
        try (InputStream in = Files.newInputStream(response)) {
          in.readAllBytes();
        } catch (IOException e) {
          // gone already
        }
      }
      sleep(20);
    }
  }

  // --- helpers -------------------------------------------------------------------------------------

  private static void onlyFields(String what, Object object, Set<String> known) {
    Map<String, Object> fields = fields(object);
    for (String f : fields.keySet()) {
      if (!known.contains(f)) {
        throw new Refused(what + " field " + f + "=" + fields.get(f) + " (unknown to the runner)");
      }
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> fields(Object object) {
    return new LinkedHashMap<>(FIELDS.convertValue(object, Map.class));
  }

  private static List<String> splitNul(byte[] bytes) {
    List<String> out = new ArrayList<>();
    int start = 0;
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == 0) {
        out.add(new String(bytes, start, i - start, StandardCharsets.UTF_8));
        start = i + 1;
      }
    }
    if (start < bytes.length) {
      out.add(new String(bytes, start, bytes.length - start, StandardCharsets.UTF_8));
    }
    // the shim with no arguments still prints one empty, NUL-terminated word
    return out.size() == 1 && out.get(0).isEmpty() ? List.of() : out;
  }

  private static byte[] get(Future<byte[]> f) {
    try {
      return f.get(30, TimeUnit.SECONDS);
    } catch (TimeoutException | InterruptedException e) {
      throw new IllegalStateException("the executor shim's request never arrived", e);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new IllegalStateException("reading the executor shim's request", e.getCause());
    }
  }

  private static Duration remaining(long started, Duration deadline) {
    long left = deadline.toNanos() - (System.nanoTime() - started);
    return Duration.ofNanos(Math.max(left, Duration.ofSeconds(1).toNanos()));
  }

  private static String lastLine(String output) {
    String[] lines = output.strip().split("\n");
    return lines[lines.length - 1].strip();
  }

  private static void append(Path log, String text) throws IOException {
    Files.writeString(log, text, StandardOpenOption.APPEND, StandardOpenOption.CREATE);
  }

  private static String abbreviate(List<String> command) {
    if (command == null) {
      return "null";
    }
    return command.stream().map(s -> s.length() > 40 ? s.substring(0, 40) + "..." : s).toList().toString();
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Deletes the runner's directories (workspaces, mounted volumes, logs). */
  @Override
  public void close() {
    io.shutdownNow();
    E2eEnvironment.deleteTree(work);
  }

}
