package io.cfworkers.operator.rollout.analysis;

import io.cfworkers.operator.api.v1alpha1.AnalysisSpec;
import java.time.Duration;

/**
 * {@code spec.rollout.analysis} read into typed values, with the defaults of {@link AnalysisSpec}
 * filled in for absent fields (the CRD defaults them too; this covers objects built without it).
 *
 * @param interval time between two measurements of one step
 * @param window length of the period one measurement sums
 * @param delay how long before now each window ends (analytics arrive late)
 * @param minRequests fewest canary requests a window needs to be judged
 * @param maxErrorRate highest canary error rate that passes, percent
 * @param failureLimit failed measurements a step tolerates; one more aborts
 */
public record AnalysisSettings(
    Duration interval,
    Duration window,
    Duration delay,
    int minRequests,
    double maxErrorRate,
    int failureLimit) {

  /** The shortest interval: each measurement is one query on a budget of 300 per 5 minutes. */
  public static final Duration MIN_INTERVAL = Duration.ofSeconds(30);

  /**
   * Checks the rules the CRD enforces, so a value built in code cannot slip past them.
   *
   * @throws IllegalArgumentException naming the field and the rule
   */
  public AnalysisSettings {
    if (interval.compareTo(MIN_INTERVAL) < 0) {
      throw new IllegalArgumentException(
          "spec.rollout.analysis.interval must be at least 30s, not "
              + GoDuration.format(interval));
    }
    if (window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("spec.rollout.analysis.window must be positive");
    }
    if (delay.isNegative()) {
      throw new IllegalArgumentException("spec.rollout.analysis.delay must not be negative");
    }
    if (minRequests < 1) {
      throw new IllegalArgumentException(
          "spec.rollout.analysis.minRequests must be at least 1, not " + minRequests);
    }
    if (!(maxErrorRate >= 0 && maxErrorRate <= 100)) {
      throw new IllegalArgumentException(
          "spec.rollout.analysis.maxErrorRate must be a percentage from 0 to 100, not "
              + maxErrorRate);
    }
    if (failureLimit < 0) {
      throw new IllegalArgumentException(
          "spec.rollout.analysis.failureLimit must not be negative, not " + failureLimit);
    }
  }

  /** The defaults: 1m interval, 5m window, 3m delay, 100 requests, 1%, failureLimit 0. */
  public static AnalysisSettings defaults() {
    return of(new AnalysisSpec());
  }

  /**
   * Reads a spec, defaults filled in.
   *
   * @throws IllegalArgumentException naming the field and the rule it breaks
   */
  public static AnalysisSettings of(AnalysisSpec spec) {
    return new AnalysisSettings(
        GoDuration.parse(
            "spec.rollout.analysis.interval",
            or(spec.getInterval(), AnalysisSpec.DEFAULT_INTERVAL)),
        GoDuration.parse(
            "spec.rollout.analysis.window", or(spec.getWindow(), AnalysisSpec.DEFAULT_WINDOW)),
        GoDuration.parse(
            "spec.rollout.analysis.delay", or(spec.getDelay(), AnalysisSpec.DEFAULT_DELAY)),
        or(spec.getMinRequests(), AnalysisSpec.DEFAULT_MIN_REQUESTS),
        or(spec.getMaxErrorRate(), AnalysisSpec.DEFAULT_MAX_ERROR_RATE),
        or(spec.getFailureLimit(), AnalysisSpec.DEFAULT_FAILURE_LIMIT));
  }

  private static <T> T or(T value, T fallback) {
    return value == null ? fallback : value;
  }
}
