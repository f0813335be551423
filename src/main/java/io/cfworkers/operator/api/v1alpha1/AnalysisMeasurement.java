package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * One measurement of a rollout's canary ({@code status.rollout.analysis.lastMeasurement}): the
 * window it covered, the canary's and the stable version's requests, errors and error rates, and
 * the result. Rates are percent of requests, as {@code maxErrorRate}; absent when the version had
 * no requests in the window or the query failed.
 */
public class AnalysisMeasurement {
  /** The measurement passed: enough requests, error rate within maxErrorRate. */
  public static final String SUCCESSFUL = "Successful";

  /** The canary's error rate was above maxErrorRate. */
  public static final String FAILED = "Failed";

  /** The canary had fewer than minRequests requests in the window. */
  public static final String INCONCLUSIVE = "Inconclusive";

  /** The analytics query failed; message carries Cloudflare's answer. */
  public static final String ERROR = "Error";

  @JsonPropertyDescription("When the measurement was taken (RFC 3339).")
  private String takenAt;

  @JsonPropertyDescription("Start of the window the measurement covered (RFC 3339).")
  private String windowStart;

  @JsonPropertyDescription("End of the window the measurement covered (RFC 3339).")
  private String windowEnd;

  @JsonPropertyDescription("Requests the canary served in the window, as Cloudflare counts them.")
  private Long canaryRequests;

  @JsonPropertyDescription(
      "Requests of the canary that ended in a Worker runtime failure (uncaught exception,"
          + " exceeded resources, internal error).")
  private Long canaryErrors;

  @JsonPropertyDescription("The canary's error rate in percent; absent without requests.")
  private Double canaryErrorRate;

  @JsonPropertyDescription("Requests the stable version served in the window.")
  private Long stableRequests;

  @JsonPropertyDescription("Requests of the stable version that ended in a runtime failure.")
  private Long stableErrors;

  @JsonPropertyDescription(
      "The stable version's error rate in percent, for comparison; absent without requests.")
  private Double stableErrorRate;

  @JsonPropertyDescription("Successful, Failed, Inconclusive or Error.")
  private String result;

  @JsonPropertyDescription(
      "What the result means, with the numbers; for Error, Cloudflare's message.")
  private String message;

  public String getTakenAt() {
    return takenAt;
  }

  public void setTakenAt(String takenAt) {
    this.takenAt = takenAt;
  }

  public String getWindowStart() {
    return windowStart;
  }

  public void setWindowStart(String windowStart) {
    this.windowStart = windowStart;
  }

  public String getWindowEnd() {
    return windowEnd;
  }

  public void setWindowEnd(String windowEnd) {
    this.windowEnd = windowEnd;
  }

  public Long getCanaryRequests() {
    return canaryRequests;
  }

  public void setCanaryRequests(Long canaryRequests) {
    this.canaryRequests = canaryRequests;
  }

  public Long getCanaryErrors() {
    return canaryErrors;
  }

  public void setCanaryErrors(Long canaryErrors) {
    this.canaryErrors = canaryErrors;
  }

  public Double getCanaryErrorRate() {
    return canaryErrorRate;
  }

  public void setCanaryErrorRate(Double canaryErrorRate) {
    this.canaryErrorRate = canaryErrorRate;
  }

  public Long getStableRequests() {
    return stableRequests;
  }

  public void setStableRequests(Long stableRequests) {
    this.stableRequests = stableRequests;
  }

  public Long getStableErrors() {
    return stableErrors;
  }

  public void setStableErrors(Long stableErrors) {
    this.stableErrors = stableErrors;
  }

  public Double getStableErrorRate() {
    return stableErrorRate;
  }

  public void setStableErrorRate(Double stableErrorRate) {
    this.stableErrorRate = stableErrorRate;
  }

  public String getResult() {
    return result;
  }

  public void setResult(String result) {
    this.result = result;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AnalysisMeasurement other
        && Objects.equals(takenAt, other.takenAt)
        && Objects.equals(windowStart, other.windowStart)
        && Objects.equals(windowEnd, other.windowEnd)
        && Objects.equals(canaryRequests, other.canaryRequests)
        && Objects.equals(canaryErrors, other.canaryErrors)
        && Objects.equals(canaryErrorRate, other.canaryErrorRate)
        && Objects.equals(stableRequests, other.stableRequests)
        && Objects.equals(stableErrors, other.stableErrors)
        && Objects.equals(stableErrorRate, other.stableErrorRate)
        && Objects.equals(result, other.result)
        && Objects.equals(message, other.message);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        takenAt,
        windowStart,
        windowEnd,
        canaryRequests,
        canaryErrors,
        canaryErrorRate,
        stableRequests,
        stableErrors,
        stableErrorRate,
        result,
        message);
  }

  @Override
  public String toString() {
    return "AnalysisMeasurement[" + result + ", " + message + "]";
  }
}
