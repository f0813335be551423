package io.cfworkers.operator.cloudflare;

import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * The client-side request budget, one per credential ({@link Credential#id()}): every call made
 * with a credential, whatever resource it serves, draws from that credential's budget, and no
 * other.
 *
 * <p>The budget is {@link Budget#requests()} per {@link Budget#period()}, released in {@code n}
 * equal slices so a burst cannot spend a whole period at once: {@code n = min(slices, requests)},
 * each slice lasts {@code period / n} and holds {@code floor(requests / n)} permits (a resilience4j
 * rate limiter with that refresh period and limit). A window of length {@code period} overlaps at
 * most {@code n + 1} slices, so no such window ever sees more than {@code requests + floor(requests
 * / n)} calls, i.e. the budget plus one slice; the remainder of {@code requests / n} is never
 * handed out. With the defaults (1200 per 5 minutes in 100 slices: 12 per 3 s) that one slice is
 * what Cloudflare's count (below) holds back.
 *
 * <p>Changes go first. {@link #acquire} (a read of an unchanged resource: a poll) takes a permit of
 * the current slice only, never one reserved ahead, and waits for the next slice only while that is
 * within the {@code maxWait} it was built with; while a change of the same credential waits for
 * permits (in either stage below) it gives up at once. Reads leave the last {@link
 * #keptForChanges(Budget, double) permits of each slice} that are not theirs (what the read share
 * the limiter was built with leaves, at most one pair) to changes, so a change that comes while
 * polls run finds its pair in the current slice instead of the next. Otherwise it throws {@link
 * CloudflareRateLimitedException} (HTTP status 0) carrying the time until it may try again, and the
 * call must not be sent. {@link #acquireForCreate} waits up to {@code createMaxWait}, reserving its
 * permit ahead of reads. {@link #acquirePair} takes the permits of a read and of the create that
 * will likely follow it together, and holds the second for the create. After Cloudflare answered
 * 429, {@link #blockFor} holds the credential: every {@link #acquire} for it throws until the wait
 * has passed.
 *
 * <p>No change holds its thread long. A pair whose permits are further out than {@code min(maxWait,
 * one slice)} reserves them at their slice (resilience4j's {@code reservePermission}: later callers
 * queue behind it) for its <em>waiter</em> (the resource, by name) and throws {@link
 * CloudflareRateLimitedException#permitsReserved()} with the time until they are due; the same
 * waiter coming back (then, or earlier) finds its reservation and never reserves twice. The same
 * holds when Cloudflare's count makes an admitted pair wait longer than that bound: its reservation
 * moves to the time the count may allow it. Reads yield to reservations as to changes waiting in a
 * thread. A reservation not used within {@link #RESERVATION_GRACE_SLICES} slices after it was due
 * (the resource was deleted, or no longer needs a change) lapses: its two permits are not handed
 * out again. Reservations reach at most {@link #RESERVATION_HORIZON_PERIODS} periods ahead.
 *
 * <p>Cloudflare's own count comes on top: {@link #observe} takes the {@code Ratelimit} header of
 * each answer, which counts every client of the credential, and a call is let through only while
 * {@link ServerBudget} estimates that enough is left; otherwise it waits (within the same bounds)
 * until the window resets or a fresher answer arrives. So the budget can be Cloudflare's whole
 * limit: the one slice by which the slices may exceed a sliding window, and the calls of other
 * clients (wrangler, the dashboard), are covered by what Cloudflare says is left.
 */
public final class CredentialRateLimiter {
  private static final Logger LOG = Logger.getLogger(CredentialRateLimiter.class);

  /**
   * A per-credential budget.
   *
   * @param requests calls allowed per period, at least 1
   * @param period the window the budget applies to
   * @param slices how many equal slices the budget is released in, at least 1
   */
  public record Budget(int requests, Duration period, int slices) {
    public Budget {
      Objects.requireNonNull(period, "period");
      if (requests < 1 || slices < 1) {
        throw new IllegalArgumentException("requests and slices must be at least 1");
      }
      if (period.isNegative() || period.isZero()) {
        throw new IllegalArgumentException("period must be positive");
      }
    }

    /** How many slices are used: never more than there are requests. */
    public int effectiveSlices() {
      return Math.min(slices, requests);
    }

    /** Permits released per slice. */
    public int permitsPerSlice() {
      return requests / effectiveSlices();
    }

    /** The length of one slice. */
    public Duration sliceLength() {
      return period.dividedBy(effectiveSlices());
    }
  }

  /** What a permit is for: it decides how long the caller may wait and how many permits. */
  enum Use {
    /** A read: waits at most {@code maxWait}. */
    READ,
    /** A create: uses a permit held by {@link #PAIR}, or waits at most {@code createMaxWait}. */
    CREATE,
    /**
     * A read for a resource with a change pending, and the create that will likely follow: two
     * permits taken together, one of them held for the create; reserved for the resource when they
     * are further out than a short wait (see {@link CredentialRateLimiter#acquirePair}).
     */
    PAIR
  }

  private final Budget budget;
  private final RateLimiterConfig config;
  private final Duration maxWait;
  private final Duration createMaxWait;
  private final Duration reservationBound;
  private final int keptForChanges;
  private volatile MeterRegistry meters;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final Map<String, AtomicRateLimiter> limiters = new ConcurrentHashMap<>();

  /** When each credential's limiter began counting slices, in {@link #nanoTime}. */
  private final Map<String, Long> origins = new ConcurrentHashMap<>();

  private final Map<String, Instant> blockedUntil = new ConcurrentHashMap<>();
  private final Map<String, Server> servers = new ConcurrentHashMap<>();

  /**
   * How long after it was due a reservation lapses unused. Long enough for a resource whose
   * reschedule fired late (a busy reconciler pool) to find it; short enough that reads do not yield
   * long to a reservation nobody comes back for.
   */
  static final int RESERVATION_GRACE_SLICES = 10;

  /** How far ahead a change may reserve, in periods (8 hours at the defaults). */
  static final int RESERVATION_HORIZON_PERIODS = 100;

  /** Cloudflare's view of one credential's budget, with the create permits held for pairs. */
  private final class Server {
    final ServerBudget budget = new ServerBudget(probeNanos());

    /** Changes (pairs, creates without a held permit) waiting in a thread, in either stage. */
    int changesWaiting;

    /** Pairs reserved for their waiters: when each is due ({@link #nanoTime}). */
    private final Map<String, Long> reserved = new HashMap<>();

    /** When the first of {@link #reserved} lapses (none: {@code Long.MAX_VALUE}), in nanoTime. */
    private long firstLapse = Long.MAX_VALUE;

    void reserve(String waiter, long due) {
      reserved.put(waiter, due);
      firstLapse = Math.min(firstLapse, due + graceNanos());
    }

    /** Removes the reservations more than the grace after they were due. */
    void sweep(long now) {
      if (now - firstLapse <= 0) {
        return;
      }
      long grace = graceNanos();
      reserved.values().removeIf(due -> now - due > grace);
      firstLapse =
          reserved.values().stream().mapToLong(due -> due + grace).min().orElse(Long.MAX_VALUE);
    }

    /** Changes reads yield to: those waiting in a thread and those reserved. */
    int changesAhead() {
      return changesWaiting + reserved.size();
    }
  }

  /** A limiter on the system clock. */
  public CredentialRateLimiter(Budget budget, Duration maxWait) {
    this(budget, maxWait, Clock.systemUTC(), System::nanoTime);
  }

  /**
   * A limiter on the system clock whose {@link #acquireForCreate} may wait up to {@code
   * createMaxWait}, reserving its permit ahead of reads.
   */
  public CredentialRateLimiter(Budget budget, Duration maxWait, Duration createMaxWait) {
    this(budget, maxWait, createMaxWait, Clock.systemUTC(), System::nanoTime);
  }

  /**
   * As {@link #CredentialRateLimiter(Budget, Duration, Duration, Clock, LongSupplier)}, with
   * creates waiting no longer than reads.
   */
  public CredentialRateLimiter(
      Budget budget, Duration maxWait, Clock clock, LongSupplier nanoTime) {
    this(budget, maxWait, maxWait, clock, nanoTime);
  }

  /**
   * @param budget the budget each credential gets
   * @param maxWait the longest {@link #acquire} waits for a permit before giving up
   * @param createMaxWait the longest {@link #acquireForCreate} waits; at least {@code maxWait}
   * @param clock measures blocks after a 429
   * @param nanoTime the monotonic time the budget's slices are measured in
   */
  public CredentialRateLimiter(
      Budget budget, Duration maxWait, Duration createMaxWait, Clock clock, LongSupplier nanoTime) {
    this(budget, maxWait, createMaxWait, 1.0, clock, nanoTime);
  }

  /**
   * A limiter on the system clock whose reads (polls) leave the part of each slice beyond {@code
   * readShare} to changes, up to one pair ({@link #keptForChanges}).
   */
  public CredentialRateLimiter(
      Budget budget, Duration maxWait, Duration createMaxWait, double readShare) {
    this(budget, maxWait, createMaxWait, readShare, Clock.systemUTC(), System::nanoTime);
  }

  /**
   * @param budget the budget each credential gets
   * @param maxWait the longest {@link #acquire} waits for a permit before giving up
   * @param createMaxWait the longest {@link #acquireForCreate} waits; at least {@code maxWait}
   * @param readShare the share of each slice reads may take (more than 0, at most 1); see {@link
   *     #keptForChanges}
   * @param clock measures blocks after a 429
   * @param nanoTime the monotonic time the budget's slices are measured in
   */
  public CredentialRateLimiter(
      Budget budget,
      Duration maxWait,
      Duration createMaxWait,
      double readShare,
      Clock clock,
      LongSupplier nanoTime) {
    if (!(readShare > 0 && readShare <= 1)) {
      throw new IllegalArgumentException(
          "readShare must be more than 0 and at most 1, was " + readShare);
    }
    this.keptForChanges = keptForChanges(budget, readShare);
    this.budget = Objects.requireNonNull(budget, "budget");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must not be negative");
    }
    this.maxWait = maxWait;
    this.createMaxWait = createMaxWait.compareTo(maxWait) > 0 ? createMaxWait : maxWait;
    this.reservationBound = reservationBound(maxWait, budget);
    this.config =
        RateLimiterConfig.custom()
            .limitForPeriod(budget.permitsPerSlice())
            .limitRefreshPeriod(budget.sliceLength())
            .timeoutDuration(
                longest(
                    this.createMaxWait, budget.period().multipliedBy(RESERVATION_HORIZON_PERIODS)))
            .build();
  }

  /**
   * The longest a change waits for its permits in its thread: as long as a read may ({@code
   * maxWait}), never more than one slice. Beyond it the permits are reserved and the thread given
   * back. So the threads waiting at once are at most the changes one slice admits, whatever the
   * number of resources. Pure.
   */
  static Duration reservationBound(Duration maxWait, Budget budget) {
    return maxWait.compareTo(budget.sliceLength()) < 0 ? maxWait : budget.sliceLength();
  }

  /**
   * The permits of each slice reads leave to changes: what {@code readShare} of the slice (rounded
   * up) leaves, at most one pair. A change that comes while polls fill the slice then finds its two
   * permits in the current slice. 0 when reads may take everything. Pure.
   */
  static int keptForChanges(Budget budget, double readShare) {
    int perSlice = budget.permitsPerSlice();
    int reads = (int) Math.ceil(perSlice * readShare - 1e-9);
    return Math.max(0, Math.min(2, perSlice - reads));
  }

  /** The permits of each slice reads leave to changes ({@link #keptForChanges}). */
  public int keptForChanges() {
    return keptForChanges;
  }

  private static Duration longest(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /** A probe after a window's reset counts as in flight for one slice. */
  private long probeNanos() {
    return budget.sliceLength().toNanos();
  }

  public Budget budget() {
    return budget;
  }

  /**
   * Takes one permit of the credential's budget for a read, if one frees within {@code maxWait} and
   * no change of the credential waits for permits.
   *
   * @throws CloudflareRateLimitedException (HTTP status 0) when the credential is blocked after a
   *     429, its budget has no permit in time, or changes wait ({@link #yieldWait}); {@code
   *     retryAfter} is the time until the block ends or a permit frees. No permit is taken then.
   */
  public void acquire(Credential credential) {
    take(credential, Use.READ);
  }

  /**
   * Takes one permit for a create call: a permit held by {@link #acquirePair} for this credential
   * if there is one, otherwise waiting up to {@code createMaxWait}. A create follows the read that
   * decided it; waiting longer than reads do reserves its permit ahead of the reads of other
   * resources, so creates are not starved when many resources share one credential.
   *
   * @throws CloudflareRateLimitedException as {@link #acquire}
   */
  public void acquireForCreate(Credential credential) {
    take(credential, Use.CREATE);
  }

  /**
   * Takes two permits together, for the read of a resource with a change pending and the create
   * that will likely follow it. The second permit is held for the next {@link #acquireForCreate} of
   * this credential (within one period), so a read is never spent on a change whose create then
   * cannot get a permit. Waits in the thread at most {@link #reservationBound}; when the permits
   * are further out, they are reserved for {@code waiter} (see the class comment).
   *
   * @param waiter who the change is for (a resource's namespace/name): its reservation, if any
   * @throws CloudflareRateLimitedException with {@link
   *     CloudflareRateLimitedException#permitsReserved()} when the permits are reserved for {@code
   *     waiter} and due after its {@code retryAfter}; otherwise as {@link #acquire} (the credential
   *     blocked after a 429, or more than {@link #RESERVATION_HORIZON_PERIODS} periods of changes
   *     queued), no permit taken
   */
  public void acquirePair(Credential credential, String waiter) {
    take(credential, Use.PAIR, waiter);
  }

  /**
   * Takes what {@code use} needs and returns the ticket of the call, for {@link #observe}.
   *
   * @throws CloudflareRateLimitedException as {@link #acquire}
   */
  long take(Credential credential, Use use) {
    return take(credential, use, null);
  }

  /**
   * As {@link #take(Credential, Use)}; a {@link Use#PAIR} for {@code waiter} (required for it) uses
   * or makes its reservation.
   */
  long take(Credential credential, Use use, String waiter) {
    String id = credential.id();
    Instant until = blockedUntil.get(id);
    if (until != null) {
      Duration remaining = Duration.between(clock.instant(), until);
      if (remaining.isNegative() || remaining.isZero()) {
        blockedUntil.remove(id, until);
      } else {
        throw new CloudflareRateLimitedException(
            remaining,
            0,
            List.of(),
            "Cloudflare rate-limited credential "
                + id
                + "; no call is made with it for another "
                + remaining);
      }
    }
    Server server = servers.computeIfAbsent(id, this::newServer);
    if (use == Use.CREATE) {
      synchronized (server) {
        long ticket = server.budget.useHeld(nanoTime.getAsLong(), budget.period().toNanos());
        if (ticket >= 0) {
          return ticket;
        }
      }
    }
    AtomicRateLimiter limiter = limiters.computeIfAbsent(id, this::newLimiter);
    if (use == Use.READ) {
      return takeRead(id, server, limiter);
    }
    if (use == Use.PAIR) {
      return takePair(id, server, limiter, Objects.requireNonNull(waiter, "waiter"));
    }
    // A change: reads yield to it in both stages while it waits.
    synchronized (server) {
      server.changesWaiting++;
    }
    try {
      boolean tooFarOut = limiter.getDetailedMetrics().getNanosToWait() > createMaxWait.toNanos();
      if (tooFarOut || !limiter.acquirePermission(1)) {
        throw spent(id, limiter);
      }
      return admitByCloudflare(id, server, 1, use, createMaxWait, null);
    } finally {
      synchronized (server) {
        server.changesWaiting--;
        server.notifyAll();
      }
    }
  }

  /**
   * A pair: its waiter's reservation when it has one, otherwise two permits reserved now at the
   * first slice that has them. Due within {@link #reservationBound}: waits for them and goes to
   * Cloudflare's count. Further out: the reservation is kept for the waiter and the thread given
   * back.
   */
  private long takePair(String id, Server server, AtomicRateLimiter limiter, String waiter) {
    long now = nanoTime.getAsLong();
    long due;
    synchronized (server) {
      server.sweep(now);
      Long own = server.reserved.get(waiter);
      if (own != null) {
        due = own;
      } else {
        long nanos = limiter.reservePermission(2);
        if (nanos < 0) {
          throw spent(id, limiter);
        }
        due = now + nanos;
        server.reserve(waiter, due);
      }
      if (due - now > reservationBound.toNanos()) {
        throw reserved(id, waiter, due - now);
      }
      // Ours, and due soon: used now (a second take by the same waiter will reserve anew).
      server.reserved.remove(waiter);
      server.changesWaiting++;
    }
    try {
      sleepNanos(due - now);
      return admitByCloudflare(id, server, 2, Use.PAIR, reservationBound, waiter);
    } finally {
      synchronized (server) {
        server.changesWaiting--;
        server.notifyAll();
      }
    }
  }

  private long graceNanos() {
    return budget.sliceLength().toNanos() * RESERVATION_GRACE_SLICES;
  }

  private CloudflareRateLimitedException reserved(String id, String waiter, long nanos) {
    Duration wait = Duration.ofNanos(Math.max(nanos, 1_000_000L));
    return CloudflareRateLimitedException.reserved(
        wait,
        "Budget of credential "
            + id
            + " reserved for "
            + waiter
            + "'s change; its calls are due in "
            + wait);
  }

  private static void sleepNanos(long nanos) {
    if (nanos <= 0) {
      return;
    }
    try {
      Thread.sleep(nanos / 1_000_000L, (int) (nanos % 1_000_000L));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CloudflareRateLimitedException(
          Duration.ofNanos(nanos), 0, List.of(), "Interrupted waiting for a permit");
    }
  }

  /**
   * A read takes a permit of the current slice only, never one reserved ahead: a change arriving
   * later is served before it. It waits (up to {@code maxWait}) for the next slice when this one
   * has no permit left, and gives up at once while a change waits for permits of the same
   * credential.
   */
  private long takeRead(String id, Server server, AtomicRateLimiter limiter) {
    long deadline = nanoTime.getAsLong() + maxWait.toNanos();
    long nanos;
    while (true) {
      synchronized (server) {
        server.sweep(nanoTime.getAsLong());
        if (server.changesAhead() > 0) {
          throw yieldToChanges(id, server.changesAhead(), limiter);
        }
        AtomicRateLimiter.AtomicRateLimiterMetrics metrics = limiter.getDetailedMetrics();
        int available = metrics.getAvailablePermissions();
        if (available > keptForChanges) {
          // Taken under the lock, so two reads never both take the last permit meant for them.
          nanos = limiter.reservePermission(1);
          break;
        }
        long now = nanoTime.getAsLong();
        // What is left of this slice is kept for changes: wait for the next one.
        long wait =
            Math.max(1, available > 0 ? nanosToNextSlice(id, now) : metrics.getNanosToWait());
        if (now + wait - deadline > 0) {
          throw available > 0 ? leftToChanges(id, wait) : spent(id, wait);
        }
        try {
          server.wait(Math.max(1, wait / 1_000_000L), (int) (wait % 1_000_000L));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CloudflareRateLimitedException(
              Duration.ofNanos(wait), 0, List.of(), "Interrupted waiting for credential " + id);
        }
      }
    }
    if (nanos < 0) {
      throw spent(id, limiter);
    }
    sleepNanos(nanos);
    return admitByCloudflare(id, server, 1, Use.READ, maxWait, null);
  }

  /** Time from {@code now} to the start of the credential's next slice. */
  private long nanosToNextSlice(String id, long now) {
    long slice = budget.sliceLength().toNanos();
    long origin = origins.getOrDefault(id, now);
    return origin + (Math.floorDiv(now - origin, slice) + 1) * slice - now;
  }

  /**
   * How long a read that yielded to {@code changesWaiting} waiting changes should wait before it
   * tries again: until the client-side budget has released their permits (two each), at least one
   * slice, at most one period. Pure.
   */
  static Duration yieldWait(int changesWaiting, Budget budget, long nanosToWait) {
    long slices =
        Math.max(
            1, (2L * changesWaiting + budget.permitsPerSlice() - 1) / budget.permitsPerSlice());
    long nanos = Math.max(nanosToWait, budget.sliceLength().toNanos() * slices);
    return Duration.ofNanos(Math.min(nanos, budget.period().toNanos()));
  }

  private CloudflareRateLimitedException yieldToChanges(
      String id, int changesWaiting, AtomicRateLimiter limiter) {
    Duration wait =
        yieldWait(changesWaiting, budget, limiter.getDetailedMetrics().getNanosToWait());
    return new CloudflareRateLimitedException(
        wait,
        0,
        List.of(),
        "Changes wait for the request budget of credential "
            + id
            + "; reads of unchanged resources go after them, next in "
            + wait);
  }

  private CloudflareRateLimitedException leftToChanges(String id, long nanosToWait) {
    return held(
        nanosToWait,
        "The rest of this budget slice of credential "
            + id
            + " is kept for changes; next read possible in ");
  }

  private CloudflareRateLimitedException spent(String id, AtomicRateLimiter limiter) {
    return spent(id, limiter.getDetailedMetrics().getNanosToWait());
  }

  private CloudflareRateLimitedException spent(String id, long nanosToWait) {
    return held(
        nanosToWait,
        "Client-side request budget of credential "
            + id
            + " ("
            + budget.requests()
            + " per "
            + budget.period()
            + ") is spent; next call possible in ");
  }

  /** A call held on this side (no HTTP status): {@code message} ends with the wait. */
  private static CloudflareRateLimitedException held(long nanosToWait, String message) {
    Duration wait = Duration.ofNanos(Math.max(nanosToWait, 1_000_000L));
    return new CloudflareRateLimitedException(wait, 0, List.of(), message + wait);
  }

  /**
   * Waits, up to {@code bound}, until Cloudflare's own count (its {@code Ratelimit} header, which
   * includes other clients of the credential) leaves room for {@code permits} calls. A pair for a
   * {@code waiter} that would wait longer keeps its permits reserved until the count may allow it.
   */
  private long admitByCloudflare(
      String id, Server server, int permits, Use use, Duration bound, String waiter) {
    long deadline = nanoTime.getAsLong() + bound.toNanos();
    synchronized (server) {
      while (true) {
        long now = nanoTime.getAsLong();
        // A read is admitted only while no change waits: changes first.
        long wait =
            use == Use.READ && server.changesAhead() > 0
                ? budget.sliceLength().toNanos()
                : server.budget.admit(permits, now);
        if (wait == 0) {
          if (use == Use.PAIR) {
            server.budget.hold(now);
          }
          return server.budget.ticket();
        }
        if (waiter != null && now + wait - deadline > 0) {
          server.reserve(waiter, now + wait);
          throw reserved(id, waiter, wait);
        }
        if (now + wait - deadline > 0) {
          Duration retry = Duration.ofNanos(Math.max(wait, 1_000_000L));
          throw new CloudflareRateLimitedException(
              retry,
              0,
              List.of(),
              "Cloudflare's count of credential "
                  + id
                  + " leaves "
                  + Math.max(0, server.budget.estimate(now))
                  + " requests, kept in hand for other clients; next call possible in "
                  + retry);
        }
        try {
          // Woken early by a fresher reading (observe).
          server.wait(Math.max(1, wait / 1_000_000L));
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new CloudflareRateLimitedException(
              Duration.ofNanos(wait), 0, List.of(), "Interrupted waiting for credential " + id);
        }
      }
    }
  }

  /**
   * The answer to the call with {@code ticket} (from {@link #take}) carried Cloudflare's rate-limit
   * headers: from now on calls are paced by what Cloudflare says is left.
   */
  void observe(Credential credential, long ticket, RateLimitHeaders.Reading reading) {
    Server server = servers.computeIfAbsent(credential.id(), this::newServer);
    synchronized (server) {
      long now = nanoTime.getAsLong();
      server.budget.observe(ticket, reading, now);
      if (LOG.isDebugEnabled()) {
        LOG.debugf(
            "Ratelimit of credential %s: ticket %d of %d, r=%d t=%ds; estimate now %d, others"
                + " %.2f/s, rising %.2f/s, %d kept for them",
            credential.id(),
            ticket,
            server.budget.ticket(),
            reading.remaining(),
            reading.reset().toSeconds(),
            server.budget.estimate(now),
            server.budget.outsidePerSecond(),
            server.budget.othersRisingPerSecond(),
            server.budget.keptForOthers(now));
      }
      server.notifyAll();
    }
  }

  /**
   * The call with {@code ticket} (from {@link #take}) is over: its answer arrived (after {@link
   * #observe}, if it carried a reading) or it failed without one. Until then it counts against
   * readings brought by calls sent after it.
   */
  void settle(Credential credential, long ticket) {
    Server server = servers.get(credential.id());
    if (server != null) {
      synchronized (server) {
        server.budget.settle(ticket, nanoTime.getAsLong());
      }
    }
  }

  /** Changes of the credential waiting for permits in a thread now (for tests). */
  int changesWaiting(Credential credential) {
    Server server = servers.get(credential.id());
    if (server == null) {
      return 0;
    }
    synchronized (server) {
      return server.changesWaiting;
    }
  }

  /** Changes of the credential whose permits are reserved now, lapsed ones included until swept. */
  public int reservedChanges(Credential credential) {
    Server server = servers.get(credential.id());
    return server == null ? 0 : reservedChanges(server);
  }

  private static int reservedChanges(Server server) {
    synchronized (server) {
      return server.reserved.size();
    }
  }

  /**
   * Exports, per credential (tag {@code credential}, its non-secret id), the changes whose permits
   * are reserved as the gauge {@value #RESERVED_METRIC}: resources waiting for budget, which their
   * status does not show.
   */
  public void exportReservations(MeterRegistry meters) {
    this.meters = meters;
    servers.forEach(this::register);
  }

  public static final String RESERVED_METRIC = "cfworkers.budget.changes.reserved";

  private void register(String id, Server server) {
    MeterRegistry registry = meters;
    if (registry != null) {
      Gauge.builder(RESERVED_METRIC, server, CredentialRateLimiter::reservedChanges)
          .description(
              "Changes waiting for their credential's budget: their calls are reserved at a later"
                  + " slice and the resource is rescheduled for it")
          .tag("credential", id)
          .register(registry);
    }
  }

  /** What Cloudflare has left for the credential by the latest estimate, or -1 when unknown. */
  public long cloudflareRemaining(Credential credential) {
    Server server = servers.get(credential.id());
    if (server == null) {
      return -1;
    }
    synchronized (server) {
      return server.budget.estimate(nanoTime.getAsLong());
    }
  }

  /**
   * Whether a call with this credential would get a permit now without waiting: not held after a
   * 429, and a permit left in the current slice. Takes nothing; a caller may still lose the permit
   * to another thread.
   */
  public boolean hasPermitNow(Credential credential) {
    String id = credential.id();
    Instant until = blockedUntil.get(id);
    if (until != null && clock.instant().isBefore(until)) {
      return false;
    }
    AtomicRateLimiter limiter = limiters.get(id);
    return limiter == null || limiter.getMetrics().getAvailablePermissions() > 0;
  }

  /**
   * Holds every call with this credential for {@code wait} from now (after a 429). A longer block
   * already in place is kept. Other credentials are not affected.
   */
  public void blockFor(Credential credential, Duration wait) {
    blockUntil(credential, clock.instant().plus(wait));
  }

  /** Holds every call with this credential until {@code until}; a later block is kept. */
  public void blockUntil(Credential credential, Instant until) {
    blockedUntil.merge(credential.id(), until, (a, b) -> a.isAfter(b) ? a : b);
  }

  private Server newServer(String id) {
    Server server = new Server();
    register(id, server);
    return server;
  }

  private AtomicRateLimiter newLimiter(String credentialId) {
    // The limiter counts slices from the time it is built: the same reading of nanoTime.
    origins.put(credentialId, nanoTime.getAsLong());
    return new AtomicRateLimiter(credentialId, config, Map.of(), nanoTime::getAsLong);
  }
}
