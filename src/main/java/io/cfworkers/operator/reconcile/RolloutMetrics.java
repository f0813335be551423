package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.RolloutStatus;
import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.reconcile.ReconcileDecision.Note;
import io.cfworkers.operator.rollout.RolloutReasons;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.Collector;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Rollout metrics (docs/metrics.md): counters of rollouts started, completed and aborted (by
 * reason), counted from a decision's events once its status is written; and a gauge of each
 * resource's current step, set from the status as written at the end of every reconciliation.
 *
 * <p>The step gauge ({@value #STEP_PROMETHEUS_NAME}, labels {@code namespace} and {@code name}) is
 * not a registered Micrometer gauge per resource: as with {@link ConditionMetrics}, each resource
 * with a rollout keeps one entry here, and a Prometheus collector on the Prometheus registry writes
 * the series from them when {@code /q/metrics} is scraped (same name, labels, values and help text
 * as the gauge had). With no Prometheus registry in {@code meters} the steps are kept but not
 * exported.
 */
final class RolloutMetrics {
  static final String STARTED = "cfworkers.rollouts.started";
  static final String COMPLETED = "cfworkers.rollouts.completed";
  static final String ABORTED = "cfworkers.rollouts.aborted";
  static final String STEP_PROMETHEUS_NAME = "cfworkers_rollout_step";
  static final String STEP_HELP =
      "Current step (1-based) of each WorkerDeployment's rollout while it progresses or pauses;"
          + " 0 once completed or aborted";

  /** Label names in the order Micrometer wrote them (sorted). */
  private static final List<String> LABELS = List.of("name", "namespace");

  private record Key(String namespace, String name) {}

  private final MeterRegistry meters;
  private final Map<Key, Integer> steps = new ConcurrentHashMap<>();

  RolloutMetrics(MeterRegistry meters) {
    this.meters = meters;
    Collector collector = new StepCollector();
    for (PrometheusMeterRegistry prometheus : ConditionMetrics.prometheusRegistries(meters)) {
      prometheus.getPrometheusRegistry().register(collector);
    }
  }

  /** Counts the rollouts a written decision started, completed or aborted. */
  void count(WorkerDeployment written, List<Note> events) {
    for (Note n : events) {
      switch (n.reason()) {
        case RolloutReasons.STARTED, RolloutReasons.RESTARTED, RolloutReasons.RETRIED ->
            counter(STARTED, "Rollouts started (a new target, or a retry), from step 1")
                .increment();
        case RolloutReasons.COMPLETED ->
            counter(COMPLETED, "Rollouts completed: the new version serves 100%").increment();
        case RolloutReasons.ABORTED,
            RolloutReasons.PROGRESS_DEADLINE_EXCEEDED,
            RolloutReasons.ANALYSIS_FAILED -> {
          if (n.warning()) {
            RolloutStatus r = written.getStatus() == null ? null : written.getStatus().getRollout();
            String reason =
                r == null || r.getAbortReason() == null ? "Unknown" : r.getAbortReason();
            Counter.builder(ABORTED)
                .description("Rollouts aborted back to the stable version, by reason")
                .tag("reason", reason)
                .register(meters)
                .increment();
          }
        }
        default -> {}
      }
    }
  }

  /**
   * The current step of {@code resource}'s rollout: its 1-based step while Progressing or Paused, 0
   * once Completed or Aborted; no series when the resource has no {@code status.rollout}.
   */
  void record(WorkerDeployment resource) {
    Key key =
        new Key(
            SharedStrings.of(resource.getMetadata().getNamespace()),
            SharedStrings.of(resource.getMetadata().getName()));
    RolloutStatus r = resource.getStatus() == null ? null : resource.getStatus().getRollout();
    if (r == null) {
      steps.remove(key);
      return;
    }
    steps.put(key, step(r));
  }

  /** The gauge's value for a rollout status. */
  static int step(RolloutStatus r) {
    boolean running =
        RolloutStatus.PROGRESSING.equals(r.getPhase()) || RolloutStatus.PAUSED.equals(r.getPhase());
    return running && r.getStep() != null ? r.getStep() : 0;
  }

  /** Removes the resource's step series. */
  void forget(String namespace, String name) {
    steps.remove(new Key(namespace, name));
  }

  private Counter counter(String name, String description) {
    return Counter.builder(name).description(description).register(meters);
  }

  /** Writes the step series of every resource with a rollout from {@link #steps} at each scrape. */
  private final class StepCollector extends Collector {
    @Override
    public List<MetricFamilySamples> collect() {
      List<MetricFamilySamples.Sample> samples = new ArrayList<>();
      steps.forEach(
          (key, step) ->
              samples.add(
                  new MetricFamilySamples.Sample(
                      STEP_PROMETHEUS_NAME, LABELS, List.of(key.name(), key.namespace()), step)));
      if (samples.isEmpty()) {
        // As with no gauge registered: no family, and no name claimed when registering.
        return List.of();
      }
      return List.of(new MetricFamilySamples(STEP_PROMETHEUS_NAME, Type.GAUGE, STEP_HELP, samples));
    }
  }
}
