package dev.stagebuild.plan;

import static dev.stagebuild.dockerfile.DockerfileException.abbreviate;

import dev.stagebuild.dockerfile.GoBool;
import dev.stagebuild.dockerfile.GoSize;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The checks BuildKit's {@code parseMount} makes of a {@code RUN --mount} value when kaniko runs the
 * RUN (with its expander: run.go): a mount it would fail on there fails the plan instead, with
 * BuildKit's words, not a pod minutes into the build. A value with a variable, a quote or an escape
 * is checked by its key only (kaniko expands it first).
 */
final class MountCheck {
  private MountCheck() {}

  private static final Set<String> TYPES = Set.of("bind", "cache", "tmpfs", "secret", "ssh");
  private static final Set<String> SHARING = Set.of("shared", "private", "locked");
  private static final Set<String> PLAIN_KEYS = Set.of("from", "source", "src", "target", "dst", "destination",
      "id", "env");

  /** What BuildKit would say of this mount, or empty when it reads it. */
  static Optional<String> problem(MountSpec m) {
    if (m.emptyField()) {
      return Optional.of("invalid field '' must be a key=value pair");
    }
    String type = "bind";
    boolean typeKnown = true;
    boolean fileInfo = false;
    boolean sharing = false;
    boolean from = false;
    boolean source = false;
    boolean target = false;
    boolean id = false;
    for (String[] f : m.fields()) {
      String key = f[0];
      String value = f[1];
      if (value == null) {
        if (key.equals("required") && typeKnown && !(type.equals("secret") || type.equals("ssh"))) {
          return Optional.of("unexpected key 'required' for mount type '" + type + "'");
        }
        if (!Set.of("readonly", "ro", "readwrite", "rw", "required").contains(key)) {
          return Optional.of("invalid field '" + abbreviate(key) + "' must be a key=value pair");
        }
        continue;
      }
      boolean literal = isLiteral(value);
      switch (key) {
        case "type" -> {
          if (literal && !TYPES.contains(value.toLowerCase(Locale.ROOT))) {
            return Optional.of("unsupported mount type \"" + abbreviate(value) + "\" (bind, cache, tmpfs, secret, ssh)");
          }
          type = literal ? value.toLowerCase(Locale.ROOT) : type;
          typeKnown = literal;
        }
        case "readonly", "ro", "readwrite", "rw" -> {
          if (literal && !GoBool.parses(value)) {
            return Optional.of("invalid value for " + key + ": " + abbreviate(value));
          }
        }
        case "required" -> {
          if (typeKnown && !(type.equals("secret") || type.equals("ssh"))) {
            return Optional.of("unexpected key 'required' for mount type '" + type + "'");
          }
          // its value is MountSpec.unreadableRequired's
        }
        case "size" -> {
          if (typeKnown && !type.equals("tmpfs")) {
            return Optional.of("unexpected key 'size' for mount type '" + type + "'");
          }
          if (typeKnown && literal && !GoSize.parses(value)) {
            return Optional.of("invalid value for size: " + abbreviate(value));
          }
        }
        case "sharing" -> {
          if (literal && !SHARING.contains(value.toLowerCase(Locale.ROOT))) {
            return Optional.of("unsupported sharing value \"" + abbreviate(value) + "\" (shared, private or locked)");
          }
          sharing = true;
        }
        case "mode", "uid", "gid" -> {
          if (literal && !isUnsigned32(value, key.equals("mode") ? 8 : 10)) {
            return Optional.of("invalid value " + abbreviate(value) + " for " + key);
          }
          fileInfo = true;
        }
        default -> {
          if (!PLAIN_KEYS.contains(key)) {
            return Optional.of("unexpected key '" + abbreviate(key) + "' in '" + abbreviate(key + "=" + value) + "'");
          }
          from |= key.equals("from") && !value.isEmpty();
          source |= (key.equals("source") || key.equals("src")) && !value.isEmpty();
          target |= (key.equals("target") || key.equals("dst") || key.equals("destination")) && !value.isEmpty();
          id |= key.equals("id") && !value.isEmpty();
        }
      }
    }
    if (!typeKnown) {
      return Optional.empty(); // what else holds depends on the type kaniko expands
    }
    if (fileInfo && !(type.equals("secret") || type.equals("ssh") || type.equals("cache"))) {
      return Optional.of("mode, uid and gid are not allowed for \"" + type + "\" type mounts");
    }
    if (type.equals("secret")) {
      if (from) {
        return Optional.of("secret mount should not have a from");
      }
      if (sharing) {
        return Optional.of("secret mount should not define sharing");
      }
      if (!source && !target && !id) {
        return Optional.of("invalid secret mount. one of source, target required");
      }
      if (source && id) {
        return Optional.of("both source and id can't be set");
      }
    }
    if (sharing && !type.equals("cache")) {
      return Optional.of("invalid cache sharing set for " + type + " mount");
    }
    return Optional.empty();
  }

  /** Go's strconv.ParseUint(value, base, 32): digits only, no sign. */
  private static boolean isUnsigned32(String value, int base) {
    if (value.isEmpty()) {
      return false;
    }
    for (int i = 0; i < value.length(); i++) {
      if (Character.digit(value.charAt(i), base) < 0 || value.charAt(i) > 0x7F) {
        return false;
      }
    }
    String digits = value.replaceFirst("^0+(?=.)", "");
    // 0xFFFFFFFF has 11 octal and 10 decimal digits: a longer value is out of range, and never parsed
    return digits.length() <= 11 && Long.parseLong(digits, base) <= 0xFFFF_FFFFL;
  }

  /** Whether a mount value is checked here as written: no variable, escape or quote in it. */
  static boolean isLiteral(String value) {
    return value.indexOf('$') < 0 && value.indexOf('\\') < 0 && value.indexOf('"') < 0 && value.indexOf('\'') < 0;
  }
}
