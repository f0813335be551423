package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class PollBudgetTest {
  private static final Duration FIVE_MIN = Duration.ofMinutes(5);

  static Stream<Arguments> intervals() {
    return Stream.of(
        // resources, requests per 5 min, share -> effective interval
        Arguments.of("no resources yet", 0, 1200, 0.5, FIVE_MIN),
        Arguments.of("one resource", 1, 1200, 0.5, FIVE_MIN),
        Arguments.of("600 fit half of 1200 at 5 min exactly", 600, 1200, 0.5, FIVE_MIN),
        Arguments.of("601 stretch it a little", 601, 1200, 0.5, Duration.ofMillis(300_500)),
        Arguments.of("1,000: 8 min 20 s", 1000, 1200, 0.5, Duration.ofSeconds(500)),
        Arguments.of("5,000: 41 min 40 s", 5000, 1200, 0.5, Duration.ofSeconds(2500)),
        Arguments.of("5,000 with the whole budget", 5000, 1200, 1.0, Duration.ofSeconds(1250)),
        Arguments.of("a smaller budget stretches more", 1000, 1000, 0.5, Duration.ofSeconds(600)),
        Arguments.of("a small share", 100, 1200, 0.05, Duration.ofSeconds(500)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("intervals")
  void effectiveInterval(
      String reason, int resources, int requests, double share, Duration expected) {
    assertEquals(
        expected, PollBudget.effectiveInterval(FIVE_MIN, resources, requests, FIVE_MIN, share));
  }

  @Test
  void aLongerConfiguredIntervalIsKept() {
    assertEquals(
        Duration.ofHours(1),
        PollBudget.effectiveInterval(Duration.ofHours(1), 5000, 1200, FIVE_MIN, 0.5));
  }

  @Test
  void countsTheResourcesOfEverySecretACredentialWasReadFromAndReportsAGaugePerCredential() {
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    PollBudget budget = new PollBudget(FIVE_MIN, 1200, FIVE_MIN, 0.5, meters);
    Map<String, Integer> naming = Map.of("ns/a", 700, "ns/b", 300, "ns/c", 10);

    assertEquals(Duration.ofSeconds(350), budget.interval("token:aaaa", "ns/a", naming::get));
    // The same token in a second Secret: its resources share the budget.
    assertEquals(Duration.ofSeconds(500), budget.interval("token:aaaa", "ns/b", naming::get));
    assertEquals(FIVE_MIN, budget.interval("token:bbbb", "ns/c", naming::get));

    assertEquals(
        500.0, meters.get(PollBudget.METRIC).tag("credential", "token:aaaa").gauge().value());
    assertEquals(
        300.0, meters.get(PollBudget.METRIC).tag("credential", "token:bbbb").gauge().value());
  }
}
