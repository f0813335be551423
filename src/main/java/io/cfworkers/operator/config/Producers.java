package io.cfworkers.operator.config;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.enterprise.context.Dependent;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import org.jboss.logging.Logger;

/** Beans the operator's classes share. */
public class Producers {
  private static final Logger LOG = Logger.getLogger(Producers.class);

  /** Wall-clock time, in UTC; a bean so tests can move time. */
  @Produces
  @Singleton
  Clock clock() {
    return Clock.systemUTC();
  }

  /**
   * The leader-election settings the operator SDK picks up in the prod profile; null (none) when
   * leader election is off, so a single replica needs no Lease permissions.
   */
  @Produces
  @Dependent
  LeaderElectionConfiguration leaderElection(OperatorConfig config) {
    OperatorConfig.LeaderElection election = config.leaderElection();
    if (!election.enabled()) {
      return null;
    }
    String namespace =
        election.leaseNamespace().orElse(System.getenv().getOrDefault("POD_NAMESPACE", null));
    LOG.infof(
        "Leader election on: Lease %s in namespace %s",
        election.leaseName(), namespace == null ? "(the client's)" : namespace);
    return new LeaderElectionConfiguration(election.leaseName(), namespace);
  }
}
