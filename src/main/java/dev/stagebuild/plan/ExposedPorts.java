package dev.stagebuild.plan;

import dev.stagebuild.dockerfile.WordExpander;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * How BuildKit reads one EXPOSE word (dockerfile2llb {@code convert_expose.go}, {@code parsePort}):
 * {@code [ip:][hostPort:]containerPort[/proto]}, where only the container port counts, a range
 * {@code 7000-7002} gives each of its ports, {@code 053} is port 53 and the protocol is lowercased.
 * kaniko instead records the word itself, adding {@code /tcp} when it has no {@code /}, and fails
 * on any protocol but {@code tcp} and {@code udp} ({@code expose.go}): the planner writes the ports
 * BuildKit reads, each as {@code <port>} (kaniko adds {@code /tcp}) or {@code <port>/udp}, which
 * kaniko records as BuildKit does.
 */
final class ExposedPorts {
  private ExposedPorts() {}

  /** A word BuildKit refuses: the Dockerfile does not build there either. */
  static final class Invalid extends Exception {
    Invalid(String message) {
      super(message);
    }
  }

  /**
   * The ports BuildKit exposes for the word, as {@code <port>/<proto>}; {@code budget} ports at most
   * (a larger range is refused by the caller, so an input cannot make a huge list).
   */
  static List<String> read(String word, int budget) throws Invalid {
    String[] parts = word.split(":", -1);
    String containerPort = parts[parts.length - 1];
    String hostPort = parts.length >= 2 ? parts[parts.length - 2] : "";
    String ip = parts.length >= 3 ? String.join(":", java.util.Arrays.copyOf(parts, parts.length - 2)) : "";
    int slash = containerPort.indexOf('/');
    String port = slash < 0 ? containerPort : containerPort.substring(0, slash);
    String proto = slash < 0 ? "" : containerPort.substring(slash + 1);
    if (port.isEmpty()) {
      throw new Invalid("invalid port: \"" + word + "\": no port specified");
    }
    proto = proto.isEmpty() ? "tcp" : proto.toLowerCase(Locale.ROOT);
    if (!proto.equals("tcp") && !proto.equals("udp") && !proto.equals("sctp")) {
      throw new Invalid("invalid port: \"" + word + "\": invalid proto: " + containerPort.substring(slash + 1));
    }
    if (ip.equals("[]")) {
      ip = ""; // net.SplitHostPort("[]:") gives no host: no address to check (convert_expose.go)
    }
    if (!ip.isEmpty() && !validIp(ip)) {
      throw new Invalid("invalid IP address: " + ip);
    }
    int[] range = range(port, "containerPort");
    if (!hostPort.isEmpty()) {
      int[] host = range(hostPort, "hostPort");
      if (range[1] - range[0] != host[1] - host[0] && range[1] != range[0]) {
        throw new Invalid("invalid ranges specified for container and host Ports: " + port + " and " + hostPort);
      }
    }
    int count = range[1] - range[0] + 1;
    if (count > budget) {
      return null;
    }
    List<String> ports = new ArrayList<>(count);
    for (int p = range[0]; p <= range[1]; p++) {
      ports.add(p + "/" + proto);
    }
    return ports;
  }

  /**
   * The first word kaniko would record otherwise than BuildKit reads it, or fail on; null when there
   * is none. A word with a variable or a quote is kaniko's to substitute: not judged here.
   */
  static String recordedOtherwise(List<String> words) {
    for (String w : words) {
      if (!WordExpander.isLiteral(w, StageTable.expansionEscape())) {
        continue;
      }
      List<String> read;
      try {
        read = read(w, 1);
      } catch (Invalid e) {
        return w;
      }
      String recorded = w.contains("/") ? w : w + "/tcp";
      if (read == null || !read.get(0).equals(recorded) || recorded.endsWith("/sctp")) {
        return w;
      }
    }
    return null;
  }

