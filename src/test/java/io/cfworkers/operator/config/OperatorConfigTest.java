package io.cfworkers.operator.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class OperatorConfigTest {
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

  static Stream<Arguments> analyticsSettings() {
    return Stream.of(
        Arguments.of("defaults: 80% in 58 slices", 0.8, 58, null),
        Arguments.of("the whole of Cloudflare's budget", 1.0, 1, null),
        Arguments.of(
            "a share of zero",
            0.0,
            58,
            "cfworkers.cloudflare.analytics.share must be more than 0 and at most 1"),
        Arguments.of(
            "a share above the whole",
            1.5,
            58,
            "cfworkers.cloudflare.analytics.share must be more than 0 and at most 1"),
        Arguments.of(
            "a share that leaves two queries",
            0.0067,
            58,
            "cfworkers.cloudflare.analytics.share (0.0067) leaves fewer than 3"),
        Arguments.of(
            "no slices", 0.8, 0, "cfworkers.cloudflare.analytics.slices must be at least 1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("analyticsSettings")
  void analyticsBudgetSettingsAreChecked(String reason, double share, int slices, String problem) {
    OperatorConfig config =
        config(
            Duration.ofSeconds(30),
            Duration.ofSeconds(60),
            new OperatorConfig.Analytics() {
              @Override
              public double share() {
                return share;
              }

              @Override
              public int slices() {
                return slices;
              }
            });
    List<String> problems = OperatorConfig.problems(config);
    if (problem == null) {
      assertEquals(List.of(), problems);
    } else {
      assertEquals(1, problems.size(), problems.toString());
      assertTrue(problems.get(0).startsWith(problem), problems.get(0));
    }
  }

  static Stream<Arguments> settings() {
    return Stream.of(
        Arguments.of("defaults: 60 s settle for a 30 s timeout", "30s", "60s", null),
        Arguments.of("exactly twice the request timeout", "2s", "4s", null),
        Arguments.of(
            "settle time shorter than twice the request timeout",
            "30s",
            "59s",
            "cfworkers.reconcile.settle-time (PT59S) must be at least twice"
                + " cfworkers.cloudflare.request-timeout (PT30S)"),
        Arguments.of(
            "zero request timeout",
            "0s",
            "60s",
            "cfworkers.cloudflare.request-timeout must be positive"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("settings")
  void settingsAreCheckedTogether(
      String reason, String requestTimeout, String settleTime, String problem) {
    OperatorConfig config = config(parse(requestTimeout), parse(settleTime));
    List<String> problems = OperatorConfig.problems(config);
    if (problem == null) {
      assertEquals(List.of(), problems);
      OperatorConfig.requireValid(config);
    } else {
      assertEquals(1, problems.size(), problems.toString());
      assertTrue(problems.get(0).startsWith(problem), problems.get(0));
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> OperatorConfig.requireValid(config));
      assertTrue(e.getMessage().contains(problem), e.getMessage());
    }
  }

  private static Duration parse(String s) {
    return Duration.ofSeconds(Long.parseLong(s.substring(0, s.length() - 1)));
  }

  static OperatorConfig config(Duration requestTimeout, Duration settleTime) {
    return config(requestTimeout, settleTime, ANALYTICS_DEFAULTS);
  }

  static Stream<Arguments> pollBudgetShares() {
    return Stream.of(
        Arguments.of("default: half the budget", 0.5, null),
        Arguments.of("the whole budget", 1.0, null),
        Arguments.of(
            "zero",
            0.0,
            "cfworkers.reconcile.poll-budget-share must be more than 0 and at most 1, was 0.0"),
        Arguments.of(
            "above the whole",
            1.2,
            "cfworkers.reconcile.poll-budget-share must be more than 0 and at most 1, was 1.2"),
        Arguments.of(
            "not a number",
            Double.NaN,
            "cfworkers.reconcile.poll-budget-share must be more than 0 and at most 1, was NaN"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("pollBudgetShares")
  void pollBudgetShareIsChecked(String reason, double share, String problem) {
    OperatorConfig config =
        config(Duration.ofSeconds(30), Duration.ofSeconds(60), ANALYTICS_DEFAULTS, share);
    List<String> problems = OperatorConfig.problems(config);
    assertEquals(problem == null ? List.of() : List.of(problem), problems);
  }

  static OperatorConfig config(
      Duration requestTimeout, Duration settleTime, OperatorConfig.Analytics analytics) {
    return config(requestTimeout, settleTime, analytics, 0.5);
  }

  static OperatorConfig config(
      Duration requestTimeout,
      Duration settleTime,
      OperatorConfig.Analytics analytics,
      double pollBudgetShare) {
    OperatorConfig.RateLimit rateLimit =
        new OperatorConfig.RateLimit() {
          @Override
          public int requests() {
            return 1000;
          }

          @Override
          public Duration period() {
            return Duration.ofMinutes(5);
          }

          @Override
          public int slices() {
            return 100;
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
            return "https://api.cloudflare.com/client/v4";
          }

          @Override
          public Duration connectTimeout() {
            return Duration.ofSeconds(5);
          }

          @Override
          public Duration requestTimeout() {
            return requestTimeout;
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
    OperatorConfig.Reconcile reconcile =
        new OperatorConfig.Reconcile() {
          @Override
          public Duration pollInterval() {
            return Duration.ofMinutes(5);
          }

          @Override
          public double pollBudgetShare() {
            return pollBudgetShare;
          }

          @Override
          public double pollJitter() {
            return 0.1;
          }

          @Override
          public Duration settleTime() {
            return settleTime;
          }
        };
    return new OperatorConfig() {
      @Override
      public Cloudflare cloudflare() {
        return cloudflare;
      }

      @Override
      public Reconcile reconcile() {
        return reconcile;
      }

      @Override
      public LeaderElection leaderElection() {
        return new LeaderElection() {
          @Override
          public boolean enabled() {
            return false;
          }

          @Override
          public String leaseName() {
            return "l";
          }

          @Override
          public Optional<String> leaseNamespace() {
            return Optional.empty();
          }
        };
      }
    };
  }
}
