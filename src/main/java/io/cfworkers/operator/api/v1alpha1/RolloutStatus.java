package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/**
 * Where a progressive rollout is: enough, with the live split, for any operator process to continue
 * it (timers are computed from the timestamps here, never from memory). Written by the operator
 * only.
 */
public class RolloutStatus {
  public static final String PROGRESSING = "Progressing";
  public static final String PAUSED = "Paused";
  public static final String COMPLETED = "Completed";
  public static final String ABORTED = "Aborted";

  public static final String ABORT_MANUAL = "Manual";
  public static final String ABORT_ANALYSIS_FAILED = "AnalysisFailed";
  public static final String ABORT_PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";

  @JsonPropertyDescription(
      "Progressing (a step's split is being made live), Paused (a step holds: timed, or waiting"
          + " for a promote), Completed (the new version serves 100%) or Aborted (back to the stable"
          + " version until a retry or a new target).")
  private String phase;

  @JsonPropertyDescription(
      "The version that served the most traffic when the rollout started; it serves the rest"
          + " of each step's traffic, and all of it after an abort.")
  private String stableVersionId;

  @JsonPropertyDescription("The version being rolled out: the target in spec.versions.")
  private String canaryVersionId;

  @JsonPropertyDescription(
      "1-based index of the current step in spec.rollout.steps (the last step once completed).")
  private Integer step;

  @JsonPropertyDescription("Number of steps in spec.rollout.steps.")
  private Integer steps;

  @JsonPropertyDescription(
      "Share of traffic, in percent, the new version serves at Cloudflare now.")
  private Double weight;

  @JsonPropertyDescription(
      "When the current step's split was first observed live (RFC 3339); the step's pause"
          + " counts from here. Absent until then.")
  private String stepStartedAt;

  @JsonPropertyDescription(
      "When the current timed pause ends (RFC 3339). Absent while waiting for a promote and"
          + " outside pauses.")
  private String pausedUntil;

  @JsonPropertyDescription(
      "When the operator began waiting for the current step's split to be live (RFC 3339):"
          + " spec.rollout.progressDeadline counts from here. Absent while the split is live, and"
          + " restarted after a suspend or hold, so paused and frozen time never counts.")
  private String progressingSince;

  @JsonPropertyDescription(
      "True once the rollout moves the new version to 100%: after the last step, or on a"
          + " promote-full request.")
  private Boolean fullPromotion;

  @JsonPropertyDescription(
      "Why the rollout was aborted: Manual (abort request), AnalysisFailed or"
          + " ProgressDeadlineExceeded.")
  private String abortReason;

  @JsonPropertyDescription(
      "Where the rollout is, for humans, e.g. \"Step 2/2 (50%): waiting for promote\".")
  private String message;

  @JsonPropertyDescription(
      "The last value of annotation cfworkers.io/promote the operator handled; a different"
          + " value is a new request.")
  private String lastHandledPromote;

  @JsonPropertyDescription(
      "The last value of annotation cfworkers.io/promote-full the operator handled.")
  private String lastHandledPromoteFull;

  @JsonPropertyDescription("The last value of annotation cfworkers.io/abort the operator handled.")
  private String lastHandledAbort;

  @JsonPropertyDescription("The last value of annotation cfworkers.io/retry the operator handled.")
  private String lastHandledRetry;

  @JsonPropertyDescription(
      "The analysis of the current step (with spec.rollout.analysis): its last measurement of"
          + " the new version's error rate and how many measurements of each result it had.")
  private AnalysisStatus analysis;

  public RolloutStatus() {}

  /** A copy of {@code other}: every field is immutable but {@code analysis}, which is copied. */
  public RolloutStatus(RolloutStatus other) {
    this.phase = other.phase;
    this.stableVersionId = other.stableVersionId;
    this.canaryVersionId = other.canaryVersionId;
    this.step = other.step;
    this.steps = other.steps;
    this.weight = other.weight;
    this.stepStartedAt = other.stepStartedAt;
    this.pausedUntil = other.pausedUntil;
    this.progressingSince = other.progressingSince;
    this.fullPromotion = other.fullPromotion;
    this.abortReason = other.abortReason;
    this.message = other.message;
    this.lastHandledPromote = other.lastHandledPromote;
    this.lastHandledPromoteFull = other.lastHandledPromoteFull;
    this.lastHandledAbort = other.lastHandledAbort;
    this.lastHandledRetry = other.lastHandledRetry;
    this.analysis = other.analysis == null ? null : new AnalysisStatus(other.analysis);
  }

  public String getPhase() {
    return phase;
  }

