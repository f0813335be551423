package io.cfworkers.operator.config;

import io.cfworkers.operator.cloudflare.AnalyticsBudget;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator's own settings, under the {@code cfworkers.} prefix. Every default lives here; each
 * setting can be overridden by the matching environment variable (e.g. {@code
 * CFWORKERS_RECONCILE_POLL_INTERVAL=2m}).
 */
@ConfigMapping(prefix = "cfworkers")
public interface OperatorConfig {

  Cloudflare cloudflare();

  /**
   * The rules the settings must follow together, each broken one named by its property; empty when
   * they hold. The operator refuses to start otherwise ({@link #requireValid}).
   */
  static List<String> problems(OperatorConfig config) {
    List<String> problems = new ArrayList<>();
    Duration timeout = config.cloudflare().requestTimeout();
    Duration settle = config.reconcile().settleTime();
    if (timeout.isNegative() || timeout.isZero()) {
      problems.add("cfworkers.cloudflare.request-timeout must be positive, was " + timeout);
    }
    if (settle.compareTo(timeout.multipliedBy(2)) < 0) {
      problems.add(
          "cfworkers.reconcile.settle-time ("
              + settle
              + ") must be at least twice cfworkers.cloudflare.request-timeout ("
              + timeout
              + "): a create call whose answer was lost may land that late, and a shorter"
              + " settle time could let a second deployment follow it");
    }
    if (config.cloudflare().rateLimit().createMaxWait().isNegative()) {
      problems.add("cfworkers.cloudflare.rate-limit.create-max-wait must not be negative");
    }
    double pollShare = config.reconcile().pollBudgetShare();
    if (!(pollShare > 0 && pollShare <= 1)) {
      problems.add(
          "cfworkers.reconcile.poll-budget-share must be more than 0 and at most 1, was "
              + pollShare);
    }
    Analytics analytics = config.cloudflare().analytics();
    if (!(analytics.share() > 0 && analytics.share() <= 1)) {
      problems.add(
          "cfworkers.cloudflare.analytics.share must be more than 0 and at most 1, was "
              + analytics.share());
    } else if (Math.floor(AnalyticsBudget.CLOUDFLARE_QUERIES * analytics.share())
        < AnalyticsBudget.MIN_QUERIES) {
      problems.add(
          "cfworkers.cloudflare.analytics.share ("
              + analytics.share()
              + ") leaves fewer than "
              + AnalyticsBudget.MIN_QUERIES
              + " of Cloudflare's "
              + AnalyticsBudget.CLOUDFLARE_QUERIES
              + " queries per 5 minutes");
    }
    if (analytics.slices() < 1) {
      problems.add(
          "cfworkers.cloudflare.analytics.slices must be at least 1, was " + analytics.slices());
    }
    return problems;
  }

  /**
   * @throws IllegalArgumentException naming every broken rule, when {@link #problems} finds any
   */
  static void requireValid(OperatorConfig config) {
    List<String> problems = problems(config);
    if (!problems.isEmpty()) {
      throw new IllegalArgumentException(
          "Invalid operator settings: " + String.join("; ", problems));
    }
  }

  Reconcile reconcile();

  LeaderElection leaderElection();

  /** Leader election, for running several replicas of which one acts. */
  interface LeaderElection {
    /** Whether replicas elect a leader through a Lease; only the leader reconciles. */
    @WithDefault("false")
    boolean enabled();

    /** Name of the coordination.k8s.io Lease. */
    @WithDefault("worker-deployment-operator")
    String leaseName();

    /** Namespace of the Lease; defaults to the operator's own namespace. */
    java.util.Optional<String> leaseNamespace();
  }

  /** How the operator talks to the Cloudflare API. */
  interface Cloudflare {
    /**
     * Base URL of the Cloudflare API. The environment variable {@code CLOUDFLARE_API_BASE_URL} (the
     * one wrangler reads) overrides it; see application.properties.
     */
    @WithDefault("https://api.cloudflare.com/client/v4")
    String baseUrl();

    /** Time allowed to open a connection. */
    @WithDefault("5s")
    Duration connectTimeout();

    /** Time allowed for a whole request, from sending to the last byte of the answer. */
    @WithDefault("30s")
    Duration requestTimeout();

    RateLimit rateLimit();

    Analytics analytics();
  }

  /**
   * The client-side budget of GraphQL Analytics queries (rollout analysis), per credential and
   * separate from the REST budget. Cloudflare allows 300 queries per 5 minutes per token.
   */
  interface Analytics {
    /**
     * The share of Cloudflare's 300 queries per 5 minutes the operator may use, in (0, 1]; the rest
     * is left to dashboards and other tools on the same token. No 5-minute window ever holds more
     * than this share.
     */
    @WithDefault("0.8")
    double share();

    /** How many equal slices the 5 minutes are cut into (the budget is released evenly). */
    @WithDefault("58")
    int slices();
  }

  /**
   * The client-side request budget, per credential: every resource using the same credential shares
   * it. Cloudflare allows 1200 requests per 5 minutes and blocks the credential for 5 minutes when
   * that is exceeded. The default is Cloudflare's whole limit: calls are also paced by Cloudflare's
   * own count ({@code Ratelimit} header), which includes other clients of the credential and covers
   * the one slice by which the client-side budget may exceed its limit in a window.
   */
  interface RateLimit {
    /** Requests allowed per {@link #period()} for one credential. */
    @WithDefault("1200")
    int requests();

    /** The window the budget applies to. */
    @WithDefault("5m")
    Duration period();

    /**
     * How many equal slices the period is cut into; the budget is spread evenly over them, so no
     * burst spends the whole window's budget at once.
     */
    @WithDefault("100")
    int slices();

    /**
     * The longest a create call waits for a permit of its credential's budget. Longer than reads
     * wait, so a create reserves its slot ahead of other resources' reads instead of being starved
     * by them (see docs/benchmark.md). Counted in a create's in-flight window.
     */
    @WithDefault("30s")
    Duration createMaxWait();
  }

  /** When the operator reconciles. */
  interface Reconcile {
    /** How often each resource is checked against Cloudflare to detect drift. */
    @WithDefault("5m")
    Duration pollInterval();

    /**
     * The most of a credential's budget ({@code cfworkers.cloudflare.rate-limit.requests} per
     * period) that polls may use: with more resources on one credential than fit, each is polled
     * less often than {@link #pollInterval()}, leaving the rest of the budget for changes. More
     * than 0 and at most 1.
     */
    @WithDefault("0.5")
    double pollBudgetShare();

    /** Random spread added to the poll interval, as a fraction of it (0.1 = up to +10%). */
    @WithDefault("0.1")
    double pollJitter();

    /**
     * How long, beyond the wait for a rate-limit permit and the request timeout, a create call
     * whose answer never arrived may still land. Until it has passed, or Cloudflare serves the
     * split, no second create call is sent for the resource. At least twice the request timeout
     * (checked at startup).
     */
    @WithDefault("60s")
    Duration settleTime();
  }
}
