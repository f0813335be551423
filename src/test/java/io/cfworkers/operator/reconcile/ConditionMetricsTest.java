package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The per-resource condition gauge: what a Prometheus query on it sees after each status. */
class ConditionMetricsTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ConditionMetrics metrics = new ConditionMetrics(meters);

  private static WorkerDeployment resource(String namespace, String name, Condition... conditions) {
    WorkerDeployment wd = new WorkerDeployment();
    wd.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    WorkerDeploymentStatus status = new WorkerDeploymentStatus();
    status.setConditions(List.of(conditions));
    wd.setStatus(status);
    return wd;
  }

  private static Condition condition(String type, String status) {
    return new ConditionBuilder().withType(type).withStatus(status).withReason("R").build();
  }

  /** "namespace/name type=status" → value, for every series of the metric. */
  private Map<String, Double> series() {
    Map<String, Double> out = new TreeMap<>();
    for (Gauge gauge : meters.find(ConditionMetrics.METRIC).gauges()) {
      var id = gauge.getId();
      out.put(
          id.getTag("namespace")
              + "/"
              + id.getTag("name")
              + " "
              + id.getTag("type")
              + "="
              + id.getTag("status"),
          gauge.value());
    }
    return out;
  }

  static Stream<Arguments> statuses() {
    return Stream.of(
        Arguments.of("ready resource", "Ready", "True", "Stalled", "False"),
        Arguments.of("stalled resource", "Ready", "False", "Stalled", "True"),
        Arguments.of("status not yet known", "Ready", "Unknown", "Stalled", "False"),
        Arguments.of(
            "unexpected status value counts as Unknown", "Ready", "Maybe", "Stalled", "False"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("statuses")
  void oneSeriesPerConditionAndStatusWithOneForTheCurrentStatus(
      String reason, String type1, String status1, String type2, String status2) {
    metrics.record(
        resource("shop", "checkout-api", condition(type1, status1), condition(type2, status2)));

    Map<String, Double> series = series();
    assertEquals(6, series.size(), series::toString);
    String expected1 = List.of("True", "False").contains(status1) ? status1 : "Unknown";
    for (String status : ConditionMetrics.STATUSES) {
      assertEquals(
          status.equals(expected1) ? 1.0 : 0.0, series.get("shop/checkout-api Ready=" + status));
      assertEquals(
          status.equals(status2) ? 1.0 : 0.0, series.get("shop/checkout-api Stalled=" + status));
    }
  }

  @Test
  void aStatusChangeMovesTheOneAndAVanishedConditionLosesItsSeries() {
    metrics.record(
        resource(
            "shop",
            "checkout-api",
            condition("Ready", "False"),
            condition("Reconciling", "True"),
            condition("Stalled", "False")));
    metrics.record(
        resource(
            "shop", "checkout-api", condition("Ready", "True"), condition("Stalled", "False")));

    Map<String, Double> series = series();
    assertEquals(1.0, series.get("shop/checkout-api Ready=True"));
    assertEquals(0.0, series.get("shop/checkout-api Ready=False"));
    assertTrue(
        series.keySet().stream().noneMatch(k -> k.contains("Reconciling")), series::toString);
  }

  @Test
  void forgetRemovesOnlyThatResourcesSeries() {
    metrics.record(resource("shop", "checkout-api", condition("Ready", "True")));
    metrics.record(resource("shop", "search-api", condition("Ready", "True")));
    metrics.record(resource("payments", "checkout-api", condition("Ready", "True")));

    metrics.forget("shop", "checkout-api");

    assertEquals(
        List.of("payments/checkout-api", "shop/search-api"),
        series().keySet().stream().map(k -> k.substring(0, k.indexOf(' '))).distinct().toList());
  }

  @Test
  void prometheusNameAndLabelsAreTheDocumentedOnes() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new ConditionMetrics(prometheus)
        .record(resource("shop", "checkout-api", condition("Stalled", "True")));

    String scrape = prometheus.scrape();

    assertTrue(scrape.contains("# TYPE cfworkers_workerdeployment_condition gauge"), scrape);
    assertTrue(
        scrape
            .lines()
            .anyMatch(
                l ->
                    l.matches(
                        "cfworkers_workerdeployment_condition\\{name=\"checkout-api\","
                            + "namespace=\"shop\",status=\"True\",type=\"Stalled\",?} 1\\.0")),
        scrape);
  }
}
