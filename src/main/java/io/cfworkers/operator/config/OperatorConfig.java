package io.cfworkers.operator.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * The operator's own settings, under the {@code cfworkers.} prefix. Every default lives here; each
 * setting can be overridden by the matching environment variable (e.g. {@code
 * CFWORKERS_RECONCILE_POLL_INTERVAL=2m}).
 */
@ConfigMapping(prefix = "cfworkers")
public interface OperatorConfig {

  Cloudflare cloudflare();

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
  }

  /**
   * The client-side request budget, per credential: every resource using the same credential shares
   * it. Cloudflare allows 1200 requests per 5 minutes and blocks the credential for 5 minutes when
   * that is exceeded.
   */
  interface RateLimit {
    /** Requests allowed per {@link #period()} for one credential. */
    @WithDefault("1000")
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
  }

  /** When the operator reconciles. */
  interface Reconcile {
    /** How often each resource is checked against Cloudflare to detect drift. */
    @WithDefault("5m")
    Duration pollInterval();

    /** Random spread added to the poll interval, as a fraction of it (0.1 = up to +10%). */
    @WithDefault("0.1")
    double pollJitter();

    /**
     * How long a create call whose answer never arrived may still land. Until it has passed, or
     * Cloudflare serves the split, no second create call is sent for the resource. At least twice
     * the request timeout.
     */
    @WithDefault("60s")
    Duration settleTime();
  }
}
