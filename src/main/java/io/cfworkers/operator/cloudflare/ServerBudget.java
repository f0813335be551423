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
 * <p>A permit held for a create ({@link #hold}) is counted when taken but sent only later: a
 * reading brought by a call after it does not include it, so until it is used ({@link #useHeld}) or
 * lapses it is subtracted from every such reading.
 *
 * <p>A call is admitted while the estimate keeps {@link #margin()} requests in hand, which covers
 * the requests of other clients and of this one that are on their way to Cloudflare and not yet in
 * a reading. Within the margin, one call per probe interval is let through (a probe) while at least
 * half the margin is left, so a window that frees requests continuously is noticed from the probe's
 * answer; below half, calls wait until the window resets ({@code t}). Past that time more may have
 * come back but how much is unknown, so one call is let through whose answer tells. Before any
 * reading the estimate is unknown and every call is admitted (the client-side budget alone paces).
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
  private boolean probed;
  private long lastProbe;

  /** Permits held for creates, not sent yet: {ticket, when held}, oldest first. */
  private final java.util.ArrayDeque<long[]> held = new java.util.ArrayDeque<>();

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
      // (Held permits stay subtracted from the new base, as from the old: added back here.)
      remaining = Math.max(estimate(), margin + permits) + held.size();
      readingTicket = taken;
      resetAt = now + probeNanos;
      probed = true;
      lastProbe = now;
    }
    long estimate = estimate();
    if (estimate - permits >= margin) {
      taken += permits;
      return 0;
    }
    // Within the margin: one call per probe interval while at least half of it is left, whose
    // answer tells whether more came back (a window that frees requests continuously); below
    // that, only the reset.
    boolean probeAllowed = permits == 1 && estimate - 1 >= margin / 2;
    if (probeAllowed && (!probed || now - lastProbe >= probeNanos)) {
      probed = true;
      lastProbe = now;
      taken += permits;
      return 0;
    }
    long untilReset = resetAt - now;
    long untilProbe = probeAllowed ? lastProbe + probeNanos - now : untilReset;
    return Math.max(1, Math.min(untilReset, untilProbe));
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

  /**
   * Holds the last permit admitted (its ticket is {@link #ticket()}) for a create sent later.
   *
   * @param now when it was admitted
   */
  void hold(long now) {
    held.addLast(new long[] {taken, now});
  }

  /**
   * Uses a held permit, if one younger than {@code ttlNanos} is left; older ones lapse (never sent,
   * so no longer counted against readings). The create it is used for counts as sent after the
   * latest reading, and its ticket is {@link #ticket()}.
   *
   * @return true when a held permit was used: the create goes without taking another
   */
  boolean useHeld(long now, long ttlNanos) {
    while (!held.isEmpty()) {
      long[] h = held.pollFirst();
      if (now - h[1] < ttlNanos) {
        if (known && h[0] <= readingTicket) {
          // The latest reading does not include it: from now on it counts as sent after it.
          taken++;
        }
        return true;
      }
    }
    return false;
  }

  /** Requests Cloudflare has left by this estimate, or -1 when no answer told yet. */
  long estimate() {
    if (!known) {
      return -1;
    }
    long unsent = 0;
    for (long[] h : held) {
      if (h[0] <= readingTicket) {
        unsent++;
      }
    }
    return remaining - (taken - readingTicket) - unsent;
  }

  /** Requests kept in hand: the larger of {@link #MIN_MARGIN} and 1% of the quota. */
  long margin() {
    return margin;
  }
}
