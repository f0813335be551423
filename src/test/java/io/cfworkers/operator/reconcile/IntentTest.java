package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.PendingDeployment;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class IntentTest {
  private static final String A = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";
  private static final String B = "7a3c0b4e-1f2d-4c5b-9e8f-0a1b2c3d4e5f";
  private static final Instant T0 = Instant.parse("2026-11-28T12:00:00Z");
  private static final Duration SETTLE = Duration.ofSeconds(60);

  private final PendingDeployment pending =
      Intent.record(
          4,
          new DesiredSplit(SplitDiffTest.spec(A, 90, B, 10), null),
          Optional.of(SplitDiffTest.live(A, 100)),
          "rv-1",
          T0);

  @Test
  void freshRecordWhoseSplitIsNotLiveIsInFlight() {
    assertEquals(
        Optional.of(Duration.ofSeconds(50)),
        Intent.inFlightFor(
            pending, Optional.of(SplitDiffTest.live(A, 100)), SETTLE, T0.plusSeconds(10)));
  }

  @Test
  void recordWhoseSplitIsLiveHasLanded() {
    Optional<io.cfworkers.operator.cloudflare.Deployment> live =
        Optional.of(SplitDiffTest.live(B, 10, A, 90));
    assertTrue(Intent.landed(pending, live));
    assertTrue(Intent.inFlightFor(pending, live, SETTLE, T0.plusSeconds(1)).isEmpty());
  }

  @Test
  void recordOlderThanTheSettleTimeIsNoLongerInFlight() {
    assertTrue(Intent.inFlightFor(pending, Optional.empty(), SETTLE, T0.plusSeconds(60)).isEmpty());
  }

  @Test
  void recordWithAnUnreadableStartTimeIsInFlightForTheWholeWindow() {
    pending.setStartedAt("not a time");
    assertEquals(
        Optional.of(SETTLE),
        Intent.inFlightFor(pending, Optional.empty(), SETTLE, T0.plusSeconds(3600)));
    pending.setStartedAt(null);
    assertEquals(Optional.of(SETTLE), Intent.inFlightFor(pending, Optional.empty(), SETTLE, T0));
  }

  @Test
  void recordWhoseCreateWasAnsweredIsNotInFlight() {
    pending.setDeploymentId("d-new");
    assertTrue(Intent.inFlightFor(pending, Optional.empty(), SETTLE, T0).isEmpty());
  }

  @Test
  void recordKnowsItsStepAndWhatItReplaces() {
    PendingDeployment step =
        Intent.record(
            4, new DesiredSplit(SplitDiffTest.spec(A, 100), 2), Optional.empty(), "rv-1", T0);
    assertEquals(2, step.getStep());
    assertEquals(null, step.getReplacesDeploymentId());
    assertEquals("d1", pending.getReplacesDeploymentId());
    assertEquals(null, pending.getStep());
  }

  @Test
  void noRecordIsNothingInFlight() {
    assertTrue(Intent.inFlightFor(null, Optional.empty(), SETTLE, T0).isEmpty());
  }
}
