package dev.stagebuild.dockerfile;

/**
 * A builder flag such as {@code --from=build} or {@code --link}.
 *
 * @param name the name without the leading dashes
 * @param value the value after {@code =}, with quotes and escapes already processed the way Docker
 *     reads flags; empty when there is no {@code =}
 * @param hasValue whether the flag was written with {@code =}
 * @param span where the flag word is in the logical line
 */
public record Flag(String name, String value, boolean hasValue, Span span) {}
