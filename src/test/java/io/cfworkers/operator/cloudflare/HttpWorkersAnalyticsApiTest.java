package io.cfworkers.operator.cloudflare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cfworkers.operator.rollout.analysis.AnalyticsError;
import io.cfworkers.operator.rollout.analysis.Measurement.Counts;
import io.cfworkers.operator.rollout.analysis.VersionHealthQuery;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.cloudflare.Fault;
import io.cfworkers.operator.support.operator.SimulatedClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The analytics client against the fake: answers, GraphQL errors, HTTP failures, its budget. */
class HttpWorkersAnalyticsApiTest {
  private static final String ACCOUNT = "0123456789abcdef0123456789abcdef";
  private static final String SCRIPT = "checkout-api";
  private static final ScriptRef TARGET = new ScriptRef(ACCOUNT, SCRIPT);
  private static final String SECRET = "tok-ANALYTICS-secret-value";
  private static final Credential TOKEN = Credential.apiToken(SECRET);
  private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");

  private final SimulatedClock clock = new SimulatedClock(T0);
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private FakeCloudflare fake;
  private String stable;
  private String canary;

  @BeforeEach
  void startFake() {
    fake = FakeCloudflare.start(clock);
    fake.addToken(SECRET, "ops@example.com", ACCOUNT);
    stable = fake.addVersion(ACCOUNT, SCRIPT);
    canary = fake.addVersion(ACCOUNT, SCRIPT);
    fake.analytics().setTraffic(ACCOUNT, SCRIPT, 600);
    fake.analytics().setErrorRate(canary, 5);
    fake.seedDeployment(
        ACCOUNT,
        SCRIPT,
        List.of(new DeploymentVersion(stable, 90), new DeploymentVersion(canary, 10)),
        "api",
        "ops@example.com",
        null);
    clock.advance(Duration.ofMinutes(10));
  }

  @AfterEach
  void stopFake() {
    fake.close();
  }

  @Test
  void readsThePerVersionCountsOfTheWindow() {
    WorkersAnalyticsApi api = api(1000);

    VersionHealthQuery.Answer answer =
        api.versionHealth(TARGET, T0, T0.plus(Duration.ofMinutes(5)), TOKEN);

    assertEquals(
        Map.of(stable, new Counts(2700, 0), canary, new Counts(300, 15)),
        assertInstanceOf(VersionHealthQuery.Totals.class, answer).byVersion());
    assertEquals(1.0, requests("analytics_version_health", "success"));
    assertTrue(fake.requests().get(0).path().endsWith("/client/v4/graphql"));
  }

  @Test
  void graphQlErrorsAreReturnedWithTheirKind() {
    WorkersAnalyticsApi api = api(1000);
    fake.inject(Fault.graphQlError("budget", "budget exceeded"));
    fake.inject(Fault.graphQlError("authz", "not authorized"));
    fake.inject(Fault.unknownField("scriptVersion"));

    assertEquals(AnalyticsError.Kind.BUDGET, failureKind(api));
    assertEquals(AnalyticsError.Kind.PERMISSION, failureKind(api));
    assertEquals(AnalyticsError.Kind.UNKNOWN_FIELD, failureKind(api));
    assertEquals(1.0, requests("analytics_version_health", "rate_limited"));
    assertEquals(2.0, requests("analytics_version_health", "rejected"));
  }

  @Test
  void aTokenWithoutAnalyticsReadGetsAPermissionFailureThatNamesNoSecret() {
    WorkersAnalyticsApi api = api(1000);
    fake.setAnalyticsRead(SECRET, false);

    VersionHealthQuery.Failure failure =
        assertInstanceOf(
            VersionHealthQuery.Failure.class,
            api.versionHealth(TARGET, T0, T0.plus(Duration.ofMinutes(5)), TOKEN));

    assertEquals(AnalyticsError.Kind.PERMISSION, failure.error().kind());
    assertEquals("authz", failure.error().code());
    assertFalse(failure.error().describe().contains(SECRET));
  }

  @Test
  void aServerErrorIsTransientAndBecomesAnHttpAnalysisError() {
    WorkersAnalyticsApi api = api(1000);
    fake.inject(Fault.status(503).on("POST", "/graphql"));

    CloudflareTransientException e =
        assertThrows(
            CloudflareTransientException.class,
            () -> api.versionHealth(TARGET, T0, T0.plus(Duration.ofMinutes(5)), TOKEN));

    assertEquals(503, e.httpStatus());
    AnalyticsError error = WorkersAnalyticsApi.asError(e);
    assertEquals(AnalyticsError.Kind.HTTP, error.kind());
    assertEquals("503", error.code());
    assertFalse(e.getMessage().contains(SECRET));
    assertEquals(1.0, requests("analytics_version_health", "transient"));
  }

