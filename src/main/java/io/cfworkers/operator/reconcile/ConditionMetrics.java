package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.fabric8.kubernetes.api.model.Condition;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheus.PrometheusMeterRegistry;
import io.prometheus.client.Collector;
import jakarta.inject.Singleton;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

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
 *
 * <p>The series are not Micrometer gauges: 9 registered gauges per resource (each with its id, tags
 * and Prometheus child) took about 1.3 KiB per series, some 55 MiB of heap at 5,000 resources. Each
 * resource keeps one small {@link State} here instead, and a Prometheus collector registered on the
 * Prometheus registry's {@code CollectorRegistry} writes the series from it when {@code /q/metrics}
 * is scraped. With no Prometheus registry in {@code meters} the states are kept but not exported.
 */
@Singleton
public class ConditionMetrics {
  public static final String METRIC = "cfworkers.workerdeployment.condition";
  static final String PROMETHEUS_NAME = "cfworkers_workerdeployment_condition";
  static final String HELP =
      "Status of each condition of each WorkerDeployment: 1 for the current status"
          + " (True, False or Unknown) of the condition type, 0 for the others";

  static final List<String> STATUSES = List.of("True", "False", "Unknown");

  /** The operator's own condition types, stored in two bits each of {@link State#own}. */
  static final List<String> OWN_TYPES =
      List.of(Conditions.READY, Conditions.RECONCILING, Conditions.STALLED);

  /** Label names in the order Micrometer wrote them (sorted). */
  private static final List<String> LABELS = List.of("name", "namespace", "status", "type");

  private record Resource(String namespace, String name) {}

  /**
   * One resource's conditions: for each of {@link #OWN_TYPES}, two bits of {@code own} (0 absent,
   * else 1 + the index of its status in {@link #STATUSES}); other types (kept in the status by
   * {@link Conditions#apply}, e.g. written by another tool) in {@code others}, usually empty.
   */
  record State(byte own, Map<String, Byte> others) {
    static final State NONE = new State((byte) 0, Map.of());

    /** The status index (into {@link #STATUSES}) of own type {@code typeIndex}, or -1 if absent. */
    int ownStatus(int typeIndex) {
      return ((own >> (2 * typeIndex)) & 3) - 1;
    }
  }

  private final Map<Resource, State> states = new ConcurrentHashMap<>();

  public ConditionMetrics(MeterRegistry meters) {
    Collector collector = new SeriesCollector();
    for (PrometheusMeterRegistry prometheus : prometheusRegistries(meters)) {
      prometheus.getPrometheusRegistry().register(collector);
    }
  }

  /** Sets the gauge to the conditions in {@code resource}'s status; drops types no longer there. */
  public void record(WorkerDeployment resource) {
    // The resource's own strings may be a copy of those in the cache: the shared instances.
    Resource key =
        new Resource(
            SharedStrings.of(resource.getMetadata().getNamespace()),
            SharedStrings.of(resource.getMetadata().getName()));
    List<Condition> conditions =
        resource.getStatus() == null || resource.getStatus().getConditions() == null
            ? List.of()
            : resource.getStatus().getConditions();
    State state = state(conditions);
    if (state.equals(State.NONE)) {
      states.remove(key);
    } else {
      states.put(key, state);
    }
  }

  /** Removes every series of the resource {@code namespace/name}: call it when it is deleted. */
  public void forget(String namespace, String name) {
    states.remove(new Resource(namespace, name));
  }

  /**
   * The state of a condition list. A condition without a type is ignored; a status other than True
   * or False (none included) counts as Unknown; of two conditions of one type the later one counts.
   */
  static State state(List<Condition> conditions) {
    int own = 0;
    Map<String, Byte> others = Map.of();
    for (Condition condition : conditions) {
      String type = condition.getType();
      if (type == null) {
        continue;
      }
      int status = statusIndex(condition.getStatus());
      int typeIndex = OWN_TYPES.indexOf(type);
      if (typeIndex >= 0) {
        own = (own & ~(3 << (2 * typeIndex))) | ((status + 1) << (2 * typeIndex));
      } else {
        if (others.isEmpty()) {
          others = new LinkedHashMap<>();
        }
        others.put(type, (byte) status);
      }
    }
    return new State((byte) own, others);
  }

  private static int statusIndex(String status) {
    int index = status == null ? -1 : STATUSES.indexOf(status);
    return index < 0 ? STATUSES.indexOf("Unknown") : index;
  }

  /** The Prometheus registries in {@code meters}: itself, or the members of a composite. */
  static List<PrometheusMeterRegistry> prometheusRegistries(MeterRegistry meters) {
    List<PrometheusMeterRegistry> found = new ArrayList<>();
    if (meters instanceof PrometheusMeterRegistry prometheus) {
      found.add(prometheus);
    } else if (meters instanceof CompositeMeterRegistry composite) {
      for (MeterRegistry member : composite.getRegistries()) {
        found.addAll(prometheusRegistries(member));
      }
    }
    return found;
  }

  /** Writes the series of every resource from {@link #states} at each scrape. */
  private final class SeriesCollector extends Collector {
    @Override
    public List<MetricFamilySamples> collect() {
      List<MetricFamilySamples.Sample> samples = new ArrayList<>();
      states.forEach(
          (resource, state) -> {
            for (int t = 0; t < OWN_TYPES.size(); t++) {
              int status = state.ownStatus(t);
              if (status >= 0) {
                addSeries(samples, resource, OWN_TYPES.get(t), status);
              }
            }
            state.others().forEach((type, status) -> addSeries(samples, resource, type, status));
          });
      if (samples.isEmpty()) {
        // As with no gauge registered: no family, and no name claimed when registering.
        return List.of();
      }
      return List.of(new MetricFamilySamples(PROMETHEUS_NAME, Type.GAUGE, HELP, samples));
    }

    private static void addSeries(
        List<MetricFamilySamples.Sample> samples, Resource resource, String type, int status) {
      for (int s = 0; s < STATUSES.size(); s++) {
        samples.add(
            new MetricFamilySamples.Sample(
                PROMETHEUS_NAME,
                LABELS,
                List.of(resource.name(), resource.namespace(), STATUSES.get(s), type),
                s == status ? 1 : 0));
      }
    }
  }
}
