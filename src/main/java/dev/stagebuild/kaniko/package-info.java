/**
 * The objects of one build, from a StageBuild and its plan, and the fixed scripts their pods run.
 * Everything here is pure: no cluster calls.
 *
 * <h2>Objects</h2>
 * <ul>
 *   (Every name ends in {@code -<8 hex>} of its parts: {@link dev.stagebuild.kaniko.BuildNames#podName}.)
 *   <li>{@code <sb>-<buildId>-workspace}: the PVC (or the build's {@code <uid>/<buildId>} sub-path of
 *       a shared claim), mounted at {@code /kaniko/stagebuild/workspace} in every pod; {@code context/src/} holds the source, {@code context/from/<pod>.tar} a pod's exports.
 *   <li>{@code <sb>-<buildId>-plan}: immutable ConfigMap with {@code <pod>.Dockerfile},
 *       {@code <pod>.exports} (one path or glob per line), {@code <pod>.excludes} and
 *       {@code <pod>.context-excludes} (for COPY --exclude, when there is any), {@code dockerignore},
 *       {@code plan.json}.
 *   <li>{@code <sb>-<buildId>-source}: the source pod; {@code <sb>-<buildId>-<step>[-r<n>]} the stage
 *       pods, where step is {@link dev.stagebuild.kaniko.BuildNames#stageStep the plan pod name};
 *       {@code <sb>-<buildId>-workspace-cleanup} removes a build's sub-path of a shared claim.
 * </ul>
 *
 * <h2>stage.sh ({@link dev.stagebuild.kaniko.Scripts#STAGE})</h2>
 * {@code /busybox/sh -c STAGE stage <executor args...>}. Reads only: SB_WORKSPACE, SB_PLAN, SB_POD,
 * SB_ROOT, SB_EXECUTOR, SB_TOOLS, SB_TERMINATION_LOG, SB_DIGEST_FILE, SB_FINAL. Copies its busybox
 * to {@code $SB_TOOLS} (kaniko may clear /busybox), makes the empty {@code context/mounts/.tmpfs}
 * (RUN --mount=type=tmpfs), installs
 * {@code $SB_PLAN/dockerignore} as {@code context/.dockerignore}, runs the executor; on failure
 * exits with its code and an empty termination log; on success archives the paths each export
 * line names in {@code $SB_ROOT} as {@code context/from/$SB_POD.tar} — as the built root has them:
 * symlinks on the way or at the end kept, together with what they point to inside SB_ROOT,
 * directories whole, parent directories with their owners and modes (a missing export fails with
 * {@code export <path> not found in stage <pod>}) — and for the final pod copies the digest file to
 * the termination log. A consumer's Dockerfile unpacks the archive into a stand-in stage
 * ({@code FROM scratch AS <stage>}, {@code ADD from/<stage>.tar /}) and keeps its
 * {@code COPY --from=<stage>}, so owners and modes travel as Docker's COPY --from keeps them.
 * Each export of {@code <pod>.excludes} (a {@code COPY --from=<stage> --exclude=...}) is archived
 * the same way as {@code context/from/$SB_POD.exclude-<key>.tar}, each source then without what
 * the patterns exclude relative to it (BuildKit's matching, see
 * {@link dev.stagebuild.plan.ExcludePatterns}); a source inside another one of the same export
 * fails the pod ({@code COPY --exclude of line N: ... copy them with one COPY each}).
 * Before the executor runs, each export of {@code <pod>.context-excludes} (a {@code COPY --exclude=...}
 * from the build context) is made the same way from {@code context/src}, as the directory
 * {@code context/exclude/<key>/} (the first complete copy stays; the pod's Dockerfile copies from it).
 * Stage pods set the fork's "BuildKit compatibility" flags ({@code FF_KANIKO_COPY_AS_ROOT=true}: files
 * from the context are 0:0, as in Docker; see {@link dev.stagebuild.kaniko.StagePods}). 
 *
 * <h2>source.sh ({@link dev.stagebuild.kaniko.Scripts#SOURCE})</h2>
 * {@code sh -c SOURCE source}. SB_SOURCE_KIND=git (SB_GIT_URL, SB_GIT_REVISION, SB_CONTEXT_DIR,
 * SB_GIT_SECRET with username/password or ssh-privatekey[/known_hosts]) or configmap
 * (SB_SOURCE_DIR); both: SB_WORKSPACE, SB_TERMINATION_LOG, SB_DOCKERFILE, SB_PRINT_DOCKERFILE.
 * Fills {@code context/src/}, prints {@code stagebuild:dockerfile:begin}/{@code :end} and
 * {@code stagebuild:dockerignore:begin}/{@code :end} blocks of base64 on stdout (read them with
 * {@link dev.stagebuild.kaniko.SourceLog}), and writes the commit (git) to the termination log
 * last, so that a failure leaves it empty and the pod's message is the log's tail.
 */
package dev.stagebuild.kaniko;
