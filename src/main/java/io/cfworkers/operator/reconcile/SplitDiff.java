package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Compares the declared split with the one Cloudflare serves. Pure. Order does not matter, and
 * percentages are equal when they differ by less than {@link #PERCENTAGE_TOLERANCE} (Cloudflare's
 * smallest step is 0.01), so a list written in another order or a number that went through JSON as
 * {@code 10} versus {@code 10.0} never causes a deployment.
 */
public final class SplitDiff {
  /** Two percentages closer than this are the same. */
  public static final double PERCENTAGE_TOLERANCE = 0.0001;

  private SplitDiff() {}

  /** How the live deployment relates to the declared split. */
  public enum Outcome {
    /** Cloudflare serves exactly the declared split. */
    IN_SYNC,
    /** The script has no deployment at all. */
    NO_LIVE_DEPLOYMENT,
    /** Cloudflare serves another split. */
    DIFFERS
  }

  public static Outcome compare(List<VersionTraffic> desired, Optional<Deployment> live) {
    if (live.isEmpty()) {
      return Outcome.NO_LIVE_DEPLOYMENT;
    }
    return sameSplit(desired, live.get().versions()) ? Outcome.IN_SYNC : Outcome.DIFFERS;
  }

  /** True when both splits give the same versions the same percentages, in any order. */
  public static boolean sameSplit(List<VersionTraffic> desired, List<DeploymentVersion> live) {
    if (desired == null || live == null || desired.size() != live.size()) {
      return false;
    }
    Map<String, Double> wanted = new HashMap<>();
    for (VersionTraffic v : desired) {
      if (v == null || v.getVersionId() == null || v.getPercentage() == null) {
        return false;
      }
      if (wanted.put(normalise(v.getVersionId()), v.getPercentage()) != null) {
        return false;
      }
    }
    for (DeploymentVersion v : live) {
      if (v == null || v.versionId() == null) {
        return false;
      }
      Double percentage = wanted.remove(normalise(v.versionId()));
      if (percentage == null || Math.abs(percentage - v.percentage()) >= PERCENTAGE_TOLERANCE) {
        return false;
      }
    }
    return wanted.isEmpty();
  }

  private static String normalise(String versionId) {
    return versionId.toLowerCase(java.util.Locale.ROOT);
  }
}
