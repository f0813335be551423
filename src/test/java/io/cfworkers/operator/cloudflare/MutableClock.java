package io.cfworkers.operator.cloudflare;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/** A clock tests move by hand; {@link #nanoTime()} moves with it, as a monotonic ticker. */
final class MutableClock extends Clock {
  private final Instant origin;
  private final AtomicLong elapsedNanos = new AtomicLong();

  MutableClock(Instant origin) {
    this.origin = origin;
  }

  void advance(Duration by) {
    elapsedNanos.addAndGet(by.toNanos());
  }

  long nanoTime() {
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
    throw new UnsupportedOperationException();
  }
}
