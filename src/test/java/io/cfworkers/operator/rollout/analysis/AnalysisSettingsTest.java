package io.cfworkers.operator.rollout.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.cfworkers.operator.api.v1alpha1.AnalysisSpec;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The operator checks a spec again: bad values are refused with the field and the rule. */
class AnalysisSettingsTest {

  @Test
  void readsEveryField() {
    AnalysisSpec spec = new AnalysisSpec();
    spec.setInterval("45s");
    spec.setWindow("10m");
    spec.setDelay("2m30s");
    spec.setMinRequests(20);
    spec.setMaxErrorRate(0.5);
    spec.setFailureLimit(2);
    assertEquals(
        new AnalysisSettings(
            Duration.ofSeconds(45), Duration.ofMinutes(10), Duration.ofSeconds(150), 20, 0.5, 2),
        AnalysisSettings.of(spec));
  }

  static Stream<Arguments> badSpecs() {
    return Stream.of(
        bad(
            "interval below 30s",
            s -> s.setInterval("29s"),
            "spec.rollout.analysis.interval must be at least 30s, not 29s"),
        bad(
            "interval that does not parse",
            s -> s.setInterval("1 minute"),
            "spec.rollout.analysis.interval must be a duration such as 30s, 5m or 1m30s (units h,"
                + " m, s, ms), not \"1 minute\""),
        bad("zero window", s -> s.setWindow("0s"), "spec.rollout.analysis.window must be positive"),
        bad(
            "delay in days",
            s -> s.setDelay("1d"),
            "spec.rollout.analysis.delay must be a duration such as 30s, 5m or 1m30s (units h, m,"
                + " s, ms), not \"1d\""),
        bad(
            "minRequests 0",
            s -> s.setMinRequests(0),
            "spec.rollout.analysis.minRequests must be at least 1, not 0"),
        bad(
            "maxErrorRate above 100",
            s -> s.setMaxErrorRate(101.0),
            "spec.rollout.analysis.maxErrorRate must be a percentage from 0 to 100, not 101.0"),
        bad(
            "maxErrorRate not a number",
            s -> s.setMaxErrorRate(Double.NaN),
            "spec.rollout.analysis.maxErrorRate must be a percentage from 0 to 100, not NaN"),
        bad(
            "negative failureLimit",
            s -> s.setFailureLimit(-1),
            "spec.rollout.analysis.failureLimit must not be negative, not -1"));
  }

  static Arguments bad(String reason, Consumer<AnalysisSpec> edit, String message) {
    return Arguments.of(reason, edit, message);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badSpecs")
  void refusesBadValuesNamingTheFieldAndTheRule(
      String reason, Consumer<AnalysisSpec> edit, String message) {
    AnalysisSpec spec = new AnalysisSpec();
    edit.accept(spec);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> AnalysisSettings.of(spec));
    assertEquals(message, e.getMessage());
  }
}
