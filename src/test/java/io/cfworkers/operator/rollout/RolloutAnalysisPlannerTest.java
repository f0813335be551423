package io.cfworkers.operator.rollout;

import static io.cfworkers.operator.api.v1alpha1.RolloutStatus.ABORTED;
import static io.cfworkers.operator.api.v1alpha1.RolloutStatus.PAUSED;
import static io.cfworkers.operator.api.v1alpha1.RolloutStatus.PROGRESSING;
import static io.cfworkers.operator.rollout.RolloutFixtures.d;
import static io.cfworkers.operator.rollout.RolloutFixtures.pausedAtStep1;
import static io.cfworkers.operator.rollout.RolloutFixtures.status;
import static io.cfworkers.operator.rollout.RolloutFixtures.ts;
import static io.cfworkers.operator.rollout.RolloutFixtures.twoSteps;
import static io.cfworkers.operator.rollout.RolloutFixtures.waitingAtStep2;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.AnalysisMeasurement;
import io.cfworkers.operator.api.v1alpha1.AnalysisSpec;
import io.cfworkers.operator.api.v1alpha1.AnalysisStatus;
import io.cfworkers.operator.api.v1alpha1.RolloutSpec;
import io.cfworkers.operator.api.v1alpha1.RolloutStatus;
import io.cfworkers.operator.rollout.RolloutDecision.RolloutEvent;
import io.cfworkers.operator.rollout.RolloutFixtures.In;
import io.cfworkers.operator.rollout.analysis.AnalysisWindow;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The rollout planner with spec.rollout.analysis (the defaults: interval 1m, window 5m, delay 3m,
 * minRequests 100, maxErrorRate 1%, failureLimit 0), one row per transition: what is created, the
 * phase, the condition's reason, the events, the window asked to be measured ("-" for none) and
 * when to look again. Steps: 10% paused 10m (live at T0), then 50% until promoted.
 */
class RolloutAnalysisPlannerTest {
  private static final String NONE = "-";

  /** Step 1 (10%) live since T0 with analysis (failureLimit 0), 90/10 served. */
  static In in() {
    return RolloutFixtures.in()
        .spec(withAnalysis(0))
        .live("aaaaaaaa", 90, "cccccccc", 10)
        .previous(pausedAtStep1());
  }

  static RolloutSpec withAnalysis(int failureLimit) {
    RolloutSpec spec = twoSteps();
    AnalysisSpec analysis = new AnalysisSpec();
    analysis.setFailureLimit(failureLimit);
    spec.setAnalysis(analysis);
    return spec;
  }

  /**
   * The analysis of the step live since {@code stepStart}: counts, and the last measurement's
   * result and time.
   */
  static AnalysisStatus analysis(
      String stepStart,
      int successful,
      int failed,
      int inconclusive,
      int errors,
      int inconclusiveInARow,
      int errorsInARow,
      String lastResult,
      String takenAt) {
    AnalysisStatus a = new AnalysisStatus();
    a.setStepStartedAt(ts(stepStart));
    a.setSuccessful(successful);
    a.setFailed(failed);
    a.setInconclusive(inconclusive);
    a.setErrors(errors);
    a.setConsecutiveInconclusive(inconclusiveInARow);
    a.setConsecutiveErrors(errorsInARow);
    AnalysisMeasurement m = new AnalysisMeasurement();
    m.setTakenAt(ts(takenAt));
    m.setResult(lastResult);
    m.setMessage(lastResult + ": canary cccccccc had 60 errors in 1200 requests (5.00%)");
    a.setLastMeasurement(m);
    return a;
  }

