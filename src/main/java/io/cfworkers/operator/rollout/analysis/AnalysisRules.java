package io.cfworkers.operator.rollout.analysis;

import io.cfworkers.operator.api.v1alpha1.AnalysisMeasurement;
import io.cfworkers.operator.api.v1alpha1.AnalysisStatus;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/**
 * The rules of the analysis gate, as pure functions:
 *
 * <ol>
 *   <li>{@link #judge}: a measurement is Inconclusive with fewer than {@code minRequests} canary
 *       requests, Failed when the canary's error rate is above {@code maxErrorRate}, else
 *       Successful; {@link #error}: a failed query is an Error.
 *   <li>{@link #record}: the verdict becomes the step's last measurement and is counted; counts
 *       belong to one step (keyed by when it went live) and start from zero in the next.
 *   <li>{@link #decide}: more than {@code failureLimit} failures abort; {@link
 *       #HALT_AFTER_CONSECUTIVE} inconclusive measurements or errors in a row wait for a human; the
 *       step advances only when its pause is over and it has a successful measurement. Never on no
 *       data, never on errors.
 * </ol>
 */
public final class AnalysisRules {

  /**
   * Inconclusive measurements (or failed queries) in a row after which the rollout waits for a
   * human rather than measuring on forever.
   */
  public static final int HALT_AFTER_CONSECUTIVE = 3;

  private AnalysisRules() {}

  /** Judges the numbers of one window. */
  public static AnalysisVerdict judge(Measurement m, AnalysisSettings settings) {
    Measurement.Counts canary = m.canary();
    String numbers = numbers("canary", m.canaryVersionId(), canary) + window(m);
    String comparison = "; " + numbers("stable", m.stableVersionId(), m.stable());
    AnalysisResult result;
    String message;
    if (canary.requests() < settings.minRequests()) {
      result = AnalysisResult.INCONCLUSIVE;
      message =
          "Inconclusive: "
              + numbers
              + ", fewer than minRequests "
              + settings.minRequests()
              + comparison;
    } else if (canary.errorRatePercent() > settings.maxErrorRate()) {
      result = AnalysisResult.FAILED;
      message =
          "Failed: "
              + numbers
              + ", above maxErrorRate "
              + plain(settings.maxErrorRate())
              + "%"
              + comparison;
    } else {
      result = AnalysisResult.SUCCESSFUL;
      message =
          "Successful: "
              + numbers
              + ", within maxErrorRate "
              + plain(settings.maxErrorRate())
              + "%"
              + comparison;
    }
    return new AnalysisVerdict(result, message, m.windowStart(), m.windowEnd(), m, null);
  }

  /** A query over {@code window} that gave no numbers. */
  public static AnalysisVerdict error(AnalysisWindow.Due window, AnalyticsError error) {
    return new AnalysisVerdict(
        AnalysisResult.ERROR,
        "Analytics query failed: " + error.describe(),
        window.start(),
        window.end(),
        null,
        error);
  }

  /**
   * Whether {@code status} holds the counts of the step that went live at {@code stepStartedAt}.
   */
  public static boolean belongsToStep(AnalysisStatus status, Instant stepStartedAt) {
    if (status == null || status.getStepStartedAt() == null) {
      return false;
    }
    try {
      return Instant.parse(status.getStepStartedAt()).equals(stepStartedAt);
    } catch (DateTimeParseException e) {
      return false;
    }
  }

  /** When the step's last measurement was taken, or null if it has none. */
  public static Instant lastMeasuredAt(AnalysisStatus status, Instant stepStartedAt) {
    if (!belongsToStep(status, stepStartedAt) || status.getLastMeasurement() == null) {
      return null;
    }
    try {
      return Instant.parse(status.getLastMeasurement().getTakenAt());
    } catch (DateTimeParseException | NullPointerException e) {
      return null;
    }
  }

  /** Plans the step's next measurement from its status ({@link AnalysisWindow#plan}). */
  public static AnalysisWindow.Plan plan(
      Instant now, Instant stepStartedAt, AnalysisStatus status, AnalysisSettings settings) {
    return AnalysisWindow.plan(now, stepStartedAt, lastMeasuredAt(status, stepStartedAt), settings);
  }

  /**
   * The step's analysis after {@code verdict}: a new object, {@code previous} untouched. When
   * {@code previous} belongs to another step, counting starts from zero.
   *
   * @param previous the analysis status so far, or null
   * @param stepStartedAt when the current step went live
   * @param verdict the new measurement's verdict
   * @param takenAt when it was taken
   */
  public static AnalysisStatus record(
      AnalysisStatus previous, Instant stepStartedAt, AnalysisVerdict verdict, Instant takenAt) {
    AnalysisStatus next =
        belongsToStep(previous, stepStartedAt)
            ? new AnalysisStatus(previous)
            : new AnalysisStatus();
    next.setStepStartedAt(stepStartedAt.toString());
    AnalysisResult result = verdict.result();
    next.setSuccessful(count(next.getSuccessful()) + (result == AnalysisResult.SUCCESSFUL ? 1 : 0));
    next.setFailed(count(next.getFailed()) + (result == AnalysisResult.FAILED ? 1 : 0));
    next.setInconclusive(
        count(next.getInconclusive()) + (result == AnalysisResult.INCONCLUSIVE ? 1 : 0));
    next.setErrors(count(next.getErrors()) + (result == AnalysisResult.ERROR ? 1 : 0));
    next.setConsecutiveInconclusive(
        result == AnalysisResult.INCONCLUSIVE ? count(next.getConsecutiveInconclusive()) + 1 : 0);
    next.setConsecutiveErrors(
        result == AnalysisResult.ERROR ? count(next.getConsecutiveErrors()) + 1 : 0);
    next.setLastMeasurement(toStatus(verdict, takenAt));
    return next;
  }

