package io.cfworkers.operator.rollout.analysis;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * When the canary of a held step is measured next, and over which window. A window is {@code [now -
 * delay - window, now - delay]} (whole seconds), and is only measured when it starts at or after
 * the moment the step's split went live: older data describes another split. Measurements of one
 * step are at least {@code interval} apart; a measurement taken before the step went live belongs
 * to an earlier step and does not count.
 */
public final class AnalysisWindow {
  private AnalysisWindow() {}

  /** What to do now: measure a window, or look again later. */
  public sealed interface Plan permits Due, NotYet {}

  /**
   * Measure now, over {@code [start, end]}.
   *
   * @param start inclusive start of the window (RFC 3339 {@code since} of the query)
   * @param end end of the window ({@code until} of the query)
   */
  public record Due(Instant start, Instant end) implements Plan {
    public Due {
      Objects.requireNonNull(start, "start");
      Objects.requireNonNull(end, "end");
    }
  }

  /**
   * Not yet: nothing to measure before {@code lookAgainAt}.
   *
   * @param lookAgainAt the earliest time a measurement can be due; a reconcile should be scheduled
   *     for it
   */
  public record NotYet(Instant lookAgainAt) implements Plan {
    /** Time from {@code now} until {@link #lookAgainAt}, never negative. */
    public Duration after(Instant now) {
      Duration d = Duration.between(now, lookAgainAt);
      return d.isNegative() ? Duration.ZERO : d;
    }
  }

  /**
   * Plans the next measurement of a step.
   *
   * @param now the current time
   * @param stepStartedAt when the step's split was first observed live
   * @param lastMeasuredAt when the last measurement was taken, or null if none; one taken before
   *     {@code stepStartedAt} belongs to an earlier step and is ignored
   * @param settings interval, window and delay
   */
  public static Plan plan(
      Instant now, Instant stepStartedAt, Instant lastMeasuredAt, AnalysisSettings settings) {
    Objects.requireNonNull(now, "now");
    Objects.requireNonNull(stepStartedAt, "stepStartedAt");
    // Windows end on whole seconds; the first one that starts at or after the step went live.
    Instant firstEnd = ceilToSecond(stepStartedAt.plus(settings.window()));
    Instant earliest = firstEnd.plus(settings.delay());
    if (lastMeasuredAt != null && !lastMeasuredAt.isBefore(stepStartedAt)) {
      Instant byInterval = lastMeasuredAt.plus(settings.interval());
      if (byInterval.isAfter(earliest)) {
        earliest = byInterval;
      }
    }
    if (now.isBefore(earliest)) {
      return new NotYet(earliest);
    }
    Instant end = now.minus(settings.delay()).truncatedTo(ChronoUnit.SECONDS);
    return new Due(end.minus(settings.window()), end);
  }

  private static Instant ceilToSecond(Instant t) {
    Instant floor = t.truncatedTo(ChronoUnit.SECONDS);
    return floor.equals(t) ? t : floor.plusSeconds(1);
  }
}
