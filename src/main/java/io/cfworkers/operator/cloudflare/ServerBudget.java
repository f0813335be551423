package io.cfworkers.operator.cloudflare;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * What Cloudflare says is left of one credential's budget, as this client estimates it between
 * answers: the last {@code Ratelimit} reading minus the calls that reading may not include, minus
 * what other clients are expected to have spent since. Not thread-safe (the {@link
 * CredentialRateLimiter} guards it); times are the limiter's monotonic nanoseconds. Pure.
 *
 * <p>Each permit taken gets a ticket (the count of permits taken so far, itself included). An
 * answer's reading replaces the estimate only when its ticket is at least that of the reading it
 * replaces, so an old answer arriving late never restores budget already spent. The reading counts
 * every client of the credential, so requests made by others (wrangler, the dashboard) lower it.
 *
 * <p>A reading may not include:
 *
 * <ul>
 *   <li>the permits taken after its call ({@code taken - readingTicket});
 *   <li>calls sent before its call whose answers had not arrived when it was sent ({@link #settle}
 *       marks an answer's arrival): such a call may reach Cloudflare after a later one, so a
 *       reading brought by the later call may not count it. They are subtracted from that reading,
 *       however the answers come back;
 *   <li>a permit held for a create ({@link #hold}), counted when taken but sent only later, until
 *       it is used ({@link #useHeld}) or lapses;
 *   <li>calls of other clients since the reading: their rate is estimated from the reading itself
 *       (see {@link #outsidePerSecond}) and subtracted for the time since it arrived.
 * </ul>
 *
 * <p>A call is admitted while the estimate keeps {@link #margin()} requests in hand, which covers
 * what the estimate cannot see (a burst of other clients), and on top of it what other clients will
 * add before the window frees anything ({@link #keptForOthers(double, long)}: how fast their count
 * in the window rises, times the time to the reset). Within the margin, one call or pair per probe
 * interval is let through (a probe) while at least half the margin is left, so a window that frees
 * requests continuously is noticed from the probe's answer; below half, calls wait until the window
 * resets ({@code t}). Past that time more may have come back but how much is unknown, so one call
 * is let through whose answer tells. Before any reading the estimate is unknown and every call is
 * admitted (the client-side budget alone paces).
 */
final class ServerBudget {
  /** The least margin, whatever the quota. */
  static final long MIN_MARGIN = 4;

  private static final long SECOND = 1_000_000_000L;

  /** Calls remembered before a reading gives the policy's window. */
  private static final int UNKNOWN_WINDOW_KEPT = 10_000;

  /**
   * The short trend of other clients' requests in the window is taken over this share of the
   * window: a tenth (30 s of Cloudflare's 5 minutes), to follow a client that starts. The long
   * trend is taken over the whole window, so a dip in the count (this client's calls sent but not
   * yet counted by Cloudflare, when the machine or the network stalls) does not hide a steady rise.
   */
  static final int TREND_SHARE = 10;

  /** Readings kept for the trends, whatever their rate (a window's quota is 1200). */
  private static final int TREND_KEPT = 2_500;

  private final long probeNanos;
  private boolean known;
  private long taken;
  private long remaining;
  private long readingTicket;
  private long readingAt;
  private long resetAt;
  private long margin = MIN_MARGIN;
  private boolean probed;
  private long lastProbe;

  /** A call sent whose answer has not arrived: when it was sent, and how many were in flight. */
  private record Flight(long sentAt, int before) {}

  /** Calls sent whose answer has not arrived, by ticket. */
  private final Map<Long, Flight> inFlight = new HashMap<>();

  /**
   * This client's answered calls, {sent, answered}, in the order answered, until they have surely
   * left the window ({@link #advance}).
   */
  private final ArrayDeque<long[]> answered = new ArrayDeque<>();

  /** The earliest send time of a call whose leaving the window is credited to the reading. */
  private long creditFrom;

  /** This client's calls that have left the window since the reading. */
  private long credited;

  /** Calls in flight when the reading's call was sent: the reading may not include them. */
  private int unsure;

  /** When this client's calls were sent (oldest first), within the policy's window. */
  private final ArrayDeque<Long> sent = new ArrayDeque<>();

  /** The policy's window in nanoseconds, 0 until a reading gives one. */
  private long windowNanos;

  /** Other clients' requests per second, estimated from the latest reading. */
  private double outsidePerSecond;

  /**
   * Other clients' requests in the window by each reading, {when, how many}, oldest first: those of
   * the last window and the one before.
   */
  private final ArrayDeque<long[]> othersInWindow = new ArrayDeque<>();

  /** How fast other clients' requests in the window grow, per second: never negative. */
  private double othersRisingPerSecond;

  /** Permits held for creates, not sent yet: {ticket, when held}, oldest first. */
  private final ArrayDeque<long[]> held = new ArrayDeque<>();

  /**
   * @param probeNanos how long a probe after a reset counts as in flight before another one is let
   *     through when its answer brought no reading
   */
  ServerBudget(long probeNanos) {
    this.probeNanos = probeNanos;
  }

  /**
   * Admits {@code permits} permits now, or says how long to wait. The first is a call sent at once
   * ({@link #ticket()} is its ticket); a second is {@link #hold held} for a create.
   *
   * @return 0 when admitted (the permits are counted), otherwise the nanoseconds until the estimate
   *     may change (the window's reset, or the probe's end)
   */
  long admit(int permits, long now) {
    if (!known) {
      taken += permits;
      sent(now);
      return 0;
    }
    if (now - resetAt >= 0) {
      // The window has reset: one call (or pair) goes whatever is kept for other clients, and its
      // answer tells what came back; but not into the margin's lower half (see resetProbeAllowed).
      if (!resetProbeAllowed(leftByOwnCalls(now), permits, now - readingAt, windowNanos, margin)) {
        return Math.max(1, Math.min(probeNanos, readingAt + windowNanos - now));
      }
      rebase(Math.max(estimate(now), margin + permits), now);
      resetAt = now + probeNanos;
      probed = true;
      lastProbe = now;
      taken += permits;
      sent(now);
      return 0;
    }
    long estimate = estimate(now);
    long keep = margin + keptForOthers(othersRisingPerSecond, resetAt - now);
    if (estimate - permits >= keep) {
      taken += permits;
      sent(now);
      return 0;
    }
    // Within the margin: one call (or pair) per probe interval while at least half of it is left,
    // whose answer tells whether more came back (a window that frees requests continuously); below
    // that, only the reset.
    boolean probeAllowed = estimate - permits >= keep - (margin - margin / 2);
    if (probeAllowed && (!probed || now - lastProbe >= probeNanos)) {
      probed = true;
      lastProbe = now;
      taken += permits;
      sent(now);
      return 0;
    }
    long untilReset = resetAt - now;
    long untilProbe = probeAllowed ? lastProbe + probeNanos - now : untilReset;
    return Math.max(1, Math.min(untilReset, untilProbe));
  }

  /**
   * Whether the probe at a reset may go. A sliding window's reset ({@code t}) only says that its
   * oldest call has left; when the window is full and slides, other clients' calls arrive about as
   * fast as theirs leave, so what is left is what the latest reading said less this client's calls
   * since, plus its calls that have left ({@code leftByOwnCalls}). The probe may not take that
   * below half the margin, the floor of the probes within it: a probe at every reset would
   * otherwise spend the margin kept for the others' calls the estimate cannot see (issue 14: a 429
   * and a block). Once the whole window has passed since the reading, everything it counted has
   * left, and the probe goes, so a reading that says nothing is left (the {@code r=0} of a 429)
   * cannot hold calls back for good. Pure.
   *
   * @param leftByOwnCalls the latest reading less this client's calls since, plus its calls that
   *     have left the window
   * @param sinceReadingNanos time since the latest reading arrived
   * @param windowNanos the policy's window, 0 when no reading gave one (then the probe goes)
   */
  static boolean resetProbeAllowed(
      long leftByOwnCalls, int permits, long sinceReadingNanos, long windowNanos, long margin) {
    return windowNanos == 0
        || sinceReadingNanos - windowNanos >= 0
        || leftByOwnCalls - permits >= margin / 2;
  }

  /** The call with the latest ticket was sent at {@code now}. */
  private void sent(long now) {
    inFlight.put(taken, new Flight(now, inFlight.size()));
    sent.addLast(now);
    forgetSentBefore(now - windowNanos);
  }

  private void forgetSentBefore(long cutoff) {
    if (windowNanos == 0) {
      // No window known yet: keep the latest calls, enough for the first reading.
      while (sent.size() > UNKNOWN_WINDOW_KEPT) {
        sent.pollFirst();
      }
      return;
    }
    while (!sent.isEmpty() && sent.peekFirst() - cutoff <= 0) {
      sent.pollFirst();
    }
  }

  /** Sets the base so that the estimate at {@code now} is {@code estimate}. */
  private void rebase(long estimate, long now) {
    long before = estimate(now);
    remaining += estimate - before;
  }

  /** The ticket of the latest permit taken. */
  long ticket() {
    return taken;
  }

  /**
   * An answer to the call with {@code ticket} said {@code reading}. The call is {@link #settle
   * settled}.
   *
   * @param now when the answer arrived
   */
  void observe(long ticket, RateLimitHeaders.Reading reading, long now) {
    Flight flight = inFlight.get(ticket);
    reading.window().ifPresent(w -> windowNanos = w.toNanos());
    settle(ticket, now);
    if (known && ticket < readingTicket) {
      return;
    }
    known = true;
    remaining = reading.remaining();
    readingTicket = ticket;
    readingAt = now;
    unsure = flight == null ? 0 : flight.before();
    resetAt = now + reading.reset().toNanos();
    reading.quota().ifPresent(q -> margin = Math.max(MIN_MARGIN, q / 100));
    // Calls that leave the window from now on free what the reading counted, or what was
    // subtracted for them; calls sent before the window the reading speaks of (which began at
    // now + t - w at the earliest) are not in it.
    credited = 0;
    creditFrom = now + reading.reset().toNanos() - windowNanos;
    if (reading.quota().isPresent() && windowNanos > 0) {
      long quota = reading.quota().getAsLong();
      long sentAfter = sentAfterReading();
      outsidePerSecond =
          outsidePerSecond(
              quota, reading.remaining(), ownInWindow(now, sentAfter) - unsure, windowNanos);
      // For the trend, the calls in flight when the reading's call went are taken as counted (they
      // usually reached Cloudflare first): whether this client is sending or pausing then does not
      // move the others' count.
      othersInWindow.addLast(
          new long[] {
            now, othersInWindow(quota, reading.remaining(), ownInWindow(now, sentAfter))
          });
      while (othersInWindow.size() > TREND_KEPT
          || (othersInWindow.size() > 1 && now - secondOldest(othersInWindow)[0] > windowNanos)) {
        othersInWindow.pollFirst();
      }
      othersRisingPerSecond =
          Math.max(
              0,
              Math.max(
                  trendPerSecond(since(othersInWindow, now - windowNanos / TREND_SHARE)),
                  trendPerSecond(othersInWindow)));
    } else {
      outsidePerSecond = 0;
      othersRisingPerSecond = 0;
    }
  }

  /**
   * The samples from {@code from} on, and the last one before it: after a pause in this client's
   * calls (no answers, no readings) a trend spans the pause.
   */
  private static List<long[]> since(ArrayDeque<long[]> samples, long from) {
    ArrayDeque<long[]> recent = new ArrayDeque<>();
    Iterator<long[]> it = samples.descendingIterator();
    while (it.hasNext()) {
      long[] s = it.next();
      recent.addFirst(s);
      if (s[0] - from < 0) {
        break;
      }
    }
    return List.copyOf(recent);
  }

  private static long[] secondOldest(ArrayDeque<long[]> samples) {
    Iterator<long[]> it = samples.iterator();
    it.next();
    return it.next();
  }

  /**
   * Other clients' requests a reading counts: what the window has used ({@code quota - remaining})
   * less what this client sent in it. Pure.
   *
   * @param ownInWindow this client's calls the reading counts
   * @return never negative
   */
  static long othersInWindow(long quota, long remaining, long ownInWindow) {
    return Math.max(0, quota - remaining - ownInWindow);
  }

  /**
   * The least-squares slope of {when, how many} samples, per second: how fast the count grows. 0
   * with fewer than two samples or none apart in time. Pure.
   */
  static double trendPerSecond(Iterable<long[]> samples) {
    int n = 0;
    long t0 = 0;
    double sumT = 0;
    double sumC = 0;
    for (long[] s : samples) {
      if (n == 0) {
        t0 = s[0];
      }
      n++;
      sumT += (s[0] - t0) / (double) SECOND;
      sumC += s[1];
    }
    if (n < 2) {
      return 0;
    }
    double meanT = sumT / n;
    double meanC = sumC / n;
    double covariance = 0;
    double variance = 0;
    for (long[] s : samples) {
      double dt = (s[0] - t0) / (double) SECOND - meanT;
      covariance += dt * (s[1] - meanC);
      variance += dt * dt;
    }
    return variance == 0 ? 0 : covariance / variance;
  }

  /**
   * What to keep for other clients on top of the margin: what they add to the window, beyond what
   * leaves it, until the window resets. A window frees nothing before its reset ({@code t}: a fixed
   * window at its end, a sliding one when its oldest call leaves, and while it is first filling
   * nothing has left it), so a client sending blindly at a steady rate fills it by its rising rate
   * times that time. Once the window slides, their calls leave about as fast as they arrive and the
   * count stops rising: nothing more is kept. Pure.
   *
   * @param risingPerSecond how fast other clients' requests in the window grow
   * @param untilResetNanos time until the window resets
   */
  static long keptForOthers(double risingPerSecond, long untilResetNanos) {
    return (long) Math.ceil(risingPerSecond * Math.max(0, untilResetNanos) / SECOND);
  }

  /**
   * This client's calls sent within the window before {@code now}, except the {@code sentAfter}
   * sent after the reading's own call, which it does not count.
   */
  private long ownInWindow(long now, long sentAfter) {
    forgetSentBefore(now - windowNanos);
    return Math.max(0, sent.size() - sentAfter);
  }

  /** Calls sent after the reading's own: the permits taken since, less those held and unsent. */
  private long sentAfterReading() {
    long heldUnsent = 0;
    for (long[] h : held) {
      if (h[0] > readingTicket) {
        heldUnsent++;
      }
    }
    return taken - readingTicket - heldUnsent;
  }

  /**
   * Other clients' rate, from one reading of a window: what the window has used ({@code quota -
   * remaining}) less what this client sent in it, spread over the window. Pure.
   *
   * @param ownInWindow this client's calls the reading counts
   * @return requests per second, never negative
   */
  static double outsidePerSecond(long quota, long remaining, long ownInWindow, long windowNanos) {
    return othersInWindow(quota, remaining, ownInWindow) * (double) SECOND / windowNanos;
  }

  /** Other clients' requests per second by the latest reading (0 before one). */
  double outsidePerSecond() {
    return outsidePerSecond;
  }

  /** How fast other clients' requests in the window grow, per second, by the latest readings. */
  double othersRisingPerSecond() {
    return othersRisingPerSecond;
  }

  /** What is kept for other clients on top of the margin at {@code now}. */
  long keptForOthers(long now) {
    return known ? keptForOthers(othersRisingPerSecond, resetAt - now) : 0;
  }

  /**
   * The answer to the call with {@code ticket} arrived at {@code now}, or it failed without one. An
   * answered call reached Cloudflare before {@code now}, so it has left a window of length {@code
   * w} by {@code now + w} (a sliding window: exactly then, at the latest; a fixed one: at its
   * reset, earlier): from then on it is credited back to the estimate.
   */
  void settle(long ticket, long now) {
    Flight flight = inFlight.remove(ticket);
    if (flight != null && windowNanos > 0) {
      answered.addLast(new long[] {flight.sentAt(), now});
    }
  }

  /**
   * Credits the answered calls that have surely left the window by {@code now} and were sent within
   * the window the latest reading counted; forgets them either way.
   */
  private void advance(long now) {
    while (!answered.isEmpty() && now - (answered.peekFirst()[1] + windowNanos) >= 0) {
      long[] call = answered.pollFirst();
      if (call[0] - creditFrom >= 0 && call[0] + windowNanos - readingAt > 0) {
        credited++;
      }
    }
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
   * so no longer counted against readings). The create it is used for is sent now.
   *
   * @return the create's ticket (for {@link #observe}), or -1 when no held permit was left: the
   *     create must take a permit of its own
   */
  long useHeld(long now, long ttlNanos) {
    while (!held.isEmpty()) {
      long[] h = held.pollFirst();
      if (now - h[1] < ttlNanos) {
        long ticket = h[0];
        if (known && h[0] <= readingTicket) {
          // The latest reading does not include it: from now on it counts as sent after it.
          ticket = ++taken;
        }
        inFlight.put(ticket, new Flight(now, inFlight.size()));
        sent.addLast(now);
        return ticket;
      }
    }
    return -1;
  }

  /**
   * Requests Cloudflare has left by this estimate at {@code now}, or -1 when no answer told yet.
   */
  long estimate(long now) {
    if (!known) {
      return -1;
    }
    // Their calls since the reading, at their average rate over the window.
    long others = (long) Math.ceil(outsidePerSecond * Math.max(0, now - readingAt) / SECOND);
    return leftByOwnCalls(now) - others;
  }

  /**
   * The latest reading less this client's calls it may not include, plus this client's calls that
   * have left the window since: the estimate before other clients' calls since the reading.
   */
  private long leftByOwnCalls(long now) {
    long unsent = 0;
    for (long[] h : held) {
      if (h[0] <= readingTicket) {
        unsent++;
      }
    }
    advance(now);
    return remaining - (taken - readingTicket) - unsure - unsent + credited;
  }

  /** Requests kept in hand: the larger of {@link #MIN_MARGIN} and 1% of the quota. */
  long margin() {
    return margin;
  }
}
