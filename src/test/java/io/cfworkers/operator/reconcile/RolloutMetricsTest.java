package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.cfworkers.operator.api.v1alpha1.RolloutStatus;
import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentStatus;
import io.cfworkers.operator.reconcile.ReconcileDecision.Note;
import io.cfworkers.operator.rollout.RolloutReasons;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Rollout counters from a written decision's events, and the per-resource step gauge. */
class RolloutMetricsTest {
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final RolloutMetrics metrics = new RolloutMetrics(meters);

  static Stream<Arguments> events() {
    return Stream.of(
        Arguments.of("a rollout starts", Note.normal(RolloutReasons.STARTED, "x"), null, 1, 0, 0),
        Arguments.of(
            "a new target restarts it", Note.normal(RolloutReasons.RESTARTED, "x"), null, 1, 0, 0),
        Arguments.of(
            "a retry starts it again", Note.normal(RolloutReasons.RETRIED, "x"), null, 1, 0, 0),
        Arguments.of("it completes", Note.normal(RolloutReasons.COMPLETED, "x"), null, 0, 1, 0),
        Arguments.of(
            "an abort by request, counted by reason",
            Note.warning(RolloutReasons.ABORTED, "x"),
            RolloutStatus.ABORT_MANUAL,
            0,
            0,
            1),
        Arguments.of(
            "the progress deadline",
            Note.warning(RolloutReasons.PROGRESS_DEADLINE_EXCEEDED, "x"),
            RolloutStatus.ABORT_PROGRESS_DEADLINE_EXCEEDED,
            0,
            0,
            1),
        Arguments.of(
            "a step event counts nothing",
            Note.normal(RolloutReasons.STEP_LIVE, "x"),
            null,
            0,
            0,
            0));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("events")
  void counts(String why, Note event, String abortReason, int started, int completed, int aborted) {
    RolloutStatus r = rollout(RolloutStatus.ABORTED, 1);
    r.setAbortReason(abortReason);
    metrics.count(resource(r), List.of(event));
    assertEquals(started, count(RolloutMetrics.STARTED));
    assertEquals(completed, count(RolloutMetrics.COMPLETED));
    double abortedCount =
        abortReason == null
            ? 0
            : meters.counter(RolloutMetrics.ABORTED, "reason", abortReason).count();
    assertEquals(aborted, abortedCount);
  }

  @Test
  void stepGaugeFollowsTheStatusAndGoesWithTheRolloutOrTheResource() {
    metrics.record(resource(rollout(RolloutStatus.PAUSED, 2)));
    assertEquals(2.0, step());
    metrics.record(resource(rollout(RolloutStatus.COMPLETED, 3)));
    assertEquals(0.0, step());
    metrics.record(resource(null));
    assertNull(meters.find(RolloutMetrics.STEP).gauge(), "no rollout, no series");
    metrics.record(resource(rollout(RolloutStatus.PROGRESSING, 1)));
    assertEquals(1.0, step());
    metrics.forget("shop", "app");
    assertNull(meters.find(RolloutMetrics.STEP).gauge(), "deleted, no series");
  }

  private double step() {
    return meters
        .find(RolloutMetrics.STEP)
        .tag("namespace", "shop")
        .tag("name", "app")
        .gauge()
        .value();
  }

  private double count(String name) {
    var c = meters.find(name).counter();
    return c == null ? 0 : c.count();
  }

  private static RolloutStatus rollout(String phase, int step) {
    RolloutStatus r = new RolloutStatus();
    r.setPhase(phase);
    r.setStep(step);
    return r;
  }

  private static WorkerDeployment resource(RolloutStatus r) {
    WorkerDeployment wd = new WorkerDeployment();
    wd.setMetadata(new ObjectMetaBuilder().withNamespace("shop").withName("app").build());
    WorkerDeploymentStatus s = new WorkerDeploymentStatus();
    s.setRollout(r);
    wd.setStatus(s);
    return wd;
  }
}
