package io.cfworkers.operator.reconcile;

import static io.cfworkers.operator.reconcile.DecideTest.A;
import static io.cfworkers.operator.reconcile.DecideTest.B;
import static io.cfworkers.operator.reconcile.DecideTest.GEN;
import static io.cfworkers.operator.reconcile.DecideTest.SECRET;
import static io.cfworkers.operator.reconcile.DecideTest.T0;
import static io.cfworkers.operator.reconcile.DecideTest.WINDOW;
import static io.cfworkers.operator.reconcile.DecideTest.deployment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.PendingDeployment;
import io.cfworkers.operator.api.v1alpha1.RolloutPause;
import io.cfworkers.operator.api.v1alpha1.RolloutSpec;
import io.cfworkers.operator.api.v1alpha1.RolloutStatus;
import io.cfworkers.operator.api.v1alpha1.RolloutStep;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentStatus;
import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.reconcile.ReconcileDecision.LookAgain.Kind;
import io.cfworkers.operator.reconcile.ReconcileDecision.Note;
import io.cfworkers.operator.rollout.RolloutAnnotations;
import io.cfworkers.operator.rollout.RolloutDecision;
import io.cfworkers.operator.rollout.RolloutInput;
import io.cfworkers.operator.rollout.RolloutPlanner;
import io.cfworkers.operator.rollout.RolloutReasons;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The reconciler's side of a rollout and of the hold, as a table: the previous status, what
 * Cloudflare serves and the planner's decision for it → one create at most (its intent record
 * knowing the step), the conditions, the events, the intent record kept or gone.
 */
class DecideRolloutTest {
  static final DesiredSplit TARGET = new DesiredSplit(List.of(new VersionTraffic(B, 100.0)), null);

  record Row(
      WorkerDeploymentStatus previous,
      List<Deployment> history,
      String hold,
      boolean rollout,
      Map<String, String> annotations) {}

  record Expect(
      boolean creates,
      Integer intentStep,
      String reason,
      String readyStatus,
      List<String> events,
      List<String> counters,
      Kind lookAgain,
      Boolean pendingKept) {}

