package io.cfworkers.operator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.rollout.analysis.AnalysisResult;
import io.cfworkers.operator.rollout.analysis.AnalysisRules;
import io.cfworkers.operator.rollout.analysis.AnalysisSettings;
import io.cfworkers.operator.rollout.analysis.AnalysisVerdict;
import io.cfworkers.operator.rollout.analysis.Measurement;
import io.cfworkers.operator.support.cloudflare.FakeAnalytics.VersionCounts;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The sandbox's demo analytics: a canary of #2 is judged healthy and a canary of #3 failed by the
 * analysis rules with their defaults, from the numbers the fake computes.
 */
class DemoAccountAnalyticsTest {

  @ParameterizedTest(name = "{0}")
  @CsvSource({"#2 as the canary is healthy, 1, SUCCESSFUL", "#3 as the canary fails, 2, FAILED"})
  void aTenPercentCanaryIsJudgedByItsSeededErrorRate(
      String reason, int canaryIndex, AnalysisResult expected) {
    Instant start = Instant.parse("2026-11-29T12:00:00Z");
    FixedClock clock = new FixedClock(start);
    try (FakeCloudflare fake = FakeCloudflare.start(clock)) {
      DemoAccount demo = DemoAccount.seed(fake, Path.of("."));
      String stable = demo.versionIds().get(0);
      String canary = demo.versionIds().get(canaryIndex);
      fake.seedDeployment(
          demo.accountId(),
          demo.scriptName(),
          List.of(new DeploymentVersion(stable, 90), new DeploymentVersion(canary, 10)),
          "api",
          DemoAccount.EMAIL,
          null);
      clock.now = start.plus(Duration.ofMinutes(8));
      Instant windowEnd = start.plus(Duration.ofMinutes(5));

      Map<String, VersionCounts> counts =
          fake.analytics().versionCounts(demo.accountId(), demo.scriptName(), start, windowEnd);
      Measurement measurement =
          new Measurement(
              start,
              windowEnd,
              canary,
              new Measurement.Counts(counts.get(canary).requests(), counts.get(canary).errors()),
              stable,
              new Measurement.Counts(counts.get(stable).requests(), counts.get(stable).errors()));

      // 1200 a minute for 5 minutes, 10% of it to the canary.
      assertEquals(600, counts.get(canary).requests());
      assertEquals(5400, counts.get(stable).requests());
      AnalysisVerdict verdict = AnalysisRules.judge(measurement, AnalysisSettings.defaults());
      assertEquals(expected, verdict.result(), verdict.message());
      assertTrue(counts.get(stable).errors() * 100.0 / 5400 <= 1, "stable stays healthy");
    }
  }

  private static final class FixedClock extends Clock {
    volatile Instant now;

    FixedClock(Instant now) {
      this.now = now;
    }

    @Override
    public Instant instant() {
      return now;
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
}
