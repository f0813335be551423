package io.cfworkers.operator.cloudflare;

import java.time.Clock;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The client-side budget of GraphQL Analytics queries: a {@link CredentialRateLimiter} of its own,
 * one budget per credential, never shared with the REST budget of the deployments API. Cloudflare
 * allows {@value #CLOUDFLARE_QUERIES} GraphQL queries per 5 minutes per token, on top of the REST
 * limit, and answers {@code extensions.code: "budget"} beyond that.
 *
 * <p>{@link #budget(double, int)} keeps to a share of Cloudflare's limit in <em>every</em> 5-minute
 * window: since a {@link CredentialRateLimiter} may hand out one slice more than its budget in a
 * window, the budget is the largest whose worst window stays within the share. The default ({@value
 * #DEFAULT_SHARE} of 300 in {@value #DEFAULT_SLICES} slices) allows at most 240 queries in any 5
 * minutes, leaving the rest of the token's budget to dashboards and other tools.
 *
 * <p>The limiter never waits ({@code maxWait} zero): a query without a permit is not sent, and the
 * analysis measures later. Skipping a measurement for want of budget is not an analysis error.
 */
public final class AnalyticsBudget {
  /** GraphQL queries Cloudflare allows per token per {@link #CLOUDFLARE_PERIOD}. */
  public static final int CLOUDFLARE_QUERIES = 300;

  /** The window of Cloudflare's GraphQL limit. */
  public static final Duration CLOUDFLARE_PERIOD = Duration.ofMinutes(5);

  /** The share of Cloudflare's GraphQL limit the operator uses by default. */
  public static final double DEFAULT_SHARE = 0.8;

  /** Slices the budget is released in by default: a few queries every 5 seconds. */
  public static final int DEFAULT_SLICES = 60;

  private AnalyticsBudget() {}

  /**
   * The largest budget whose worst 5-minute window stays within {@code share} of Cloudflare's
   * limit.
   *
   * @param share fraction of Cloudflare's 300 queries per 5 minutes, in (0, 1]
   * @param slices slices the budget is released in, at least 1
   * @throws IllegalArgumentException when the share leaves no query or is out of range
   */
  public static CredentialRateLimiter.Budget budget(double share, int slices) {
    if (!(share > 0 && share <= 1)) {
      throw new IllegalArgumentException(
          "analytics budget share must be more than 0 and at most 1, not " + share);
    }
    if (slices < 1) {
      throw new IllegalArgumentException("analytics budget slices must be at least 1");
    }
    int cap = (int) Math.floor(CLOUDFLARE_QUERIES * share);
    if (cap < 2) {
      throw new IllegalArgumentException(
          "analytics budget share " + share + " leaves fewer than 2 queries per 5 minutes");
    }
    int requests = cap;
    while (requests > 1 && requests + requests / Math.min(slices, requests) > cap) {
      requests--;
    }
    return new CredentialRateLimiter.Budget(requests, CLOUDFLARE_PERIOD, slices);
  }

  /** The default budget: {@link #DEFAULT_SHARE} of the limit in {@link #DEFAULT_SLICES} slices. */
  public static CredentialRateLimiter.Budget defaultBudget() {
    return budget(DEFAULT_SHARE, DEFAULT_SLICES);
  }

  /** A limiter for analytics queries on the system clock; separate from any REST limiter. */
  public static CredentialRateLimiter limiter(CredentialRateLimiter.Budget budget) {
    return new CredentialRateLimiter(budget, Duration.ZERO);
  }

  /** As {@link #limiter(CredentialRateLimiter.Budget)}, on the given clocks (for tests). */
  public static CredentialRateLimiter limiter(
      CredentialRateLimiter.Budget budget, Clock clock, LongSupplier nanoTime) {
    return new CredentialRateLimiter(budget, Duration.ZERO, clock, nanoTime);
  }
}
