package io.cfworkers.operator.cloudflare;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cfworkers.operator.config.OperatorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.LongSupplier;

/**
 * Builds the one analytics client of the application, from {@link OperatorConfig}, with its own
 * per-credential budget ({@link AnalyticsBudget}): it is not a bean, so it can never be mistaken
 * for the REST budget {@link CloudflareClientProducer} provides.
 */
@Singleton
public class AnalyticsClientProducer {

  @Produces
  @Singleton
  WorkersAnalyticsApi workersAnalyticsApi(
      OperatorConfig config, MeterRegistry meters, ObjectMapper json, Clock clock) {
    OperatorConfig.Cloudflare cloudflare = config.cloudflare();
    OperatorConfig.Analytics analytics = cloudflare.analytics();
    CredentialRateLimiter.Budget budget =
        AnalyticsBudget.budget(analytics.share(), analytics.slices());
    return new HttpWorkersAnalyticsApi(
        new CloudflareClientSettings(
            cloudflare.baseUrl(), cloudflare.connectTimeout(), cloudflare.requestTimeout()),
        AnalyticsBudget.limiter(budget, clock, ticker(clock)),
        meters,
        json);
  }

  /**
   * The monotonic time the budget's slices are measured in: the JVM's on the system clock; on any
   * other clock (a test's simulated time), that clock's, so analyses and budget share one time.
   */
  static LongSupplier ticker(Clock clock) {
    if (clock.equals(Clock.systemUTC())) {
      return System::nanoTime;
    }
    Instant origin = clock.instant();
    return () -> Duration.between(origin, clock.instant()).toNanos();
  }
}
