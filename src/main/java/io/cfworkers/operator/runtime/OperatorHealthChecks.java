package io.cfworkers.operator.runtime;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.RegisteredController;
import io.javaoperatorsdk.operator.health.InformerHealthIndicator;
import io.javaoperatorsdk.operator.health.InformerWrappingEventSourceHealthIndicator;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Liveness;
import org.eclipse.microprofile.health.Readiness;

/**
 * The operator's own health checks, next to the operator SDK's readiness check (which reports the
 * informers' sync state): readiness includes leadership, liveness checks that the informers still
 * run and the leader election has not ended.
 */
public final class OperatorHealthChecks {
  private OperatorHealthChecks() {}

  /** Readiness: see {@link LeadershipHealth}. */
  @Readiness
  @ApplicationScoped
  public static class Leadership implements HealthCheck {
    public static final String NAME = "leadership";
    private final LeadershipHealth health;

    public Leadership(LeaderState state, KubernetesClient client, Clock clock) {
      this.health = new LeadershipHealth(state, client, clock);
    }

    @Override
    public HealthCheckResponse call() {
      LeadershipHealth.Verdict verdict = health.check();
      HealthCheckResponseBuilder response =
          HealthCheckResponse.named(NAME).status(verdict.up()).withData("reason", verdict.reason());
      verdict.data().forEach((k, v) -> withData(response, k, v));
      return response.build();
    }
  }

  /**
   * Liveness: down when a started operator has an informer that no longer runs (it stopped for
   * good; a reconnecting watch still counts as running) or when this replica's leader election has
   * ended. Either way the process does nothing useful until it restarts.
   */
  @Liveness
  @ApplicationScoped
  public static class Informers implements HealthCheck {
    public static final String NAME = "informers";
    private final Operator operator;
    private final LeaderState state;

    public Informers(Operator operator, LeaderState state) {
      this.operator = operator;
      this.state = state;
    }

    @Override
    public HealthCheckResponse call() {
      return check(operator, state);
    }

    /** The check for any operator instance. */
    public static HealthCheckResponse check(Operator operator, LeaderState state) {
      HealthCheckResponseBuilder response = HealthCheckResponse.named(NAME);
      if (!state.isOperatorStarted() || !operator.getRuntimeInfo().isStarted()) {
        return response.down().withData("reason", "the operator has not started").build();
      }
      List<String> stopped = stoppedInformers(operator);
      response.withData("controllers", operator.getRuntimeInfo().getRegisteredControllers().size());
      if (!stopped.isEmpty()) {
        return response
            .down()
            .withData("reason", "informers not running: " + String.join(", ", stopped))
            .build();
      }
      if (state.electionEnabled() && state.hasStoppedLeading() && !state.isLeading()) {
        return response
            .down()
            .withData("reason", "this replica stopped leading and its leader election has ended")
            .build();
      }
      return response.up().withData("reason", "every informer runs").build();
    }

    private static List<String> stoppedInformers(Operator operator) {
      List<String> stopped = new ArrayList<>();
      for (RegisteredController<?> controller :
          operator.getRuntimeInfo().getRegisteredControllers()) {
        String name = controller.getConfiguration().getName();
        Map<String, InformerWrappingEventSourceHealthIndicator> sources =
            controller.getControllerHealthInfo().informerEventSourceHealthIndicators();
        sources.forEach(
            (source, indicator) -> {
              Map<String, InformerHealthIndicator> informers = indicator.informerHealthIndicators();
              informers.forEach(
                  (namespace, informer) -> {
                    if (!informer.isRunning()) {
                      stopped.add(name + "/" + source + (namespace == null ? "" : "@" + namespace));
                    }
                  });
            });
      }
      return stopped;
    }
  }

  private static void withData(HealthCheckResponseBuilder response, String key, Object value) {
    if (value instanceof Boolean b) {
      response.withData(key, b);
    } else if (value instanceof Number n) {
      response.withData(key, n.longValue());
    } else {
      response.withData(key, String.valueOf(value));
    }
  }
}
