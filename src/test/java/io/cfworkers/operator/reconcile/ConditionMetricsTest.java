package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentStatus;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The per-resource condition gauge: what a Prometheus scrape of it sees after each status. */
class ConditionMetricsTest {
  private final PrometheusMeterRegistry prometheus =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final ConditionMetrics metrics = new ConditionMetrics(prometheus);

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

  /** "namespace/name type=status" → value, for every series of the metric in a scrape. */
  private static Map<String, Double> series(PrometheusMeterRegistry registry) {
    Map<String, Double> out = new TreeMap<>();
    PrometheusText.series(registry.scrape(), ConditionMetrics.PROMETHEUS_NAME)
        .forEach(
            (labels, value) -> {
              assertEquals(
                  List.of("name", "namespace", "status", "type"),
                  new ArrayList<>(labels.keySet()),
                  labels::toString);
              out.put(
                  labels.get("namespace")
                      + "/"
                      + labels.get("name")
                      + " "
                      + labels.get("type")
                      + "="
                      + labels.get("status"),
                  value);
            });
    return out;
  }

  private Map<String, Double> series() {
    return series(prometheus);
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
    assertEquals(1.0, series().get("shop/checkout-api Ready=False"));
    assertEquals(1.0, series().get("shop/checkout-api Reconciling=True"));

    metrics.record(
        resource(
            "shop", "checkout-api", condition("Ready", "True"), condition("Stalled", "False")));

    Map<String, Double> series = series();
    assertEquals(1.0, series.get("shop/checkout-api Ready=True"));
    assertEquals(0.0, series.get("shop/checkout-api Ready=False"));
    assertEquals(0.0, series.get("shop/checkout-api Ready=Unknown"));
    assertEquals(1.0, series.get("shop/checkout-api Stalled=False"));
    assertEquals(6, series.size(), series::toString);
    assertTrue(
        series.keySet().stream().noneMatch(k -> k.contains("Reconciling")), series::toString);
  }

