package dev.stagebuild.kaniko;

/**
 * What the source pod reported.
 *
 * @param dockerfile the Dockerfile's text, or null when the pod did not print it (inline Dockerfile)
 * @param dockerignore the .dockerignore's text, or null when the context has none
 * @param commit the git commit it checked out, or null (configMap source, or not asked for)
 */
public record SourceOutput(String dockerfile, String dockerignore, String commit) {}
