package io.cfworkers.operator.rollout.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.AnalysisMeasurement;
import io.cfworkers.operator.api.v1alpha1.AnalysisSpec;
import io.cfworkers.operator.api.v1alpha1.AnalysisStatus;
import io.cfworkers.operator.rollout.analysis.Measurement.Counts;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AnalysisRulesTest {
  static final String CANARY = "7a3c0b4e-1f2d-4c5b-9e8f-0a1b2c3d4e5f";
  static final String STABLE = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";
  static final Instant STEP = Instant.parse("2026-11-29T12:00:00Z");
  static final Instant OTHER_STEP = Instant.parse("2026-11-29T11:30:00Z");
  static final AnalysisWindow.Due WINDOW =
      new AnalysisWindow.Due(
          Instant.parse("2026-11-29T12:00:00Z"), Instant.parse("2026-11-29T12:05:00Z"));

  /** minRequests 100, maxErrorRate 1%, failureLimit 0. */
  static final AnalysisSettings DEFAULTS = AnalysisSettings.defaults();

  static AnalysisSettings with(double maxErrorRate, int failureLimit) {
    return new AnalysisSettings(
        Duration.ofMinutes(1),
        Duration.ofMinutes(5),
        Duration.ofMinutes(3),
        100,
        maxErrorRate,
        failureLimit);
  }

  static Measurement measured(long requests, long errors) {
    return measured(new Counts(requests, errors), new Counts(10_000, 10));
  }

  static Measurement measured(Counts canary, Counts stable) {
    return new Measurement(WINDOW.start(), WINDOW.end(), CANARY, canary, STABLE, stable);
  }

  static Stream<Arguments> verdicts() {
    return Stream.of(
        Arguments.of(
            "no canary traffic at all: never judged on no data",
            DEFAULTS,
            measured(0, 0),
            AnalysisResult.INCONCLUSIVE,
            "canary 7a3c0b4e had 0 errors in 0 requests from"),
        Arguments.of(
            "one request fewer than minRequests, even when all of them failed",
            DEFAULTS,
            measured(99, 99),
            AnalysisResult.INCONCLUSIVE,
            "fewer than minRequests 100"),
        Arguments.of(
            "exactly minRequests without errors",
            DEFAULTS,
            measured(100, 0),
            AnalysisResult.SUCCESSFUL,
            "0 errors in 100 requests (0.00%)"),
        Arguments.of(
            "error rate exactly at maxErrorRate passes",
            DEFAULTS,
            measured(1000, 10),
            AnalysisResult.SUCCESSFUL,
            "within maxErrorRate 1%"),
        Arguments.of(
            "error rate just above maxErrorRate fails",
            DEFAULTS,
            measured(1000, 11),
            AnalysisResult.FAILED,
            "11 errors in 1000 requests (1.10%)"),
        Arguments.of(
            "a canary throwing on 5% of requests fails, with the numbers",
            DEFAULTS,
            measured(10_000, 500),
            AnalysisResult.FAILED,
            "Failed: canary 7a3c0b4e had 500 errors in 10000 requests (5.00%) from"
                + " 2026-11-29T12:00:00Z to 2026-11-29T12:05:00Z, above maxErrorRate 1%; stable"
                + " 182bd5e5 had 10 errors in 10000 requests (0.10%)"),
        Arguments.of(
            "maxErrorRate 0: a single error fails",
            with(0, 0),
            measured(5000, 1),
            AnalysisResult.FAILED,
            "above maxErrorRate 0%"),
        Arguments.of(
            "one error and one request read as such",
            new AnalysisSettings(
                Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(3), 1, 100, 0),
            measured(new Counts(1, 1), new Counts(960, 1)),
            AnalysisResult.SUCCESSFUL,
            "canary 7a3c0b4e had 1 error in 1 request (100.00%) from 2026-11-29T12:00:00Z to"
                + " 2026-11-29T12:05:00Z, within maxErrorRate 100%; stable 182bd5e5 had 1 error"
                + " in 960 requests (0.10%)"),
        Arguments.of(
            "maxErrorRate 100: even all requests failing passes",
            with(100, 0),
            measured(200, 200),
            AnalysisResult.SUCCESSFUL,
            "(100.00%)"),
        Arguments.of(
            "fractional maxErrorRate 0.5",
            with(0.5, 0),
            measured(1000, 6),
            AnalysisResult.FAILED,
            "above maxErrorRate 0.5%"),
        Arguments.of(
            "the stable version's errors do not fail the canary",
            DEFAULTS,
            measured(new Counts(1000, 0), new Counts(1000, 900)),
            AnalysisResult.SUCCESSFUL,
            "stable 182bd5e5 had 900 errors in 1000 requests (90.00%)"),
        Arguments.of(
            "stable without requests is shown without a rate",
            DEFAULTS,
            measured(new Counts(1000, 0), Counts.NONE),
            AnalysisResult.SUCCESSFUL,
            "stable 182bd5e5 had 0 errors in 0 requests"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("verdicts")
  void judgesAMeasurement(
      String reason,
      AnalysisSettings settings,
      Measurement measurement,
      AnalysisResult expected,
      String messagePart) {
    AnalysisVerdict verdict = AnalysisRules.judge(measurement, settings);
    assertEquals(expected, verdict.result());
    assertTrue(verdict.message().contains(messagePart), () -> "message was: " + verdict.message());
  }

  // --- counting ---------------------------------------------------------------------------

  static AnalysisVerdict verdict(char code) {
    return switch (code) {
      case 'S' -> AnalysisRules.judge(measured(1000, 0), DEFAULTS);
      case 'F' -> AnalysisRules.judge(measured(1000, 50), DEFAULTS);
      case 'I' -> AnalysisRules.judge(measured(10, 0), DEFAULTS);
      case 'E' ->
          AnalysisRules.error(
              WINDOW,
              new AnalyticsError(
                  AnalyticsError.Kind.PERMISSION, "authz", "not authorized to read analytics"));
      default -> throw new IllegalArgumentException(String.valueOf(code));
    };
  }

  /** The status after measuring {@code results} (S, F, I, E) in a step, one minute apart. */
  static AnalysisStatus after(AnalysisStatus start, Instant step, String results) {
    AnalysisStatus status = start;
    Instant takenAt = step.plus(Duration.ofMinutes(8));
    for (char c : results.toCharArray()) {
      status = AnalysisRules.record(status, step, verdict(c), takenAt);
      takenAt = takenAt.plus(Duration.ofMinutes(1));
    }
    return status;
  }

  static Stream<Arguments> countings() {
    return Stream.of(
        Arguments.of("one successful", "S", List.of(1, 0, 0, 0, 0, 0)),
        Arguments.of("each result once", "SFIE", List.of(1, 1, 1, 1, 0, 1)),
        Arguments.of("inconclusive in a row", "III", List.of(0, 0, 3, 0, 3, 0)),
        Arguments.of("a success breaks a run of inconclusive", "IISI", List.of(1, 0, 3, 0, 1, 0)),
        Arguments.of("an inconclusive breaks a run of errors", "EEIE", List.of(0, 0, 1, 3, 0, 1)),
        Arguments.of("an error breaks a run of inconclusive", "IIE", List.of(0, 0, 2, 1, 0, 1)),
        Arguments.of("failures add up across successes", "FSF", List.of(1, 2, 0, 0, 0, 0)));
  }

  /**
   * Counts: successful, failed, inconclusive, errors, consecutiveInconclusive, consecutiveErrors.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("countings")
  void countsMeasurementsOfAStep(String reason, String results, List<Integer> expected) {
    AnalysisStatus status = after(null, STEP, results);
    assertEquals(expected, counts(status));
    assertEquals(STEP.toString(), status.getStepStartedAt());
  }

  static List<Integer> counts(AnalysisStatus s) {
    return List.of(
        s.getSuccessful(),
        s.getFailed(),
        s.getInconclusive(),
        s.getErrors(),
        s.getConsecutiveInconclusive(),
        s.getConsecutiveErrors());
  }

  @Test
  void countingStartsFromZeroInANewStep() {
    AnalysisStatus previousStep = after(null, OTHER_STEP, "SFIIEE");
    AnalysisStatus next =
        AnalysisRules.record(previousStep, STEP, verdict('I'), STEP.plusSeconds(480));
    assertEquals(List.of(0, 0, 1, 0, 1, 0), counts(next));
    assertEquals(STEP.toString(), next.getStepStartedAt());
  }

  @Test
  void recordingLeavesThePreviousStatusUntouched() {
    AnalysisStatus before = after(null, STEP, "S");
    AnalysisStatus copy = new AnalysisStatus(before);
    AnalysisRules.record(before, STEP, verdict('F'), STEP.plusSeconds(600));
    assertEquals(copy, before);
  }

  @Test
  void lastMeasurementCarriesTheWindowNumbersAndRates() {
    Instant takenAt = Instant.parse("2026-11-29T12:08:00Z");
    AnalysisStatus status =
        AnalysisRules.record(
            null,
            STEP,
            AnalysisRules.judge(measured(new Counts(3, 1), new Counts(10_000, 7)), with(1, 0)),
            takenAt);
    AnalysisMeasurement last = status.getLastMeasurement();
    assertEquals("2026-11-29T12:08:00Z", last.getTakenAt());
    assertEquals("2026-11-29T12:00:00Z", last.getWindowStart());
    assertEquals("2026-11-29T12:05:00Z", last.getWindowEnd());
    assertEquals(3L, last.getCanaryRequests());
    assertEquals(1L, last.getCanaryErrors());
    assertEquals(33.3333, last.getCanaryErrorRate());
    assertEquals(10_000L, last.getStableRequests());
    assertEquals(7L, last.getStableErrors());
    assertEquals(0.07, last.getStableErrorRate());
    assertEquals("Inconclusive", last.getResult());
  }

  @Test
  void anErrorIsRecordedWithCloudflaresMessageAndNoNumbers() {
    AnalysisStatus status = after(null, STEP, "E");
    AnalysisMeasurement last = status.getLastMeasurement();
    assertEquals("Error", last.getResult());
    assertEquals(
        "Analytics query failed: authz: not authorized to read analytics", last.getMessage());
    assertNull(last.getCanaryRequests());
    assertNull(last.getCanaryErrorRate());
    assertEquals("2026-11-29T12:05:00Z", last.getWindowEnd());
  }

  @Test
  void theNextWindowIsPlannedFromTheStepsLastMeasurementOnly() {
    AnalysisStatus status = after(null, STEP, "S"); // taken at 12:08
    assertEquals(
        new AnalysisWindow.NotYet(Instant.parse("2026-11-29T12:09:00Z")),
        AnalysisRules.plan(STEP.plusSeconds(500), STEP, status, DEFAULTS));
    AnalysisStatus otherStep = after(null, OTHER_STEP, "S"); // taken at 11:38
    assertInstanceOf(
        AnalysisWindow.Due.class,
        AnalysisRules.plan(STEP.plusSeconds(480), STEP, otherStep, DEFAULTS));
  }

  // --- deciding ---------------------------------------------------------------------------

  static Stream<Arguments> decisions() {
    return Stream.of(
        Arguments.of(
            "no measurement yet: never advance on no data",
            DEFAULTS,
            "",
            true,
            AnalysisDecision.Hold.class,
            null),
        Arguments.of(
            "pause over and a successful measurement",
            DEFAULTS,
            "S",
            true,
            AnalysisDecision.Advance.class,
            null),
        Arguments.of(
            "successful but the pause is not over",
            DEFAULTS,
            "S",
            false,
            AnalysisDecision.Hold.class,
            null),
        Arguments.of(
            "pause over, two inconclusive: wait for data",
            DEFAULTS,
            "II",
            true,
            AnalysisDecision.Hold.class,
            null),
        Arguments.of(
            "pause over, two errors: never advance blind",
            DEFAULTS,
            "EE",
            true,
            AnalysisDecision.Hold.class,
            null),
        Arguments.of(
            "three inconclusive in a row: a human decides",
            DEFAULTS,
            "III",
            false,
            AnalysisDecision.WaitForHuman.class,
            "InconclusiveAnalysis"),
        Arguments.of(
            "three errors in a row: a human decides, with Cloudflare's message",
            DEFAULTS,
            "EEE",
            true,
            AnalysisDecision.WaitForHuman.class,
            "AnalysisQueryFailed"),
        Arguments.of(
            "inconclusive runs broken by an error never reach three",
            DEFAULTS,
            "IIEII",
            true,
            AnalysisDecision.Hold.class,
            null),
        Arguments.of(
            "a success earlier in the step lets it advance after inconclusive ones",
            DEFAULTS,
            "SII",
            true,
            AnalysisDecision.Advance.class,
            null),
        Arguments.of(
            "first failure with failureLimit 0 aborts",
            DEFAULTS,
            "F",
            false,
            AnalysisDecision.Abort.class,
            "AnalysisFailed"),
        Arguments.of(
            "a failure beats an earlier success",
            DEFAULTS,
            "SF",
            true,
            AnalysisDecision.Abort.class,
            "AnalysisFailed"),
        Arguments.of(
            "one failure within failureLimit 1 holds",
            with(1, 1),
            "F",
            true,
            AnalysisDecision.Hold.class,
            null),
        Arguments.of(
            "failure within failureLimit 1, then success: advance",
            with(1, 1),
            "FS",
            true,
            AnalysisDecision.Advance.class,
            null),
        Arguments.of(
            "second failure is more than failureLimit 1: abort",
            with(1, 1),
            "FSF",
            true,
            AnalysisDecision.Abort.class,
            "AnalysisFailed"),
        Arguments.of(
            "failures abort even while inconclusive ones pile up",
            DEFAULTS,
            "IIF",
            false,
            AnalysisDecision.Abort.class,
            "AnalysisFailed"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("decisions")
  void decidesWhatTheStepMayDo(
      String reason,
      AnalysisSettings settings,
      String results,
      boolean pauseOver,
      Class<?> expected,
      String expectedReason) {
    AnalysisStatus status = results.isEmpty() ? null : after(null, STEP, results);
    AnalysisDecision decision = AnalysisRules.decide(status, STEP, pauseOver, settings);
    assertEquals(expected, decision.getClass(), decision::message);
    String actualReason = null;
    if (decision instanceof AnalysisDecision.Abort abort) {
      actualReason = abort.reason();
    } else if (decision instanceof AnalysisDecision.WaitForHuman wait) {
      actualReason = wait.reason();
    }
    assertEquals(expectedReason, actualReason);
  }

  @Test
  void abortMessageCarriesTheCanarysRequestsErrorsAndRate() {
    AnalysisStatus status = after(null, STEP, "SF");
    AnalysisDecision.Abort abort =
        assertInstanceOf(
            AnalysisDecision.Abort.class, AnalysisRules.decide(status, STEP, false, DEFAULTS));
    assertEquals(
        "Analysis failed once in this step, more than failureLimit 0. Last: Failed: canary"
            + " 7a3c0b4e had 50 errors in 1000 requests (5.00%) from 2026-11-29T12:00:00Z to"
            + " 2026-11-29T12:05:00Z, above maxErrorRate 1%; stable 182bd5e5 had 10 errors in"
            + " 10000 requests (0.10%)",
        abort.message());
  }

  @Test
  void waitingAfterErrorsQuotesCloudflare() {
    AnalysisDecision decision =
        AnalysisRules.decide(after(null, STEP, "EEE"), STEP, true, DEFAULTS);
    assertTrue(
        decision.message().contains("3 analytics queries in a row failed")
            && decision.message().contains("not authorized to read analytics"),
        decision.message());
  }

  @Test
  void countsOfAnotherStepNeitherAdvanceNorAbortThisOne() {
    AnalysisStatus successes = after(null, OTHER_STEP, "SSS");
    assertInstanceOf(
        AnalysisDecision.Hold.class, AnalysisRules.decide(successes, STEP, true, DEFAULTS));
    AnalysisStatus failures = after(null, OTHER_STEP, "FFF");
    assertInstanceOf(
        AnalysisDecision.Hold.class, AnalysisRules.decide(failures, STEP, true, DEFAULTS));
  }

  @Test
  void haltAfterIsConfigurable() {
    AnalysisStatus once = after(null, STEP, "I");
    assertInstanceOf(
        AnalysisDecision.Hold.class, AnalysisRules.decide(once, STEP, true, DEFAULTS, 2));
    assertInstanceOf(
        AnalysisDecision.WaitForHuman.class, AnalysisRules.decide(once, STEP, true, DEFAULTS, 1));
    assertThrows(
        IllegalArgumentException.class, () -> AnalysisRules.decide(once, STEP, true, DEFAULTS, 0));
  }

  @Test
  void settingsDefaultToTheSpecsDocumentedDefaults() {
    AnalysisSettings settings = AnalysisSettings.of(new AnalysisSpec());
    assertEquals(
        new AnalysisSettings(
            Duration.ofMinutes(1), Duration.ofMinutes(5), Duration.ofMinutes(3), 100, 1.0, 0),
        settings);
  }
}