  static Stream<Arguments> transitions() {
    return Stream.of(
        row(
            "step just live → counts start at zero, first window due after window + delay",
            in().previous(status(PROGRESSING, 1, 2, s -> s.setProgressingSince(ts("0s"))))
                .now("0s"),
            NONE,
            PAUSED,
            "RolloutPaused",
            List.of("StepLive", "RolloutPaused"),
            NONE,
            Optional.of(d("8m")),
            d ->
                assertAll(
                    () -> assertEquals(ts("0s"), d.status().getAnalysis().getStepStartedAt()),
                    () -> assertNull(d.status().getAnalysis().getLastMeasurement()))),
        row(
            "nothing measurable yet (the window would start before the step) → wait",
            in().now("7m"),
            NONE,
            PAUSED,
            "RolloutPaused",
            List.of(),
            NONE,
            Optional.of(d("1m")),
            d -> {}),
        row(
            "first window due → measure [now-8m, now-3m], look again after the interval",
            in().now("8m"),
            NONE,
            PAUSED,
            "RolloutPaused",
            List.of(),
            ts("0s") + "/" + ts("5m"),
            Optional.of(d("1m")),
            d -> {}),
        row(
            "successful, pause still running → hold until the pause ends, measure on",
            in().now("8m").analysis(analysis("0s", 1, 0, 0, 0, 0, 0, "Successful", "8m")),
            NONE,
            PAUSED,
            "RolloutPaused",
            List.of(),
            NONE,
            Optional.of(d("1m")),
            d ->
                assertTrue(
                    d.status().getMessage().contains("1 successful, waiting for the pause to end"),
                    d.status().getMessage())),
        row(
            "pause over with a successful measurement → step 2",
            in().now("10m").analysis(analysis("0s", 2, 0, 0, 0, 0, 0, "Successful", "9m")),
            "aaaaaaaa@50,cccccccc@50",
            PROGRESSING,
            "RolloutProgressing",
            List.of("AnalysisPassed", "StepStarted"),
            NONE,
            Optional.of(d("30m")),
            d -> {}),
        row(
            "pause over without a successful measurement → held for analysis (no pause left)",
            in().now("10m").analysis(analysis("0s", 0, 0, 1, 0, 1, 0, "Inconclusive", "9m")),
            NONE,
            PAUSED,
            "Analysing",
            List.of(),
            ts("2m") + "/" + ts("7m"),
            Optional.of(d("1m")),
            d -> assertNull(d.status().getPausedUntil())),
        row(
            "one failed measurement, failureLimit 0 → abort to stable with the numbers",
            in().now("8m").analysis(analysis("0s", 0, 1, 0, 0, 0, 0, "Failed", "8m")),
            "aaaaaaaa@100",
            ABORTED,
            "AnalysisFailed",
            List.of("AnalysisFailed"),
            NONE,
            Optional.empty(),
            d ->
                assertAll(
                    () ->
                        assertEquals(
                            RolloutStatus.ABORT_ANALYSIS_FAILED, d.status().getAbortReason()),
                    () ->
                        assertTrue(
                            d.status().getMessage().contains("60 errors in 1200 requests (5.00%)"),
                            d.status().getMessage()),
                    () -> assertEquals(1, d.status().getAnalysis().getFailed()))),
        row(
            "one failed measurement, failureLimit 1 → tolerated, measuring on",
            in().spec(withAnalysis(1))
                .now("9m")
                .analysis(analysis("0s", 0, 1, 0, 0, 0, 0, "Failed", "8m")),
            NONE,
            PAUSED,
            "RolloutPaused",
            List.of(),
            ts("1m") + "/" + ts("6m"),
            Optional.of(d("1m")),
            d -> {}),
        row(
            "two failed measurements, failureLimit 1 → abort",
            in().spec(withAnalysis(1))
                .now("9m")
                .analysis(analysis("0s", 1, 2, 0, 0, 0, 0, "Failed", "9m")),
            "aaaaaaaa@100",
            ABORTED,
            "AnalysisFailed",
            List.of("AnalysisFailed"),
            NONE,
            Optional.empty(),
            d -> {}),
        row(
            "third inconclusive in a row just measured → wait for a human, say so once",
            in().now("12m").analysis(analysis("0s", 0, 0, 3, 0, 3, 0, "Inconclusive", "12m")),
            NONE,
            PAUSED,
            "InconclusiveAnalysis",
            List.of("InconclusiveAnalysis"),
            NONE,
            Optional.empty(),
            d ->
                assertTrue(
                    d.status().getMessage().contains("cfworkers.io/promote"),
                    d.status().getMessage())),
        row(
            "waiting for a human: nothing more is measured, no event repeated",
            in().now("20m").analysis(analysis("0s", 0, 0, 3, 0, 3, 0, "Inconclusive", "12m")),
            NONE,
            PAUSED,
            "InconclusiveAnalysis",
            List.of(),
            NONE,
            Optional.empty(),
            d -> {}),
        row(
            "a successful result after inconclusive ones ends the run of them",
            in().now("10m").analysis(analysis("0s", 1, 0, 2, 0, 0, 0, "Successful", "10m")),
            "aaaaaaaa@50,cccccccc@50",
            PROGRESSING,
            "RolloutProgressing",
            List.of("AnalysisPassed", "StepStarted"),
            NONE,
            Optional.of(d("30m")),
            d -> {}),
        row(
            "third failed query in a row → wait for a human with Cloudflare's message",
            in().now("11m").analysis(analysis("0s", 0, 0, 0, 3, 0, 3, "Error", "11m")),
            NONE,
            PAUSED,
            "AnalysisQueryFailed",
            List.of("AnalysisQueryFailed"),
            NONE,
            Optional.empty(),
            d -> {}),
        row(
            "waiting for a human, promoted → step 2",
            in().now("20m")
                .analysis(analysis("0s", 0, 0, 3, 0, 3, 0, "Inconclusive", "12m"))
                .annotate(RolloutAnnotations.PROMOTE, "go"),
            "aaaaaaaa@50,cccccccc@50",
            PROGRESSING,
            "RolloutProgressing",
            List.of("Promoted", "StepStarted"),
            NONE,
            Optional.of(d("30m")),
            d -> {}),
        row(
            "waiting for a human, aborted → stable",
            in().now("20m")
                .analysis(analysis("0s", 0, 0, 3, 0, 3, 0, "Inconclusive", "12m"))
                .annotate(RolloutAnnotations.ABORT, "stop"),
            "aaaaaaaa@100",
            ABORTED,
            "RolloutAborted",
            List.of("RolloutAborted"),
            NONE,
            Optional.empty(),
            d -> {}),
        row(
            "promote-only step with successful measurements → still waits for the promote",
            in().previous(waitingAtStep2())
                .live("aaaaaaaa", 50, "cccccccc", 50)
                .now("30m")
                .analysis(analysis("11m", 5, 0, 0, 0, 0, 0, "Successful", "29m30s")),
            NONE,
            PAUSED,
            "WaitingForPromotion",
            List.of(),
            NONE,
            Optional.of(d("30s")),
            d -> {}),
        row(
            "promote-only step, a failed measurement → aborted without waiting for a person",
            in().previous(waitingAtStep2())
                .live("aaaaaaaa", 50, "cccccccc", 50)
                .now("30m")
                .analysis(analysis("11m", 5, 1, 0, 0, 0, 0, "Failed", "30m")),
            "aaaaaaaa@100",
            ABORTED,
            "AnalysisFailed",
            List.of("AnalysisFailed"),
            NONE,
            Optional.empty(),
            d -> {}),
        row(
            "counts of step 1 while step 2 goes live → step 2 counts from zero",
            in().previous(
                    status(
                        PROGRESSING,
                        2,
                        2,
                        s -> {
                          s.setWeight(10.0);
                          s.setProgressingSince(ts("10m"));
                        }))
                .analysis(analysis("0s", 2, 0, 0, 0, 0, 0, "Successful", "9m"))
                .live("aaaaaaaa", 50, "cccccccc", 50)
                .now("11m"),
            NONE,
            PAUSED,
            "WaitingForPromotion",
            List.of("StepLive", "RolloutPaused"),
            NONE,
            Optional.of(d("8m")),
            d ->
                assertAll(
                    () -> assertEquals(ts("11m"), d.status().getAnalysis().getStepStartedAt()),
                    () -> assertNull(d.status().getAnalysis().getSuccessful()))),
        row(
            "suspended → nothing measured",
            in().now("8m").suspended(),
            NONE,
            PAUSED,
            "Suspended",
            List.of(),
            NONE,
            Optional.empty(),
            d -> {}),
        row(
            "drift during the step → restored first, nothing measured meanwhile",
            in().now("8m").live("aaaaaaaa", 100),
            "aaaaaaaa@90,cccccccc@10",
            PROGRESSING,
            "RolloutProgressing",
            List.of("DriftDetected"),
            NONE,
            Optional.of(d("30m")),
            d -> {}));
  }

