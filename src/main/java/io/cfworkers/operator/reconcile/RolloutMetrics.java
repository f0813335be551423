package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.RolloutStatus;
import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.reconcile.ReconcileDecision.Note;
import io.cfworkers.operator.rollout.RolloutReasons;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Rollout metrics (docs/metrics.md): counters of rollouts started, completed and aborted (by
 * reason), counted from a decision's events once its status is written; and a gauge of each
 * resource's current step, set from the status as written at the end of every reconciliation.
 */
final class RolloutMetrics {
  static final String STARTED = "cfworkers.rollouts.started";
  static final String COMPLETED = "cfworkers.rollouts.completed";
  static final String ABORTED = "cfworkers.rollouts.aborted";
  static final String STEP = "cfworkers.rollout.step";

  private record Key(String namespace, String name) {}

  private final MeterRegistry meters;
  private final Map<Key, AtomicInteger> steps = new ConcurrentHashMap<>();
  private final Map<Key, Gauge> gauges = new ConcurrentHashMap<>();

  RolloutMetrics(MeterRegistry meters) {
    this.meters = meters;
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
  synchronized void record(WorkerDeployment resource) {
    Key key = new Key(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
    RolloutStatus r = resource.getStatus() == null ? null : resource.getStatus().getRollout();
    if (r == null) {
      forget(key.namespace(), key.name());
      return;
    }
    boolean running =
        RolloutStatus.PROGRESSING.equals(r.getPhase()) || RolloutStatus.PAUSED.equals(r.getPhase());
    int step = running && r.getStep() != null ? r.getStep() : 0;
    steps
        .computeIfAbsent(
            key,
            k -> {
              AtomicInteger value = new AtomicInteger();
              gauges.put(
                  k,
                  Gauge.builder(STEP, value, AtomicInteger::get)
                      .description(
                          "Current step (1-based) of each WorkerDeployment's rollout while it"
                              + " progresses or pauses; 0 once completed or aborted")
                      .tag("namespace", k.namespace())
                      .tag("name", k.name())
                      .register(meters));
              return value;
            })
        .set(step);
  }

  /** Removes the resource's step series. */
  synchronized void forget(String namespace, String name) {
    Key key = new Key(namespace, name);
    steps.remove(key);
    Gauge gauge = gauges.remove(key);
    if (gauge != null) {
      meters.remove(gauge);
    }
  }

  private Counter counter(String name, String description) {
    return Counter.builder(name).description(description).register(meters);
  }
}