  @Test
  void a429HoldsTheCredentialsAnalyticsQueriesForItsRetryAfter() {
    WorkersAnalyticsApi api = api(1000);
    fake.inject(Fault.status(429).on("POST", "/graphql").retryAfter(Duration.ofMinutes(1)));

    CloudflareRateLimitedException limited =
        assertThrows(
            CloudflareRateLimitedException.class,
            () -> api.versionHealth(TARGET, T0, T0.plus(Duration.ofMinutes(5)), TOKEN));
    CloudflareRateLimitedException held =
        assertThrows(
            CloudflareRateLimitedException.class,
            () -> api.versionHealth(TARGET, T0, T0.plus(Duration.ofMinutes(5)), TOKEN));

    assertTrue(limited.fromCloudflare());
    assertEquals(AnalyticsError.Kind.BUDGET, WorkersAnalyticsApi.asError(limited).kind());
    assertFalse(held.fromCloudflare(), "the second query is not sent");
    assertEquals(1, fake.count("POST", "/graphql"));
  }

  @Test
  void theAnalyticsBudgetHoldsQueriesUnsentAndLeavesTheRestBudgetAlone() {
    WorkersAnalyticsApi analytics = api(2);
    WorkersDeploymentsApi deployments =
        new HttpWorkersDeploymentsApi(
            settings(),
            new CredentialRateLimiter(
                new CredentialRateLimiter.Budget(1000, Duration.ofMinutes(5), 1), Duration.ZERO),
            meters,
            new ObjectMapper());

    analytics.versionHealth(TARGET, T0, T0.plus(Duration.ofMinutes(5)), TOKEN);
    analytics.versionHealth(TARGET, T0, T0.plus(Duration.ofMinutes(5)), TOKEN);
    CloudflareRateLimitedException held =
        assertThrows(
            CloudflareRateLimitedException.class,
            () -> analytics.versionHealth(TARGET, T0, T0.plus(Duration.ofMinutes(5)), TOKEN));

    assertFalse(held.fromCloudflare());
    assertEquals(2, fake.count("POST", "/graphql"));
    assertEquals(1, deployments.listDeployments(TARGET, TOKEN).size());
    assertEquals(
        1.0,
        meters
            .counter(HttpWorkersAnalyticsApi.RATE_LIMIT_WAITS_METRIC, "source", "client")
            .count());
  }

  @Test
  void theDimensionIsCheckedOncePerCredentialAndAFailedCheckIsAskedAgain() {
    WorkersAnalyticsApi api = api(1000);
    fake.inject(Fault.status(500).on("POST", "/graphql"));

    assertThrows(CloudflareTransientException.class, () -> api.scriptVersionDimension(TOKEN));
    assertTrue(api.hasScriptVersionDimension(TOKEN));
    assertTrue(api.hasScriptVersionDimension(TOKEN));

    assertEquals(2, fake.count("POST", "/graphql"));
  }

  @Test
  void aDatasetWithoutScriptVersionIsReportedAbsent() {
    WorkersAnalyticsApi api = api(1000);
    fake.analytics().setScriptVersionDimension(false);

    VersionHealthQuery.Absent absent =
        assertInstanceOf(VersionHealthQuery.Absent.class, api.scriptVersionDimension(TOKEN));

    assertTrue(absent.message().contains("scriptVersion"), absent.message());
    assertFalse(api.hasScriptVersionDimension(TOKEN));
    assertEquals(
        AnalyticsError.Kind.UNKNOWN_FIELD,
        ((VersionHealthQuery.Failure)
                api.versionHealth(TARGET, T0, T0.plus(Duration.ofMinutes(5)), TOKEN))
            .error()
            .kind());
  }

  private AnalyticsError.Kind failureKind(WorkersAnalyticsApi api) {
    return assertInstanceOf(
            VersionHealthQuery.Failure.class,
            api.versionHealth(TARGET, T0, T0.plus(Duration.ofMinutes(5)), TOKEN))
        .error()
        .kind();
  }

  private WorkersAnalyticsApi api(int queriesPerFiveMinutes) {
    return new HttpWorkersAnalyticsApi(
        settings(),
        AnalyticsBudget.limiter(
            new CredentialRateLimiter.Budget(queriesPerFiveMinutes, Duration.ofMinutes(5), 1)),
        meters,
        new ObjectMapper());
  }

  private CloudflareClientSettings settings() {
    return new CloudflareClientSettings(
        fake.baseUrl(), Duration.ofSeconds(2), Duration.ofSeconds(5));
  }

  private double requests(String operation, String outcome) {
    return meters
        .counter(CloudflareTransport.REQUESTS_METRIC, "operation", operation, "outcome", outcome)
        .count();
  }
}
