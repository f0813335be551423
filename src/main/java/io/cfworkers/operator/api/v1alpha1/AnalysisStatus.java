package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * The analysis of the current rollout step ({@code status.rollout.analysis}): the last measurement
 * and how many measurements of each result this step has had. The counts belong to the step that
 * went live at {@code stepStartedAt}; a new step starts them from zero.
 */
public class AnalysisStatus {
  @JsonPropertyDescription(
      "When the step these counts belong to went live (RFC 3339; equals"
          + " status.rollout.stepStartedAt while the counts are current).")
  private String stepStartedAt;

  @JsonPropertyDescription("The last measurement of the canary in this step.")
  private AnalysisMeasurement lastMeasurement;

  @JsonPropertyDescription("Successful measurements in this step.")
  private Integer successful;

  @JsonPropertyDescription("Failed measurements in this step (error rate above maxErrorRate).")
  private Integer failed;

  @JsonPropertyDescription("Inconclusive measurements in this step (fewer than minRequests).")
  private Integer inconclusive;

  @JsonPropertyDescription("Measurements in this step whose analytics query failed.")
  private Integer errors;

  @JsonPropertyDescription("Inconclusive measurements in a row, up to the last one.")
  private Integer consecutiveInconclusive;

  @JsonPropertyDescription("Failed analytics queries in a row, up to the last one.")
  private Integer consecutiveErrors;

  public AnalysisStatus() {}

  /** A copy, so pure functions can return a changed status without touching their input. */
  public AnalysisStatus(AnalysisStatus other) {
    this.stepStartedAt = other.stepStartedAt;
    this.lastMeasurement = other.lastMeasurement;
    this.successful = other.successful;
    this.failed = other.failed;
    this.inconclusive = other.inconclusive;
    this.errors = other.errors;
    this.consecutiveInconclusive = other.consecutiveInconclusive;
    this.consecutiveErrors = other.consecutiveErrors;
  }

  public String getStepStartedAt() {
    return stepStartedAt;
  }

  public void setStepStartedAt(String stepStartedAt) {
    this.stepStartedAt = stepStartedAt;
  }

  public AnalysisMeasurement getLastMeasurement() {
    return lastMeasurement;
  }

  public void setLastMeasurement(AnalysisMeasurement lastMeasurement) {
    this.lastMeasurement = lastMeasurement;
  }

  public Integer getSuccessful() {
    return successful;
  }

  public void setSuccessful(Integer successful) {
    this.successful = successful;
  }

  public Integer getFailed() {
    return failed;
  }

  public void setFailed(Integer failed) {
    this.failed = failed;
  }

  public Integer getInconclusive() {
    return inconclusive;
  }

  public void setInconclusive(Integer inconclusive) {
    this.inconclusive = inconclusive;
  }

  public Integer getErrors() {
    return errors;
  }

  public void setErrors(Integer errors) {
    this.errors = errors;
  }

  public Integer getConsecutiveInconclusive() {
    return consecutiveInconclusive;
  }

  public void setConsecutiveInconclusive(Integer consecutiveInconclusive) {
    this.consecutiveInconclusive = consecutiveInconclusive;
  }

  public Integer getConsecutiveErrors() {
    return consecutiveErrors;
  }

  public void setConsecutiveErrors(Integer consecutiveErrors) {
    this.consecutiveErrors = consecutiveErrors;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof AnalysisStatus other
        && Objects.equals(stepStartedAt, other.stepStartedAt)
        && Objects.equals(lastMeasurement, other.lastMeasurement)
        && Objects.equals(successful, other.successful)
        && Objects.equals(failed, other.failed)
        && Objects.equals(inconclusive, other.inconclusive)
        && Objects.equals(errors, other.errors)
        && Objects.equals(consecutiveInconclusive, other.consecutiveInconclusive)
        && Objects.equals(consecutiveErrors, other.consecutiveErrors);
  }

  @Override
  public int hashCode() {
    return Objects.hash(
        stepStartedAt,
        lastMeasurement,
        successful,
        failed,
        inconclusive,
        errors,
        consecutiveInconclusive,
        consecutiveErrors);
  }

  @Override
  public String toString() {
    return "AnalysisStatus[step since "
        + stepStartedAt
        + ", successful="
        + successful
        + ", failed="
        + failed
        + ", inconclusive="
        + inconclusive
        + ", errors="
        + errors
        + ", last="
        + lastMeasurement
        + "]";
  }
}
