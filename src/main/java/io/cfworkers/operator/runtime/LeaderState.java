package io.cfworkers.operator.runtime;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.jboss.logging.Logger;

/**
 * What this replica knows about leader election, kept up to date by the election's callbacks:
 * whether it leads now, who leads as far as it last saw, and whether its election loop has ended
 * (it stopped leading; in production the process then exits).
 *
 * <p>Without leader election the replica always acts, and counts as leader once the operator runs.
 */
public final class LeaderState {
  /** The gauge: 1 while this replica reconciles (leads, or leader election is off), else 0. */
  public static final String LEADER_GAUGE = "cfworkers.leader";

  private static final Logger LOG = Logger.getLogger(LeaderState.class);

  private final boolean electionEnabled;
  private final String identity;
  private final String leaseNamespace;
  private final String leaseName;
  private final AtomicBoolean leading = new AtomicBoolean();
  private final AtomicBoolean stoppedLeading = new AtomicBoolean();
  private final AtomicReference<String> lastLeader = new AtomicReference<>();
  private final AtomicBoolean operatorStarted = new AtomicBoolean();

  private LeaderState(
      boolean electionEnabled, String identity, String leaseNamespace, String leaseName) {
    this.electionEnabled = electionEnabled;
    this.identity = identity;
    this.leaseNamespace = leaseNamespace;
    this.leaseName = leaseName;
  }

  /**
   * A replica that elects a leader through the Lease {@code namespace/name} as {@code identity}.
   */
  public static LeaderState elected(String identity, String leaseNamespace, String leaseName) {
    return new LeaderState(true, identity, leaseNamespace, leaseName);
  }

  /** A replica that acts alone: no Lease. */
  public static LeaderState alone() {
    return new LeaderState(false, null, null, null);
  }

  /** Registers the {@value #LEADER_GAUGE} gauge. */
  public LeaderState bindTo(MeterRegistry registry) {
    Gauge.builder(LEADER_GAUGE, this, s -> s.reconciles() ? 1 : 0)
        .description("1 while this replica reconciles (it leads, or leader election is off)")
        .strongReference(true)
        .register(registry);
    return this;
  }

  /** The callbacks to hand to the leader election. */
  public LeaderCallbacks callbacks() {
    return new LeaderCallbacks(
        () -> {
          leading.set(true);
          LOG.infof("This replica (%s) leads: it reconciles from now on", identity);
        },
        () -> {
          leading.set(false);
          stoppedLeading.set(true);
          LOG.warnf(
              "This replica (%s) stopped leading: it could not renew Lease %s/%s in time",
              identity, leaseNamespace, leaseName);
        },
        leader -> lastLeader.set(leader));
  }

  /** Called once the operator (its informers and, if enabled, the election) has started. */
  public void operatorStarted() {
    operatorStarted.set(true);
  }

  public boolean isOperatorStarted() {
    return operatorStarted.get();
  }

  public boolean electionEnabled() {
    return electionEnabled;
  }

  /** Whether this replica reconciles now. */
  public boolean reconciles() {
    return operatorStarted.get() && (!electionEnabled || leading.get());
  }

  public boolean isLeading() {
    return leading.get();
  }

  /** Whether this replica led and lost it: its election loop has ended. */
  public boolean hasStoppedLeading() {
    return stoppedLeading.get();
  }

  public String identity() {
    return identity;
  }

  public String leaseNamespace() {
    return leaseNamespace;
  }

  public String leaseName() {
    return leaseName;
  }

  /** The leader the election last reported, if any. */
  public Optional<String> lastLeader() {
    return Optional.ofNullable(lastLeader.get());
  }
}
