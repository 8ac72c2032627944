package dev.stagebuild.dockerfile;

/**
 * A range of characters in an instruction's logical line (its physical lines joined after the
 * line continuations are removed): {@code start} inclusive, {@code end} exclusive.
 */
public record Span(int start, int end) {
  public int length() {
    return end - start;
  }
}
