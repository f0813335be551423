package io.cfworkers.operator.rollout.analysis;

import java.time.Instant;
import java.util.Objects;

/**
 * The judgement of one measurement: its result, a message with the numbers (or Cloudflare's
 * message), and what it was based on.
 *
 * @param result the result
 * @param message what the result means, for status and events
 * @param windowStart start of the window measured
 * @param windowEnd end of the window measured
 * @param measurement the numbers; null for {@link AnalysisResult#ERROR}
 * @param error why the query failed; null unless {@link AnalysisResult#ERROR}
 */
public record AnalysisVerdict(
    AnalysisResult result,
    String message,
    Instant windowStart,
    Instant windowEnd,
    Measurement measurement,
    AnalyticsError error) {

  public AnalysisVerdict {
    Objects.requireNonNull(result, "result");
    Objects.requireNonNull(message, "message");
    if ((result == AnalysisResult.ERROR) != (error != null)
        || (result == AnalysisResult.ERROR) == (measurement != null)) {
      throw new IllegalArgumentException(
          "an Error verdict carries an error and no measurement; any other a measurement");
    }
  }
}
