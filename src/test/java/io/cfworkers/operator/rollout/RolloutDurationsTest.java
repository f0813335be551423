package io.cfworkers.operator.rollout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RolloutDurationsTest {

  static Stream<Arguments> valid() {
    return Stream.of(
        Arguments.of("seconds", "20s", Duration.ofSeconds(20)),
        Arguments.of("minutes", "10m", Duration.ofMinutes(10)),
        Arguments.of("hours", "2h", Duration.ofHours(2)),
        Arguments.of("milliseconds", "500ms", Duration.ofMillis(500)),
        Arguments.of("hours and minutes", "1h30m", Duration.ofMinutes(90)),
        Arguments.of("every unit", "1h2m3s4ms", Duration.parse("PT1H2M3.004S")),
        Arguments.of("fraction of an hour", "1.5h", Duration.ofMinutes(90)),
        Arguments.of("fraction of a second", "0.25s", Duration.ofMillis(250)),
        Arguments.of("units out of order add up, as in Go", "30m1h", Duration.ofMinutes(90)),
        Arguments.of("zero", "0s", Duration.ZERO),
        Arguments.of("minutes not milliseconds", "5m", Duration.ofMinutes(5)),
        Arguments.of("large number of seconds", "86400s", Duration.ofDays(1)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("valid")
  void parsesGoStyleDuration(String reason, String text, Duration expected) {
    assertEquals(expected, RolloutDurations.parse(text, "spec.rollout.progressDeadline"));
  }

  static Stream<Arguments> invalid() {
    return Stream.of(
        Arguments.of("days are not a unit", "1d"),
        Arguments.of("no unit", "600"),
        Arguments.of("empty", ""),
        Arguments.of("absent", null),
        Arguments.of("negative", "-5m"),
        Arguments.of("space between number and unit", "10 m"),
        Arguments.of("ISO 8601", "PT10M"),
        Arguments.of("microseconds are not a unit", "10us"),
        Arguments.of("uppercase unit", "10M"),
        Arguments.of("fraction without digits", "1.h"),
        Arguments.of("unit without number", "h"),
        Arguments.of("longer than Java's nanosecond range", "3000000h"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("invalid")
  void rejectsMalformedDurationNamingTheField(String reason, String text) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RolloutDurations.parse(text, "spec.rollout.steps[0].pause.duration"));
    assertEquals(true, e.getMessage().startsWith("spec.rollout.steps[0].pause.duration: "));
    assertFalse(RolloutDurations.isValid(text));
  }
}