  public void setPhase(String phase) {
    this.phase = phase;
  }

  public String getStableVersionId() {
    return stableVersionId;
  }

  public void setStableVersionId(String stableVersionId) {
    this.stableVersionId = stableVersionId;
  }

  public String getCanaryVersionId() {
    return canaryVersionId;
  }

  public void setCanaryVersionId(String canaryVersionId) {
    this.canaryVersionId = canaryVersionId;
  }

  public Integer getStep() {
    return step;
  }

  public void setStep(Integer step) {
    this.step = step;
  }

  public Integer getSteps() {
    return steps;
  }

  public void setSteps(Integer steps) {
    this.steps = steps;
  }

  public Double getWeight() {
    return weight;
  }

  public void setWeight(Double weight) {
    this.weight = weight;
  }

  public String getStepStartedAt() {
    return stepStartedAt;
  }

  public void setStepStartedAt(String stepStartedAt) {
    this.stepStartedAt = stepStartedAt;
  }

  public String getPausedUntil() {
    return pausedUntil;
  }

  public void setPausedUntil(String pausedUntil) {
    this.pausedUntil = pausedUntil;
  }

  public String getProgressingSince() {
    return progressingSince;
  }

  public void setProgressingSince(String progressingSince) {
    this.progressingSince = progressingSince;
  }

  public Boolean getFullPromotion() {
    return fullPromotion;
  }

  public void setFullPromotion(Boolean fullPromotion) {
    this.fullPromotion = fullPromotion;
  }

  public String getAbortReason() {
    return abortReason;
  }

  public void setAbortReason(String abortReason) {
    this.abortReason = abortReason;
  }

  public String getMessage() {
    return message;
  }

  public void setMessage(String message) {
    this.message = message;
  }

  public String getLastHandledPromote() {
    return lastHandledPromote;
  }

  public void setLastHandledPromote(String lastHandledPromote) {
    this.lastHandledPromote = lastHandledPromote;
  }

  public String getLastHandledPromoteFull() {
    return lastHandledPromoteFull;
  }

  public void setLastHandledPromoteFull(String lastHandledPromoteFull) {
    this.lastHandledPromoteFull = lastHandledPromoteFull;
  }

  public String getLastHandledAbort() {
    return lastHandledAbort;
  }

  public void setLastHandledAbort(String lastHandledAbort) {
    this.lastHandledAbort = lastHandledAbort;
  }

  public String getLastHandledRetry() {
    return lastHandledRetry;
  }

  public void setLastHandledRetry(String lastHandledRetry) {
    this.lastHandledRetry = lastHandledRetry;
  }

  public AnalysisStatus getAnalysis() {
    return analysis;
  }

  public void setAnalysis(AnalysisStatus analysis) {
    this.analysis = analysis;
  }

  /** {@code fullPromotion}, read as false when absent. */
  public boolean fullPromotionRequested() {
    return Boolean.TRUE.equals(fullPromotion);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RolloutStatus other
        && Objects.equals(phase, other.phase)
        && Objects.equals(stableVersionId, other.stableVersionId)
        && Objects.equals(canaryVersionId, other.canaryVersionId)
        && Objects.equals(step, other.step)
        && Objects.equals(steps, other.steps)
        && Objects.equals(weight, other.weight)
        && Objects.equals(stepStartedAt, other.stepStartedAt)
        && Objects.equals(pausedUntil, other.pausedUntil)
        && Objects.equals(progressingSince, other.progressingSince)
        && Objects.equals(fullPromotion, other.fullPromotion)
        && Objects.equals(abortReason, other.abortReason)
        && Objects.equals(message, other.message)
        && Objects.equals(lastHandledPromote, other.lastHandledPromote)
        && Objects.equals(lastHandledPromoteFull, other.lastHandledPromoteFull)
        && Objects.equals(lastHandledAbort, other.lastHandledAbort)
        && Objects.equals(lastHandledRetry, other.lastHandledRetry)
        && Objects.equals(analysis, other.analysis);
  }

  @Override
  public int hashCode() {
    return Objects.hash(phase, canaryVersionId, step, stepStartedAt);
  }

  @Override
  public String toString() {
    return phase
        + " "
        + canaryVersionId
        + " step "
        + step
        + "/"
        + steps
        + " weight "
        + weight
        + (fullPromotionRequested() ? " full" : "")
        + " startedAt "
        + stepStartedAt
        + " pausedUntil "
        + pausedUntil
        + " progressingSince "
        + progressingSince
        + (abortReason == null ? "" : " abort " + abortReason);
  }
}
