package io.cfworkers.operator.support.operator;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Simulated time that moves only when a test moves it: minutes of analysis windows or budget
 * periods pass in the milliseconds a test takes to call {@link #advance}. {@link #INSTANCE} is
 * shared by an operator under test ({@link SimulatedClockProducer}) and the fake Cloudflare it
 * talks to ({@link FakeCloudflareResource} with {@code clock=simulated}) and starts at the real
 * time the JVM loaded it; unit tests make their own from a fixed instant. {@link #nanoTime()} moves
 * with it, as a monotonic ticker.
 */
public final class SimulatedClock extends Clock {
  public static final SimulatedClock INSTANCE = new SimulatedClock(Instant.now());

  private final Instant origin;
  private final AtomicLong elapsedNanos = new AtomicLong();

  public SimulatedClock(Instant origin) {
    this.origin = origin;
  }

  /** Moves time forward by {@code by}. */
  public void advance(Duration by) {
    if (by.isNegative()) {
      throw new IllegalArgumentException("time only moves forward");
    }
    elapsedNanos.addAndGet(by.toNanos());
  }

  /** Nanoseconds moved since the origin: a ticker for code that takes one. */
  public long nanoTime() {
    return elapsedNanos.get();
  }

  @Override
  public Instant instant() {
    return origin.plusNanos(elapsedNanos.get());
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    throw new UnsupportedOperationException("simulated time is UTC");
  }
}
