package dev.stagebuild.dockerfile;

import java.util.List;

/**
 * A parsed Dockerfile: its parser directives, its escape character and its instructions in order.
 * Comments and blank lines between instructions are not kept; comment lines inside an
 * instruction's continuation lines and here-document bodies are part of that instruction's source.
 */
public record Dockerfile(List<Directive> directives, char escape, List<Instruction> instructions) {

  public Dockerfile {
    directives = List.copyOf(directives);
    instructions = List.copyOf(instructions);
  }
}