  /**
   * The words as EXPOSE instructions, one after the other, none longer than kaniko's parser reads
   * (a range of thousands of ports): each adds its ports to the image's, as one would.
   */
  static String instructions(List<String> words) {
    StringBuilder all = new StringBuilder();
    StringBuilder line = new StringBuilder("EXPOSE");
    for (String w : words) {
      if (line.length() + 1 + w.length() > LINE_CHARS && line.length() > "EXPOSE".length()) {
        all.append(line).append('\n');
        line.setLength(0);
        line.append("EXPOSE");
      }
      line.append(' ').append(w);
    }
    return all.append(line).toString();
  }

  /** Under kaniko's 65,535 bytes a line (a word of EXPOSE is ASCII, or refused before it is written). */
  static final int LINE_CHARS = 60_000;

  /** {@code parsePortRange}: {@code N} or {@code N-M} with {@code M >= N}, each 0 to 65535. */
  private static int[] range(String ports, String what) throws Invalid {
    int dash = ports.indexOf('-');
    String start = dash < 0 ? ports : ports.substring(0, dash);
    String end = dash < 0 ? start : ports.substring(dash + 1);
    int s = number(start, ports, what);
    if (dash < 0 || start.equals(end)) {
      return new int[] {s, s};
    }
    int e = number(end, ports, what);
    if (e < s) {
      throw new Invalid("invalid " + what + ": " + ports);
    }
    return new int[] {s, e};
  }

  /** Go's {@code strconv.ParseInt(s, 10, 0)} within 0..65535: an optional sign, then digits. */
  private static int number(String s, String ports, String what) throws Invalid {
    String digits = s.startsWith("+") || s.startsWith("-") ? s.substring(1) : s;
    if (digits.isEmpty() || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
      throw new Invalid("invalid " + what + ": " + ports);
    }
    String trimmed = digits.replaceFirst("^0+(?=.)", "");
    if (trimmed.length() > 5 || s.startsWith("-") && !trimmed.equals("0") || Integer.parseInt(trimmed) > 65535) {
      throw new Invalid("invalid " + what + ": " + ports + " (a port is 0 to 65535)");
    }
    return Integer.parseInt(trimmed);
  }

  /** Go's {@code net.ParseIP} after BuildKit strips the brackets of an IPv6 address; no name is looked up. */
  static boolean validIp(String ip) {
    String bare = ip.startsWith("[") && ip.endsWith("]") ? ip.substring(1, ip.length() - 1) : ip;
    return ipv4(bare) || ipv6(bare);
  }

  private static boolean ipv4(String s) {
    return s.matches("(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(\\.(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])){3}");
  }

  /** Eight groups of 1 to 4 hex digits, one {@code ::} standing for one or more, the last two maybe IPv4. */
  private static boolean ipv6(String s) {
    int gap = s.indexOf("::");
    if (gap >= 0 && s.indexOf("::", gap + 1) >= 0) {
      return false;
    }
    List<String> head = groups(gap < 0 ? s : s.substring(0, gap));
    List<String> tail = gap < 0 ? List.of() : groups(s.substring(gap + 2));
    if (head == null || tail == null) {
      return false;
    }
    List<String> all = new ArrayList<>(head);
    all.addAll(tail);
    int count = 0;
    for (int k = 0; k < all.size(); k++) {
      String g = all.get(k);
      if (k == all.size() - 1 && s.endsWith(g) && g.indexOf('.') >= 0 && ipv4(g)) {
        count += 2;
      } else if (g.matches("[0-9A-Fa-f]{1,4}")) {
        count++;
      } else {
        return false;
      }
    }
    return gap < 0 ? count == 8 : count <= 7;
  }

  /** The groups between single colons; null for an empty group; none for the empty string. */
  private static List<String> groups(String s) {
    if (s.isEmpty()) {
      return List.of();
    }
    List<String> g = List.of(s.split(":", -1));
    return g.contains("") ? null : g;
  }
}