  /** {@link #decide(AnalysisStatus, Instant, boolean, AnalysisSettings, int)} with the default. */
  public static AnalysisDecision decide(
      AnalysisStatus status, Instant stepStartedAt, boolean pauseOver, AnalysisSettings settings) {
    return decide(status, stepStartedAt, pauseOver, settings, HALT_AFTER_CONSECUTIVE);
  }

  /**
   * What the step's analysis allows now.
   *
   * @param status the analysis status (counts of another step count as none)
   * @param stepStartedAt when the current step went live
   * @param pauseOver whether the step's pause has ended (by time or by a promote)
   * @param settings the analysis settings
   * @param haltAfter inconclusive measurements or errors in a row that make it wait for a human
   */
  public static AnalysisDecision decide(
      AnalysisStatus status,
      Instant stepStartedAt,
      boolean pauseOver,
      AnalysisSettings settings,
      int haltAfter) {
    if (haltAfter < 1) {
      throw new IllegalArgumentException("haltAfter must be at least 1");
    }
    if (!belongsToStep(status, stepStartedAt)) {
      return new AnalysisDecision.Hold("Analysis: no measurement of this step yet");
    }
    int failed = count(status.getFailed());
    AnalysisMeasurement last = status.getLastMeasurement();
    String lastMessage = last == null || last.getMessage() == null ? "" : last.getMessage();
    if (failed > settings.failureLimit()) {
      String lastFailure =
          last != null && AnalysisMeasurement.FAILED.equals(last.getResult())
              ? ". Last: " + lastMessage
              : "";
      return new AnalysisDecision.Abort(
          AnalysisDecision.ANALYSIS_FAILED,
          "Analysis failed "
              + times(failed)
              + " in this step, more than failureLimit "
              + settings.failureLimit()
              + lastFailure);
    }
    int inconclusiveInARow = count(status.getConsecutiveInconclusive());
    if (inconclusiveInARow >= haltAfter) {
      return new AnalysisDecision.WaitForHuman(
          AnalysisDecision.INCONCLUSIVE_ANALYSIS,
          inconclusiveInARow
              + " inconclusive measurements in a row; waiting for a promote or an abort. Last: "
              + lastMessage);
    }
    int errorsInARow = count(status.getConsecutiveErrors());
    if (errorsInARow >= haltAfter) {
      return new AnalysisDecision.WaitForHuman(
          AnalysisDecision.ANALYSIS_QUERY_FAILED,
          errorsInARow
              + " analytics queries in a row failed; waiting for a promote or an abort. Last: "
              + lastMessage);
    }
    int successful = count(status.getSuccessful());
    if (successful == 0) {
      return new AnalysisDecision.Hold(
          "Analysis: no successful measurement in this step yet" + suffix(lastMessage));
    }
    if (!pauseOver) {
      return new AnalysisDecision.Hold(
          "Analysis: "
              + successful
              + " successful, waiting for the pause to end"
              + suffix(lastMessage));
    }
    return new AnalysisDecision.Advance(
        "Analysis: "
            + successful
            + " successful measurement(s) in this step"
            + suffix(lastMessage));
  }

  static AnalysisMeasurement toStatus(AnalysisVerdict verdict, Instant takenAt) {
    AnalysisMeasurement out = new AnalysisMeasurement();
    out.setTakenAt(takenAt.toString());
    out.setWindowStart(verdict.windowStart().toString());
    out.setWindowEnd(verdict.windowEnd().toString());
    out.setResult(verdict.result().statusValue());
    out.setMessage(verdict.message());
    Measurement m = verdict.measurement();
    if (m != null) {
      out.setCanaryRequests(m.canary().requests());
      out.setCanaryErrors(m.canary().errors());
      out.setCanaryErrorRate(rounded(m.canary().errorRatePercent()));
      out.setStableRequests(m.stable().requests());
      out.setStableErrors(m.stable().errors());
      out.setStableErrorRate(rounded(m.stable().errorRatePercent()));
    }
    return out;
  }

  private static String numbers(String role, String versionId, Measurement.Counts counts) {
    Double rate = counts.errorRatePercent();
    return role
        + " "
        + shortId(versionId)
        + " had "
        + count(counts.errors(), "error")
        + " in "
        + count(counts.requests(), "request")
        + (rate == null ? "" : String.format(Locale.ROOT, " (%.2f%%)", rate));
  }

  /** "1 error", "0 errors", "2 errors". */
  private static String count(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private static String window(Measurement m) {
    return " from " + m.windowStart() + " to " + m.windowEnd();
  }

  private static String shortId(String versionId) {
    if (versionId == null) {
      return "?";
    }
    return versionId.length() > 8 ? versionId.substring(0, 8) : versionId;
  }

  private static String plain(double value) {
    return BigDecimal.valueOf(value).stripTrailingZeros().toPlainString();
  }

  private static Double rounded(Double rate) {
    return rate == null ? null : Math.round(rate * 10_000) / 10_000.0;
  }

  private static String times(int n) {
    return n == 1 ? "once" : n + " times";
  }

  private static String suffix(String lastMessage) {
    return lastMessage.isEmpty() ? "" : ". Last: " + lastMessage;
  }

  private static int count(Integer value) {
    return value == null ? 0 : value;
  }
}
