package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Required;
import java.util.Objects;

/** One step of a rollout: the new version's share of traffic, then a pause. */
public class RolloutStep {
  /** Smallest and largest weight a step may give the new version (100 is the end of a rollout). */
  public static final double MIN_WEIGHT = 0.01;

  public static final double MAX_WEIGHT = 99.99;

  @JsonPropertyDescription(
      "Share of traffic, in percent, the new version serves during this step: a number in"
          + " [0.01, 99.99], greater than the previous step's. The version serving the most traffic"
          + " when the rollout started serves the rest.")
  @Required
  @Min(MIN_WEIGHT)
  @Max(MAX_WEIGHT)
  private Double weight;

  @JsonPropertyDescription(
      "How long the step holds once its split is live: {duration: 10m} ends by itself, {} waits"
          + " for a promote request. Absent: no pause, the next step starts as soon as this"
          + " step's split is live.")
  private RolloutPause pause;

  public RolloutStep() {}

  public RolloutStep(Double weight, RolloutPause pause) {
    this.weight = weight;
    this.pause = pause;
  }

  public Double getWeight() {
    return weight;
  }

  public void setWeight(Double weight) {
    this.weight = weight;
  }

  public RolloutPause getPause() {
    return pause;
  }

  public void setPause(RolloutPause pause) {
    this.pause = pause;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RolloutStep other
        && Objects.equals(weight, other.weight)
        && Objects.equals(pause, other.pause);
  }

  @Override
  public int hashCode() {
    return Objects.hash(weight, pause);
  }
}
