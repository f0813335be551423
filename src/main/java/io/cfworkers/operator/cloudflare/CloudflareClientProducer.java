package io.cfworkers.operator.cloudflare;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cfworkers.operator.config.OperatorConfig;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.Duration;

/**
 * Builds the one Cloudflare client of the application, and the one per-credential rate limiter all
 * its calls share, from {@link OperatorConfig}.
 */
@Singleton
public class CloudflareClientProducer {

  /**
   * The longest a reconciler thread waits for a permit of its credential's budget; beyond that the
   * call fails as rate-limited and the reconciliation is rescheduled instead of holding the thread.
   */
  static final Duration MAX_PERMIT_WAIT = Duration.ofSeconds(1);

  @Produces
  @Singleton
  CredentialRateLimiter credentialRateLimiter(OperatorConfig config, MeterRegistry meters) {
    OperatorConfig.RateLimit rateLimit = config.cloudflare().rateLimit();
    CredentialRateLimiter limiter =
        new CredentialRateLimiter(
            new CredentialRateLimiter.Budget(
                rateLimit.requests(), rateLimit.period(), rateLimit.slices()),
            MAX_PERMIT_WAIT,
            rateLimit.createMaxWait(),
            // Polls are the reads: what they leave of each slice is kept for changes.
            config.reconcile().pollBudgetShare());
    limiter.exportReservations(meters);
    return limiter;
  }

  @Produces
  @Singleton
  WorkersDeploymentsApi workersDeploymentsApi(
      OperatorConfig config,
      CredentialRateLimiter limiter,
      MeterRegistry meters,
      ObjectMapper json) {
    OperatorConfig.Cloudflare cloudflare = config.cloudflare();
    return new HttpWorkersDeploymentsApi(
        new CloudflareClientSettings(
            cloudflare.baseUrl(), cloudflare.connectTimeout(), cloudflare.requestTimeout()),
        limiter,
        meters,
        json);
  }
}
