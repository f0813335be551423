package io.cfworkers.operator.cloudflare;

/**
 * What Cloudflare says is left of one credential's budget, as this client estimates it between
 * answers: the last {@code Ratelimit} reading minus the permits taken since the request that
 * brought it. Not thread-safe (the {@link CredentialRateLimiter} guards it); times are the
 * limiter's monotonic nanoseconds. Pure.
 *
 * <p>Each permit taken gets a ticket (the count of permits taken so far, itself included). An
 * answer's reading replaces the estimate only when its ticket is at least that of the reading it
 * replaces, so an old answer arriving late never restores budget already spent. The reading counts
 * every client of the credential, so requests made by others (wrangler, the dashboard) lower it.
 *
 * <p>A call is admitted while the estimate keeps {@link #margin()} requests in hand, which covers
 * the requests of other clients and of this one that are on their way to Cloudflare and not yet in
 * a reading. Otherwise it waits until the window resets ({@code t}); past that time more may have
 * come back but how much is unknown, so one call more is let through (a probe) whose answer tells.
 * Before any reading the estimate is unknown and every call is admitted (the client-side budget
 * alone paces).
 */
final class ServerBudget {
  /** The least margin, whatever the quota. */
  static final long MIN_MARGIN = 4;

  private final long probeNanos;
  private boolean known;
  private long taken;
  private long remaining;
  private long readingTicket;
  private long resetAt;
  private long margin = MIN_MARGIN;

  /**
   * @param probeNanos how long a probe after a reset counts as in flight before another one is let
   *     through when its answer brought no reading
   */
  ServerBudget(long probeNanos) {
    this.probeNanos = probeNanos;
  }

  /**
   * Admits {@code permits} calls now, or says how long to wait.
   *
   * @return 0 when admitted (the permits are counted), otherwise the nanoseconds until the estimate
   *     may change (the window's reset, or the probe's end)
   */
  long admit(int permits, long now) {
    if (!known) {
      taken += permits;
      return 0;
    }
    if (now - resetAt >= 0) {
      // The window has reset: at least what was estimated is left, and at least one call more.
      remaining = Math.max(estimate(), margin + permits);
      readingTicket = taken;
      resetAt = now + probeNanos;
    }
    if (estimate() - permits >= margin) {
      taken += permits;
      return 0;
    }
    return Math.max(1, resetAt - now);
  }

  /** The ticket of the latest permit taken. */
  long ticket() {
    return taken;
  }

  /**
   * An answer to the call with {@code ticket} said {@code reading}.
   *
   * @param now when the answer arrived
   */
  void observe(long ticket, RateLimitHeaders.Reading reading, long now) {
    if (known && ticket < readingTicket) {
      return;
    }
    known = true;
    remaining = reading.remaining();
    readingTicket = ticket;
    resetAt = now + reading.reset().toNanos();
    reading.quota().ifPresent(q -> margin = Math.max(MIN_MARGIN, q / 100));
  }

  /** Requests Cloudflare has left by this estimate, or -1 when no answer told yet. */
  long estimate() {
    return known ? remaining - (taken - readingTicket) : -1;
  }

  /** Requests kept in hand: the larger of {@link #MIN_MARGIN} and 1% of the quota. */
  long margin() {
    return margin;
  }
}
