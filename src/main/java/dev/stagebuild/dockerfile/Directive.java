package dev.stagebuild.dockerfile;

/**
 * A parser directive from the top of the Dockerfile: {@code # syntax=...}, {@code # escape=...}
 * or {@code # check=...}.
 *
 * @param name lower-case name
 * @param value the value, trimmed
 * @param line 1-based line
 * @param source the line as written
 */
public record Directive(String name, String value, int line, String source) {}
