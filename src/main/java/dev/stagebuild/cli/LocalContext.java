package dev.stagebuild.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * A local checkout standing in for a build's source ({@code plan --context DIR}): the Dockerfile
 * at {@code contextDir/dockerfile.path} and the {@code .dockerignore} the source pod would pick
 * ({@code <Dockerfile>.dockerignore}, else {@code contextDir/.dockerignore}). Every path must stay
 * inside DIR, by name ({@code ..}) and after following symlinks, as the source pod requires of
 * the repository.
 */
final class LocalContext {
  /**
   * @param dockerfile the Dockerfile's path
   * @param dockerignore the .dockerignore's path, or null when there is none
   */
  record Found(Path contextDir, Path dockerfile, String dockerfileText, Path dockerignore, String dockerignoreText) {}

  private LocalContext() {}

  /**
   * DIR as the context of a Dockerfile given on its own: only the .dockerignore is read, BuildKit's
   * ({@code docker build -f FILE DIR}): {@code FILE.dockerignore} beside the Dockerfile, else
   * {@code DIR/.dockerignore}.
   *
   * @param dockerfile the Dockerfile's path as given, or null (read from stdin)
   */
  static Found contextOnly(String root, String dockerfile) throws PlanInput.InputException {
    Path top = top(root);
    if (dockerfile != null) {
      Path beside;
      try {
        beside = Path.of(dockerfile + ".dockerignore");
      } catch (InvalidPathException e) {
        beside = null;
      }
      if (beside != null && Files.exists(beside, LinkOption.NOFOLLOW_LINKS)) {
        // the user named the Dockerfile's path: its own .dockerignore is theirs to read, wherever it is
        return new Found(top, null, null, beside, read(beside));
      }
    }
    Path ignore = top.resolve(".dockerignore");
    if (!Files.exists(ignore, LinkOption.NOFOLLOW_LINKS)) {
      return new Found(top, null, null, null, null);
    }
    ignore = inside(top, top, ".dockerignore", ".dockerignore");
    return new Found(top, null, null, ignore, read(ignore));
  }

  static Found find(String root, String contextDir, String dockerfilePath) throws PlanInput.InputException {
    Path top = top(root);
    Path ctx = inside(top, top, contextDir == null || contextDir.isBlank() ? "." : contextDir, "source.git.contextDir");
    if (!Files.isDirectory(ctx)) {
      throw new PlanInput.InputException("--context " + root + ": the context directory " + contextDir
          + " (spec.source.git.contextDir) is not a directory in it");
    }
    String path = dockerfilePath == null || dockerfilePath.isBlank() ? "Dockerfile" : dockerfilePath;
    Path dockerfile = inside(top, ctx, path, "dockerfile.path");
    if (!Files.isRegularFile(dockerfile)) {
      throw new PlanInput.InputException("--context " + root + ": no Dockerfile at " + top.relativize(dockerfile)
          + " (spec.dockerfile.path " + path + " in the context directory)");
    }
    Path ignore = dockerfile.resolveSibling(dockerfile.getFileName() + ".dockerignore");
    if (!Files.exists(ignore, LinkOption.NOFOLLOW_LINKS)) {
      ignore = ctx.resolve(".dockerignore");
    }
    String ignoreText = null;
    if (Files.exists(ignore, LinkOption.NOFOLLOW_LINKS)) {
      ignore = inside(top, ignore.getParent(), ignore.getFileName().toString(), ".dockerignore");
      ignoreText = read(ignore);
    } else {
      ignore = null;
    }
    return new Found(ctx, dockerfile, read(dockerfile), ignore, ignoreText);
  }

  private static Path top(String root) throws PlanInput.InputException {
    Path top;
    try {
      top = Path.of(root).toRealPath();
    } catch (IOException | InvalidPathException e) {
      throw new PlanInput.InputException("--context " + root + ": no such directory");
    }
    if (!Files.isDirectory(top)) {
      throw new PlanInput.InputException("--context " + root + ": not a directory");
    }
    return top;
  }

  /** base/relative, refused unless it is inside top both by name and after following symlinks. */
  static Path inside(Path top, Path base, String relative, String what) throws PlanInput.InputException {
    Path rel;
    try {
      rel = Path.of(relative);
    } catch (InvalidPathException e) {
      throw new PlanInput.InputException(what + " " + relative + " is not a valid path");
    }
    if (rel.isAbsolute()) {
      throw new PlanInput.InputException(what + " " + relative + " must be relative");
    }
    Path p = base.resolve(rel).normalize();
    if (!p.startsWith(top)) {
      throw new PlanInput.InputException(what + " " + relative + " points outside the --context directory");
    }
    if (Files.exists(p)) {
      try {
        if (!p.toRealPath().startsWith(top)) {
          throw new PlanInput.InputException(what + " " + relative
              + " is a symbolic link to outside the --context directory");
        }
        return p.toRealPath();
      } catch (IOException e) {
        throw new PlanInput.InputException("cannot read " + p + ": " + PlanInput.ioMessage(e));
      }
    }
    return p;
  }

  /** A file of the checkout, read like the FILE argument: a regular file, bounded, UTF-8. */
  private static String read(Path p) throws PlanInput.InputException {
    if (!Files.isRegularFile(p)) {
      // a FIFO or a device would block or never end
      throw new PlanInput.InputException("cannot read " + p + ": not a regular file");
    }
    try {
      return PlanInput.text(p.toString(), PlanInput.readBounded(p));
    } catch (IOException e) {
      throw new PlanInput.InputException("cannot read " + p + ": " + PlanInput.ioMessage(e));
    }
  }
}
