package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A progressive rollout of the target version (the single entry of {@code spec.versions}): traffic
 * moves to it step by step, each step holding for its pause, then 100%.
 */
public class RolloutSpec {
  /** Most steps a rollout may have. */
  public static final int MAX_STEPS = 10;

  // CEL has no index range; with at most 10 steps the nine neighbour comparisons are spelt out.
  @JsonPropertyDescription(
      "1 to 10 steps, each the new version's weight (strictly increasing, 0.01 to 99.99) and a"
          + " pause. After the last step the new version serves 100%.")
  @Required
  @Size(min = 1, max = MAX_STEPS)
  @ValidationRule(
      value =
          "true"
              + " && (self.size() < 2 || self[0].weight < self[1].weight)"
              + " && (self.size() < 3 || self[1].weight < self[2].weight)"
              + " && (self.size() < 4 || self[2].weight < self[3].weight)"
              + " && (self.size() < 5 || self[3].weight < self[4].weight)"
              + " && (self.size() < 6 || self[4].weight < self[5].weight)"
              + " && (self.size() < 7 || self[5].weight < self[6].weight)"
              + " && (self.size() < 8 || self[6].weight < self[7].weight)"
              + " && (self.size() < 9 || self[7].weight < self[8].weight)"
              + " && (self.size() < 10 || self[8].weight < self[9].weight)",
      message = "weights must be strictly increasing")
  private List<RolloutStep> steps = new ArrayList<>();

  @JsonPropertyDescription(
      "How long a step's split may take to be live at Cloudflare, e.g. 10m (units h, m, s, ms)."
          + " Exceeded: the rollout is aborted back to the stable version (reason"
          + " ProgressDeadlineExceeded). Paused time never counts. Absent: no deadline.")
  @Size(max = 64)
  @ValidationRule(
      value = "self.matches('" + RolloutPause.DURATION_PATTERN + "')",
      message = "must be a duration such as 20s, 10m or 1h30m (units h, m," + " s, ms)")
  private String progressDeadline;

  @JsonPropertyDescription(
      "An automatic gate on every step: while a step holds, the new version's error rate is"
          + " measured from Cloudflare's analytics, a step advances only once its pause is over"
          + " and a measurement passed, and too many failed measurements abort the rollout back"
          + " to the stable version. `analysis: {}` turns it on with the defaults. Absent: steps"
          + " advance on their pauses alone.")
  private AnalysisSpec analysis;

  public RolloutSpec() {}

  public RolloutSpec(List<RolloutStep> steps, String progressDeadline) {
    this.steps = steps;
    this.progressDeadline = progressDeadline;
  }

  public List<RolloutStep> getSteps() {
    return steps;
  }

  public void setSteps(List<RolloutStep> steps) {
    this.steps = steps;
  }

  public String getProgressDeadline() {
    return progressDeadline;
  }

  public void setProgressDeadline(String progressDeadline) {
    this.progressDeadline = progressDeadline;
  }

  public AnalysisSpec getAnalysis() {
    return analysis;
  }

  public void setAnalysis(AnalysisSpec analysis) {
    this.analysis = analysis;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RolloutSpec other
        && Objects.equals(steps, other.steps)
        && Objects.equals(progressDeadline, other.progressDeadline)
        && Objects.equals(analysis, other.analysis);
  }

  @Override
  public int hashCode() {
    return Objects.hash(steps, progressDeadline, analysis);
  }
}
