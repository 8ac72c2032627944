/**
 * End to end with real images: the operator's pods executed on this machine with buildah, a real
 * registry on loopback, and native builds to compare with.
 *
 * <ul>
 *   <li>{@link dev.stagebuild.testing.e2e.E2eEnvironment}: once per JVM — a
 *       {@link dev.stagebuild.registry.testing.LocalRegistry}, buildah storage of its own (vfs,
 *       under a temporary directory, {@code registries.conf} without search registries: nothing
 *       leaves the machine), and two images built with buildah from scratch and pushed there:
 *       {@code <registry>/busybox:1} (the host's static busybox, a symlink per applet,
 *       /etc/passwd with root, app (1000) and nobody, Cmd sh) and {@code <registry>/e2e/assets:1}
 *       (files owned by 1234:5678, a symlink: for {@code COPY --from=<image>}). Test resources
 *       write {@code @BASE@}, {@code @ASSETS@} and {@code @REGISTRY@}.
 *   <li>{@link dev.stagebuild.testing.e2e.BuildahPodRunner}: the {@code PodBehavior} that runs
 *       each pod for real. Volumes become directories (the workspace PVC one per claim name; a
 *       ConfigMap or Secret its keys in the kubelet's layout); the pod's own script from its
 *       command runs unchanged under {@code busybox sh} with busybox applets on PATH (and git for
 *       the source pod), environment paths remapped; {@code SB_EXECUTOR} is a fixed shim that sends
 *       its arguments through a FIFO to Java, which checks them against the pod's, runs
 *       {@code buildah bud} (and {@code buildah push --digestfile} for {@code --destination}),
 *       mounts the built image where {@code SB_ROOT} points and answers with the exit code. Pod
 *       fields, volumes, environment variables and executor flags it does not know fail the pod
 *       with exit code {@value dev.stagebuild.testing.e2e.BuildahPodRunner#REFUSED} and a message.
 *   <li>{@link dev.stagebuild.testing.e2e.E2eCluster}: mock API server, test kubelet with the
 *       runner, the real reconciler; sources as ConfigMaps or local git repositories (file://);
 *       native {@code buildah bud} builds of the same Dockerfile and context.
 *   <li>{@link dev.stagebuild.testing.e2e.ImageSnapshot}: an image's files (path, type, mode with
 *       special bits, owner, content hash, symlink target; no timestamps) and config (Env, Cmd,
 *       Entrypoint, WorkingDir, User, Labels, ExposedPorts), and the differences between two.
 *   <li>{@link dev.stagebuild.testing.e2e.RegistryProbe}: what the registry serves for a tag, over
 *       plain HTTP: digest, and size as config.size plus the layers' sizes.
 * </ul>
 *
 * <p>Needs the Debian packages buildah, busybox-static, docker-registry and git, and root
 * (buildah with vfs storage and chroot isolation). Tests say so with
 * {@link dev.stagebuild.testing.e2e.RequiresBuildTools}: without them they are skipped with what to
 * install, and with {@code CI=true} they fail. {@code .ci/run} installs the packages and runs
 * everything with {@code CI=true}. The tests are {@code dev.stagebuild.e2e.EndToEndTest},
 * {@code EquivalenceTest} (one case per directory under
 * {@code src/test/resources/e2e/equivalence/}; {@code -De2e.cases=a,b} runs some) and
 * {@code ParallelismBenchmarkTest}; together about 4 to 5 minutes on two cores.
 */
package dev.stagebuild.testing.e2e;
