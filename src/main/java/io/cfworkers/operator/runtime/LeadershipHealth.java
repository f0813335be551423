package io.cfworkers.operator.runtime;

import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Whether this replica takes part in leader election soundly, and whether it leads. Readiness is
 * built on it: a replica is ready when the operator runs and the Lease shows a live leader (itself
 * or another replica). It is not ready when the operator has not started, when its election loop
 * has ended, when it cannot read the Lease, or when nobody has renewed the Lease within its
 * duration (then no replica reconciles, which must not look healthy).
 *
 * <p>A standby replica behind a live leader is ready: a rolling update waits for new pods to be
 * ready, and new pods are standbys until the old leader goes.
 */
public final class LeadershipHealth {
  /** The outcome: up or down, why, and what to show in the health data. */
  public record Verdict(boolean up, String reason, Map<String, Object> data) {}

  /**
   * What was read of the Lease: its holder and last renewal (null when absent), its duration, or
   * the error reading it.
   */
  public record LeaseView(
      boolean exists, String holder, Instant renewTime, Duration duration, String error) {
    public static LeaseView absent() {
      return new LeaseView(false, null, null, null, null);
    }

    public static LeaseView unreadable(String error) {
      return new LeaseView(false, null, null, null, error);
    }

    public static LeaseView of(String holder, Instant renewTime, Duration duration) {
      return new LeaseView(true, holder, renewTime, duration, null);
    }
  }

  private final LeaderState state;
  private final KubernetesClient client;
  private final Clock clock;

  public LeadershipHealth(LeaderState state, KubernetesClient client, Clock clock) {
    this.state = state;
    this.client = client;
    this.clock = clock;
  }

  /** Reads the Lease (one GET, which the chart grants) and decides. */
  public Verdict check() {
    LeaseView lease =
        state.electionEnabled() && state.isOperatorStarted() ? readLease() : LeaseView.absent();
    return decide(
        state.isOperatorStarted(),
        state.electionEnabled(),
        state.identity(),
        state.isLeading(),
        state.hasStoppedLeading(),
        lease,
        clock.instant());
  }

  private LeaseView readLease() {
    try {
      Lease lease =
          client.leases().inNamespace(state.leaseNamespace()).withName(state.leaseName()).get();
      if (lease == null || lease.getSpec() == null) {
        return LeaseView.absent();
      }
      ZonedDateTime renewed = lease.getSpec().getRenewTime();
      Integer seconds = lease.getSpec().getLeaseDurationSeconds();
      return LeaseView.of(
          lease.getSpec().getHolderIdentity(),
          renewed == null ? null : renewed.toInstant(),
          seconds == null ? null : Duration.ofSeconds(seconds));
    } catch (KubernetesClientException e) {
      String reason =
          e.getStatus() == null || e.getStatus().getReason() == null
              ? ""
              : " " + e.getStatus().getReason();
      return LeaseView.unreadable(
          "HTTP "
              + e.getCode()
              + reason
              + " for Lease "
              + state.leaseNamespace()
              + "/"
              + state.leaseName());
    }
  }

  /** The decision, from what is known; pure, for table tests. */
  public static Verdict decide(
      boolean operatorStarted,
      boolean electionEnabled,
      String identity,
      boolean leading,
      boolean stoppedLeading,
      LeaseView lease,
      Instant now) {
    Map<String, Object> data = new LinkedHashMap<>();
    data.put("leaderElection", electionEnabled);
    if (!operatorStarted) {
      data.put("leader", false);
      return new Verdict(false, "the operator has not started", data);
    }
    if (!electionEnabled) {
      data.put("leader", true);
      return new Verdict(true, "leader election is off: this replica reconciles", data);
    }
    data.put("identity", identity);
    data.put("leader", leading);
    if (stoppedLeading && !leading) {
      return new Verdict(
          false, "this replica stopped leading and its leader election has ended", data);
    }
    if (lease.error() != null) {
      return new Verdict(false, "cannot read the Lease: " + lease.error(), data);
    }
    if (!lease.exists() || lease.holder() == null || lease.holder().isEmpty()) {
      return new Verdict(false, "no replica holds the Lease", data);
    }
    data.put("holder", lease.holder());
    if (lease.renewTime() != null) {
      Duration age = Duration.between(lease.renewTime(), now);
      data.put("renewedSecondsAgo", Math.max(0, age.toSeconds()));
      if (lease.duration() != null && age.compareTo(lease.duration()) > 0) {
        return new Verdict(
            false,
            "the Lease held by "
                + lease.holder()
                + " was last renewed "
                + age.toSeconds()
                + "s ago, longer than its "
                + lease.duration().toSeconds()
                + "s duration: no replica is reconciling",
            data);
      }
    }
    if (leading && !Objects.equals(identity, lease.holder())) {
      return new Verdict(
          false, "this replica believes it leads but the Lease is held by " + lease.holder(), data);
    }
    return new Verdict(
        true,
        Objects.equals(identity, lease.holder())
            ? "this replica leads"
            : "standing by: " + lease.holder() + " leads",
        data);
  }
}
