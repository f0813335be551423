package io.cfworkers.operator.cloudflare;

import io.cfworkers.operator.rollout.analysis.AnalyticsError;
import io.cfworkers.operator.rollout.analysis.VersionHealthQuery;
import java.time.Instant;

/**
 * Cloudflare's GraphQL Analytics API, in domain terms: the requests and errors of each version of a
 * script over a window, and whether the dataset can tell versions apart at all. Nothing outside
 * this package knows its URL or headers.
 *
 * <p>Every call draws on the credential's <em>analytics</em> budget ({@link AnalyticsBudget}),
 * never on the REST budget of {@link WorkersDeploymentsApi}. Calls only read.
 *
 * <p>What Cloudflare answered is returned as a value, failures included: GraphQL reports its errors
 * with HTTP 200 and an {@code errors} array, which become a {@link VersionHealthQuery.Failure}
 * whose {@link AnalyticsError.Kind} says what went wrong ({@code BUDGET} for Cloudflare's {@code
 * budget} code, {@code PERMISSION} for {@code authz} or a token without Account Analytics: Read,
 * {@code UNKNOWN_FIELD} when the dataset lost a field, and so on); an HTTP 4xx other than 429 does
 * too. Only these throw:
 *
 * <ul>
 *   <li>{@link CloudflareRateLimitedException} with {@link
 *       CloudflareRateLimitedException#fromCloudflare()} false: the credential's analytics budget
 *       has no query left; nothing was sent. Measure later: this is not an analysis error;
 *   <li>{@link CloudflareRateLimitedException} from Cloudflare (HTTP 429): the credential's
 *       analytics calls are held for its {@code retry-after};
 *   <li>{@link CloudflareTransientException}: 5xx, timeout or no answer.
 * </ul>
 *
 * {@link #asError} turns the last two into the {@link AnalyticsError} an analysis records.
 */
public interface WorkersAnalyticsApi {

  /**
   * Requests and errors per version of {@code script} over {@code [since, until]} (dataset {@code
   * workersInvocationsAdaptive}, summed per {@code scriptVersion}); one GraphQL query.
   *
   * @return {@link VersionHealthQuery.Totals} (a version without traffic has no entry), or {@link
   *     VersionHealthQuery.Failure} with Cloudflare's reason
   */
  VersionHealthQuery.Answer versionHealth(
      ScriptRef script, Instant since, Instant until, Credential credential);

  /**
   * Whether the dataset has the {@code scriptVersion} dimension, by introspection. An answer
   * ({@link VersionHealthQuery.Present} or {@link VersionHealthQuery.Absent}) is asked once per
   * credential and kept; a failed check ({@link VersionHealthQuery.CheckFailed}, or a throw as
   * above) is asked again next time.
   */
  VersionHealthQuery.DimensionCheck scriptVersionDimension(Credential credential);

  /**
   * Whether the credential's analytics budget has a query left now (nothing is taken). Lets a
   * caller skip the work that leads to a query when the query could not be sent anyway.
   */
  boolean canQueryNow(Credential credential);

  /** True when {@link #scriptVersionDimension} found the dimension. */
  default boolean hasScriptVersionDimension(Credential credential) {
    return scriptVersionDimension(credential) instanceof VersionHealthQuery.Present;
  }

  /**
   * The analysis error for a query that got no usable answer: HTTP 429 is {@link
   * AnalyticsError.Kind#BUDGET}, anything else {@link AnalyticsError.Kind#HTTP}, with the HTTP
   * status as code (0 when no answer came). The message names no credential.
   */
  static AnalyticsError asError(CloudflareApiException e) {
    AnalyticsError.Kind kind =
        e instanceof CloudflareRateLimitedException
            ? AnalyticsError.Kind.BUDGET
            : AnalyticsError.Kind.HTTP;
    return new AnalyticsError(kind, Integer.toString(e.httpStatus()), e.getMessage());
  }
}
