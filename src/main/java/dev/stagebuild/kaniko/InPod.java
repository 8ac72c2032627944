package dev.stagebuild.kaniko;

/**
 * Where things are inside the pods. Everything of ours lives under /kaniko/stagebuild: Kaniko
 * never puts /kaniko into an image, and a RUN that writes into a mounted path such as /workspace
 * would lose those files from the image.
 */
public final class InPod {
  public static final String BASE = "/kaniko/stagebuild";
  public static final String WORKSPACE = BASE + "/workspace";
  public static final String CONTEXT = WORKSPACE + "/context";
  public static final String PLAN = BASE + "/plan";
  /** The user's source ConfigMap (configMap source pod). */
  public static final String SOURCE = BASE + "/source";
  /** The git credentials Secret (git source pod). */
  public static final String GIT_SECRET = BASE + "/git-secret";
  public static final String DIGEST_FILE = BASE + "/digest";
  /**
   * The stage script's own copy of busybox: kaniko clears the file system before a pod's first
   * stage (--pre-cleanup) and between stages, and keeps /kaniko and mounted paths only. /busybox
   * is a mount only where the runtime mounts an image's VOLUME (containerd does; CRI-O's default
   * creates a directory).
   */
  public static final String TOOLS = BASE + "/tools";
  /** Where kaniko keeps RUN --mount=type=cache directories (config.KanikoCacheDir). */
  public static final String MOUNT_CACHES = "/kaniko/caches";
  /** Build secrets (spec.secrets): {@code <dir>/<index>/value}, passed to kaniko with --secret. */
  public static final String BUILD_SECRETS = BASE + "/secrets";
  /** The CA bundle of spec.output.caBundleRef, passed to kaniko with --registry-certificate. */
  public static final String CA_BUNDLE_DIR = BASE + "/ca";
  public static final String CA_BUNDLE_FILE = "ca.crt";
  public static final String CA_BUNDLE = CA_BUNDLE_DIR + "/" + CA_BUNDLE_FILE;
  /** Kaniko reads $DOCKER_CONFIG/config.json for registry credentials. */
  public static final String DOCKER_CONFIG = "/kaniko/.docker";
  public static final String EXECUTOR = "/kaniko/executor";
  public static final String TERMINATION_LOG = "/dev/termination-log";
  public static final String EXECUTOR_SHELL = "/busybox/sh";
  public static final String GIT_SHELL = "/bin/sh";

  private InPod() {}
}
