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
 * window, as Cloudflare counts it: a {@link CredentialRateLimiter} may hand out one slice more than
 * its budget in a window of admissions, and Cloudflare counts a query when it arrives, so a slice
 * admitted just before a window may still be on its way into it. The budget is the largest whole
 * number of permits per slice whose worst window, plus one slice on its way, stays within the
 * share. The default ({@value #DEFAULT_SHARE} of 300 in {@value #DEFAULT_SLICES} slices: 4 queries
 * about every 5 s, 232 per 5 minutes) allows at most 240 in any 5 minutes, leaving the rest of the
 * token's budget to dashboards and other tools.
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

  /**
   * Slices the budget is released in by default. With the default share, 58 + 2 divides the 240
   * queries allowed exactly, so no permit of the budget is left unused.
   */
  public static final int DEFAULT_SLICES = 58;

  /**
   * The fewest queries per 5 minutes a share must leave: one slice of one query, the slice a window
   * may overlap besides, and one on its way.
   */
  public static final int MIN_QUERIES = 3;

  private AnalyticsBudget() {}

  /**
   * The largest budget whose worst 5-minute window, with one slice on its way, stays within {@code
   * share} of Cloudflare's limit: {@code k} permits in each of {@code n} slices, {@code (n + 2) * k
   * <= floor(300 * share)}.
   *
   * @param share fraction of Cloudflare's 300 queries per 5 minutes, in (0, 1]
   * @param slices slices the budget is released in, at least 1 (fewer when the share is tiny)
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
    if (cap < MIN_QUERIES) {
      throw new IllegalArgumentException(
          "analytics budget share "
              + share
              + " leaves fewer than "
              + MIN_QUERIES
              + " queries per 5 minutes");
    }
    // A window of admissions can overlap n + 1 slices of k permits, and the queries of the slice
    // before it may arrive inside it (latency): (n + 2) * k must stay within the cap.
    int n = Math.min(slices, cap - 2);
    int k = cap / (n + 2);
    return new CredentialRateLimiter.Budget(n * k, CLOUDFLARE_PERIOD, n);
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
