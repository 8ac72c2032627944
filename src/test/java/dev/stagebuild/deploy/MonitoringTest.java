package dev.stagebuild.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * deploy/monitoring is well-formed: dashboard panels with queries on the datasource variable, alerts
 * with severity and text. That the metric names exist is MonitoringIT's job (it runs the jar).
 */
class MonitoringTest {
  @Test
  void metricNamesOfAnExpression() {
    assertThat(MonitoringQueries.metricNames(
        "histogram_quantile(0.95, sum by (le, result) (rate(a_seconds_bucket{result=\"x{y}\"}[$__rate_interval])))"))
        .containsExactly("a_seconds_bucket");
    assertThat(MonitoringQueries.metricNames("max(b) > 0 and (sum(increase(c_total[2h])) or vector(0)) == 0"))
        .containsExactly("b", "c_total");
    assertThat(MonitoringQueries.metricNames("sum(x offset 1h) / on() group_left(reason) y ignoring(z) unless absent(w)"))
        .containsExactly("w", "x", "y");
  }

  @Test
  void dashboardPanelsQueryTheDatasourceVariable() {
    JsonNode d = MonitoringQueries.dashboard();
    assertThat(d.path("uid").asText()).isEqualTo("stagebuild-operator");
    assertThat(d.path("templating").path("list").get(0).path("type").asText()).isEqualTo("datasource");
    Set<Integer> ids = new HashSet<>();
    int queries = 0;
    for (JsonNode p : d.path("panels")) {
      assertThat(ids.add(p.path("id").asInt())).as("unique panel id " + p.path("id")).isTrue();
      if (p.path("type").asText().equals("row")) {
        continue;
      }
      assertThat(p.path("datasource").path("uid").asText()).as(p.path("title").asText()).isEqualTo("${datasource}");
      assertThat(p.path("targets")).as(p.path("title").asText()).isNotEmpty();
      for (JsonNode t : p.path("targets")) {
        assertThat(t.path("expr").asText()).isNotBlank();
        queries++;
      }
    }
    assertThat(queries).isGreaterThanOrEqualTo(10);
  }

  @Test
  void alertsCoverFailuresStuckBuildsAndReconcileErrors() {
    JsonNode r = MonitoringQueries.rules();
    assertThat(r.path("apiVersion").asText()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(r.path("kind").asText()).isEqualTo("PrometheusRule");
    Set<String> alerts = new HashSet<>();
    for (JsonNode group : r.path("spec").path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        String name = rule.path("alert").asText();
        alerts.add(name);
        assertThat(rule.path("expr").asText()).as(name).isNotBlank();
        assertThat(rule.path("for").asText()).as(name).matches("\\d+[smh]");
        assertThat(rule.path("labels").path("severity").asText()).as(name).isNotBlank();
        assertThat(rule.path("annotations").path("summary").asText()).as(name).isNotBlank();
        assertThat(rule.path("annotations").path("description").asText()).as(name).isNotBlank();
      }
    }
    assertThat(alerts).contains("StageBuildFailureRatioHigh", "StageBuildBuildsStuck", "StageBuildReconcileErrors");
    assertThat(MonitoringQueries.metricNames()).contains("stagebuild_builds_total", "stagebuild_pods_active",
        "operator_sdk_reconciliations_failed_total");
  }
}
