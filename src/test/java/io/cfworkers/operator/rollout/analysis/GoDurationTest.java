package io.cfworkers.operator.rollout.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class GoDurationTest {
  static Stream<Arguments> durations() {
    return Stream.of(
        Arguments.of("seconds", "30s", Duration.ofSeconds(30), "30s"),
        Arguments.of("minutes", "5m", Duration.ofMinutes(5), "5m"),
        Arguments.of("hours", "1h", Duration.ofHours(1), "1h"),
        Arguments.of("milliseconds, not minutes", "250ms", Duration.ofMillis(250), "250ms"),
        Arguments.of("combined units", "1h30m15s", Duration.ofSeconds(5415), "1h30m15s"),
        Arguments.of("fraction of a unit", "1.5m", Duration.ofSeconds(90), "1m30s"),
        Arguments.of("zero", "0s", Duration.ZERO, "0s"),
        Arguments.of(
            "units out of the usual order add up", "90s1m", Duration.ofSeconds(150), "2m30s"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("durations")
  void parsesAndFormats(String reason, String text, Duration expected, String formatted) {
    assertEquals(expected, GoDuration.parse("spec.rollout.analysis.window", text));
    assertEquals(formatted, GoDuration.format(expected));
  }

  @Test
  void rejectsADurationBeyondWhatNanosecondsHoldRatherThanWrapping() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> GoDuration.parse("spec.rollout.analysis.delay", "9999999999999h"));
    assertEquals(
        "spec.rollout.analysis.delay is too long a duration (at most about 2562047h), not"
            + " \"9999999999999h\"",
        e.getMessage());
  }

  @ParameterizedTest(name = "rejects \"{0}\"")
  @ValueSource(strings = {"", "5", "5 m", "-1m", "1d", "m", "1.m", "PT5M", "5M", "1h 30m"})
  void rejectsWhatTheCrdRejectsNamingTheField(String text) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> GoDuration.parse("spec.rollout.analysis.window", text));
    assertEquals(
        "spec.rollout.analysis.window must be a duration such as 30s, 5m or 1m30s (units h, m,"
            + " s, ms), not \""
            + text
            + "\"",
        e.getMessage());
  }
}
