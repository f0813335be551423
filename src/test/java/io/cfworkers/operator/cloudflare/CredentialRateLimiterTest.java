package io.cfworkers.operator.cloudflare;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.support.operator.SimulatedClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CredentialRateLimiterTest {
  private static final Credential ALICE = Credential.apiToken("alice-secret-token");
  private static final Credential BOB = Credential.apiToken("bob-secret-token");

  private final SimulatedClock clock = new SimulatedClock(Instant.parse("2025-03-01T12:00:00Z"));

  private CredentialRateLimiter limiter(int requests, Duration period, int slices) {
    return new CredentialRateLimiter(
        new CredentialRateLimiter.Budget(requests, period, slices),
        Duration.ZERO,
        clock,
        clock::nanoTime);
  }

  @Test
  void releasesBudgetSliceBySliceAndTellsWhenTheNextPermitFrees() {
    // 10 per 10 s in 5 slices: 2 permits every 2 s.
    CredentialRateLimiter limiter = limiter(10, Duration.ofSeconds(10), 5);
    limiter.acquire(ALICE);
    limiter.acquire(ALICE);

    CloudflareRateLimitedException held =
        assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE));
    assertEquals(0, held.httpStatus());
    assertFalse(held.fromCloudflare());
    assertEquals(Duration.ofSeconds(2), held.retryAfter());

    clock.advance(Duration.ofMillis(1500));
    CloudflareRateLimitedException stillHeld =
        assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE));
    assertEquals(Duration.ofMillis(500), stillHeld.retryAfter());

    clock.advance(Duration.ofMillis(500));
    limiter.acquire(ALICE);
    limiter.acquire(ALICE);
    assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE));
  }

  static Stream<Arguments> budgets() {
    return Stream.of(
        Arguments.of("defaults: 1000 per 5 min in 100 slices", 1000, Duration.ofMinutes(5), 100),
        Arguments.of("requests not divisible by slices", 7, Duration.ofSeconds(1), 3),
        Arguments.of("more slices than requests", 3, Duration.ofSeconds(1), 10),
        Arguments.of("a single slice", 5, Duration.ofSeconds(1), 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("budgets")
  void neverExceedsTheBudgetByMoreThanOneSliceInAnyWindow(
      String reason, int requests, Duration period, int slices) {
    CredentialRateLimiter limiter = limiter(requests, period, slices);
    CredentialRateLimiter.Budget budget = limiter.budget();
    Duration step = budget.sliceLength().dividedBy(4);
    List<Long> granted = new ArrayList<>();

    // A greedy caller tries more often than permits free, over 5 periods.
    for (int i = 0; i < 5 * 4 * budget.effectiveSlices(); i++) {
      for (int attempt = 0; attempt <= budget.permitsPerSlice(); attempt++) {
        try {
          limiter.acquire(ALICE);
          granted.add(clock.nanoTime());
        } catch (CloudflareRateLimitedException held) {
          assertTrue(held.retryAfter().compareTo(budget.sliceLength()) <= 0);
        }
      }
      clock.advance(step);
    }

    int allowed = requests + budget.permitsPerSlice();
    long window = period.toNanos();
    int worst = 0;
    for (int start = 0; start < granted.size(); start++) {
      int end = start;
      while (end < granted.size() && granted.get(end) - granted.get(start) < window) {
        end++;
      }
      worst = Math.max(worst, end - start);
    }
    assertTrue(worst <= allowed, "worst window held " + worst + " calls, allowed " + allowed);
    assertTrue(
        granted.size() >= 5L * budget.effectiveSlices() * budget.permitsPerSlice(),
        "a greedy caller gets the whole budget: " + granted.size());
  }

  @Test
  void defaultBudgetStaysUnderCloudflaresLimitInEveryWindow() {
    CredentialRateLimiter.Budget defaults =
        new CredentialRateLimiter.Budget(1000, Duration.ofMinutes(5), 100);

    assertEquals(10, defaults.permitsPerSlice());
    assertEquals(Duration.ofSeconds(3), defaults.sliceLength());
    assertTrue(defaults.requests() + defaults.permitsPerSlice() < 1200);
  }

  @Test
  void creditsAreKeptPerCredential() {
    CredentialRateLimiter limiter = limiter(2, Duration.ofSeconds(10), 1);
    limiter.acquire(ALICE);
    limiter.acquire(ALICE);
    assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE));

    assertDoesNotThrow(() -> limiter.acquire(BOB));
    assertDoesNotThrow(() -> limiter.acquire(BOB));
    assertDoesNotThrow(
        () -> limiter.acquire(Credential.apiKey("ops@example.com", "alice-secret-token")));
  }

  @Test
  void sameSecretInAnotherInstanceSharesTheBudget() {
    CredentialRateLimiter limiter = limiter(1, Duration.ofSeconds(10), 1);
    limiter.acquire(Credential.apiToken("shared-token"));

    assertThrows(
        CloudflareRateLimitedException.class,
        () -> limiter.acquire(Credential.apiToken("shared-token")));
  }

  @Test
  void blockAfter429HoldsOnlyThatCredentialUntilItPasses() {
    CredentialRateLimiter limiter = limiter(100, Duration.ofSeconds(10), 10);
    limiter.blockFor(ALICE, Duration.ofSeconds(30));

    CloudflareRateLimitedException held =
        assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE));
    assertEquals(Duration.ofSeconds(30), held.retryAfter());
    assertEquals(0, held.httpStatus());
    assertDoesNotThrow(() -> limiter.acquire(BOB));

    clock.advance(Duration.ofSeconds(20));
    assertEquals(
        Duration.ofSeconds(10),
        assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE))
            .retryAfter());

    clock.advance(Duration.ofSeconds(10));
    assertDoesNotThrow(() -> limiter.acquire(ALICE));
  }

  @Test
  void aShorterLaterBlockDoesNotShortenALongerOne() {
    CredentialRateLimiter limiter = limiter(100, Duration.ofSeconds(10), 10);
    limiter.blockFor(ALICE, Duration.ofMinutes(5));
    limiter.blockFor(ALICE, Duration.ofSeconds(1));

    clock.advance(Duration.ofSeconds(2));
    assertEquals(
        Duration.ofMinutes(5).minusSeconds(2),
        assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE))
            .retryAfter());
  }

  @Test
  void heldCallsDoNotSpendTheBudget() {
    CredentialRateLimiter limiter = limiter(2, Duration.ofSeconds(10), 1);
    limiter.blockFor(ALICE, Duration.ofSeconds(1));
    for (int i = 0; i < 5; i++) {
      assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE));
    }
    clock.advance(Duration.ofSeconds(1));

    limiter.acquire(ALICE);
    limiter.acquire(ALICE);
  }

  @Test
  void waitsBrieflyForAPermitWhenOneFreesWithinMaxWait() {
    // Real time: 1 permit per 200 ms, and callers may wait up to 1 s.
    CredentialRateLimiter limiter =
        new CredentialRateLimiter(
            new CredentialRateLimiter.Budget(2, Duration.ofMillis(400), 2), Duration.ofSeconds(1));
    limiter.acquire(ALICE);

    long started = System.nanoTime();
    limiter.acquire(ALICE);
    long waitedMillis = (System.nanoTime() - started) / 1_000_000;

    assertTrue(waitedMillis <= 1000, "waited " + waitedMillis + " ms");
  }

  @Test
  void createReservesTheNextPermitAheadOfReads() {
    // Real time: 1 permit per 300 ms; reads never wait, creates wait up to 2 s.
    CredentialRateLimiter limiter =
        new CredentialRateLimiter(
            new CredentialRateLimiter.Budget(2, Duration.ofMillis(600), 2),
            Duration.ZERO,
            Duration.ofSeconds(2));
    limiter.acquire(ALICE);

    assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE));
    long started = System.nanoTime();
    assertDoesNotThrow(() -> limiter.acquireForCreate(ALICE));
    long waitedMillis = (System.nanoTime() - started) / 1_000_000;
    assertTrue(waitedMillis <= 2000, "waited " + waitedMillis + " ms");
    // The create took the slot that freed; a read right after it still finds none.
    assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE));
  }

  @Test
  void givesUpAtOnceWhenThePermitIsFurtherAwayThanMaxWait() {
    CredentialRateLimiter limiter =
        new CredentialRateLimiter(
            new CredentialRateLimiter.Budget(1, Duration.ofMinutes(1), 1), Duration.ofMillis(50));
    limiter.acquire(ALICE);

    long started = System.nanoTime();
    CloudflareRateLimitedException held =
        assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE));
    long waitedMillis = (System.nanoTime() - started) / 1_000_000;

    assertTrue(waitedMillis < 1000, "waited " + waitedMillis + " ms");
    assertTrue(
        held.retryAfter().compareTo(Duration.ofSeconds(50)) > 0, held.retryAfter().toString());
  }

  @Test
  void messagesNameTheCredentialByIdNeverBySecret() {
    CredentialRateLimiter limiter = limiter(1, Duration.ofSeconds(10), 1);
    limiter.acquire(ALICE);
    String spent =
        assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE))
            .getMessage();
    limiter.blockFor(BOB, Duration.ofSeconds(5));
    String blocked =
        assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(BOB)).getMessage();

    assertTrue(spent.contains(ALICE.id()), spent);
    assertFalse(spent.contains("alice-secret-token"), spent);
    assertTrue(blocked.contains(BOB.id()), blocked);
    assertFalse(blocked.contains("bob-secret-token"), blocked);
  }

  @Test
  void aPairTakesTwoPermitsAndTheCreateUsesTheHeldOne() {
    CredentialRateLimiter limiter = limiter(4, Duration.ofSeconds(10), 1);
    limiter.acquirePair(ALICE, "ns/a");
    limiter.acquireForCreate(ALICE);
    limiter.acquire(ALICE);
    limiter.acquire(ALICE);

    assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE));
    // Bob's budget and held permits are his own.
    assertThrows(
        CloudflareRateLimitedException.class,
        () -> {
          for (int i = 0; i < 5; i++) {
            limiter.acquireForCreate(BOB);
          }
        });
  }

  static Stream<Arguments> keptForChanges() {
    return Stream.of(
        Arguments.of("defaults: 12 a slice, polls half of it", 1200, 100, 0.5, 2),
        Arguments.of("polls may take everything", 1200, 100, 1.0, 0),
        Arguments.of("polls 0.9: one permit is left", 1200, 100, 0.9, 1),
        Arguments.of("polls 0.8 of 12 (9.6, rounded up to 10)", 1200, 100, 0.8, 2),
        Arguments.of("one permit a slice: reads keep it", 100, 100, 0.5, 0),
        Arguments.of("two permits a slice, polls half", 200, 100, 0.5, 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource
  void keptForChanges(String reason, int requests, int slices, double readShare, int kept) {
    CredentialRateLimiter.Budget budget =
        new CredentialRateLimiter.Budget(requests, Duration.ofMinutes(5), slices);
    assertEquals(kept, CredentialRateLimiter.keptForChanges(budget, readShare));
  }

  @Test
  void aChangeThatComesWhilePollsFillTheSliceFindsItsPairInThatSlice() {
    // The defaults: 12 permits every 3 s, polls may take half: 2 of each slice stay for changes.
    CredentialRateLimiter limiter =
        new CredentialRateLimiter(
            new CredentialRateLimiter.Budget(1200, Duration.ofMinutes(5), 100),
            Duration.ZERO,
            Duration.ZERO,
            0.5,
            clock,
            clock::nanoTime);
    for (int i = 0; i < 10; i++) {
      limiter.acquire(ALICE);
    }
    clock.advance(Duration.ofMillis(1000));

    // The 11th poll goes to the next slice, 2 s away, and says why.
    CloudflareRateLimitedException poll =
        assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE));
    assertEquals(Duration.ofSeconds(2), poll.retryAfter());
    assertTrue(poll.getMessage().contains("kept for changes"), poll.getMessage());

    // A change now takes its two permits at once: no reservation, nothing waiting.
    assertDoesNotThrow(() -> limiter.acquirePair(ALICE, "ns/changed"));
    limiter.acquireForCreate(ALICE);
    assertEquals(0, limiter.reservedChanges(ALICE));
    // The slice is spent now; the next one gives polls their share again.
    assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE));
    clock.advance(Duration.ofSeconds(2));
    for (int i = 0; i < 10; i++) {
      limiter.acquire(ALICE);
    }
  }

  @Test
  void aReadShareOutsideZeroToOneIsRefused() {
    CredentialRateLimiter.Budget budget =
        new CredentialRateLimiter.Budget(1200, Duration.ofMinutes(5), 100);
    for (double share : new double[] {0, -0.5, 1.5, Double.NaN}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  new CredentialRateLimiter(
                      budget, Duration.ZERO, Duration.ZERO, share, clock, clock::nanoTime));
      assertTrue(e.getMessage().contains("readShare"), e.getMessage());
    }
  }

  @Test
  void aHeldPermitLapsesAfterOnePeriod() {
    CredentialRateLimiter limiter = limiter(4, Duration.ofSeconds(10), 1);
    limiter.acquirePair(ALICE, "ns/a");
    clock.advance(Duration.ofSeconds(10));

    limiter.acquireForCreate(ALICE); // a fresh permit: the held one lapsed
    limiter.acquire(ALICE);
    limiter.acquire(ALICE);
    limiter.acquire(ALICE);
    assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE));
  }

  private static RateLimitHeaders.Reading left(long remaining, long resetSeconds, long quota) {
    return new RateLimitHeaders.Reading(
        remaining,
        Duration.ofSeconds(resetSeconds),
        java.util.OptionalLong.of(quota),
        java.util.Optional.of(Duration.ofSeconds(300)));
  }

  @Test
  void cloudflaresCountHoldsCallsTheClientSideBudgetWouldAllow() {
    CredentialRateLimiter limiter = limiter(100, Duration.ofSeconds(10), 1);
    long ticket = limiter.take(ALICE, CredentialRateLimiter.Use.READ);
    // Other clients spent most of the credential: 6 left, 4 of them kept in hand.
    limiter.observe(ALICE, ticket, left(6, 30, 100));
    limiter.acquire(ALICE);
    limiter.acquire(ALICE);
    // Within the margin: one probe per slice (10 s here), while half the margin is left.
    limiter.acquire(ALICE);

    CloudflareRateLimitedException held =
        assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE));
    assertEquals(0, held.httpStatus());
    assertEquals(Duration.ofSeconds(10), held.retryAfter());
    assertTrue(held.getMessage().contains("Cloudflare's count of credential " + ALICE.id()));
    assertEquals(3, limiter.cloudflareRemaining(ALICE));
    // Another credential is counted apart.
    limiter.acquire(BOB);
    assertEquals(-1, limiter.cloudflareRemaining(BOB));

    // The window resets: one probe goes, its answer tells what is back.
    clock.advance(Duration.ofSeconds(30));
    long probe = limiter.take(ALICE, CredentialRateLimiter.Use.READ);
    assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE));
    limiter.observe(ALICE, probe, left(99, 300, 100));
    limiter.acquirePair(ALICE, "ns/a");
    // 99 - 2, less the 3 calls sent before the probe whose answers had not come when it went:
    // Cloudflare may have counted them after the probe.
    assertEquals(94, limiter.cloudflareRemaining(ALICE));
  }

  @Test
  void aWaitingCallIsWokenByAFresherReading() throws Exception {
    // Real time, reads may wait 2 s; Cloudflare says nothing is left for 30 s.
    CredentialRateLimiter limiter =
        new CredentialRateLimiter(
            new CredentialRateLimiter.Budget(100, Duration.ofSeconds(10), 1),
            Duration.ofSeconds(2),
            Duration.ofSeconds(2));
    long ticket = limiter.take(ALICE, CredentialRateLimiter.Use.READ);
    limiter.observe(ALICE, ticket, left(1, 1, 100));
    Thread answer =
        new Thread(
            () -> {
              try {
                Thread.sleep(200);
              } catch (InterruptedException e) {
                return;
              }
              limiter.observe(ALICE, ticket, left(50, 300, 100));
            });
    long started = System.nanoTime();
    answer.start();
    limiter.acquire(ALICE);
    long waitedMillis = (System.nanoTime() - started) / 1_000_000;
    answer.join();

    assertTrue(waitedMillis >= 150 && waitedMillis < 1000, "waited " + waitedMillis + " ms");
  }

  @Test
  void aPairThatCloudflaresCountHoldsKeepsItsPermitsReservedAndReadsGiveWay() {
    CredentialRateLimiter limiter = limiter(100, Duration.ofSeconds(10), 1);
    long ticket = limiter.take(ALICE, CredentialRateLimiter.Use.READ);
    limiter.observe(ALICE, ticket, left(3, 5, 100));
    // Cloudflare's count leaves nothing beyond the margin until the reset, 5 s away: the change
    // does not wait for it in its thread, its permits stay reserved until then.
    CloudflareRateLimitedException reserved =
        assertThrows(
            CloudflareRateLimitedException.class, () -> limiter.acquirePair(ALICE, "ns/a"));
    assertTrue(reserved.permitsReserved());
    assertEquals(Duration.ofSeconds(5), reserved.retryAfter());
    assertEquals(0, limiter.changesWaiting(ALICE));
    assertEquals(1, limiter.reservedChanges(ALICE));

    CloudflareRateLimitedException yielded =
        assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE));
    assertFalse(yielded.permitsReserved());
    assertTrue(yielded.getMessage().startsWith("Changes wait"), yielded.getMessage());
    // At least one slice (here the whole 10 s period), so polls do not spin.
    assertEquals(Duration.ofSeconds(10), yielded.retryAfter());

    // Plenty comes back; the change, back when it was told, goes; reads after it.
    limiter.observe(ALICE, ticket, left(90, 30, 100));
    clock.advance(Duration.ofSeconds(5));
    limiter.acquirePair(ALICE, "ns/a");
    assertEquals(0, limiter.reservedChanges(ALICE));
    limiter.acquire(ALICE);
  }

  @Test
  void aReadWaitingForTheNextSliceDoesNotReserveItAheadOfALaterChange() throws Exception {
    // Real time: 2 permits per 300 ms; reads may wait 1 s, changes one slice in their thread.
    CredentialRateLimiter limiter =
        new CredentialRateLimiter(
            new CredentialRateLimiter.Budget(2, Duration.ofMillis(300), 1),
            Duration.ofSeconds(1),
            Duration.ofSeconds(1));
    limiter.acquire(ALICE);
    limiter.acquire(ALICE);
    long[] readAt = {0};
    Thread read =
        new Thread(
            () -> {
              try {
                limiter.acquire(ALICE);
                readAt[0] = System.nanoTime();
              } catch (CloudflareRateLimitedException yielded) {
                readAt[0] = -1;
              }
            });
    read.start();
    Thread.sleep(50);
    // The change comes after the read, and takes both permits of the next slice.
    limiter.acquirePair(ALICE, "ns/a");
    long changeAt = System.nanoTime();
    read.join(5_000);

    assertFalse(read.isAlive());
    assertTrue(readAt[0] == -1 || readAt[0] > changeAt, "the read went before the change");
  }

  @ParameterizedTest(name = "{0} changes waiting, {1} ms to the next permit -> {2} ms")
  @org.junit.jupiter.params.provider.CsvSource({
    // 12 per 300 ms slice (1200 per 30 s in 100 slices): 2 permits per change.
    "1, 0, 300",
    "6, 0, 300",
    "7, 0, 600",
    "60, 0, 3000",
    "60, 5000, 5000",
    "1000, 0, 30000",
    "1, 90000, 30000"
  })
  void aReadThatYieldedTriesAgainWhenTheChangesPermitsAreOut(
      int changesWaiting, long nanosToWaitMillis, long expectedMillis) {
    CredentialRateLimiter.Budget budget =
        new CredentialRateLimiter.Budget(1200, Duration.ofSeconds(30), 100);
    assertEquals(
        Duration.ofMillis(expectedMillis),
        CredentialRateLimiter.yieldWait(
            changesWaiting, budget, Duration.ofMillis(nanosToWaitMillis).toNanos()));
  }

  // --- reservations: a change further out than a short wait gives its thread back ---------------

  /** 2 permits per 5 s slice (one pair), changes never wait in their thread (maxWait 0). */
  private CredentialRateLimiter onePairPerSlice() {
    return limiter(4, Duration.ofSeconds(10), 2);
  }

  private CloudflareRateLimitedException reservedFor(CredentialRateLimiter limiter, String waiter) {
    CloudflareRateLimitedException e =
        assertThrows(
            CloudflareRateLimitedException.class, () -> limiter.acquirePair(ALICE, waiter));
    assertTrue(e.permitsReserved(), e.getMessage());
    assertFalse(e.fromCloudflare());
    return e;
  }

  @Test
  void aChangeWhosePermitsAreFurtherOutReservesThemAndSaysWhenTheyAreDue() {
    CredentialRateLimiter limiter = onePairPerSlice();
    limiter.acquirePair(ALICE, "ns/a");

    CloudflareRateLimitedException b = reservedFor(limiter, "ns/b");

    assertEquals(Duration.ofSeconds(5), b.retryAfter());
    assertEquals(1, limiter.reservedChanges(ALICE));
    assertEquals(0, limiter.changesWaiting(ALICE));
    assertTrue(b.getMessage().contains(ALICE.id()) && b.getMessage().contains("ns/b"));
    assertFalse(b.getMessage().contains("alice-secret-token"), b.getMessage());
  }

  @Test
  void reservationsAreQueuedInTheOrderTheChangesCame() {
    CredentialRateLimiter limiter = onePairPerSlice();
    limiter.acquirePair(ALICE, "ns/a");

    assertEquals(Duration.ofSeconds(5), reservedFor(limiter, "ns/b").retryAfter());
    assertEquals(Duration.ofSeconds(10), reservedFor(limiter, "ns/c").retryAfter());
    clock.advance(Duration.ofSeconds(1));
    assertEquals(Duration.ofSeconds(14), reservedFor(limiter, "ns/d").retryAfter());
    assertEquals(3, limiter.reservedChanges(ALICE));
  }

  @Test
  void theSameResourceComingBackEarlyFindsItsReservationAndNeverReservesTwice() {
    CredentialRateLimiter limiter = onePairPerSlice();
    limiter.acquirePair(ALICE, "ns/a");
    reservedFor(limiter, "ns/b");

    clock.advance(Duration.ofSeconds(2));
    CloudflareRateLimitedException again = reservedFor(limiter, "ns/b");
    assertEquals(Duration.ofSeconds(3), again.retryAfter());
    assertEquals(1, limiter.reservedChanges(ALICE));
    // Nothing more was taken for b: c is next after b's slice, not after a second one.
    assertEquals(Duration.ofSeconds(8), reservedFor(limiter, "ns/c").retryAfter());
  }

  @Test
  void aReservationIsUsedWhenItsResourceComesBackAtItsTimeAndItsCreateHasAPermit() {
    CredentialRateLimiter limiter = onePairPerSlice();
    limiter.acquirePair(ALICE, "ns/a");
    limiter.acquireForCreate(ALICE);
    reservedFor(limiter, "ns/b");

    clock.advance(Duration.ofSeconds(5));
    limiter.acquirePair(ALICE, "ns/b");
    limiter.acquireForCreate(ALICE); // the permit held with b's read

    assertEquals(0, limiter.reservedChanges(ALICE));
    // The slice b's permits came from is spent: the next change is reserved at the one after.
    assertEquals(Duration.ofSeconds(5), reservedFor(limiter, "ns/c").retryAfter());
  }

  @Test
  void aReadNeverTakesAPermitAReservationHolds() {
    // 3 permits per 5 s slice: a pair leaves one, which the next pair reserves with one more.
    CredentialRateLimiter limiter = limiter(6, Duration.ofSeconds(10), 2);
    limiter.acquirePair(ALICE, "ns/a");
    reservedFor(limiter, "ns/b");

    CloudflareRateLimitedException read =
        assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE));
    assertFalse(read.permitsReserved());
    assertTrue(read.getMessage().startsWith("Changes wait"), read.getMessage());

    // b uses its permits; the rest of that slice is the read's.
    clock.advance(Duration.ofSeconds(5));
    limiter.acquirePair(ALICE, "ns/b");
    limiter.acquire(ALICE);
    limiter.acquire(ALICE);
    assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE));
  }

  @Test
  void aReservationNobodyComesBackForLapsesAndReadsGoOn() {
    CredentialRateLimiter limiter = onePairPerSlice();
    limiter.acquirePair(ALICE, "ns/a");
    reservedFor(limiter, "ns/deleted");
    Duration slice = limiter.budget().sliceLength();

    // Still kept within the grace after it was due: reads give way to it.
    clock.advance(Duration.ofSeconds(5).plus(slice.multipliedBy(10)));
    assertThrows(CloudflareRateLimitedException.class, () -> limiter.acquire(ALICE));
    assertEquals(1, limiter.reservedChanges(ALICE));

    clock.advance(Duration.ofMillis(1));
    limiter.acquire(ALICE);
    assertEquals(0, limiter.reservedChanges(ALICE));
    // Coming back after that, the resource queues anew (its lapsed permits are not handed out).
    clock.advance(slice);
    limiter.acquirePair(ALICE, "ns/deleted");
  }

  @Test
  void changesBeyondTheReservationHorizonAreRefusedWithoutAReservation() {
    // One pair per 1 s slice; reservations reach 100 periods (100 s) ahead.
    CredentialRateLimiter limiter = limiter(2, Duration.ofSeconds(1), 1);
    limiter.acquirePair(ALICE, "ns/0");
    for (int i = 1; i <= CredentialRateLimiter.RESERVATION_HORIZON_PERIODS; i++) {
      assertEquals(Duration.ofSeconds(i), reservedFor(limiter, "ns/" + i).retryAfter());
    }

    CloudflareRateLimitedException refused =
        assertThrows(
            CloudflareRateLimitedException.class, () -> limiter.acquirePair(ALICE, "ns/late"));
    assertFalse(refused.permitsReserved());
    assertEquals(CredentialRateLimiter.RESERVATION_HORIZON_PERIODS, limiter.reservedChanges(ALICE));
  }

  @ParameterizedTest(name = "maxWait {0} ms, slice of {1} ms -> {2} ms")
  @org.junit.jupiter.params.provider.CsvSource({
    // The defaults: 1 s, 1200 per 5 min in 100 slices (3 s).
    "1000, 3000, 1000",
    // The benchmark at time scale 10: slices of 0.3 s.
    "1000, 300, 300",
    "0, 3000, 0",
    "3000, 3000, 3000"
  })
  void aChangeWaitsInItsThreadAsLongAsAReadMayButNoLongerThanOneSlice(
      long maxWaitMillis, long sliceMillis, long expectedMillis) {
    CredentialRateLimiter.Budget budget =
        new CredentialRateLimiter.Budget(100, Duration.ofMillis(sliceMillis * 100), 100);
    assertEquals(
        Duration.ofMillis(expectedMillis),
        CredentialRateLimiter.reservationBound(Duration.ofMillis(maxWaitMillis), budget));
  }

  @Test
  void aChangeDueWithinTheBoundWaitsInItsThreadInsteadOfReserving() {
    // Real time: 2 permits per 200 ms slice; reads may wait 1 s, so changes one slice.
    CredentialRateLimiter limiter =
        new CredentialRateLimiter(
            new CredentialRateLimiter.Budget(2, Duration.ofMillis(200), 1),
            Duration.ofSeconds(1),
            Duration.ofSeconds(1));
    limiter.acquirePair(ALICE, "ns/a");

    long started = System.nanoTime();
    limiter.acquirePair(ALICE, "ns/b");
    long waitedMillis = (System.nanoTime() - started) / 1_000_000;

    assertTrue(waitedMillis <= 1000, "waited " + waitedMillis + " ms");
    assertEquals(0, limiter.reservedChanges(ALICE));
  }

  @Test
  void theReservedChangesOfEachCredentialAreAGauge() {
    io.micrometer.core.instrument.simple.SimpleMeterRegistry meters =
        new io.micrometer.core.instrument.simple.SimpleMeterRegistry();
    CredentialRateLimiter limiter = onePairPerSlice();
    limiter.exportReservations(meters);
    limiter.acquirePair(ALICE, "ns/a");
    reservedFor(limiter, "ns/b");
    reservedFor(limiter, "ns/c");

    assertEquals(
        2.0,
        meters
            .get(CredentialRateLimiter.RESERVED_METRIC)
            .tag("credential", ALICE.id())
            .gauge()
            .value());
  }
}
