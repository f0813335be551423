package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.fabric8.kubernetes.api.model.Condition;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.HashMap;
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

  private record Resource(String namespace, String name) {}

  /** One series of one resource: its condition type and status. */
  private record Series(String type, String status) {}

  private record Value(AtomicInteger value, Gauge gauge) {}

  private final MeterRegistry meters;

  /**
   * The series of each resource. Kept per resource so that recording one resource touches only its
   * own few series, not every series of every resource (45,000 at 5,000 resources).
   */
  private final Map<Resource, Map<Series, Value>> series = new ConcurrentHashMap<>();

  public ConditionMetrics(MeterRegistry meters) {
    this.meters = meters;
  }

  /** Sets the gauge to the conditions in {@code resource}'s status; drops types no longer there. */
  public void record(WorkerDeployment resource) {
    Resource key =
        new Resource(resource.getMetadata().getNamespace(), resource.getMetadata().getName());
    List<Condition> conditions =
        resource.getStatus() == null || resource.getStatus().getConditions() == null
            ? List.of()
            : resource.getStatus().getConditions();
    series.compute(
        key,
        (k, existing) -> {
          Map<Series, Value> values = existing == null ? new HashMap<>() : existing;
          Set<Series> current = new HashSet<>();
          for (Condition condition : conditions) {
            if (condition.getType() == null) {
              continue;
            }
            String status =
                STATUSES.contains(condition.getStatus()) ? condition.getStatus() : "Unknown";
            for (String candidate : STATUSES) {
              Series one = new Series(condition.getType(), candidate);
              current.add(one);
              values
                  .computeIfAbsent(one, s -> register(k, s))
                  .value()
                  .set(candidate.equals(status) ? 1 : 0);
            }
          }
          values
              .entrySet()
              .removeIf(
                  e -> {
                    if (current.contains(e.getKey())) {
                      return false;
                    }
                    meters.remove(e.getValue().gauge());
                    return true;
                  });
          return values.isEmpty() ? null : values;
        });
  }

  /** Removes every series of the resource {@code namespace/name}: call it when it is deleted. */
  public void forget(String namespace, String name) {
    series.computeIfPresent(
        new Resource(namespace, name),
        (k, values) -> {
          values.values().forEach(v -> meters.remove(v.gauge()));
          return null;
        });
  }

  private Value register(Resource resource, Series series) {
    AtomicInteger value = new AtomicInteger();
    Gauge gauge =
        Gauge.builder(METRIC, value, AtomicInteger::get)
            .description(
                "Status of each condition of each WorkerDeployment: 1 for the current status"
                    + " (True, False or Unknown) of the condition type, 0 for the others")
            .tag("namespace", resource.namespace())
            .tag("name", resource.name())
            .tag("type", series.type())
            .tag("status", series.status())
            .register(meters);
    return new Value(value, gauge);
  }
}
