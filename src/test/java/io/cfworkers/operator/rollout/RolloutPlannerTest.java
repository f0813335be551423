package io.cfworkers.operator.rollout;

import static io.cfworkers.operator.api.v1alpha1.RolloutStatus.ABORTED;
import static io.cfworkers.operator.api.v1alpha1.RolloutStatus.COMPLETED;
import static io.cfworkers.operator.api.v1alpha1.RolloutStatus.PAUSED;
import static io.cfworkers.operator.api.v1alpha1.RolloutStatus.PROGRESSING;
import static io.cfworkers.operator.rollout.RolloutFixtures.NEWER;
import static io.cfworkers.operator.rollout.RolloutFixtures.STABLE;
import static io.cfworkers.operator.rollout.RolloutFixtures.d;
import static io.cfworkers.operator.rollout.RolloutFixtures.in;
import static io.cfworkers.operator.rollout.RolloutFixtures.pausedAtStep1;
import static io.cfworkers.operator.rollout.RolloutFixtures.rollout;
import static io.cfworkers.operator.rollout.RolloutFixtures.status;
import static io.cfworkers.operator.rollout.RolloutFixtures.step;
import static io.cfworkers.operator.rollout.RolloutFixtures.stepWithoutPause;
import static io.cfworkers.operator.rollout.RolloutFixtures.ts;
import static io.cfworkers.operator.rollout.RolloutFixtures.waitingAtStep2;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cfworkers.operator.api.v1alpha1.RolloutStatus;
import io.cfworkers.operator.rollout.RolloutDecision.Purpose;
import io.cfworkers.operator.rollout.RolloutDecision.RolloutEvent;
import io.cfworkers.operator.rollout.RolloutFixtures.In;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every transition of the rollout state machine (docs/rollouts.md), one row each: the input, then
 * what is created (stable version first; "-" for nothing), the phase, the step, the condition's
 * reason and the events' reasons.
 */
class RolloutPlannerTest {
  private static final String NONE = "-";

  /** Step 2 of 2 created at T0+10m, its split not live yet. */
  static RolloutStatus progressingToStep2() {
    return status(
        PROGRESSING,
        2,
        2,
        s -> {
          s.setWeight(10.0);
          s.setProgressingSince(ts("10m"));
        });
  }

  static RolloutStatus aborted() {
    return status(
        ABORTED,
        2,
        2,
        s -> {
          s.setWeight(0.0);
          s.setAbortReason(RolloutStatus.ABORT_MANUAL);
          s.setLastHandledAbort("1");
        });
  }

