package io.cfworkers.operator.support.cloudflare;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.support.operator.SimulatedClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The fake's front on an injected clock: times, rate-limit windows, GraphQL's routing. */
class FakeCloudflareClockTest {
  private static final String ACCOUNT = "0123456789abcdef0123456789abcdef";
  private static final String SCRIPT = "checkout-api";
  private static final String TOKEN = "tok-clock-secret";
  private static final Instant T0 = Instant.parse("2026-11-29T12:00:00Z");

  private final SimulatedClock clock = new SimulatedClock(T0);
  private final HttpClient http = HttpClient.newHttpClient();
  private FakeCloudflare fake;

  @BeforeEach
  void startFake() {
    fake = FakeCloudflare.start(clock);
    fake.addToken(TOKEN, "ops@example.com", ACCOUNT);
    fake.addScript(ACCOUNT, SCRIPT);
  }

  @AfterEach
  void stopFake() {
    fake.close();
  }

  @Test
  void versionsAndDeploymentsAreCreatedAtTheClocksTime() {
    clock.advance(Duration.ofMinutes(3));
    String version = fake.addVersion(ACCOUNT, SCRIPT);
    clock.advance(Duration.ofMinutes(4));

    fake.seedDeployment(
        ACCOUNT, SCRIPT, List.of(new DeploymentVersion(version, 100)), "api", null, null);

    assertEquals(T0.plus(Duration.ofMinutes(3)), fake.versions(ACCOUNT, SCRIPT).get(0).createdOn());
    assertEquals(
        T0.plus(Duration.ofMinutes(7)),
        fake.liveDeployment(ACCOUNT, SCRIPT).orElseThrow().createdOn());
  }

  @Test
  void aRateLimitBlockEndsWhenTheClockHasMovedPastIt() throws Exception {
    fake.rateLimit(1, Duration.ofMinutes(1), Duration.ofMinutes(5));

    assertEquals(200, get("/accounts/" + ACCOUNT + "/workers/scripts/" + SCRIPT + "/deployments"));
    assertEquals(429, get("/accounts/" + ACCOUNT + "/workers/scripts/" + SCRIPT + "/deployments"));
    clock.advance(Duration.ofMinutes(4));
    assertEquals(429, get("/accounts/" + ACCOUNT + "/workers/scripts/" + SCRIPT + "/deployments"));
    clock.advance(Duration.ofMinutes(1));
    assertEquals(200, get("/accounts/" + ACCOUNT + "/workers/scripts/" + SCRIPT + "/deployments"));
  }

  @Test
  void graphQlTakesOnlyPostsWithAKnownCredential() throws Exception {
    assertEquals(405, get("/graphql"));
    HttpResponse<String> anonymous =
        http.send(
            HttpRequest.newBuilder(URI.create(fake.baseUrl() + "/graphql"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"query\": \"{}\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(401, anonymous.statusCode());
    assertEquals(1, fake.count("GET", "/graphql"), "every request is logged");
    assertEquals(1, fake.count("POST", "/graphql"), "every request is logged");
  }

  private int get(String tail) throws Exception {
    return http.send(
            HttpRequest.newBuilder(URI.create(fake.baseUrl() + tail))
                .header("Authorization", "Bearer " + TOKEN)
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .statusCode();
  }
}
