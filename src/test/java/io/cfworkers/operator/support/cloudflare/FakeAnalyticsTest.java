package io.cfworkers.operator.support.cloudflare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.rollout.analysis.AnalyticsError;
import io.cfworkers.operator.rollout.analysis.Measurement.Counts;
import io.cfworkers.operator.rollout.analysis.VersionHealthQuery;
import io.cfworkers.operator.support.operator.SimulatedClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The fake's GraphQL Analytics: numbers from the deployment history, faults, permission, budget.
 */
class FakeAnalyticsTest {
  private static final String ACCOUNT = "0123456789abcdef0123456789abcdef";
  private static final String SCRIPT = "checkout-api";
  private static final String TOKEN = "tok-analytics-secret";
  private static final String NO_ANALYTICS_TOKEN = "tok-deploy-only-secret";
  private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SimulatedClock clock = new SimulatedClock(T0);
  private final HttpClient http = HttpClient.newHttpClient();
  private FakeCloudflare fake;
  private String stable;
  private String canary;

  @BeforeEach
  void startFake() {
    fake = FakeCloudflare.start(clock);
    fake.addToken(TOKEN, "ops@example.com", ACCOUNT);
    fake.addToken(NO_ANALYTICS_TOKEN, "ci@example.com", ACCOUNT);
    fake.setAnalyticsRead(NO_ANALYTICS_TOKEN, false);
    stable = fake.addVersion(ACCOUNT, SCRIPT);
    canary = fake.addVersion(ACCOUNT, SCRIPT);
    fake.analytics().setTraffic(ACCOUNT, SCRIPT, 1000);
  }

  @AfterEach
  void stopFake() {
    fake.close();
  }

  @Test
  void splitsTrafficByTheDeploymentLiveAtEachMomentOfTheWindow() throws Exception {
    deploy(90, 10);
    clock.advance(Duration.ofMinutes(5));
    deploy(50, 50);
    clock.advance(Duration.ofMinutes(5));

    Map<String, Counts> whole = totals(query(T0, T0.plus(Duration.ofMinutes(10)), TOKEN));
    Map<String, Counts> firstHalf = totals(query(T0, T0.plus(Duration.ofMinutes(5)), TOKEN));
    Map<String, Counts> secondHalf =
        totals(query(T0.plus(Duration.ofMinutes(5)), T0.plus(Duration.ofMinutes(10)), TOKEN));

    // 1000 requests a minute: 90/10 for five minutes, then 50/50 for five.
    assertEquals(Map.of(stable, new Counts(7000, 0), canary, new Counts(3000, 0)), whole);
    assertEquals(Map.of(stable, new Counts(4500, 0), canary, new Counts(500, 0)), firstHalf);
    assertEquals(Map.of(stable, new Counts(2500, 0), canary, new Counts(2500, 0)), secondHalf);
  }