  static Stream<Arguments> transitions() {
    return Stream.of(
        // Start
        row(
            "start: stable serves 100%, new target → step 1's split",
            in(),
            "aaaaaaaa@90,cccccccc@10",
            PROGRESSING,
            1,
            "RolloutProgressing",
            List.of("RolloutStarted", "StepStarted"),
            d -> assertEquals(STABLE, d.status().getStableVersionId())),
        row(
            "start: stable chosen from a 2-version live split (the larger share)",
            in().live("eeeeeeee", 30, "aaaaaaaa", 70),
            "aaaaaaaa@90,cccccccc@10",
            PROGRESSING,
            1,
            "RolloutProgressing",
            List.of("RolloutStarted", "StepStarted"),
            d -> assertEquals(STABLE, d.status().getStableVersionId())),
        row(
            "start: stable chosen from a split where the target has the smaller share",
            in().live("aaaaaaaa", 70, "cccccccc", 30),
            "aaaaaaaa@90,cccccccc@10",
            PROGRESSING,
            1,
            "RolloutProgressing",
            List.of("RolloutStarted", "StepStarted"),
            d -> assertEquals(30.0, d.status().getWeight())),
        row(
            "start: target already serves most traffic → straight to the target, no steps",
            in().live("aaaaaaaa", 20, "cccccccc", 80),
            "cccccccc@100",
            null,
            null,
            null,
            List.of("StraightToTarget"),
            d -> assertEquals(Purpose.DIRECT, d.create().orElseThrow().purpose())),
        row(
            "start: a request made before the rollout is absorbed, not acted on",
            in().annotate(RolloutAnnotations.PROMOTE, "old")
                .annotate(RolloutAnnotations.ABORT, "x"),
            "aaaaaaaa@90,cccccccc@10",
            PROGRESSING,
            1,
            "RolloutProgressing",
            List.of("RolloutStarted", "StepStarted"),
            d ->
                assertAll(
                    () -> assertEquals("old", d.status().getLastHandledPromote()),
                    () -> assertEquals("x", d.status().getLastHandledAbort()))),
        row(
            "no live deployment → deploy the target directly, no rollout",
            in().live(),
            "cccccccc@100",
            null,
            null,
            null,
            List.of(),
            d -> assertEquals(Purpose.DIRECT, d.create().orElseThrow().purpose())),
        row(
            "target already live at 100 → Completed, nothing created",
            in().live("cccccccc", 100),
            NONE,
            COMPLETED,
            2,
            "RolledOut",
            List.of(),
            d -> assertEquals(100.0, d.status().getWeight())),
        // Each step
        row(
            "step 1 waiting: its split not live yet → asked again, look again at the deadline",
            in().previous(status(PROGRESSING, 1, 2, s -> s.setProgressingSince(ts("0s"))))
                .now("1m"),
            "aaaaaaaa@90,cccccccc@10",
            PROGRESSING,
            1,
            "RolloutProgressing",
            List.of(),
            d -> assertEquals(Optional.of(d("29m")), d.lookAgainAfter())),
        row(
            "step 1 observed live → its clock starts, timed pause until +10m",
            in().previous(status(PROGRESSING, 1, 2, s -> s.setProgressingSince(ts("0s"))))
                .live("aaaaaaaa", 90, "cccccccc", 10)
                .now("1m"),
            NONE,
            PAUSED,
            1,
            "RolloutPaused",
            List.of("StepLive", "RolloutPaused"),
            d ->
                assertAll(
                    () -> assertEquals(ts("1m"), d.status().getStepStartedAt()),
                    () -> assertEquals(ts("11m"), d.status().getPausedUntil()),
                    () -> assertNull(d.status().getProgressingSince()),
                    () -> assertEquals(Optional.of(d("10m")), d.lookAgainAfter()))),
        row(
            "timed pause running → nothing, look again when it ends",
            in().previous(pausedAtStep1()).live("aaaaaaaa", 90, "cccccccc", 10).now("4m"),
            NONE,
            PAUSED,
            1,
            "RolloutPaused",
            List.of(),
            d -> assertEquals(Optional.of(d("6m")), d.lookAgainAfter())),
        row(
            "timed pause over → step 2's split",
            in().previous(pausedAtStep1()).live("aaaaaaaa", 90, "cccccccc", 10).now("10m"),
            "aaaaaaaa@50,cccccccc@50",
            PROGRESSING,
            2,
            "RolloutProgressing",
            List.of("StepStarted"),
            d -> assertEquals(2, d.create().orElseThrow().step())),
        row(
            "step 2 observed live → indefinite pause, waiting for promote",
            in().previous(progressingToStep2()).live("aaaaaaaa", 50, "cccccccc", 50).now("11m"),
            NONE,
            PAUSED,
            2,
            "WaitingForPromotion",
            List.of("StepLive", "WaitingForPromotion"),
            d ->
                assertAll(
                    () -> assertNull(d.status().getPausedUntil()),
                    () -> assertEquals(Optional.empty(), d.lookAgainAfter()),
                    () ->
                        assertEquals(
                            "Step 2/2 (50%): waiting for promote", d.status().getMessage()))),
        row(
            "indefinite pause, a day later, no promote → still waiting",
            in().previous(waitingAtStep2()).live("aaaaaaaa", 50, "cccccccc", 50).now("24h"),
            NONE,
            PAUSED,
            2,
            "WaitingForPromotion",
            List.of(),
            d -> {}),
        row(
            "step without a pause → the next step as soon as it is live",
            in().spec(rollout(null, stepWithoutPause(10), step(50, null)))
                .previous(status(PROGRESSING, 1, 2, s -> s.setProgressingSince(ts("0s"))))
                .live("aaaaaaaa", 90, "cccccccc", 10),
            "aaaaaaaa@50,cccccccc@50",
            PROGRESSING,
            2,
            "RolloutProgressing",
            List.of("StepLive", "StepStarted"),
            d -> {}),
        // Promote, promote-full
        row(
            "promote during the last step's pause → canary@100",
            in().previous(waitingAtStep2())
                .live("aaaaaaaa", 50, "cccccccc", 50)
                .annotate(RolloutAnnotations.PROMOTE, "1")
                .now("20m"),
            "cccccccc@100",
            PROGRESSING,
            2,
            "RolloutProgressing",
            List.of("Promoted", "StepStarted"),
            d ->
                assertAll(
                    () -> assertEquals("1", d.status().getLastHandledPromote()),
                    () -> assertEquals(Purpose.FULL, d.create().orElseThrow().purpose()))),
        row(
            "promote during a timed pause → the next step at once",
            in().previous(pausedAtStep1())
                .live("aaaaaaaa", 90, "cccccccc", 10)
                .annotate(RolloutAnnotations.PROMOTE, "1")
                .now("2m"),
            "aaaaaaaa@50,cccccccc@50",
            PROGRESSING,
            2,
            "RolloutProgressing",
            List.of("Promoted", "StepStarted"),
            d -> {}),
        row(
            "the same promote value again → already handled, nothing",
            in().previous(
                    status(
                        PAUSED,
                        2,
                        2,
                        s -> {
                          s.setWeight(50.0);
                          s.setStepStartedAt(ts("11m"));
                          s.setLastHandledPromote("1");
                        }))
                .live("aaaaaaaa", 50, "cccccccc", 50)
                .annotate(RolloutAnnotations.PROMOTE, "1")
                .now("20m"),
            NONE,
            PAUSED,
            2,
            "WaitingForPromotion",
            List.of(),
            d -> {}),
        row(
            "promote-full at step 1 → canary@100",
            in().previous(pausedAtStep1())
                .live("aaaaaaaa", 90, "cccccccc", 10)
                .annotate(RolloutAnnotations.PROMOTE_FULL, "now")
                .now("2m"),
            "cccccccc@100",
            PROGRESSING,
            1,
            "RolloutProgressing",
            List.of("PromotedFull", "StepStarted"),
            d -> assertEquals(true, d.status().getFullPromotion())),
        row(
            "canary@100 observed live → Completed, Ready",
            in().previous(
                    status(
                        PROGRESSING,
                        2,
                        2,
                        s -> {
                          s.setFullPromotion(true);
                          s.setProgressingSince(ts("20m"));
                        }))
                .live("cccccccc", 100)
                .now("21m"),
            NONE,
            COMPLETED,
            2,
            "RolledOut",
            List.of("RolloutCompleted"),
            d -> assertNull(d.status().getFullPromotion())),
        row(
            "completed, then someone deploys another split → canary@100 restored",
            in().previous(status(COMPLETED, 2, 2, s -> s.setWeight(100.0)))
                .live("aaaaaaaa", 100)
                .now("2h"),
            "cccccccc@100",
            COMPLETED,
            2,
            "RolloutProgressing",
            List.of("DriftDetected"),
            d -> {}),
        // Abort, retry, deadline
        row(
            "abort requested during a pause → stable@100, Aborted",
            in().previous(pausedAtStep1())
                .live("aaaaaaaa", 90, "cccccccc", 10)
                .annotate(RolloutAnnotations.ABORT, "1")
                .now("2m"),
            "aaaaaaaa@100",
            ABORTED,
            1,
            "RolloutAborted",
            List.of("RolloutAborted"),
            d ->
                assertAll(
                    () -> assertEquals(RolloutStatus.ABORT_MANUAL, d.status().getAbortReason()),
                    () -> assertEquals("1", d.status().getLastHandledAbort()),
                    () -> assertEquals(Purpose.ABORT, d.create().orElseThrow().purpose()))),
        row(
            "abort and promote together → abort wins, promote recorded as ignored",
            in().previous(pausedAtStep1())
                .live("aaaaaaaa", 90, "cccccccc", 10)
                .annotate(RolloutAnnotations.ABORT, "1")
                .annotate(RolloutAnnotations.PROMOTE, "1")
                .now("2m"),
            "aaaaaaaa@100",
            ABORTED,
            1,
            "RolloutAborted",
            List.of("RequestIgnored", "RolloutAborted"),
            d -> assertEquals("1", d.status().getLastHandledPromote())),
        row(
            "aborted, stable@100 live → stays aborted, nothing created",
            in().previous(aborted()).annotate(RolloutAnnotations.ABORT, "1").now("1h"),
            NONE,
            ABORTED,
            2,
            "RolloutAborted",
            List.of(),
            d -> {}),
        row(
            "aborted, stable@100 not live yet → stable@100 asked again",
            in().previous(aborted()).live("aaaaaaaa", 50, "cccccccc", 50).now("1h"),
            "aaaaaaaa@100",
            ABORTED,
            2,
            "RolloutAborted",
            List.of(),
            d -> {}),
        row(
            "aborted, promote → ignored: retry first",
            in().previous(aborted()).annotate(RolloutAnnotations.PROMOTE, "2").now("1h"),
            NONE,
            ABORTED,
            2,
            "RolloutAborted",
            List.of("RequestIgnored"),
            d -> assertEquals("2", d.status().getLastHandledPromote())),
        row(
            "retry after an abort → step 1 again, from the same stable",
            in().previous(aborted()).annotate(RolloutAnnotations.RETRY, "1").now("1h"),
            "aaaaaaaa@90,cccccccc@10",
            PROGRESSING,
            1,
            "RolloutProgressing",
            List.of("RolloutRetried", "StepStarted"),
            d ->
                assertAll(
                    () -> assertNull(d.status().getAbortReason()),
                    () -> assertEquals("1", d.status().getLastHandledRetry()))),
        row(
            "retry while progressing → ignored",
            in().previous(pausedAtStep1())
                .live("aaaaaaaa", 90, "cccccccc", 10)
                .annotate(RolloutAnnotations.RETRY, "1")
                .now("2m"),
            NONE,
            PAUSED,
            1,
            "RolloutPaused",
            List.of("RequestIgnored"),
            d -> assertEquals("1", d.status().getLastHandledRetry())),
        row(
            "progressDeadline exceeded waiting for step 2 → stable@100, Aborted",
            in().previous(progressingToStep2()).live("aaaaaaaa", 90, "cccccccc", 10).now("40m"),
            "aaaaaaaa@100",
            ABORTED,
            2,
            "ProgressDeadlineExceeded",
            List.of("ProgressDeadlineExceeded"),
            d ->
                assertEquals(
                    RolloutStatus.ABORT_PROGRESS_DEADLINE_EXCEEDED, d.status().getAbortReason())),
        row(
            "paused time does not count: a 1h pause ends, the next step's deadline starts then",
            in().spec(rollout("30m", step(10, "1h"), step(50, null)))
                .previous(pausedAtStep1())
                .live("aaaaaaaa", 90, "cccccccc", 10)
                .now("1h"),
            "aaaaaaaa@50,cccccccc@50",
            PROGRESSING,
            2,
            "RolloutProgressing",
            List.of("StepStarted"),
            d ->
                assertAll(
                    () -> assertEquals(ts("1h"), d.status().getProgressingSince()),
                    () -> assertEquals(Optional.of(d("30m")), d.lookAgainAfter()))),
        // Changes during a rollout
        row(
            "new target mid-rollout → a new rollout from the same stable",
            in().target(NEWER)
                .previous(waitingAtStep2())
                .live("aaaaaaaa", 50, "cccccccc", 50)
                .now("30m"),
            "aaaaaaaa@90,dddddddd@10",
            PROGRESSING,
            1,
            "RolloutProgressing",
            List.of("RolloutRestarted", "StepStarted"),
            d ->
                assertAll(
                    () -> assertEquals(STABLE, d.status().getStableVersionId()),
                    () -> assertEquals(NEWER, d.status().getCanaryVersionId()))),
        row(
            "new target is the stable version mid-rollout → straight to stable@100",
            in().target(STABLE)
                .previous(waitingAtStep2())
                .live("aaaaaaaa", 50, "cccccccc", 50)
                .now("30m"),
            "aaaaaaaa@100",
            null,
            null,
            null,
            List.of("StraightToTarget"),
            d -> {}),
        row(
            "steps edited: fewer steps → continue at the last one (clamped)",
            in().spec(rollout("30m", step(20, "5m")))
                .previous(waitingAtStep2())
                .live("aaaaaaaa", 50, "cccccccc", 50)
                .now("30m"),
            "aaaaaaaa@80,cccccccc@20",
            PROGRESSING,
            1,
            "RolloutProgressing",
            List.of("StepEdited"),
            d -> assertEquals(1, d.status().getSteps())),
        row(
            "steps edited: the current step's weight changed → it starts over at the new weight",
            in().spec(rollout("30m", step(20, "10m"), step(50, null)))
                .previous(pausedAtStep1())
                .live("aaaaaaaa", 90, "cccccccc", 10)
                .now("5m"),
            "aaaaaaaa@80,cccccccc@20",
            PROGRESSING,
            1,
            "RolloutProgressing",
            List.of("StepEdited"),
            d -> assertNull(d.status().getStepStartedAt())),
        row(
            "steps edited: only a later step changed → the current pause goes on",
            in().spec(rollout("30m", step(10, "10m"), step(60, "5m")))
                .previous(pausedAtStep1())
                .live("aaaaaaaa", 90, "cccccccc", 10)
                .now("5m"),
            NONE,
            PAUSED,
            1,
            "RolloutPaused",
            List.of(),
            d -> {}),
        row(
            "rollout removed mid-rollout → straight to the target",
            in().spec(null).previous(pausedAtStep1()).live("aaaaaaaa", 90, "cccccccc", 10),
            "cccccccc@100",
            null,
            null,
            null,
            List.of("RolloutRemoved"),
            d -> assertEquals(Purpose.DIRECT, d.create().orElseThrow().purpose())),
        row(
            "no rollout and the target live → nothing",
            in().spec(null).live("cccccccc", 100),
            NONE,
            null,
            null,
            null,
            List.of(),
            d -> {}),
        row(
            "suspend while waiting for a split → frozen: nothing created, deadline stopped",
            in().suspended().previous(progressingToStep2()).now("50m"),
            NONE,
            PROGRESSING,
            2,
            "Suspended",
            List.of(),
            d -> assertNull(d.status().getProgressingSince())),
        row(
            "suspend through the end of a timed pause → the step does not advance",
            in().suspended()
                .previous(pausedAtStep1())
                .live("aaaaaaaa", 90, "cccccccc", 10)
                .now("1h"),
            NONE,
            PAUSED,
            1,
            "Suspended",
            List.of(),
            d -> {}),
        row(
            "suspended: a promote waits for the resume",
            in().suspended()
                .previous(waitingAtStep2())
                .live("aaaaaaaa", 50, "cccccccc", 50)
                .annotate(RolloutAnnotations.PROMOTE, "1"),
            NONE,
            PAUSED,
            2,
            "Suspended",
            List.of(),
            d -> assertNull(d.status().getLastHandledPromote())),
        row(
            "resumed after a suspend → the deadline counts from the resume",
            in().previous(status(PROGRESSING, 2, 2, s -> s.setWeight(10.0)))
                .live("aaaaaaaa", 90, "cccccccc", 10)
                .now("50m"),
            "aaaaaaaa@50,cccccccc@50",
            PROGRESSING,
            2,
            "RolloutProgressing",
            List.of(),
            d -> assertEquals(ts("50m"), d.status().getProgressingSince())),
        row(
            "hold annotation → frozen, reason Held with the hold's reason",
            in().previous(pausedAtStep1())
                .live("eeeeeeee", 100)
                .annotate(RolloutAnnotations.HOLD, "INC-42 wrangler rollback")
                .now("20m"),
            NONE,
            PAUSED,
            1,
            "Held",
            List.of(),
            d -> assertEquals(true, d.condition().message().contains("INC-42"))),
        row(
            "an annotation with a null value (a removed hold in a client's map) → not held",
            in().previous(pausedAtStep1())
                .live("aaaaaaaa", 90, "cccccccc", 10)
                .annotate(RolloutAnnotations.HOLD, null)
                .now("5m"),
            NONE,
            PAUSED,
            1,
            "RolloutPaused",
            List.of(),
            d -> assertEquals(ts("10m"), d.status().getPausedUntil())),
        row(
            "drift mid-rollout → the current step's split restored",
            in().previous(pausedAtStep1()).live("eeeeeeee", 100).now("5m"),
            "aaaaaaaa@90,cccccccc@10",
            PROGRESSING,
            1,
            "RolloutProgressing",
            List.of("DriftDetected"),
            d ->
                assertAll(
                    () -> assertEquals(ts("0s"), d.status().getStepStartedAt()),
                    () -> assertEquals(ts("5m"), d.status().getProgressingSince()))),
        row(
            "drift still being restored → asked again, reported once",
            in().previous(
                    status(
                        PROGRESSING,
                        1,
                        2,
                        s -> {
                          s.setStepStartedAt(ts("0s"));
                          s.setProgressingSince(ts("5m"));
                        }))
                .live("eeeeeeee", 100)
                .now("6m"),
            "aaaaaaaa@90,cccccccc@10",
            PROGRESSING,
            1,
            "RolloutProgressing",
            List.of(),
            d -> {}),
        row(
            "drift restored → the step's pause continues from its first start",
            in().previous(
                    status(
                        PROGRESSING,
                        1,
                        2,
                        s -> {
                          s.setStepStartedAt(ts("0s"));
                          s.setProgressingSince(ts("5m"));
                        }))
                .live("aaaaaaaa", 90, "cccccccc", 10)
                .now("7m"),
            NONE,
            PAUSED,
            1,
            "RolloutPaused",
            List.of(),
            d -> assertEquals(ts("10m"), d.status().getPausedUntil())));
  }

  static Arguments row(
      String reason,
      In in,
      String create,
      String phase,
      Integer step,
      String condition,
      List<String> events,
      Consumer<RolloutDecision> more) {
    return Arguments.of(reason, in.input(), create, phase, step, condition, events, more);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("transitions")
  void plansTheTransition(
      String reason,
      RolloutInput input,
      String create,
      String phase,
      Integer step,
      String condition,
      List<String> events,
      Consumer<RolloutDecision> more) {
    RolloutDecision d = RolloutPlanner.plan(input);
    assertAll(
        () ->
            assertEquals(
                create,
                d.create().map(c -> RolloutPlanner.describe(c.versions())).orElse(NONE),
                "create"),
        () -> assertEquals(phase, d.status() == null ? null : d.status().getPhase(), "phase"),
        () -> assertEquals(step, d.status() == null ? null : d.status().getStep(), "step"),
        () ->
            assertEquals(
                condition, d.condition() == null ? null : d.condition().reason(), "condition"),
        () ->
            assertEquals(events, d.events().stream().map(RolloutEvent::reason).toList(), "events"),
        () -> more.accept(d));
  }
}
