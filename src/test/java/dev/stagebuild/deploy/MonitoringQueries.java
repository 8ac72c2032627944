package dev.stagebuild.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The PromQL of deploy/monitoring (Grafana dashboard and PrometheusRule) and the metric names it reads. */
public final class MonitoringQueries {
  public static final Path DASHBOARD = Path.of("deploy/monitoring/grafana-dashboard.json");
  public static final Path RULES = Path.of("deploy/monitoring/prometheusrule.yaml");

  /** PromQL words that are not metric names (functions are recognised by their parenthesis). */
  private static final Set<String> KEYWORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
      "bool", "and", "or", "unless", "offset", "inf", "nan");
  private static final Pattern IDENT = Pattern.compile("(?<![\\w:.])[a-zA-Z_:][a-zA-Z0-9_:]*(?![\\w:])(?!\\s*\\()");

  private MonitoringQueries() {}

  public static JsonNode dashboard() {
    try {
      return new ObjectMapper().readTree(DASHBOARD.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static JsonNode rules() {
    try {
      return new YAMLMapper().readTree(RULES.toFile());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Every PromQL expression: the dashboard's targets[].expr and the rules' expr. */
  public static List<String> expressions() {
    List<String> exprs = new ArrayList<>();
    dashboard().findValues("expr").forEach(e -> exprs.add(e.asText()));
    rules().findValues("expr").forEach(e -> exprs.add(e.asText()));
    return exprs;
  }

  public static Set<String> metricNames() {
    Set<String> names = new TreeSet<>();
    expressions().forEach(e -> names.addAll(metricNames(e)));
    return names;
  }

  /** The metric names in one expression: identifiers left once strings, label matchers, grouping clauses, ranges and Grafana variables are removed. */
  static Set<String> metricNames(String expr) {
    String e = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
        .replaceAll("\\$\\{[^}]*}|\\$\\w+", "1")
        .replaceAll("\\{[^}]*}", "")
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
        .replaceAll("\\[[^\\]]*]", "")
        .replaceAll("\\boffset\\s+\\w+", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = IDENT.matcher(e);
    while (m.find()) {
      if (!KEYWORDS.contains(m.group().toLowerCase())) {
        names.add(m.group());
      }
    }
    return names;
  }
}