  @Test
  void noTrafficBeforeTheFirstDeploymentAndDeletedDeploymentsStillServedTheirTime()
      throws Exception {
    clock.advance(Duration.ofMinutes(2));
    String first = deploy(100, 0);
    clock.advance(Duration.ofMinutes(2));
    deploy(0, 100);
    clock.advance(Duration.ofMinutes(2));
    HttpResponse<String> deleted =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        fake.baseUrl()
                            + "/accounts/"
                            + ACCOUNT
                            + "/workers/scripts/"
                            + SCRIPT
                            + "/deployments/"
                            + first))
                .header("Authorization", "Bearer " + TOKEN)
                .DELETE()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(200, deleted.statusCode(), deleted.body());

    assertEquals(Map.of(), totals(query(T0, T0.plus(Duration.ofMinutes(2)), TOKEN)));
    assertEquals(
        Map.of(stable, new Counts(2000, 0), canary, new Counts(2000, 0)),
        totals(query(T0, T0.plus(Duration.ofMinutes(6)), TOKEN)));
  }

  @Test
  void eachVersionFailsItsOwnShareAsRuntimeErrors() throws Exception {
    fake.analytics().setErrorRate(canary, 5);
    fake.analytics().setErrorRate(stable, 0.1);
    deploy(90, 10);
    clock.advance(Duration.ofMinutes(10));

    HttpResponse<String> answer = query(T0, T0.plus(Duration.ofMinutes(10)), TOKEN);

    assertEquals(Map.of(stable, new Counts(9000, 9), canary, new Counts(1000, 50)), totals(answer));
    Set<String> statuses = new HashSet<>();
    for (JsonNode row :
        JSON.readTree(answer.body()).at("/data/viewer/accounts/0/workersInvocationsAdaptive")) {
      statuses.add(row.at("/dimensions/status").asText());
    }
    assertEquals(Set.of("success", "scriptThrewException"), statuses);
  }

  @Test
  void introspectionListsScriptVersionUntilTheDatasetLosesIt() throws Exception {
    assertInstanceOf(VersionHealthQuery.Present.class, introspect());

    fake.analytics().setScriptVersionDimension(false);
    deploy(100, 0);
    clock.advance(Duration.ofMinutes(1));

    assertInstanceOf(VersionHealthQuery.Absent.class, introspect());
    assertEquals(AnalyticsError.Kind.UNKNOWN_FIELD, failure(query(T0, clock.instant(), TOKEN)));
  }

  @Test
  void aTokenWithoutAnalyticsPermissionGetsAnAuthzError() throws Exception {
    deploy(100, 0);
    clock.advance(Duration.ofMinutes(1));

    HttpResponse<String> answer = query(T0, clock.instant(), NO_ANALYTICS_TOKEN);

    assertEquals(200, answer.statusCode());
    assertEquals("authz", JSON.readTree(answer.body()).at("/errors/0/extensions/code").asText());
    assertEquals(AnalyticsError.Kind.PERMISSION, failure(answer));
  }

  @Test
  void injectedFaultsAnswerAsCloudflareDoes() throws Exception {
    deploy(100, 0);
    clock.advance(Duration.ofMinutes(1));
    fake.inject(Fault.status(502).on("POST", "/graphql"));
    fake.inject(Fault.graphQlError("budget", "budget exceeded"));
    fake.inject(Fault.graphQlError("authz", "not authorized"));
    fake.inject(Fault.unknownField("scriptVersion"));

    HttpResponse<String> bad = query(T0, clock.instant(), TOKEN);
    assertEquals(502, bad.statusCode());
    assertEquals(AnalyticsError.Kind.HTTP, failure(bad));
    assertEquals(AnalyticsError.Kind.BUDGET, failure(query(T0, clock.instant(), TOKEN)));
    assertEquals(AnalyticsError.Kind.PERMISSION, failure(query(T0, clock.instant(), TOKEN)));
    assertEquals(AnalyticsError.Kind.UNKNOWN_FIELD, failure(query(T0, clock.instant(), TOKEN)));
    assertEquals(Map.of(stable, new Counts(1000, 0)), totals(query(T0, clock.instant(), TOKEN)));
  }

  @Test
  void past300QueriesInFiveMinutesEveryQueryGetsABudgetErrorUntilTheWindowMoves() throws Exception {
    deploy(100, 0);
    clock.advance(Duration.ofMinutes(1));
    Instant until = clock.instant();
    for (int i = 0; i < FakeAnalytics.DEFAULT_BUDGET_QUERIES; i++) {
      totals(query(T0, until, TOKEN));
    }

    HttpResponse<String> over = query(T0, until, TOKEN);
    assertEquals(200, over.statusCode());
    assertEquals("budget", JSON.readTree(over.body()).at("/errors/0/extensions/code").asText());
    assertEquals(AnalyticsError.Kind.BUDGET, failure(over));
    // Another token has a budget of its own.
    fake.setAnalyticsRead(NO_ANALYTICS_TOKEN, true);
    assertEquals(Map.of(stable, new Counts(1000, 0)), totals(query(T0, until, NO_ANALYTICS_TOKEN)));

    clock.advance(Duration.ofMinutes(5));
    assertEquals(Map.of(stable, new Counts(1000, 0)), totals(query(T0, until, TOKEN)));
  }

  @Test
  void graphQlQueriesAreNotChargedToTheRestRateLimit() throws Exception {
    deploy(100, 0);
    clock.advance(Duration.ofMinutes(1));
    fake.rateLimit(1, Duration.ofMinutes(5), Duration.ofMinutes(5));

    totals(query(T0, clock.instant(), TOKEN));
    totals(query(T0, clock.instant(), TOKEN));
    HttpResponse<String> rest =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        fake.baseUrl()
                            + "/accounts/"
                            + ACCOUNT
                            + "/workers/scripts/"
                            + SCRIPT
                            + "/deployments"))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString());

    assertEquals(200, rest.statusCode(), rest.body());
    assertEquals(2, fake.count("POST", "/graphql"));
  }

  private String deploy(double stablePercent, double canaryPercent) {
    List<DeploymentVersion> split =
        stablePercent == 0
            ? List.of(new DeploymentVersion(canary, 100))
            : canaryPercent == 0
                ? List.of(new DeploymentVersion(stable, 100))
                : List.of(
                    new DeploymentVersion(stable, stablePercent),
                    new DeploymentVersion(canary, canaryPercent));
    return fake.seedDeployment(ACCOUNT, SCRIPT, split, "api", "ops@example.com", null).id();
  }

  private HttpResponse<String> query(Instant since, Instant until, String token) throws Exception {
    return post(VersionHealthQuery.requestBody(ACCOUNT, SCRIPT, since, until), token);
  }

  private VersionHealthQuery.DimensionCheck introspect() throws Exception {
    HttpResponse<String> answer = post(VersionHealthQuery.introspectionBody(), TOKEN);
    return VersionHealthQuery.parseIntrospection(answer.statusCode(), answer.body());
  }

  private HttpResponse<String> post(String body, String token) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/graphql"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, Counts> totals(HttpResponse<String> answer) {
    VersionHealthQuery.Answer parsed = VersionHealthQuery.parse(answer.statusCode(), answer.body());
    return assertInstanceOf(VersionHealthQuery.Totals.class, parsed, answer.body()).byVersion();
  }

  private static AnalyticsError.Kind failure(HttpResponse<String> answer) {
    VersionHealthQuery.Answer parsed = VersionHealthQuery.parse(answer.statusCode(), answer.body());
    VersionHealthQuery.Failure failure =
        assertInstanceOf(VersionHealthQuery.Failure.class, parsed, answer.body());
    assertTrue(!failure.error().message().contains(TOKEN), "no token in the message");
    return failure.error().kind();
  }
}
