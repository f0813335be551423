package io.cfworkers.operator.runtime;

import io.cfworkers.operator.config.OperatorConfig;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.UUID;

/** Produces the one {@link LeaderState} of this process, from the leader-election settings. */
public class LeaderStateProducer {

  @Produces
  @Singleton
  LeaderState leaderState(OperatorConfig config, MeterRegistry meters, KubernetesClient client) {
    OperatorConfig.LeaderElection election = config.leaderElection();
    if (!election.enabled()) {
      return LeaderState.alone().bindTo(meters);
    }
    String namespace =
        election
            .leaseNamespace()
            .orElse(System.getenv().getOrDefault("POD_NAMESPACE", client.getNamespace()));
    return LeaderState.elected(identity(), namespace, election.leaseName()).bindTo(meters);
  }

  /** The pod's name (HOSTNAME), as the operator SDK would pick; a random id outside a pod. */
  static String identity() {
    String host = System.getenv("HOSTNAME");
    return host == null || host.isBlank() ? UUID.randomUUID().toString() : host;
  }
}
