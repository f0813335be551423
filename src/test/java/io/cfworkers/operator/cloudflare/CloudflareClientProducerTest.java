package io.cfworkers.operator.cloudflare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cfworkers.operator.config.OperatorConfig;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
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
          return 58;
        }
      };

  @Test
  void buildsAClientOnTheConfiguredBaseUrlWithTheConfiguredBudget() {
    try (FakeCloudflare fake = FakeCloudflare.start()) {
      fake.addToken("producer-SECRET-token", "p@x.io", "acc");
      fake.addScript("acc", "shop");
      // 4 per 10 minutes in one slice; polls (reads) may take half, the rest waits for changes.
      OperatorConfig config = config(fake.baseUrl(), 4, Duration.ofMinutes(10), 1);
      CloudflareClientProducer producer = new CloudflareClientProducer();
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      CredentialRateLimiter limiter = producer.credentialRateLimiter(config, meters);
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
          new CredentialRateLimiter.Budget(4, Duration.ofMinutes(10), 1), limiter.budget());
      assertEquals(2, limiter.keptForChanges());
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

  @Test
  void buildsAnAnalyticsClientWhoseBudgetIsTheConfiguredShareAndNotTheRestBudget() {
    try (FakeCloudflare fake = FakeCloudflare.start()) {
      fake.addToken("producer-SECRET-token", "p@x.io", "acc");
      fake.addScript("acc", "shop");
      // 2% of 300 queries per 5 minutes in one slice: 2 at once, so that a window overlapping two
      // slices, with a third on its way, never holds more than 6. The REST budget (1 request)
      // plays no part.
      OperatorConfig config =
          config(fake.baseUrl(), 1, Duration.ofMinutes(10), 1, analytics(0.02, 1));
      WorkersAnalyticsApi api =
          new AnalyticsClientProducer()
              .workersAnalyticsApi(
                  config, new SimpleMeterRegistry(), new ObjectMapper(), Clock.systemUTC());
      ScriptRef shop = new ScriptRef("acc", "shop");
      Credential token = Credential.apiToken("producer-SECRET-token");
      java.time.Instant now = java.time.Instant.now();

      for (int i = 0; i < 2; i++) {
        api.versionHealth(shop, now.minusSeconds(300), now, token);
      }
      CloudflareRateLimitedException held =
          assertThrows(
              CloudflareRateLimitedException.class,
              () -> api.versionHealth(shop, now.minusSeconds(300), now, token));

      assertEquals(0, held.httpStatus());
      assertEquals(2, fake.count("POST", "/graphql"));
    }
  }

  private static OperatorConfig.Analytics analytics(double share, int slices) {
    return new OperatorConfig.Analytics() {
      @Override
      public double share() {
        return share;
      }

      @Override
      public int slices() {
        return slices;
      }
    };
  }

  private static OperatorConfig config(String baseUrl, int requests, Duration period, int slices) {
    return config(baseUrl, requests, period, slices, ANALYTICS_DEFAULTS);
  }

  private static OperatorConfig config(
      String baseUrl,
      int requests,
      Duration period,
      int slices,
      OperatorConfig.Analytics analytics) {
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
            return analytics;
          }
        };
    return new OperatorConfig() {
      @Override
      public OperatorConfig.Cloudflare cloudflare() {
        return cloudflare;
      }

      @Override
      public OperatorConfig.Reconcile reconcile() {
        // The limiter reads the poll share only: what polls leave of each slice is for changes.
        return new OperatorConfig.Reconcile() {
          @Override
          public Duration pollInterval() {
            throw new UnsupportedOperationException("not used by the client");
          }

          @Override
          public double pollBudgetShare() {
            return 0.5;
          }

          @Override
          public double pollJitter() {
            throw new UnsupportedOperationException("not used by the client");
          }

          @Override
          public Duration settleTime() {
            throw new UnsupportedOperationException("not used by the client");
          }
        };
      }

      @Override
      public OperatorConfig.LeaderElection leaderElection() {
        throw new UnsupportedOperationException("not used by the client");
      }
    };
  }
}
