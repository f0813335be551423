package io.cfworkers.operator.rollout.analysis;

import io.cfworkers.operator.rollout.RolloutDurations;
import java.time.Duration;

/**
 * Reads the Kubernetes/Go-style durations the CRD admits ({@code 30s}, {@code 5m}, {@code 1m30s},
 * {@code 1.5h}, {@code 250ms}): one or more numbers, each with a unit h, m, s or ms. The CRD's CEL
 * rules read the same strings with {@code duration()}, so both agree on what a value means. The
 * parsing is {@link RolloutDurations}'s; this class words the analysis fields' errors.
 */
public final class GoDuration {
  private GoDuration() {}

  /**
   * Parses {@code text}.
   *
   * @param field the field the value came from, named in the error
   * @throws IllegalArgumentException naming the field and the rule when the text is not such a
   *     duration
   */
  public static Duration parse(String field, String text) {
    return RolloutDurations.read(
        text,
        () ->
            new IllegalArgumentException(
                field
                    + " must be a duration such as 30s, 5m or 1m30s (units h, m, s, ms), not \""
                    + text
                    + "\""),
        () ->
            new IllegalArgumentException(
                field + " is too long a duration (at most about 2562047h), not \"" + text + "\""));
  }

  /** Renders a duration the way the CRD takes it, e.g. {@code 1m30s}, {@code 5m}, {@code 0s}. */
  public static String format(Duration duration) {
    if (duration.isZero()) {
      return "0s";
    }
    StringBuilder out = new StringBuilder();
    long hours = duration.toHours();
    int minutes = duration.toMinutesPart();
    int seconds = duration.toSecondsPart();
    int millis = duration.toMillisPart();
    if (hours > 0) {
      out.append(hours).append('h');
    }
    if (minutes > 0) {
      out.append(minutes).append('m');
    }
    if (seconds > 0) {
      out.append(seconds).append('s');
    }
    if (millis > 0) {
      out.append(millis).append("ms");
    }
    return out.toString();
  }
}
