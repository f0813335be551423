package io.cfworkers.operator.rollout.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class AnalysisWindowTest {
  static final Instant LIVE = Instant.parse("2026-11-29T12:00:00Z");

  /** interval 1m, window 5m, delay 3m: the first window [12:00, 12:05] is measurable at 12:08. */
  static final AnalysisSettings DEFAULTS = AnalysisSettings.defaults();

  static Instant at(String hhmmss) {
    return Instant.parse("2026-11-29T" + hhmmss + "Z");
  }

  static Arguments due(
      String reason, Instant now, Instant stepStartedAt, Instant last, String start, String end) {
    return Arguments.of(
        reason, now, stepStartedAt, last, new AnalysisWindow.Due(at(start), at(end)));
  }

  static Arguments notYet(
      String reason, Instant now, Instant stepStartedAt, Instant last, String lookAgainAt) {
    return Arguments.of(
        reason, now, stepStartedAt, last, new AnalysisWindow.NotYet(at(lookAgainAt)));
  }

  static Stream<Arguments> plans() {
    return Stream.of(
        notYet(
            "just went live: the first window would start before the split was live",
            LIVE,
            LIVE,
            null,
            "12:08:00"),
        notYet(
            "one second short of delay + window after going live",
            at("12:07:59"),
            LIVE,
            null,
            "12:08:00"),
        due(
            "exactly delay + window after going live: the window starts at the step's start",
            at("12:08:00"),
            LIVE,
            null,
            "12:00:00",
            "12:05:00"),
        due(
            "later without a measurement: the window ends delay before now",
            at("12:20:30"),
            LIVE,
            null,
            "12:12:30",
            "12:17:30"),
        due(
            "window edges are whole seconds, the end rounded down",
            Instant.parse("2026-11-29T12:20:30.750Z"),
            LIVE,
            null,
            "12:12:30",
            "12:17:30"),
        notYet(
            "step went live mid-second: its first window starts on the next whole second",
            at("12:08:00"),
            Instant.parse("2026-11-29T12:00:00.200Z"),
            null,
            "12:08:01"),
        notYet(
            "measured 30 s ago with a 1m interval",
            at("12:10:00"),
            LIVE,
            at("12:09:30"),
            "12:10:30"),
        due(
            "measured exactly one interval ago",
            at("12:10:30"),
            LIVE,
            at("12:09:30"),
            "12:02:30",
            "12:07:30"),
        due(
            "a measurement from before the step went live belongs to the previous step",
            at("12:08:00"),
            LIVE,
            at("11:59:40"),
            "12:00:00",
            "12:05:00"),
        notYet(
            "the previous step's recent measurement does not make an early window measurable",
            at("12:03:00"),
            LIVE,
            at("11:59:40"),
            "12:08:00"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("plans")
  void plansTheNextMeasurement(
      String reason,
      Instant now,
      Instant stepStartedAt,
      Instant lastMeasuredAt,
      AnalysisWindow.Plan expected) {
    AnalysisWindow.Plan plan = AnalysisWindow.plan(now, stepStartedAt, lastMeasuredAt, DEFAULTS);
    assertEquals(expected, plan);
    if (plan instanceof AnalysisWindow.Due window) {
      assertFalse(window.start().isBefore(stepStartedAt), "window starts before the step");
      assertEquals(DEFAULTS.window(), Duration.between(window.start(), window.end()));
    }
  }

  @Test
  void zeroDelayMeasuresUpToNowOnceAWholeWindowHasPassed() {
    AnalysisSettings noDelay =
        new AnalysisSettings(Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ZERO, 1, 1, 0);
    assertEquals(
        new AnalysisWindow.NotYet(at("12:01:00")),
        AnalysisWindow.plan(at("12:00:59"), LIVE, null, noDelay));
    assertEquals(
        new AnalysisWindow.Due(at("12:00:00"), at("12:01:00")),
        AnalysisWindow.plan(at("12:01:00"), LIVE, null, noDelay));
  }

  @Test
  void tellsHowLongUntilTheNextLookNeverNegative() {
    AnalysisWindow.NotYet notYet =
        assertInstanceOf(
            AnalysisWindow.NotYet.class, AnalysisWindow.plan(LIVE, LIVE, null, DEFAULTS));
    assertEquals(Duration.ofMinutes(8), notYet.after(LIVE));
    assertEquals(Duration.ZERO, notYet.after(at("12:09:00")));
  }
}