  @Test
  void eachStatusChangeFlipsTheValues() {
    for (String status : List.of("True", "False", "Unknown", "True")) {
      metrics.record(resource("shop", "checkout-api", condition("Stalled", status)));

      Map<String, Double> series = series();
      for (String candidate : ConditionMetrics.STATUSES) {
        assertEquals(
            candidate.equals(status) ? 1.0 : 0.0,
            series.get("shop/checkout-api Stalled=" + candidate),
            () -> status + ": " + series);
      }
    }
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
  void withEveryResourceGoneTheMetricLeavesTheScrape() {
    metrics.record(resource("shop", "checkout-api", condition("Ready", "True")));
    metrics.record(resource("shop", "search-api"));
    assertEquals(3, series().size(), () -> series().toString());

    metrics.forget("shop", "checkout-api");

    assertFalse(prometheus.scrape().contains(ConditionMetrics.PROMETHEUS_NAME), prometheus::scrape);
  }

  @Test
  void conditionsOfOtherTypesAreExportedToo() {
    metrics.record(
        resource(
            "shop",
            "checkout-api",
            condition("Ready", "True"),
            condition("Approved", "False"),
            condition(null, "True")));

    Map<String, Double> series = series();
    assertEquals(6, series.size(), series::toString);
    assertEquals(1.0, series.get("shop/checkout-api Approved=False"));
    assertEquals(0.0, series.get("shop/checkout-api Approved=True"));
  }

  @Test
  void prometheusNameHelpAndLabelsAreTheDocumentedOnes() {
    metrics.record(resource("shop", "checkout-api", condition("Stalled", "True")));

    String scrape = prometheus.scrape();

    assertTrue(scrape.contains("# TYPE cfworkers_workerdeployment_condition gauge"), scrape);
    assertTrue(
        scrape.contains("# HELP cfworkers_workerdeployment_condition " + ConditionMetrics.HELP),
        scrape);
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

  @Test
  void theScrapeIsValidInBothFormatsWithManyResources() {
    prometheus.counter("cfworkers.deployments.created").increment();
    for (int i = 0; i < 200; i++) {
      metrics.record(
          resource(
              "ns-" + (i % 7),
              "app-" + i,
              condition("Ready", i % 3 == 0 ? "True" : "False"),
              condition("Reconciling", i % 3 == 1 ? "True" : "False"),
              condition("Stalled", i % 3 == 2 ? "True" : "False")));
    }

    Map<String, Double> series = series();
    assertEquals(200 * 9, series.size());
    assertEquals(200 * 3, series.values().stream().filter(v -> v == 1.0).count());
    assertEquals(1.0, series.get("ns-2/app-9 Ready=True"));
    assertEquals(1.0, series.get("ns-3/app-10 Reconciling=True"));
    assertEquals(1.0, series.get("ns-4/app-11 Stalled=True"));
    assertTrue(
        PrometheusText.parse(prometheus.scrape()).stream()
            .anyMatch(s -> s.name().equals("cfworkers_deployments_created_total")),
        "the Micrometer meters are still in the same scrape");
    String openMetrics = prometheus.scrape(TextFormat.CONTENT_TYPE_OPENMETRICS_100);
    assertTrue(openMetrics.contains("# TYPE cfworkers_workerdeployment_condition gauge"));
    assertTrue(openMetrics.endsWith("# EOF\n"), openMetrics);
  }

  @Test
  void theParserRejectsWhatPrometheusWould() {
    for (String bad :
        List.of(
            "a{x=\"1\"} 1\na{x=\"1\"} 2\n",
            "a{x=\"1\",x=\"2\"} 1\n",
            "a{x=1} 1\n",
            "a{x=\"1\"}\n",
            "a 1 2 3\n",
            "a one\n",
            "a 1\n# TYPE a gauge\n",
            "# TYPE a gauge\n# TYPE a gauge\n")) {
      assertThrows(IllegalArgumentException.class, () -> PrometheusText.parse(bad), bad);
    }
    assertEquals(
        List.of(new PrometheusText.Sample("a", Map.of("x", "q\"\\\n"), 1.5)),
        PrometheusText.parse("# HELP a h\n# TYPE a gauge\na{x=\"q\\\"\\\\\\n\"} 1.5\n"));
  }

  @Test
  void aCompositeRegistrysPrometheusMemberExportsTheSeries() {
    PrometheusMeterRegistry member = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    CompositeMeterRegistry composite = new CompositeMeterRegistry();
    composite.add(new SimpleMeterRegistry());
    composite.add(member);

    new ConditionMetrics(composite)
        .record(resource("shop", "checkout-api", condition("Ready", "True")));

    assertEquals(1.0, series(member).get("shop/checkout-api Ready=True"));
  }

  static Stream<Arguments> states() {
    return Stream.of(
        Arguments.of(List.of(), 0, Map.of()),
        Arguments.of(List.of(condition("Ready", "True")), 0b01, Map.of()),
        Arguments.of(List.of(condition("Ready", "False")), 0b10, Map.of()),
        Arguments.of(List.of(condition("Ready", "Unknown")), 0b11, Map.of()),
        Arguments.of(List.of(condition("Ready", null)), 0b11, Map.of()),
        Arguments.of(List.of(condition("Reconciling", "True")), 0b01_00, Map.of()),
        Arguments.of(List.of(condition("Stalled", "False")), 0b10_00_00, Map.of()),
        Arguments.of(
            List.of(
                condition("Ready", "False"),
                condition("Reconciling", "Unknown"),
                condition("Stalled", "True")),
            0b01_11_10,
            Map.of()),
        Arguments.of(
            List.of(condition("Ready", "True"), condition("Ready", "False")), 0b10, Map.of()),
        Arguments.of(List.of(condition("Other", "False")), 0, Map.of("Other", (byte) 1)),
        Arguments.of(List.of(condition(null, "True")), 0, Map.of()));
  }

  @ParameterizedTest
  @MethodSource("states")
  void theStateOfAConditionList(List<Condition> conditions, int own, Map<String, Byte> others) {
    ConditionMetrics.State state = ConditionMetrics.state(conditions);
    assertEquals((byte) own, state.own(), Arrays.toString(conditions.toArray()));
    assertEquals(others, state.others());
  }
}
