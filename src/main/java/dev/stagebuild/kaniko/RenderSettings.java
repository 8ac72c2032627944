package dev.stagebuild.kaniko;

/**
 * Operator-wide defaults for the objects a build creates.
 *
 * @param executorImage a Kaniko debug image (it must have /busybox/sh); spec.executor.image overrides it
 * @param gitImage an image with git and a busybox sh (with base64) for the git source pod
 * @param defaultWorkspaceSize the workspace PVC's size when spec.workspace.size is not set
 * @param buildServiceAccount the ServiceAccount of every build pod (the operator creates it in each
 *     namespace, without token automount); null: the namespace's default account
 */
public record RenderSettings(String executorImage, String gitImage, String defaultWorkspaceSize,
    String buildServiceAccount) {
  /**
   * The maintained osscontainertools fork of Kaniko (GoogleContainerTools archived the original),
   * release v1.28.3, debug variant; tags follow the fork's release workflow: v1.X.Y-debug.
   * Stage pods rely on what the fork added after Google's last release (v1.24.0): --materialize
   * (v1.24.1), --pre-cleanup (v1.25.4), --secret (v1.26.3), FF_KANIKO_RUN_MOUNT_BIND (v1.27.3) and
   * FF_KANIKO_CHOWN_ON_IMPLICIT_DIRS (v1.28.2; an older fork ignores the flag silently): an overriding
   * spec.executor.image must be the fork, v1.28.2 or newer.
   */
  public static final String DEFAULT_EXECUTOR_IMAGE = "ghcr.io/osscontainertools/kaniko:v1.28.3-debug";
  /** alpine/git tags each image with the git version it carries; alpine's sh is busybox. */
  public static final String DEFAULT_GIT_IMAGE = "docker.io/alpine/git:v2.54.0";
  public static final String DEFAULT_WORKSPACE_SIZE = "1Gi";
  /**
   * Build pods run as this account rather than the namespace's default, which other workloads may
   * have been given rights, image pull secrets or cloud identities through (a workload-identity
   * webhook hands those to any pod of the account, token automount or not).
   */
  public static final String DEFAULT_BUILD_SERVICE_ACCOUNT = "stagebuild-build";

  public RenderSettings(String executorImage, String gitImage, String defaultWorkspaceSize) {
    this(executorImage, gitImage, defaultWorkspaceSize, DEFAULT_BUILD_SERVICE_ACCOUNT);
  }

  public RenderSettings {
    if (buildServiceAccount != null && buildServiceAccount.isBlank()) {
      buildServiceAccount = null;
    }
    if (buildServiceAccount != null
        && !buildServiceAccount.matches("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")) {
      throw new IllegalArgumentException("buildServiceAccount is not a valid name: " + buildServiceAccount);
    }
    requireText(executorImage, "executorImage");
    requireText(gitImage, "gitImage");
    requireText(defaultWorkspaceSize, "defaultWorkspaceSize");
  }

  public static RenderSettings defaults() {
    return new RenderSettings(DEFAULT_EXECUTOR_IMAGE, DEFAULT_GIT_IMAGE, DEFAULT_WORKSPACE_SIZE,
        DEFAULT_BUILD_SERVICE_ACCOUNT);
  }

  private static void requireText(String value, String name) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(name + " must not be blank");
    }
  }
}
