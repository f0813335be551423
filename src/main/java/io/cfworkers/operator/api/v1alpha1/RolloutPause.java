package io.cfworkers.operator.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Objects;

/**
 * How long a rollout step holds once its split is live: {@code duration} ends it by itself; an
 * empty pause ({@code {}}) waits for a promote request.
 */
public class RolloutPause {
  /**
   * A Kubernetes/Go-style duration limited to the units h, m, s and ms: one or more numbers (an
   * optional decimal fraction) each followed by a unit, e.g. 20s, 10m, 1h30m, 1.5h, 500ms.
   */
  public static final String DURATION_PATTERN = "^([0-9]+([.][0-9]+)?(ms|h|m|s))+$";

  @JsonPropertyDescription(
      "How long the step holds once its split is live, e.g. 20s, 10m or 1h30m (units h, m, s,"
          + " ms). Absent: the step holds until a promote request (annotation"
          + " cfworkers.io/promote).")
  @Size(max = 64)
  @ValidationRule(
      value = "self.matches('" + DURATION_PATTERN + "')",
      message = "must be a duration such as 20s, 10m or 1h30m" + " (units h, m, s, ms)")
  private String duration;

  public RolloutPause() {}

  public RolloutPause(String duration) {
    this.duration = duration;
  }

  public String getDuration() {
    return duration;
  }

  public void setDuration(String duration) {
    this.duration = duration;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RolloutPause other && Objects.equals(duration, other.duration);
  }

  @Override
  public int hashCode() {
    return Objects.hashCode(duration);
  }
}
