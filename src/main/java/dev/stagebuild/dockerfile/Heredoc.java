package dev.stagebuild.dockerfile;

/**
 * A here-document attached to a RUN, COPY or ADD instruction.
 *
 * @param name the terminator word, without quotes
 * @param fileDescriptor the number written before {@code <<} (0 when none)
 * @param chomp {@code <<-}: leading tabs are stripped from the content and the terminator line
 * @param expand false when the terminator was quoted (the content is taken literally)
 * @param content the lines between the instruction and the terminator, each ending in a newline
 */
public record Heredoc(String name, int fileDescriptor, boolean chomp, boolean expand, String content) {}
