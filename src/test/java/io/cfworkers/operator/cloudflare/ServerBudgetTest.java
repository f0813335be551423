package io.cfworkers.operator.cloudflare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ServerBudgetTest {
  private static final long SECOND = Duration.ofSeconds(1).toNanos();
  private static final long PROBE = 300_000_000L;

  private final ServerBudget budget = new ServerBudget(PROBE);

  private static RateLimitHeaders.Reading left(long r, long t) {
    return new RateLimitHeaders.Reading(
        r, Duration.ofSeconds(t), OptionalLong.of(1200), Optional.of(Duration.ofSeconds(300)));
  }

  @Test
  void beforeAnyReadingEveryCallIsAdmittedAndCounted() {
    for (int i = 0; i < 50; i++) {
      assertEquals(0, budget.admit(1, 0));
    }
    assertEquals(50, budget.ticket());
    assertEquals(-1, budget.estimate());
  }

  @Test
  void admitsWhileTheMarginStaysInHandCountingCallsSinceTheReading() {
    assertEquals(0, budget.admit(1, 0));
    budget.observe(1, left(20, 30), 0);
    // q = 1200: 12 kept in hand; 20 left, so 8 more calls.
    assertEquals(12, budget.margin());
    for (int i = 0; i < 8; i++) {
      assertEquals(0, budget.admit(1, SECOND), "call " + i);
    }
    assertEquals(12, budget.estimate());
    // A pair needs room for both: it waits for the window's reset, 30 s after the reading.
    assertEquals(29 * SECOND, budget.admit(2, SECOND));
    // Within the margin, one probe per interval while half of it is left.
    assertEquals(0, budget.admit(1, SECOND));
    assertEquals(PROBE, budget.admit(1, SECOND));
    for (int i = 1; i <= 5; i++) {
      assertEquals(0, budget.admit(1, SECOND + i * PROBE), "probe " + i);
    }
    assertEquals(6, budget.estimate());
    // Half the margin left: only the reset.
    assertEquals(29 * SECOND - 6 * PROBE, budget.admit(1, SECOND + 6 * PROBE));
  }

  @Test
  void aProbesAnswerShowingFreedRequestsLetsCallsFlowAgain() {
    budget.admit(1, 0);
    budget.observe(1, left(13, 30), 0);
    assertEquals(0, budget.admit(1, 0)); // down to the margin
    assertEquals(0, budget.admit(1, 0)); // a probe
    assertEquals(PROBE, budget.admit(1, 0));
    // The sliding window freed 20 meanwhile.
    budget.observe(budget.ticket(), left(31, 29), 100_000_000L);
    for (int i = 0; i < 19; i++) {
      assertEquals(0, budget.admit(1, 100_000_000L), "call " + i);
    }
  }

  @Test
  void otherClientsSpendingShowsInTheNextReading() {
    for (int i = 0; i < 10; i++) {
      budget.admit(1, 0);
    }
    budget.observe(5, left(500, 300), 0);
    // Answers to calls 6..10 come back, and meanwhile someone else spent 470.
    budget.observe(10, left(25, 290), 10 * SECOND);
    assertEquals(25, budget.estimate());
    assertEquals(0, budget.admit(2, 10 * SECOND));
    assertEquals(23, budget.estimate());
  }

  @Test
  void aLateAnswerToAnEarlierCallDoesNotRestoreSpentBudget() {
    for (int i = 0; i < 4; i++) {
      budget.admit(1, 0);
    }
    budget.observe(4, left(15, 30), 0);
    budget.observe(2, left(17, 30), 0);
    assertEquals(15, budget.estimate());
  }

  @Test
  void afterTheResetOneProbeGoesAndItsAnswerTellsTheRest() {
    budget.admit(1, 0);
    budget.observe(1, left(5, 2), 0);
    assertEquals(2 * SECOND, budget.admit(1, 0));

    // The window reset: what is back is unknown, so one call (the probe), then wait for it.
    assertEquals(0, budget.admit(1, 2 * SECOND));
    assertEquals(PROBE, budget.admit(1, 2 * SECOND));
    // Its answer says plenty is back.
    budget.observe(budget.ticket(), left(1100, 300), 2 * SECOND + 100_000_000L);
    assertEquals(0, budget.admit(2, 2 * SECOND + 100_000_000L));
    assertEquals(1098, budget.estimate());
  }

  @Test
  void aProbeWithoutAnAnswerLetsAnotherOneGoAfterItsTime() {
    budget.admit(1, 0);
    budget.observe(1, left(5, 1), 0);
    assertEquals(0, budget.admit(1, SECOND));
    assertEquals(PROBE, budget.admit(1, SECOND));
    assertEquals(0, budget.admit(1, SECOND + PROBE));
  }

  @Test
  void aResetKeepsAnEstimateLargerThanOneProbe() {
    budget.admit(1, 0);
    budget.observe(1, left(100, 1), 0);
    // No answer for over a second, with plenty left: the reset does not cut back to one probe.
    for (int i = 0; i < 80; i++) {
      assertEquals(0, budget.admit(1, 2 * SECOND), "call " + i);
    }
  }

  @Test
  void aHeldCreateNotSentYetIsNotInANewerReading() {
    budget.admit(1, 0);
    budget.observe(1, left(40, 30), 0);
    // A change: its read and its create admitted together, the create held.
    assertEquals(0, budget.admit(2, 0));
    budget.hold(0);
    // The read's answer: Cloudflare counted the read, not the create, which is not sent yet.
    budget.observe(budget.ticket(), left(39, 30), 0);
    assertEquals(38, budget.estimate());
    // The create goes with its held permit, still not in that reading; a later one includes it.
    assertEquals(true, budget.useHeld(0, SECOND));
    assertEquals(38, budget.estimate());
    budget.admit(1, 0);
    budget.observe(budget.ticket(), left(37, 30), 0);
    assertEquals(37, budget.estimate());
  }

  @Test
  void aHeldPermitLapsesAndIsNoLongerCounted() {
    budget.admit(1, 0);
    budget.observe(1, left(40, 30), 0);
    budget.admit(2, 0);
    budget.hold(0);
    budget.observe(budget.ticket(), left(39, 30), 0);
    assertEquals(38, budget.estimate());

    assertEquals(false, budget.useHeld(2 * SECOND, SECOND));
    assertEquals(39, budget.estimate());
  }
}
