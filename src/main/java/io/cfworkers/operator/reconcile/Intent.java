package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.PendingDeployment;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.cloudflare.Deployment;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The intent record written to status before a create call. Pure.
 *
 * <p>A create call whose answer never arrived may still land. While its record is younger than the
 * settle time and Cloudflare does not yet serve its split, the call counts as in flight: nobody
 * sends another. Once Cloudflare serves the split, or the settle time has passed, the outcome is
 * known from observation alone and the record can be dropped.
 */
public final class Intent {
  private Intent() {}

  public static PendingDeployment record(
      long generation, List<VersionTraffic> versions, Instant now) {
    List<VersionTraffic> copy = new ArrayList<>();
    versions.forEach(v -> copy.add(new VersionTraffic(v.getVersionId(), v.getPercentage())));
    return new PendingDeployment(generation, now.toString(), copy);
  }

  /** True when Cloudflare serves the split the record was about to deploy. */
  public static boolean landed(PendingDeployment pending, Optional<Deployment> live) {
    return pending != null
        && live.isPresent()
        && SplitDiff.sameSplit(pending.getVersions(), live.get().versions());
  }

  /**
   * How long to wait before the recorded call can no longer land, or empty when it is not in flight
   * (no record, already landed, or settled).
   */
  public static Optional<Duration> inFlightFor(
      PendingDeployment pending, Optional<Deployment> live, Duration settleTime, Instant now) {
    if (pending == null || landed(pending, live)) {
      return Optional.empty();
    }
    Instant started;
    try {
      started = Instant.parse(pending.getStartedAt());
    } catch (DateTimeParseException | NullPointerException e) {
      return Optional.empty();
    }
    Duration left = Duration.between(now, started.plus(settleTime));
    return left.isNegative() || left.isZero() ? Optional.empty() : Optional.of(left);
  }
}