  static Stream<Arguments> table() {
    Deployment stable = deployment("d-old", A, 100);
    Deployment step1 = deployment("d-s1", A, 90, B, 10);
    return Stream.of(
        Arguments.of(
            "rollout starts: one create of step 1, the intent record knows its step",
            new Row(ready(null, "d-old"), List.of(stable), null, true, Map.of()),
            new Expect(
                true,
                1,
                RolloutReasons.PROGRESSING,
                "False",
                List.of(RolloutReasons.STARTED, RolloutReasons.STEP_STARTED),
                List.of(),
                Kind.POLL,
                true)),
        Arguments.of(
            "the step's create answered and live: waiting for promote, the intent record goes",
            new Row(
                progressing(answered("d-s1", A, 90, B, 10, 1), "d-s1"),
                List.of(step1, stable),
                null,
                true,
                Map.of()),
            new Expect(
                false,
                null,
                RolloutReasons.WAITING_FOR_PROMOTION,
                "False",
                List.of(RolloutReasons.STEP_LIVE, RolloutReasons.WAITING_FOR_PROMOTION),
                List.of(),
                Kind.POLL,
                false)),
        Arguments.of(
            "the step's create lost its answer but landed: confirmed and counted, not repeated",
            new Row(
                progressing(lost(T0.minusSeconds(5), A, 90, B, 10), "d-old"),
                List.of(step1, stable),
                null,
                true,
                Map.of()),
            new Expect(
                false,
                null,
                RolloutReasons.WAITING_FOR_PROMOTION,
                "False",
                List.of(
                    Reasons.DEPLOYED,
                    RolloutReasons.STEP_LIVE,
                    RolloutReasons.WAITING_FOR_PROMOTION),
                List.of(ReconcileDecision.CREATED),
                Kind.POLL,
                false)),
        Arguments.of(
            "a create without answer may still land: no second create until it settles",
            new Row(
                progressing(lost(T0.minusSeconds(5), A, 90, B, 10), "d-old"),
                List.of(stable),
                null,
                true,
                Map.of()),
            new Expect(
                false,
                null,
                RolloutReasons.PROGRESSING,
                "False",
                List.of(),
                List.of(),
                Kind.AFTER,
                true)),
        Arguments.of(
            "an abort while a step's create may still land waits for it, then aborts",
            new Row(
                progressing(lost(T0.minusSeconds(5), A, 90, B, 10), "d-old"),
                List.of(stable),
                null,
                true,
                Map.of(RolloutAnnotations.ABORT, "now")),
            new Expect(
                false,
                null,
                RolloutReasons.ABORTED,
                "False",
                List.of(RolloutReasons.ABORTED),
                List.of(),
                Kind.AFTER,
                true)),
        Arguments.of(
            "the same split answered but Cloudflare serves another: stalled, not created again",
            new Row(
                progressing(answered("d-s1", A, 90, B, 10, 1), "d-old"),
                List.of(deployment("d-s1", A, 80, B, 20), stable),
                null,
                true,
                Map.of()),
            new Expect(
                false,
                null,
                Reasons.DEPLOYMENT_NOT_OBSERVED,
                "False",
                List.of(Reasons.DEPLOYMENT_NOT_OBSERVED),
                List.of(),
                Kind.POLL,
                true)),
        Arguments.of(
            "an earlier step's settled record does not block the next step's create",
            new Row(
                progressing(answered("d-s0", A, 95, B, 5, 1), "d-s1"),
                List.of(step1, stable),
                null,
                true,
                Map.of(RolloutAnnotations.PROMOTE, "1")),
            new Expect(
                true,
                null,
                RolloutReasons.PROGRESSING,
                "False",
                List.of(RolloutReasons.PROMOTED, RolloutReasons.STEP_STARTED),
                List.of(),
                Kind.POLL,
                true)),
        Arguments.of(
            "hold set while in sync, no rollout: Ready stays True with reason Held, one event",
            new Row(
                ready(null, "d-new"),
                List.of(deployment("d-new", B, 100)),
                "INC-1",
                false,
                Map.of()),
            new Expect(
                false,
                null,
                Reasons.HELD,
                "True",
                List.of(Reasons.HELD),
                List.of(),
                Kind.POLL,
                false)),
        Arguments.of(
            "held, live differs from the spec: nothing created, all conditions False",
            new Row(ready(null, "d-old"), List.of(stable), "INC-1", false, Map.of()),
            new Expect(
                false,
                null,
                Reasons.HELD,
                "False",
                List.of(Reasons.HELD),
                List.of(),
                Kind.POLL,
                false)),
        Arguments.of(
            "held during a rollout: frozen, nothing created, no new Held event when reported",
            new Row(held(progressing(null, "d-s1")), List.of(stable), "INC-1", true, Map.of()),
            new Expect(
                false, null, RolloutReasons.HELD, "False", List.of(), List.of(), Kind.POLL, false)),
        Arguments.of(
            "hold removed: the declared split again, with a HoldReleased event",
            new Row(held(ready(null, "d-old")), List.of(stable), null, false, Map.of()),
            new Expect(
                true,
                null,
                Reasons.DEPLOYING,
                "False",
                List.of(Reasons.HOLD_RELEASED),
                List.of(),
                Kind.POLL,
                true)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void decides(String why, Row row, Expect e) {
    Decide.Facts f =
        new Decide.Facts(row.previous(), GEN, TARGET, false, SECRET, T0, WINDOW, row.hold(), null);
    ReconcileDecision d;
    if (row.rollout()) {
      Map<String, String> annotations = new HashMap<>(row.annotations());
      if (row.hold() != null) {
        annotations.put(RolloutAnnotations.HOLD, row.hold());
      }
      RolloutDecision plan =
          RolloutPlanner.plan(
              new RolloutInput(
                  twoSteps(),
                  B,
                  row.history().isEmpty() ? null : StatusBuilder.versions(row.history().get(0)),
                  row.previous().getRollout(),
                  annotations,
                  false,
                  T0));
      d =
          plan.status() == null
              ? Decide.withoutRollout(f, row.history(), plan)
              : Decide.rollout(f, row.history(), plan);
    } else {
      d = Decide.observed(f, row.history());
    }
    assertEquals(e.creates(), d.create().isPresent(), "creates");
    if (e.creates()) {
      assertEquals(
          d.create().get().split().versions(), d.status().getPendingDeployment().getVersions());
    }
    if (e.intentStep() != null) {
      assertEquals(e.intentStep(), d.status().getPendingDeployment().getStep());
    }
    Condition ready = Conditions.find(d.status().getConditions(), Conditions.READY).orElseThrow();
    Condition reasonOf =
        d.status().getConditions().stream()
            .filter(c -> "True".equals(c.getStatus()))
            .findFirst()
            .orElse(ready);
    assertEquals(e.reason(), reasonOf.getReason(), "reason");
    assertEquals(e.readyStatus(), ready.getStatus(), "Ready");
    if (row.hold() != null && !e.reason().equals(Reasons.DEPLOYMENT_NOT_OBSERVED)) {
      assertTrue(ready.getMessage().contains(row.hold()), "names the hold: " + ready.getMessage());
    }
    assertEquals(e.events(), d.events().stream().map(Note::reason).toList(), "events");
    assertEquals(e.counters(), d.counters(), "counters");
    assertEquals(e.lookAgain(), d.lookAgain().kind(), "look again");
    assertEquals(
        e.pendingKept(), d.status().getPendingDeployment() != null, "intent record present");
    if (row.rollout() && !row.annotations().containsKey(RolloutAnnotations.ABORT)) {
      assertTrue(d.status().getRollout() != null, "status.rollout written");
    }
  }

  /** Two steps, each waiting for a promote, so a promote at step 1 creates step 2. */
  static RolloutSpec twoSteps() {
    return new RolloutSpec(
        List.of(
            new RolloutStep(10.0, new RolloutPause(null)),
            new RolloutStep(50.0, new RolloutPause(null))),
        null);
  }

  // --- statuses -------------------------------------------------------------------------------

  static WorkerDeploymentStatus ready(PendingDeployment pending, String liveId) {
    return DecideTest.readyAt(DecideTest.status(pending, liveId, GEN));
  }

  /** Step 1 of A→B under way (its split asked for at T0 - 10 s). */
  static WorkerDeploymentStatus progressing(PendingDeployment pending, String liveId) {
    RolloutStatus r = new RolloutStatus();
    r.setPhase(RolloutStatus.PROGRESSING);
    r.setStableVersionId(A);
    r.setCanaryVersionId(B);
    r.setStep(1);
    r.setSteps(2);
    r.setWeight(0.0);
    r.setProgressingSince(T0.minusSeconds(10).toString());
    WorkerDeploymentStatus s =
        StatusBuilder.from(DecideTest.status(pending, liveId, GEN))
            .rollout(r)
            .conditions(Conditions.State.reconciling(RolloutReasons.PROGRESSING, "step 1"), GEN, T0)
            .build();
    return s;
  }

  static WorkerDeploymentStatus held(WorkerDeploymentStatus s) {
    return StatusBuilder.from(s)
        .conditions(Conditions.State.idle(Reasons.HELD, "Held (INC-1)"), GEN, T0)
        .build();
  }

  static PendingDeployment lost(Instant startedAt, Object... split) {
    return Intent.record(
        GEN,
        new DesiredSplit(SplitDiffTest.spec(split), 1),
        Optional.of(deployment("d-old", A, 100)),
        SECRET,
        startedAt);
  }

  static PendingDeployment answered(String id, Object a, Object pa, Object b, Object pb, int step) {
    PendingDeployment p = lost(T0.minus(Duration.ofMinutes(5)), a, pa, b, pb);
    p.setStep(step);
    p.setDeploymentId(id);
    return p;
  }
}
