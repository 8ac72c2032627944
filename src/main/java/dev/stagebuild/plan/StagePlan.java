package dev.stagebuild.plan;

import java.util.List;

/**
 * One stage of the Dockerfile that the build needs.
 *
 * @param name lower-case stage name; {@code stage-<index>} for an unnamed stage
 * @param index 0-based position among all FROM instructions of the original Dockerfile; the stages
 *     {@code image-mount-<n>} the planner adds for {@code RUN --mount=type=bind,from=<image>} come after them
 * @param line 1-based line of its FROM instruction; for an added stage, of the first RUN that mounts the image
 * @param from the FROM operand as written (an image reference, possibly with ARG variables, or a stage name)
 * @param parent the stage this one is FROM, or null when it starts from an image
 * @param dependsOn stages that must be built first: the parent and every COPY --from producer, no duplicates
 * @param pod the pod whose target this stage is; for a stage only used as a parent, the first pod that builds it
 */
public record StagePlan(String name, int index, int line, String from, String parent,
    List<String> dependsOn, String pod) {}
