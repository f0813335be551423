package io.cfworkers.operator.cloudflare;

import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

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
 * handed out. The defaults (1000 per 5 minutes in 100 slices: 10 per 3 s) thus stay under
 * Cloudflare's 1200 per 5 minutes in every window.
 *
 * <p>{@link #acquire} waits for a permit only when one frees within the {@code maxWait} it was
 * built with (a create racing it for that permit can stretch the wait, never beyond {@code
 * createMaxWait}); otherwise it throws {@link CloudflareRateLimitedException} (HTTP status 0)
 * carrying the time until one does, and the call must not be sent. {@link #acquireForCreate} waits
 * up to {@code createMaxWait}, reserving its permit ahead of reads. After Cloudflare answered 429,
 * {@link #blockFor} holds the credential: every {@link #acquire} for it throws until the wait has
 * passed.
 */
public final class CredentialRateLimiter {

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

  private final Budget budget;
  private final RateLimiterConfig config;
  private final Duration maxWait;
  private final Clock clock;
  private final LongSupplier nanoTime;
  private final Map<String, AtomicRateLimiter> limiters = new ConcurrentHashMap<>();
  private final Map<String, Instant> blockedUntil = new ConcurrentHashMap<>();

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
    this.budget = Objects.requireNonNull(budget, "budget");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
    if (maxWait.isNegative()) {
      throw new IllegalArgumentException("maxWait must not be negative");
    }
    this.config =
        RateLimiterConfig.custom()
            .limitForPeriod(budget.permitsPerSlice())
            .limitRefreshPeriod(budget.sliceLength())
            .timeoutDuration(createMaxWait.compareTo(maxWait) > 0 ? createMaxWait : maxWait)
            .build();
    this.maxWait = maxWait;
  }

  public Budget budget() {
    return budget;
  }

  /**
   * Takes one permit of the credential's budget if one frees within {@code maxWait}.
   *
   * @throws CloudflareRateLimitedException (HTTP status 0) when the credential is blocked after a
   *     429 or its budget has no permit in time; {@code retryAfter} is the time until the block
   *     ends or a permit frees. No permit is taken then.
   */
  public void acquire(Credential credential) {
    take(credential, false);
  }

  /**
   * Takes one permit for a create call, waiting up to {@code createMaxWait}. A create follows the
   * read that decided it; waiting longer than reads do reserves its permit ahead of the reads of
   * other resources, so creates are not starved when many resources share one credential.
   *
   * @throws CloudflareRateLimitedException as {@link #acquire}
   */
  public void acquireForCreate(Credential credential) {
    take(credential, true);
  }

  private void take(Credential credential, boolean create) {
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
    AtomicRateLimiter limiter = limiters.computeIfAbsent(id, this::newLimiter);
    boolean readTooFarOut =
        !create && limiter.getDetailedMetrics().getNanosToWait() > maxWait.toNanos();
    if (readTooFarOut || !limiter.acquirePermission()) {
      Duration wait =
          Duration.ofNanos(Math.max(limiter.getDetailedMetrics().getNanosToWait(), 1_000_000L));
      throw new CloudflareRateLimitedException(
          wait,
          0,
          List.of(),
          "Client-side request budget of credential "
              + id
              + " ("
              + budget.requests()
              + " per "
              + budget.period()
              + ") is spent; next call possible in "
              + wait);
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

  private AtomicRateLimiter newLimiter(String credentialId) {
    return new AtomicRateLimiter(credentialId, config, Map.of(), nanoTime::getAsLong);
  }
}
