package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.RolloutStatus;
import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentStatus;
import io.cfworkers.operator.reconcile.ReconcileDecision.Note;
import io.cfworkers.operator.rollout.RolloutReasons;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheus.PrometheusConfig;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.exporter.common.TextFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rollout counters from a written decision's events, and the per-resource step gauge as a
 * Prometheus scrape sees it.
 */
class RolloutMetricsTest {
  private final PrometheusMeterRegistry prometheus =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final MeterRegistry meters = prometheus;
  private final RolloutMetrics metrics = new RolloutMetrics(meters);

  static Stream<Arguments> events() {
    return Stream.of(
        Arguments.of("a rollout starts", Note.normal(RolloutReasons.STARTED, "x"), null, 1, 0, 0),
        Arguments.of(
            "a new target restarts it", Note.normal(RolloutReasons.RESTARTED, "x"), null, 1, 0, 0),
        Arguments.of(
            "a retry starts it again", Note.normal(RolloutReasons.RETRIED, "x"), null, 1, 0, 0),
        Arguments.of("it completes", Note.normal(RolloutReasons.COMPLETED, "x"), null, 0, 1, 0),
        Arguments.of(
            "an abort by request, counted by reason",
            Note.warning(RolloutReasons.ABORTED, "x"),
            RolloutStatus.ABORT_MANUAL,
            0,
            0,
            1),
        Arguments.of(
            "the progress deadline",
            Note.warning(RolloutReasons.PROGRESS_DEADLINE_EXCEEDED, "x"),
            RolloutStatus.ABORT_PROGRESS_DEADLINE_EXCEEDED,
            0,
            0,
            1),
        Arguments.of(
            "a step event counts nothing",
            Note.normal(RolloutReasons.STEP_LIVE, "x"),
            null,
            0,
            0,
            0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("events")
  void counts(String why, Note event, String abortReason, int started, int completed, int aborted) {
    RolloutStatus r = rollout(RolloutStatus.ABORTED, 1);
    r.setAbortReason(abortReason);
    metrics.count(resource(r), List.of(event));
    assertEquals(started, count(RolloutMetrics.STARTED));
    assertEquals(completed, count(RolloutMetrics.COMPLETED));
    double abortedCount =
        abortReason == null
            ? 0
            : meters.counter(RolloutMetrics.ABORTED, "reason", abortReason).count();
    assertEquals(aborted, abortedCount);
  }

  @Test
  void stepGaugeFollowsTheStatusAndGoesWithTheRolloutOrTheResource() {
    metrics.record(resource(rollout(RolloutStatus.PAUSED, 2)));
    assertEquals(Map.of("shop/app", 2.0), steps());
    metrics.record(resource(rollout(RolloutStatus.COMPLETED, 3)));
    assertEquals(Map.of("shop/app", 0.0), steps());
    metrics.record(resource(null));
    assertEquals(Map.of(), steps(), "no rollout, no series");
    assertFalse(prometheus.scrape().contains(RolloutMetrics.STEP_PROMETHEUS_NAME), "nor family");
    metrics.record(resource(rollout(RolloutStatus.PROGRESSING, 1)));
    assertEquals(Map.of("shop/app", 1.0), steps());
    metrics.forget("shop", "app");
    assertEquals(Map.of(), steps(), "deleted, no series");
  }

  static Stream<Arguments> phases() {
    return Stream.of(
        Arguments.of(RolloutStatus.PROGRESSING, 3, 3),
        Arguments.of(RolloutStatus.PAUSED, 2, 2),
        Arguments.of(RolloutStatus.COMPLETED, 4, 0),
        Arguments.of(RolloutStatus.ABORTED, 2, 0),
        Arguments.of(RolloutStatus.PROGRESSING, null, 0));
  }

  @ParameterizedTest(name = "{0} at step {1}: {2}")
  @MethodSource("phases")
  void theStepOfAPhase(String phase, Integer step, int expected) {
    RolloutStatus r = new RolloutStatus();
    r.setPhase(phase);
    r.setStep(step);
    assertEquals(expected, RolloutMetrics.step(r));
  }

  @Test
  void eachResourceHasItsOwnSeriesWithTheDocumentedNameHelpAndLabels() {
    metrics.record(resource("shop", "app", rollout(RolloutStatus.PAUSED, 2)));
    metrics.record(resource("shop", "search", rollout(RolloutStatus.PROGRESSING, 1)));
    metrics.record(resource("payments", "app", rollout(RolloutStatus.ABORTED, 3)));
    metrics.record(resource("payments", "plain", null));

    assertEquals(Map.of("shop/app", 2.0, "shop/search", 1.0, "payments/app", 0.0), steps());
    String scrape = prometheus.scrape();
    assertTrue(scrape.contains("# TYPE cfworkers_rollout_step gauge"), scrape);
    assertTrue(
        scrape.contains("# HELP cfworkers_rollout_step " + RolloutMetrics.STEP_HELP), scrape);
    assertTrue(
        scrape
            .lines()
            .anyMatch(
                l ->
                    l.matches("cfworkers_rollout_step\\{name=\"app\",namespace=\"shop\",?} 2\\.0")),
        scrape);
    String openMetrics = prometheus.scrape(TextFormat.CONTENT_TYPE_OPENMETRICS_100);
    assertTrue(openMetrics.contains("# TYPE cfworkers_rollout_step gauge"), openMetrics);

    metrics.forget("shop", "app");
    assertEquals(Map.of("shop/search", 1.0, "payments/app", 0.0), steps());
  }

  @Test
  void aRegistryWithoutPrometheusStillCountsAndKeepsNoMeterPerResource() {
    SimpleMeterRegistry simple = new SimpleMeterRegistry();
    RolloutMetrics plain = new RolloutMetrics(simple);
    plain.record(resource(rollout(RolloutStatus.PAUSED, 2)));
    plain.count(resource(null), List.of(Note.normal(RolloutReasons.STARTED, "x")));
    assertEquals(1, simple.getMeters().size(), simple.getMeters()::toString);
  }

  /** "namespace/name" → value, for every series of the step gauge in a scrape. */
  private Map<String, Double> steps() {
    Map<String, Double> out = new TreeMap<>();
    PrometheusText.series(prometheus.scrape(), RolloutMetrics.STEP_PROMETHEUS_NAME)
        .forEach(
            (labels, value) -> {
              assertEquals(List.of("name", "namespace"), List.copyOf(labels.keySet()));
              out.put(labels.get("namespace") + "/" + labels.get("name"), value);
            });
    return out;
  }

  private double count(String name) {
    var c = meters.find(name).counter();
    return c == null ? 0 : c.count();
  }

  private static RolloutStatus rollout(String phase, int step) {
    RolloutStatus r = new RolloutStatus();
    r.setPhase(phase);
    r.setStep(step);
    return r;
  }

  private static WorkerDeployment resource(RolloutStatus r) {
    return resource("shop", "app", r);
  }

  private static WorkerDeployment resource(String namespace, String name, RolloutStatus r) {
    WorkerDeployment wd = new WorkerDeployment();
    wd.setMetadata(new ObjectMetaBuilder().withNamespace(namespace).withName(name).build());
    WorkerDeploymentStatus s = new WorkerDeploymentStatus();
    s.setRollout(r);
    wd.setStatus(s);
    return wd;
  }
}
