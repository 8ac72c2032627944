package dev.stagebuild.dockerfile;

/**
 * One {@code name=value} of ENV, LABEL or ARG, as written (quotes kept, variables not expanded).
 *
 * @param key the name
 * @param value the value; null for an ARG declared without a default
 * @param legacy true for the old {@code ENV name value} form (value is the rest of the line)
 */
public record KeyValue(String key, String value, boolean legacy) {}
