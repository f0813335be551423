package io.cfworkers.operator.cloudflare;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The analytics budget is a {@link CredentialRateLimiter} of its own: it keeps to a share of
 * Cloudflare's 300 GraphQL queries per 5 minutes per token in every window, and spending or
 * blocking it never touches the REST budget of the same credential.
 */
class AnalyticsBudgetTest {
  private static final Credential TOKEN = Credential.apiToken("shared-secret-token");
  private static final Credential OTHER = Credential.apiToken("other-secret-token");

  private final SimulatedClock clock = new SimulatedClock(Instant.parse("2026-11-29T12:00:00Z"));

  private CredentialRateLimiter restLimiter() {
    return new CredentialRateLimiter(
        new CredentialRateLimiter.Budget(1000, Duration.ofMinutes(5), 100),
        Duration.ZERO,
        clock,
        clock::nanoTime);
  }

  private CredentialRateLimiter analyticsLimiter() {
    return AnalyticsBudget.limiter(AnalyticsBudget.defaultBudget(), clock, clock::nanoTime);
  }

  @Test
  void spendingTheAnalyticsBudgetLeavesTheRestBudgetUntouched() {
    CredentialRateLimiter rest = restLimiter();
    CredentialRateLimiter analytics = analyticsLimiter();
    int granted = drain(analytics, TOKEN);
    assertEquals(AnalyticsBudget.defaultBudget().permitsPerSlice(), granted);
    assertThrows(CloudflareRateLimitedException.class, () -> analytics.acquire(TOKEN));

    // The REST budget of the same token still has its whole first slice.
    assertEquals(rest.budget().permitsPerSlice(), drain(rest, TOKEN));
  }

  @Test
  void spendingTheRestBudgetLeavesTheAnalyticsBudgetUntouched() {
    CredentialRateLimiter rest = restLimiter();
    CredentialRateLimiter analytics = analyticsLimiter();
    drain(rest, TOKEN);
    assertThrows(CloudflareRateLimitedException.class, () -> rest.acquireForCreate(TOKEN));
    assertEquals(AnalyticsBudget.defaultBudget().permitsPerSlice(), drain(analytics, TOKEN));
  }

  @Test
  void aBlockOfOneNeverHoldsTheOther() {
    CredentialRateLimiter rest = restLimiter();
    CredentialRateLimiter analytics = analyticsLimiter();
    analytics.blockFor(TOKEN, Duration.ofMinutes(5));
    assertThrows(CloudflareRateLimitedException.class, () -> analytics.acquire(TOKEN));
    rest.acquire(TOKEN);

    rest.blockFor(OTHER, Duration.ofMinutes(5));
    assertThrows(CloudflareRateLimitedException.class, () -> rest.acquire(OTHER));
    analytics.acquire(OTHER);
  }

  @Test
  void neverWaitsForAPermit() {
    CredentialRateLimiter analytics = analyticsLimiter();
    drain(analytics, TOKEN);
    CloudflareRateLimitedException held =
        assertThrows(CloudflareRateLimitedException.class, () -> analytics.acquire(TOKEN));
    assertTrue(held.retryAfter().compareTo(Duration.ZERO) > 0);
    assertTrue(held.retryAfter().compareTo(AnalyticsBudget.defaultBudget().sliceLength()) <= 0);
  }

  static Stream<Arguments> shares() {
    return Stream.of(
        Arguments.of("default: 80% in 58 slices, 4 each", 0.8, 58, 232),
        Arguments.of("the whole limit in 58 slices, 5 each", 1.0, 58, 290),
        Arguments.of("59 slices cannot hold 5 each within 300", 1.0, 59, 236),
        Arguments.of("half the limit in 10 slices", 0.5, 10, 120),
        Arguments.of("one slice: a window spans two, and a third on its way", 1.0, 1, 100),
        Arguments.of("a tiny share still leaves one query per 5 minutes", 0.01, 60, 1));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shares")
  void everyFiveMinuteWindowStaysWithinTheShareOfCloudflaresLimit(
      String reason, double share, int slices, int expectedBudget) {
    CredentialRateLimiter.Budget budget = AnalyticsBudget.budget(share, slices);
    assertEquals(expectedBudget, budget.requests());
    assertEquals(Duration.ofMinutes(5), budget.period());

    CredentialRateLimiter limiter = AnalyticsBudget.limiter(budget, clock, clock::nanoTime);
    Duration step = budget.sliceLength().dividedBy(4);
    List<Long> granted = new ArrayList<>();
    // A greedy caller (many resources on one token) tries more often than permits free.
    for (int i = 0; i < 3 * 4 * budget.effectiveSlices(); i++) {
      for (int attempt = 0; attempt <= budget.permitsPerSlice(); attempt++) {
        try {
          limiter.acquire(TOKEN);
          granted.add(clock.nanoTime());
        } catch (CloudflareRateLimitedException held) {
          break;
        }
      }
      clock.advance(step);
    }
    long period = Duration.ofMinutes(5).toNanos();
    int allowed = (int) Math.floor(AnalyticsBudget.CLOUDFLARE_QUERIES * share);
    int worst = 0;
    for (int first = 0; first < granted.size(); first++) {
      int last = first;
      while (last < granted.size() && granted.get(last) - granted.get(first) < period) {
        last++;
      }
      worst = Math.max(worst, last - first);
    }
    // Cloudflare counts a query when it arrives: a slice admitted just before a window may still
    // be on its way into it.
    int onTheirWay = budget.permitsPerSlice();
    assertTrue(
        worst + onTheirWay <= allowed,
        "a 5-minute window saw "
            + worst
            + " queries and "
            + onTheirWay
            + " more on their way, over "
            + allowed);
    assertTrue(worst >= budget.requests(), "the budget was not used: " + worst);
  }

  @ParameterizedTest(name = "rejects share {0}")
  @ValueSource(doubles = {0, -0.1, 1.01, 0.001})
  void rejectsSharesThatLeaveNoBudgetOrExceedTheLimit(double share) {
    assertThrows(IllegalArgumentException.class, () -> AnalyticsBudget.budget(share, 60));
  }

  private static int drain(CredentialRateLimiter limiter, Credential credential) {
    int granted = 0;
    while (true) {
      try {
        limiter.acquire(credential);
        granted++;
      } catch (CloudflareRateLimitedException spent) {
        return granted;
      }
    }
  }
}
