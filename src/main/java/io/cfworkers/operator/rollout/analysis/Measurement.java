package io.cfworkers.operator.rollout.analysis;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * What Cloudflare's analytics counted for the canary and the stable version over one window:
 * requests and errors summed over every row of the version (all invocation statuses).
 *
 * @param windowStart start of the window queried
 * @param windowEnd end of the window queried
 * @param canaryVersionId the version being rolled out
 * @param canary the canary's counts; zero when Cloudflare had no row for it
 * @param stableVersionId the version serving the rest of the traffic
 * @param stable the stable version's counts, for comparison only
 */
public record Measurement(
    Instant windowStart,
    Instant windowEnd,
    String canaryVersionId,
    Counts canary,
    String stableVersionId,
    Counts stable) {

  public Measurement {
    Objects.requireNonNull(windowStart, "windowStart");
    Objects.requireNonNull(windowEnd, "windowEnd");
    Objects.requireNonNull(canary, "canary");
    Objects.requireNonNull(stable, "stable");
  }

  /**
   * Picks the canary's and the stable version's totals out of the per-version totals of a query. A
   * version without any row counts as zero requests.
   */
  public static Measurement of(
      AnalysisWindow.Due window,
      Map<String, Counts> byVersion,
      String canaryVersionId,
      String stableVersionId) {
    return new Measurement(
        window.start(),
        window.end(),
        canaryVersionId,
        byVersion.getOrDefault(canaryVersionId, Counts.NONE),
        stableVersionId,
        byVersion.getOrDefault(stableVersionId, Counts.NONE));
  }

  /**
   * Requests and errors of one version.
   *
   * @param requests invocations counted
   * @param errors invocations that ended in a runtime failure
   */
  public record Counts(long requests, long errors) {
    public static final Counts NONE = new Counts(0, 0);

    public Counts {
      if (requests < 0 || errors < 0) {
        throw new IllegalArgumentException("requests and errors cannot be negative");
      }
    }

    public Counts plus(Counts other) {
      return new Counts(requests + other.requests, errors + other.errors);
    }

    /** Errors in percent of requests, or null when there were no requests. */
    public Double errorRatePercent() {
      return requests == 0 ? null : 100.0 * errors / requests;
    }
  }
}
