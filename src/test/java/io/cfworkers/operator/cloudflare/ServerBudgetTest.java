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

  /** A reading without the policy's window: no estimate of other clients' rate. */
  private static RateLimitHeaders.Reading left(long r, long t) {
    return new RateLimitHeaders.Reading(
        r, Duration.ofSeconds(t), OptionalLong.of(1200), Optional.empty());
  }

  /** A reading with the policy's window: 1200 per 300 s. */
  private static RateLimitHeaders.Reading windowed(long r, long t) {
    return new RateLimitHeaders.Reading(
        r, Duration.ofSeconds(t), OptionalLong.of(1200), Optional.of(Duration.ofSeconds(300)));
  }

  @Test
  void beforeAnyReadingEveryCallIsAdmittedAndCounted() {
    for (int i = 0; i < 50; i++) {
      assertEquals(0, budget.admit(1, 0));
    }
    assertEquals(50, budget.ticket());
    assertEquals(-1, budget.estimate(0));
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
    assertEquals(12, budget.estimate(0));
    // Within the margin, one probe per interval while half of it is left; a pair may be the probe
    // (a change waiting is served before reads, so its pair must be able to probe).
    assertEquals(0, budget.admit(2, SECOND));
    assertEquals(PROBE, budget.admit(1, SECOND));
    for (int i = 1; i <= 4; i++) {
      assertEquals(0, budget.admit(1, SECOND + i * PROBE), "probe " + i);
    }
    assertEquals(6, budget.estimate(0));
    // Half the margin left: only the reset, 30 s after the reading.
    assertEquals(29 * SECOND - 5 * PROBE, budget.admit(1, SECOND + 5 * PROBE));
    assertEquals(29 * SECOND - 5 * PROBE, budget.admit(2, SECOND + 5 * PROBE));
  }

  @Test
  void aProbesAnswerShowingFreedRequestsLetsCallsFlowAgain() {
    budget.admit(1, 0);
    budget.observe(1, left(13, 30), 0);
    assertEquals(0, budget.admit(1, 0)); // down to the margin
    budget.settle(budget.ticket(), 0); // answered before the probe goes
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
      budget.settle(budget.ticket(), 0); // one after the other
    }
    budget.observe(5, left(500, 300), 0);
    // Answers to calls 6..10 come back, and meanwhile someone else spent 470.
    budget.observe(10, left(25, 290), 10 * SECOND);
    assertEquals(25, budget.estimate(0));
    assertEquals(0, budget.admit(2, 10 * SECOND));
    assertEquals(23, budget.estimate(0));
  }

  @Test
  void aLateAnswerToAnEarlierCallDoesNotRestoreSpentBudget() {
    for (int i = 0; i < 4; i++) {
      budget.admit(1, 0);
    }
    // Calls 1-3 were on their way when call 4 was sent: 15 may not include them.
    budget.observe(4, left(15, 30), 0);
    assertEquals(12, budget.estimate(0));
    budget.observe(2, left(17, 30), 0);
    assertEquals(12, budget.estimate(0));
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
    assertEquals(1098, budget.estimate(0));
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
    assertEquals(38, budget.estimate(0));
    // The create goes with its held permit, still not in that reading; a later one includes it.
    long create = budget.useHeld(0, SECOND);
    assertEquals(budget.ticket(), create);
    assertEquals(38, budget.estimate(0));
    budget.settle(create, 0); // answered
    budget.admit(1, 0);
    budget.observe(budget.ticket(), left(37, 30), 0);
    assertEquals(37, budget.estimate(0));
  }

  @Test
  void aHeldPermitLapsesAndIsNoLongerCounted() {
    budget.admit(1, 0);
    budget.observe(1, left(40, 30), 0);
    budget.admit(2, 0);
    budget.hold(0);
    budget.observe(budget.ticket(), left(39, 30), 0);
    assertEquals(38, budget.estimate(0));

    assertEquals(-1, budget.useHeld(2 * SECOND, SECOND));
    assertEquals(39, budget.estimate(0));
  }

  @Test
  void callsStillInFlightWhenTheReadingsCallWasSentAreNotInIt() {
    budget.admit(1, 0);
    budget.observe(1, left(100, 30), 0);
    // Three calls go; the third's answer comes first (Cloudflare may have seen it before the
    // others).
    budget.admit(1, 0);
    budget.admit(1, 0);
    budget.admit(1, 0);
    budget.observe(4, left(99, 30), 0);
    // 99 counts the third only for sure: the first two, unanswered when it was sent, are taken off.
    assertEquals(97, budget.estimate(0));
    // Their answers arrive (older readings, ignored); the latest reading still may not hold them.
    budget.observe(2, left(98, 30), 0);
    budget.settle(3, 0);
    assertEquals(97, budget.estimate(0));
    // A call sent after they were answered brings a reading that holds them all.
    budget.admit(1, 0);
    budget.observe(5, left(95, 30), 0);
    assertEquals(95, budget.estimate(0));
  }

  @Test
  void aBurstOfOutOfOrderAnswersCannotRaiseTheEstimateAboveWhatIsLeft() {
    budget.admit(1, 0);
    budget.observe(1, left(30, 30), 0);
    // 18 calls admitted (30 - 12 kept in hand) and one probe, all on their way.
    for (int i = 0; i < 19; i++) {
      assertEquals(0, budget.admit(1, 0), "call " + i);
    }
    // Cloudflare counts the last one first: it says 29 left, yet the 18 others are still coming.
    budget.observe(budget.ticket(), left(29, 30), 0);
    assertEquals(11, budget.estimate(0));
    assertEquals(PROBE, budget.admit(1, 0));
  }

  @Test
  void otherClientsRateIsWhatTheWindowUsedBeyondThisClientsCalls() {
    // Pure rule: 1200 per 300 s, 540 left, this client sent 300 of the 660 used: 360 by others.
    assertEquals(1.2, ServerBudget.outsidePerSecond(1200, 540, 300, 300 * SECOND), 1e-9);
    // Never negative (a reading older than some of this client's calls).
    assertEquals(0, ServerBudget.outsidePerSecond(1200, 1100, 300, 300 * SECOND), 1e-9);
  }

  @Test
  void theEstimateFallsWithOtherClientsRateSinceTheReading() {
    // This client sends 60 calls over the first minute; the window says 840 are left: others
    // sent 300 in the 300 s window, 1 per second.
    for (int i = 0; i < 60; i++) {
      budget.admit(1, i * SECOND);
      budget.settle(budget.ticket(), i * SECOND);
    }
    budget.observe(budget.ticket(), windowed(840, 300), 60 * SECOND);
    assertEquals(1.0, budget.outsidePerSecond(), 1e-9);
    assertEquals(840, budget.estimate(60 * SECOND));
    // Ten seconds without an answer: ten more of theirs are expected.
    assertEquals(830, budget.estimate(70 * SECOND));
    // Near the end of what is left, the margin is kept against that falling estimate too.
    budget.observe(budget.ticket(), windowed(30, 300), 80 * SECOND);
    double rate = budget.outsidePerSecond();
    assertEquals((1200 - 30 - 60) / 300.0, rate, 1e-9);
    assertEquals(0, budget.admit(1, 80 * SECOND));
    // 4 s later others are expected to have spent ceil(3.7 * 4) = 15: 30 - 1 - 15 = 14 left, so
    // two calls keep the margin of 12, then one probe; without the others' rate it would be 18.
    assertEquals(14, budget.estimate(84 * SECOND));
    int admitted = 0;
    while (budget.admit(1, 84 * SECOND) == 0) {
      admitted++;
    }
    assertEquals(3, admitted);
  }

  /** A reading of a 30 s window holding 120: t = seconds until its oldest call leaves. */
  private static RateLimitHeaders.Reading ofWindow30(long r, long t) {
    return new RateLimitHeaders.Reading(
        r, Duration.ofSeconds(t), OptionalLong.of(120), Optional.of(Duration.ofSeconds(30)));
  }

  @Test
  void ownCallsThatLeftTheWindowComeBackWithoutWaitingForAnAnswer() {
    // 20 calls, one per second, each answered 100 ms after it was sent; the first answer tells the
    // window (30 s, sliding: t is the time until its oldest call leaves).
    long answer = 100_000_000L;
    budget.admit(1, 0);
    budget.observe(budget.ticket(), ofWindow30(119, 30), answer);
    for (int i = 1; i < 20; i++) {
      budget.admit(1, i * SECOND);
      if (i < 19) {
        budget.settle(budget.ticket(), i * SECOND + answer);
      }
    }
    // The last one's answer: the window holds these 20 and nothing else; its oldest call (sent at
    // 0 s, counted at some time before 0.1 s) leaves within 11 s.
    budget.observe(budget.ticket(), ofWindow30(100, 11), 19 * SECOND + answer);
    assertEquals(0, budget.outsidePerSecond(), 1e-9);
    assertEquals(100, budget.estimate(19 * SECOND + answer));
    // Call 1 (answered at 1.1 s) has surely left at 31.1 s; calls 1..4 by 34.1 s.
    assertEquals(100, budget.estimate(31 * SECOND));
    assertEquals(101, budget.estimate(31 * SECOND + answer));
    assertEquals(104, budget.estimate(34 * SECOND + answer));
    // The last call, answered with its reading at 19.1 s, is back at 49.1 s; so are calls 1..18
    // (call 0 was sent before the 11 s the reading's t allows for, so it is not credited).
    assertEquals(119, budget.estimate(49 * SECOND + answer));
  }

  @Test
  void callsSentBeforeTheWindowAReadingCountsAreNotCreditedTwice() {
    long answer = 100_000_000L;
    // A fixed 30 s window: the first reading says it resets in 30 s.
    budget.admit(1, 0);
    budget.observe(budget.ticket(), ofWindow30(119, 30), answer);
    for (int i = 1; i < 10; i++) {
      budget.admit(1, i * SECOND);
      budget.settle(budget.ticket(), i * SECOND + answer);
    }
    // After the reset, a reading of the new window (it resets in 30 s): the earlier calls are not
    // in it, so their leaving a sliding window by 39.1 s must not be credited to it.
    budget.admit(1, 30 * SECOND + 2 * answer);
    budget.observe(budget.ticket(), ofWindow30(119, 30), 30 * SECOND + 3 * answer);
    assertEquals(119, budget.estimate(30 * SECOND + 3 * answer));
    assertEquals(119, budget.estimate(39 * SECOND + 2 * answer));
  }
}
