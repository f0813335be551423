package io.cfworkers.operator.cloudflare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cfworkers.operator.rollout.analysis.AnalyticsError;
import io.cfworkers.operator.rollout.analysis.VersionHealthQuery;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link WorkersAnalyticsApi} over {@link CloudflareTransport}: {@code POST {base}/graphql} with
 * the credential's headers, on a {@link CredentialRateLimiter} of its own ({@link
 * AnalyticsBudget}). Request bodies and the reading of answers are {@link VersionHealthQuery}'s;
 * this class only decides what is thrown (HTTP 429, 5xx, no answer) and what is returned.
 *
 * <p>Metrics: the shared {@value CloudflareTransport#REQUESTS_METRIC} with {@code operation} {@code
 * analytics_version_health} or {@code analytics_dimensions} and {@code outcome} {@code success},
 * {@code rate_limited} (HTTP 429 or GraphQL code {@code budget}), {@code rejected} (permission,
 * unknown field, other GraphQL errors or a 4xx) or {@code transient} (5xx, no answer, an unreadable
 * answer); {@value #RATE_LIMIT_WAITS_METRIC} counts queries held by the analytics budget ({@code
 * source=client}) or by Cloudflare's 429 ({@code source=cloudflare}).
 */
public final class HttpWorkersAnalyticsApi implements WorkersAnalyticsApi {
  public static final String RATE_LIMIT_WAITS_METRIC = "cloudflare.analytics.rate_limit.waits";

  /** The GraphQL endpoint, below the API's base URL. */
  static final String PATH = "/graphql";

  private final CloudflareTransport transport;
  private final CredentialRateLimiter limiter;
  private final ObjectMapper json;
  private final Map<String, VersionHealthQuery.DimensionCheck> dimensionChecks =
      new ConcurrentHashMap<>();

  /**
   * @param limiter the analytics budget, e.g. {@link AnalyticsBudget#limiter}; never the REST one
   */
  public HttpWorkersAnalyticsApi(
      CloudflareClientSettings settings,
      CredentialRateLimiter limiter,
      MeterRegistry meters,
      ObjectMapper json) {
    this.transport = new CloudflareTransport(settings, limiter, meters, RATE_LIMIT_WAITS_METRIC);
    this.limiter = limiter;
    this.json = json;
  }

  @Override
  public boolean canQueryNow(Credential credential) {
    return limiter.hasPermitNow(credential);
  }

  @Override
  public VersionHealthQuery.Answer versionHealth(
      ScriptRef script, Instant since, Instant until, Credential credential) {
    CloudflareTransport.Call call =
        new CloudflareTransport.Call(
            CloudflareOperation.ANALYTICS_VERSION_HEALTH,
            credential,
            PATH,
            VersionHealthQuery.requestBody(script.accountId(), script.scriptName(), since, until));
    CloudflareTransport.Answer answer = post(call);
    VersionHealthQuery.Answer parsed = VersionHealthQuery.parse(answer.status(), answer.body());
    transport.answered(
        call.operation(),
        parsed instanceof VersionHealthQuery.Failure failure
            ? outcome(failure.error())
            : "success");
    return parsed;
  }

  @Override
  public VersionHealthQuery.DimensionCheck scriptVersionDimension(Credential credential) {
    VersionHealthQuery.DimensionCheck known = dimensionChecks.get(credential.id());
    if (known != null) {
      return known;
    }
    CloudflareTransport.Call call =
        new CloudflareTransport.Call(
            CloudflareOperation.ANALYTICS_DIMENSIONS,
            credential,
            PATH,
            VersionHealthQuery.introspectionBody());
    CloudflareTransport.Answer answer = post(call);
    VersionHealthQuery.DimensionCheck check =
        VersionHealthQuery.parseIntrospection(answer.status(), answer.body());
    if (check instanceof VersionHealthQuery.CheckFailed failed) {
      transport.answered(call.operation(), outcome(failed.error()));
    } else {
      transport.answered(call.operation(), "success");
      dimensionChecks.put(credential.id(), check);
    }
    return check;
  }

  /** Sends the query; throws for 429, 5xx (and 408/425) and no answer, returns anything else. */
  private CloudflareTransport.Answer post(CloudflareTransport.Call call) {
    CloudflareTransport.Answer answer = transport.send(call, false);
    int status = answer.status();
    if (status == 429 || status >= 500 || status == 408 || status == 425) {
      throw transport.failed(call, answer, errorsOf(answer.body()));
    }
    return answer;
  }

  private static String outcome(AnalyticsError error) {
    return switch (error.kind()) {
      case BUDGET -> "rate_limited";
      // 5xx and 429 were thrown before: an HTTP error here is a 4xx.
      case MALFORMED -> "transient";
      case HTTP, PERMISSION, UNKNOWN_FIELD, OTHER -> "rejected";
    };
  }

  /** The {@code errors[]} of a REST envelope or a GraphQL answer, for the error mapper. */
  private List<CloudflareError> errorsOf(String body) {
    List<CloudflareError> found = new ArrayList<>();
    if (body == null || body.isBlank()) {
      return found;
    }
    try {
      JsonNode root = json.readTree(body);
      if (root != null && root.path("errors").isArray()) {
        for (JsonNode error : root.get("errors")) {
          if (error.isObject()) {
            found.add(
                new CloudflareError(error.path("code").asInt(0), error.path("message").asText("")));
          }
        }
      }
    } catch (JsonProcessingException e) {
      // Not JSON (an HTML error page): not quoted.
    }
    return found;
  }
}
