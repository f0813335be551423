package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentStatus;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class StatusReportTest {
  private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
  private static final String A = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";

  private static WorkerDeploymentStatus readyAt(long generation) {
    return StatusReport.build(
        null,
        generation,
        Optional.of(SplitDiffTest.live(A, 100)),
        Conditions.State.ready(Reasons.DEPLOYED, "done"),
        null,
        T0);
  }

  @Test
  void failedObservationKeepsReadyWhileTheSpecIsUnchanged() {
    WorkerDeploymentStatus next =
        StatusReport.withConditionsKeepingReady(
            readyAt(3),
            3,
            Conditions.State.reconciling(Reasons.RATE_LIMITED, "wait"),
            T0.plusSeconds(9));
    assertEquals("True", Conditions.find(next.getConditions(), "Ready").get().getStatus());
    assertEquals(
        Reasons.DEPLOYED, Conditions.find(next.getConditions(), "Ready").get().getReason());
    assertEquals(
        Reasons.RATE_LIMITED,
        Conditions.find(next.getConditions(), "Reconciling").get().getReason());
    assertEquals("d1", next.getDeploymentId());
  }

  @Test
  void failedObservationOfANewSpecIsNotReady() {
    WorkerDeploymentStatus next =
        StatusReport.withConditionsKeepingReady(
            readyAt(3), 4, Conditions.State.reconciling(Reasons.API_UNAVAILABLE, "503"), T0);
    assertEquals("False", Conditions.find(next.getConditions(), "Ready").get().getStatus());
    assertEquals(4L, next.getObservedGeneration());
  }

  @Test
  void sameObservationTwiceIsAnEqualStatusSoNothingIsWritten() {
    WorkerDeploymentStatus once = readyAt(2);
    WorkerDeploymentStatus twice =
        StatusReport.build(
            once,
            2,
            Optional.of(SplitDiffTest.live(A, 100)),
            Conditions.State.ready(Reasons.DEPLOYED, "done"),
            null,
            T0.plusSeconds(300));
    assertEquals(once, twice);
  }
}
