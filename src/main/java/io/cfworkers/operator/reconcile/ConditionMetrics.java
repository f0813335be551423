package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.fabric8.kubernetes.api.model.Condition;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The per-resource condition gauge, like cert-manager's {@code certificate_ready_status}: {@value
 * #METRIC} (Prometheus: {@code cfworkers_workerdeployment_condition}) with labels {@code
 * namespace}, {@code name}, {@code type} (Ready, Reconciling, Stalled, …) and {@code status} (True,
 * False, Unknown). For each condition a resource has, the series of its current status is 1 and the
 * two others are 0, so {@code cfworkers_workerdeployment_condition{type="Stalled", status="True"}
 * == 1} selects the stalled resources.
 *
 * <p>The reconciler calls {@link #record} at the end of every reconciliation with the resource as
 * its status now stands (after a status write, or unchanged), so the gauge is complete after an
 * operator restart even where no status changes; and {@link #forget} when the resource is deleted,
 * so no series outlives its resource. Only the leader reconciles, so only the leader reports.
 */
@ApplicationScoped
public class ConditionMetrics {
  public static final String METRIC = "cfworkers.workerdeployment.condition";
  static final List<String> STATUSES = List.of("True", "False", "Unknown");

  private record Series(String namespace, String name, String type, String status) {}

  private final MeterRegistry meters;
  private final Map<Series, AtomicInteger> values = new ConcurrentHashMap<>();
  private final Map<Series, Gauge> gauges = new ConcurrentHashMap<>();

  public ConditionMetrics(MeterRegistry meters) {
    this.meters = meters;
  }

  /** Sets the gauge to the conditions in {@code resource}'s status; drops types no longer there. */
  public synchronized void record(WorkerDeployment resource) {
    String namespace = resource.getMetadata().getNamespace();
    String name = resource.getMetadata().getName();
    List<Condition> conditions =
        resource.getStatus() == null || resource.getStatus().getConditions() == null
            ? List.of()
            : resource.getStatus().getConditions();
    Set<Series> current = new HashSet<>();
    for (Condition condition : conditions) {
      if (condition.getType() == null) {
        continue;
      }
      String status = STATUSES.contains(condition.getStatus()) ? condition.getStatus() : "Unknown";
      for (String candidate : STATUSES) {
        Series series = new Series(namespace, name, condition.getType(), candidate);
        current.add(series);
        value(series).set(candidate.equals(status) ? 1 : 0);
      }
    }
    remove(s -> s.namespace().equals(namespace) && s.name().equals(name) && !current.contains(s));
  }

  /** Removes every series of the resource {@code namespace/name}: call it when it is deleted. */
  public synchronized void forget(String namespace, String name) {
    remove(s -> s.namespace().equals(namespace) && s.name().equals(name));
  }

  private AtomicInteger value(Series series) {
    return values.computeIfAbsent(
        series,
        s -> {
          AtomicInteger value = new AtomicInteger();
          gauges.put(
              s,
              Gauge.builder(METRIC, value, AtomicInteger::get)
                  .description(
                      "Status of each condition of each WorkerDeployment: 1 for the current status"
                          + " (True, False or Unknown) of the condition type, 0 for the others")
                  .tag("namespace", s.namespace())
                  .tag("name", s.name())
                  .tag("type", s.type())
                  .tag("status", s.status())
                  .register(meters));
          return value;
        });
  }

  private void remove(java.util.function.Predicate<Series> which) {
    for (Series series : List.copyOf(values.keySet())) {
      if (which.test(series)) {
        values.remove(series);
        Gauge gauge = gauges.remove(series);
        if (gauge != null) {
          meters.remove(gauge);
        }
      }
    }
  }
}
