package io.cfworkers.operator.cloudflare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cfworkers.operator.config.OperatorConfig;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class CloudflareClientProducerTest {
  private static final OperatorConfig.Analytics ANALYTICS_DEFAULTS =
      new OperatorConfig.Analytics() {
        @Override
        public double share() {
          return 0.8;
        }

        @Override
        public int slices() {
          return 59;
        }
      };

  @Test
  void buildsAClientOnTheConfiguredBaseUrlWithTheConfiguredBudget() {
    try (FakeCloudflare fake = FakeCloudflare.start()) {
      fake.addToken("producer-SECRET-token", "p@x.io", "acc");
      fake.addScript("acc", "shop");
      OperatorConfig config = config(fake.baseUrl(), 2, Duration.ofMinutes(10), 1);
      CloudflareClientProducer producer = new CloudflareClientProducer();
      CredentialRateLimiter limiter = producer.credentialRateLimiter(config);
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      WorkersDeploymentsApi api =
          producer.workersDeploymentsApi(config, limiter, meters, new ObjectMapper());
      ScriptRef shop = new ScriptRef("acc", "shop");
      Credential token = Credential.apiToken("producer-SECRET-token");

      api.listDeployments(shop, token);
      api.listDeployments(shop, token);
      CloudflareRateLimitedException held =
          assertThrows(
              CloudflareRateLimitedException.class, () -> api.listDeployments(shop, token));

      assertEquals(0, held.httpStatus());
      assertEquals(2, fake.count("GET", "/deployments"));
      assertEquals(
          new CredentialRateLimiter.Budget(2, Duration.ofMinutes(10), 1), limiter.budget());
      assertEquals(
          2.0,
          meters
              .counter(
                  HttpWorkersDeploymentsApi.REQUESTS_METRIC,
                  "operation",
                  "list_deployments",
                  "outcome",
                  "success")
              .count());
    }
  }

  private static OperatorConfig config(String baseUrl, int requests, Duration period, int slices) {
    OperatorConfig.RateLimit rateLimit =
        new OperatorConfig.RateLimit() {
          @Override
          public int requests() {
            return requests;
          }

          @Override
          public Duration period() {
            return period;
          }

          @Override
          public int slices() {
            return slices;
          }

          @Override
          public Duration createMaxWait() {
            return Duration.ofSeconds(30);
          }
        };
    OperatorConfig.Cloudflare cloudflare =
        new OperatorConfig.Cloudflare() {
          @Override
          public String baseUrl() {
            return baseUrl;
          }

          @Override
          public Duration connectTimeout() {
            return Duration.ofSeconds(2);
          }

          @Override
          public Duration requestTimeout() {
            return Duration.ofSeconds(5);
          }

          @Override
          public OperatorConfig.RateLimit rateLimit() {
            return rateLimit;
          }

          @Override
          public OperatorConfig.Analytics analytics() {
            return ANALYTICS_DEFAULTS;
          }
        };
    return new OperatorConfig() {
      @Override
      public OperatorConfig.Cloudflare cloudflare() {
        return cloudflare;
      }

      @Override
      public OperatorConfig.Reconcile reconcile() {
        throw new UnsupportedOperationException("not used by the client");
      }

      @Override
      public OperatorConfig.LeaderElection leaderElection() {
        throw new UnsupportedOperationException("not used by the client");
      }
    };
  }
}
