package io.cfworkers.operator.cloudflare;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cfworkers.operator.config.OperatorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

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
      OperatorConfig config, MeterRegistry meters, ObjectMapper json) {
    OperatorConfig.Cloudflare cloudflare = config.cloudflare();
    OperatorConfig.Analytics analytics = cloudflare.analytics();
    return new HttpWorkersAnalyticsApi(
        new CloudflareClientSettings(
            cloudflare.baseUrl(), cloudflare.connectTimeout(), cloudflare.requestTimeout()),
        AnalyticsBudget.limiter(AnalyticsBudget.budget(analytics.share(), analytics.slices())),
        meters,
        json);
  }
}