  static Arguments row(
      String reason,
      In in,
      String create,
      String phase,
      String condition,
      List<String> events,
      String measure,
      Optional<java.time.Duration> lookAgain,
      Consumer<RolloutDecision> more) {
    return Arguments.of(
        reason, in.input(), create, phase, condition, events, measure, lookAgain, more);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transitions")
  void plansTheTransition(
      String reason,
      RolloutInput input,
      String create,
      String phase,
      String condition,
      List<String> events,
      String measure,
      Optional<java.time.Duration> lookAgain,
      Consumer<RolloutDecision> more) {
    RolloutDecision d = RolloutPlanner.plan(input);
    assertAll(
        () ->
            assertEquals(
                create,
                d.create().map(c -> RolloutPlanner.describe(c.versions())).orElse(NONE),
                "create"),
        () -> assertEquals(phase, d.status() == null ? null : d.status().getPhase(), "phase"),
        () ->
            assertEquals(
                condition, d.condition() == null ? null : d.condition().reason(), "condition"),
        () ->
            assertEquals(events, d.events().stream().map(RolloutEvent::reason).toList(), "events"),
        () ->
            assertEquals(
                measure,
                d.measure().map(RolloutAnalysisPlannerTest::window).orElse(NONE),
                "measure"),
        () -> assertEquals(lookAgain, d.lookAgainAfter(), "look again"),
        () -> more.accept(d));
  }

  static Stream<Arguments> dueFromStatus() {
    return Stream.of(
        Arguments.of("first window due", in().now("8m"), true),
        Arguments.of("window would start before the step", in().now("7m"), false),
        Arguments.of(
            "measured less than an interval ago",
            in().now("8m30s").analysis(analysis("0s", 1, 0, 0, 0, 0, 0, "Successful", "8m")),
            false),
        Arguments.of(
            "an interval after the last measurement",
            in().now("9m").analysis(analysis("0s", 1, 0, 0, 0, 0, 0, "Successful", "8m")),
            true),
        Arguments.of(
            "a promote to handle",
            in().now("8m").annotate(RolloutAnnotations.PROMOTE, "go"),
            false),
        Arguments.of(
            "waiting for a person",
            in().now("20m").analysis(analysis("0s", 0, 0, 3, 0, 3, 0, "Inconclusive", "12m")),
            false),
        Arguments.of("held", in().now("8m").annotate(RolloutAnnotations.HOLD, "incident"), false),
        Arguments.of(
            "step not live",
            in().now("8m")
                .previous(status(PROGRESSING, 1, 2, s -> s.setProgressingSince(ts("0s")))),
            false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dueFromStatus")
  void tellsFromStatusAloneWhetherAMeasurementIsDue(String reason, In in, boolean due) {
    assertEquals(due, RolloutPlanner.measurementDue(in.input()), reason);
    if (due) {
      // The full plan agrees: it asks for that measurement.
      assertTrue(RolloutPlanner.plan(in.input()).measure().isPresent(), reason);
    }
  }

  private static String window(AnalysisWindow.Due due) {
    return due.start() + "/" + due.end();
  }
}
