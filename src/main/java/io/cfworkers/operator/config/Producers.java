package io.cfworkers.operator.config;

import io.cfworkers.operator.runtime.LeaderState;
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
  LeaderElectionConfiguration leaderElection(OperatorConfig config, LeaderState state) {
    OperatorConfig.LeaderElection election = config.leaderElection();
    if (!election.enabled()) {
      return null;
    }
    LOG.infof(
        "Leader election on: Lease %s in namespace %s, identity %s",
        state.leaseName(),
        state.leaseNamespace() == null ? "(the client's)" : state.leaseNamespace(),
        state.identity());
    // The SDK's defaults for the timings; the callbacks feed readiness and the leader gauge.
    return new LeaderElectionConfiguration(
        state.leaseName(),
        state.leaseNamespace(),
        LeaderElectionConfiguration.LEASE_DURATION_DEFAULT_VALUE,
        LeaderElectionConfiguration.RENEW_DEADLINE_DEFAULT_VALUE,
        LeaderElectionConfiguration.RETRY_PERIOD_DEFAULT_VALUE,
        state.identity(),
        state.callbacks(),
        true);
  }
}
