package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/**
 * The automatic gate of a rollout ({@code spec.rollout.analysis}): while a step is held, the
 * operator measures the canary's error rate from Cloudflare's analytics every {@code interval} over
 * {@code [now - delay - window, now - delay]}, and lets the step advance only on a successful
 * measurement. Every field has a default, so {@code analysis: {}} turns the gate on with them.
 *
 * <p>Durations are Kubernetes/Go style ({@code 30s}, {@code 5m}, {@code 1m30s}; units h, m, s, ms).
 * The CRD checks that they parse and are in range; CEL's {@code duration()} reads them as Go does.
 */
public class AnalysisSpec {
  /** A duration the CRD accepts: numbers, each with a unit h, m, s or ms (e.g. 1m30s). */
  public static final String DURATION_PATTERN = RolloutPause.DURATION_PATTERN;

  public static final String DEFAULT_INTERVAL = "1m";
  public static final String DEFAULT_WINDOW = "5m";
  public static final String DEFAULT_DELAY = "3m";
  public static final int DEFAULT_MIN_REQUESTS = 100;
  public static final double DEFAULT_MAX_ERROR_RATE = 1;
  public static final int DEFAULT_FAILURE_LIMIT = 0;

  @JsonPropertyDescription(
      "How often the canary is measured while a step is held: a duration of at least 30s, e.g."
          + " 1m (units h, m, s, ms). Each measurement is one GraphQL query on the analytics"
          + " token's budget. Default 1m.")
  @Size(min = 2, max = 32)
  @Default(DEFAULT_INTERVAL)
  @ValidationRule(
      value =
          "self.matches('"
              + DURATION_PATTERN
              + "') && duration(self) >= duration('30s') && duration(self) <= duration('1h')",
      message = "must be a duration from 30s to 1h, e.g. 1m or 1m30s" + " (units h, m, s, ms)")
  private String interval;

  @JsonPropertyDescription(
      "Length of the period each measurement sums the canary's requests and errors over: a"
          + " duration from 1m to 1h, e.g. 5m. Longer windows see more requests (fewer"
          + " inconclusive results on quiet scripts) but react later. Default 5m.")
  @Size(min = 2, max = 32)
  @Default(DEFAULT_WINDOW)
  @ValidationRule(
      value =
          "self.matches('"
              + DURATION_PATTERN
              + "') && duration(self) >= duration('1m') && duration(self) <= duration('1h')",
      message = "must be a duration from 1m to 1h, e.g. 5m (units h, m, s," + " ms)")
  private String window;

  @JsonPropertyDescription(
      "How far back from now each window ends, because Cloudflare's analytics arrive a few"
          + " minutes late: a duration from 0s to 1h, e.g. 3m. Below 2m a window may miss"
          + " requests that are not yet counted. Default 3m.")
  @Size(min = 2, max = 32)
  @Default(DEFAULT_DELAY)
  @ValidationRule(
      value = "self.matches('" + DURATION_PATTERN + "') && duration(self) <= duration('1h')",
      message = "must be a duration from 0s to 1h, e.g. 3m (units h, m, s," + " ms)")
  private String delay;

  @JsonPropertyDescription(
      "Fewest canary requests a window must hold to judge it; with fewer the measurement is"
          + " inconclusive and the step does not advance. At least 1. Default 100.")
  @Min(1)
  @Default("100")
  private Integer minRequests;

  @JsonPropertyDescription(
      "Highest error rate of the canary, in percent of its requests (0 to 100), that still"
          + " passes. Errors are Worker runtime failures as Cloudflare counts them (uncaught"
          + " exceptions, exceeded resources, internal errors), not HTTP 5xx responses the Worker"
          + " returns itself. Default 1.")
  @Min(0)
  @Max(100)
  @Default("1")
  private Double maxErrorRate;

  @JsonPropertyDescription(
      "How many failed measurements a step tolerates: one more aborts the rollout back to the"
          + " stable version (abortReason AnalysisFailed). 0 to 100. Default 0: the first failed"
          + " measurement aborts.")
  @Min(0)
  @Max(100)
  @Default("0")
  private Integer failureLimit;

  @JsonPropertyDescription(
      "Secret key holding a Cloudflare API token with the \"Account Analytics: Read\" permission,"
          + " used for the analytics queries only. Optional: by default the token of spec.auth is"
          + " used, which then needs that permission too. Its queries draw on a budget of their"
          + " own, separate from the deployments API's.")
  private SecretKeyRef analyticsTokenSecretRef;

  public String getInterval() {
    return interval;
  }

  public void setInterval(String interval) {
    this.interval = interval;
  }

  public String getWindow() {
    return window;
  }

  public void setWindow(String window) {
    this.window = window;
  }

  public String getDelay() {
    return delay;
  }

  public void setDelay(String delay) {
    this.delay = delay;
  }

  public Integer getMinRequests() {
    return minRequests;
  }

  public void setMinRequests(Integer minRequests) {
    this.minRequests = minRequests;
  }

  public Double getMaxErrorRate() {
    return maxErrorRate;
  }

  public void setMaxErrorRate(Double maxErrorRate) {
    this.maxErrorRate = maxErrorRate;
  }

  public Integer getFailureLimit() {
    return failureLimit;
  }

  public void setFailureLimit(Integer failureLimit) {
    this.failureLimit = failureLimit;
  }

  public SecretKeyRef getAnalyticsTokenSecretRef() {
    return analyticsTokenSecretRef;
  }

  public void setAnalyticsTokenSecretRef(SecretKeyRef analyticsTokenSecretRef) {
    this.analyticsTokenSecretRef = analyticsTokenSecretRef;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AnalysisSpec other
        && Objects.equals(interval, other.interval)
        && Objects.equals(window, other.window)
        && Objects.equals(delay, other.delay)
        && Objects.equals(minRequests, other.minRequests)
        && Objects.equals(maxErrorRate, other.maxErrorRate)
        && Objects.equals(failureLimit, other.failureLimit)
        && Objects.equals(analyticsTokenSecretRef, other.analyticsTokenSecretRef);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        interval, window, delay, minRequests, maxErrorRate, failureLimit, analyticsTokenSecretRef);
  }
}
