package io.cfworkers.operator.support.cloudflare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cfworkers.operator.cloudflare.Credential;
import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

class FakeCloudflareTest {

  private static final String ACCOUNT = "0123456789abcdef0123456789abcdef";
  private static final String OTHER_ACCOUNT = "fedcba9876543210fedcba9876543210";
  private static final String SCRIPT = "checkout-api";
  private static final String TOKEN = "tok-ops-secret";
  private static final String OTHER_TOKEN = "tok-other-secret";
  private static final String EMAIL = "ops@example.com";
  private static final String KEY_EMAIL = "legacy@example.com";
  private static final String API_KEY = "global-key-secret";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  private FakeCloudflare fake;
  private String oldVersion;
  private String v1;
  private String v2;

  /** How a request authenticates. */
  enum Auth {
    TOKEN,
    API_KEY,
    NONE,
    BAD_TOKEN,
    OTHER_ACCOUNT_TOKEN,
    EMAIL_WITHOUT_KEY,
    WRONG_KEY
  }

  @BeforeEach
  void startFake() {
    fake = FakeCloudflare.start();
    fake.addToken(TOKEN, EMAIL, ACCOUNT);
    fake.addToken(OTHER_TOKEN, "other@example.com", OTHER_ACCOUNT);
    fake.addApiKey(KEY_EMAIL, API_KEY, ACCOUNT);
    fake.addScript(ACCOUNT, SCRIPT);
    Instant base = Instant.parse("2026-01-01T00:00:00Z");
    oldVersion = fake.addVersion(ACCOUNT, SCRIPT, VersionSeed.defaults().withCreatedOn(base));
    for (int i = 1; i <= 100; i++) {
      fake.addVersion(ACCOUNT, SCRIPT, VersionSeed.defaults().withCreatedOn(base.plusSeconds(i)));
    }
    v1 = fake.addVersion(ACCOUNT, SCRIPT);
    v2 = fake.addVersion(ACCOUNT, SCRIPT);
  }

  @AfterEach
  void stopFake() {
    fake.close();
  }

  // ------------------------------------------------------------------ create validation table

  static Stream<Arguments> createCases() {
    String ok =
        "{\"strategy\":\"percentage\",\"versions\":[{\"version_id\":\"{v1}\",\"percentage\":100}]}";
    return Stream.of(
        row("accepts one version at 100", Auth.TOKEN, SCRIPT, ok, 200, 0, null),
        row(
            "accepts two versions summing to 100",
            Auth.TOKEN,
            SCRIPT,
            split("{v1}", "90", "{v2}", "10"),
            200,
            0,
            null),
        row(
            "wrong strategy",
            Auth.TOKEN,
            SCRIPT,
            ok.replace("\"percentage\",", "\"gradual\","),
            400,
            10021,
            "strategy: must be \"percentage\""),
        row(
            "zero versions",
            Auth.TOKEN,
            SCRIPT,
            "{\"strategy\":\"percentage\",\"versions\":[]}",
            400,
            10021,
            "versions: must have 1 or 2 entries"),
        row(
            "versions missing",
            Auth.TOKEN,
            SCRIPT,
            "{\"strategy\":\"percentage\"}",
            400,
            10021,
            "versions: must have 1 or 2 entries"),
        row(
            "three versions",
            Auth.TOKEN,
            SCRIPT,
            "{\"strategy\":\"percentage\",\"versions\":["
                + "{\"version_id\":\"{v1}\",\"percentage\":50},"
                + "{\"version_id\":\"{v2}\",\"percentage\":25},"
                + "{\"version_id\":\"{old}\",\"percentage\":25}]}",
            400,
            10021,
            "versions: must have 1 or 2 entries"),
        row(
            "non-uuid id",
            Auth.TOKEN,
            SCRIPT,
            split("{v1}", "50", "not-a-uuid", "50"),
            400,
            10021,
            "versions[1].version_id: must be a UUID"),
        row(
            "duplicate ids",
            Auth.TOKEN,
            SCRIPT,
            split("{v1}", "50", "{v1}", "50"),
            400,
            10021,
            "versions[1].version_id: must differ"),
        row(
            "percentage 0",
            Auth.TOKEN,
            SCRIPT,
            split("{v1}", "0", "{v2}", "100"),
            400,
            10021,
            "versions[0].percentage: must be between 0.01 and 100"),
        row(
            "percentage 0.01 accepted",
            Auth.TOKEN,
            SCRIPT,
            split("{v1}", "0.01", "{v2}", "99.99"),
            200,
            0,
            null),
        row(
            "percentage 100.001",
            Auth.TOKEN,
            SCRIPT,
            ok.replace("100}", "100.001}"),
            400,
            10021,
            "versions[0].percentage: must be between 0.01 and 100"),
        row(
            "percentage as a string",
            Auth.TOKEN,
            SCRIPT,
            ok.replace("100}", "\"100\"}"),
            400,
            10021,
            "versions[0].percentage: must be a number"),
        row(
            "sum 99.9",
            Auth.TOKEN,
            SCRIPT,
            split("{v1}", "50", "{v2}", "49.9"),
            400,
            10021,
            "versions: percentages must sum to 100"),
        row(
            "sum 100.01",
            Auth.TOKEN,
            SCRIPT,
            split("{v1}", "50", "{v2}", "50.01"),
            400,
            10021,
            "versions: percentages must sum to 100"),
        row(
            "sum within tolerance accepted",
            Auth.TOKEN,
            SCRIPT,
            split("{v1}", "50.0005", "{v2}", "49.9999"),
            200,
            0,
            null),
        row(
            "unknown version",
            Auth.TOKEN,
            SCRIPT,
            ok.replace("{v1}", "{random}"),
            404,
            10224,
            "is not a deployable version of script " + SCRIPT),
        row(
            "version older than the 100 most recent",
            Auth.TOKEN,
            SCRIPT,
            ok.replace("{v1}", "{old}"),
            404,
            10224,
            "is not a deployable version of script " + SCRIPT),
        row(
            "script missing",
            Auth.TOKEN,
            "no-such-script",
            ok,
            404,
            10007,
            "This Worker does not exist on your account."),
        row(
            "rule violations reported before a missing script",
            Auth.TOKEN,
            "no-such-script",
            split("{v1}", "50", "{v2}", "40"),
            400,
            10021,
            "versions: percentages must sum to 100"),
        row(
            "malformed JSON",
            Auth.TOKEN,
            SCRIPT,
            "{\"strategy\":\"percentage\",\"versions\":[",
            400,
            10021,
            "malformed JSON"),
        row(
            "trailing garbage after JSON",
            Auth.TOKEN,
            SCRIPT,
            ok + " }",
            400,
            10021,
            "malformed JSON"),
        row("body not an object", Auth.TOKEN, SCRIPT, "[1,2]", 400, 10021, "must be a JSON object"),
        row("empty body", Auth.TOKEN, SCRIPT, "", 400, 10021, "malformed JSON"),
        row(
            "unknown fields accepted",
            Auth.TOKEN,
            SCRIPT,
            "{\"strategy\":\"percentage\",\"code_update_strategy\":\"immediate\","
                + "\"versions\":[{\"version_id\":\"{v1}\",\"percentage\":100,\"extra\":true}],"
                + "\"annotations\":{\"workers/message\":\"m\",\"x/y\":1}}",
            200,
            0,
            null),
        row("missing auth", Auth.NONE, SCRIPT, ok, 401, 10000, "Authentication error"),
        row(
            "missing auth reported before malformed JSON",
            Auth.NONE,
            SCRIPT,
            "{",
            401,
            10000,
            "Authentication error"),
        row("bad token", Auth.BAD_TOKEN, SCRIPT, ok, 403, 9106, "Authentication failed"),
        row(
            "token for another account",
            Auth.OTHER_ACCOUNT_TOKEN,
            SCRIPT,
            ok,
            403,
            10000,
            "Authentication error"),
        row(
            "email without key",
            Auth.EMAIL_WITHOUT_KEY,
            SCRIPT,
            ok,
            401,
            10000,
            "Authentication error"),
        row("wrong api key", Auth.WRONG_KEY, SCRIPT, ok, 403, 9106, "Authentication failed"),
        row("api key accepted", Auth.API_KEY, SCRIPT, ok, 200, 0, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("createCases")
  void createValidatesLikeCloudflare(
      String reason,
      Auth auth,
      String script,
      String bodyTemplate,
      int status,
      int code,
      String messageFragment)
      throws Exception {
    String body =
        bodyTemplate
            .replace("{v1}", v1)
            .replace("{v2}", v2)
            .replace("{old}", oldVersion)
            .replace("{random}", UUID.randomUUID().toString());

    HttpResponse<String> response = send("POST", script, "/deployments", body, auth);

    assertEquals(status, response.statusCode(), response.body());
    JsonNode envelope = JSON.readTree(response.body());
    if (status == 200) {
      assertTrue(envelope.get("success").asBoolean());
      assertEquals(
          envelope.get("result").get("id").asText(),
          fake.liveDeployment(ACCOUNT, SCRIPT).orElseThrow().id());
    } else {
      assertFalse(envelope.get("success").asBoolean());
      assertTrue(envelope.get("result").isNull());
      JsonNode error = envelope.get("errors").get(0);
      assertEquals(code, error.get("code").asInt());
      assertTrue(
          error.get("message").asText().contains(messageFragment),
          () -> "message was: " + error.get("message").asText());
      assertTrue(fake.deployments(ACCOUNT, SCRIPT).isEmpty(), "a rejected create changed state");
    }
  }

  private static Arguments row(
      String reason,
      Auth auth,
      String script,
      String body,
      int status,
      int code,
      String messageFragment) {
    return Arguments.of(reason, auth, script, body, status, code, messageFragment);
  }

  private static String split(String id1, String p1, String id2, String p2) {
    return "{\"strategy\":\"percentage\",\"versions\":[{\"version_id\":\""
        + id1
        + "\",\"percentage\":"
        + p1
        + "},{\"version_id\":\""
        + id2
        + "\",\"percentage\":"
        + p2
        + "}]}";
  }

  // ------------------------------------------------------------------ deployments

  @Test
  void createdDeploymentIsListedNewestFirstWithServerSetFields() throws Exception {
    HttpResponse<String> first = create(split(v1, "90", v2, "10"), false);
    HttpResponse<String> second = create(hundred(v2), false);

    JsonNode created = JSON.readTree(second.body()).get("result");
    assertEquals("api", created.get("source").asText());
    assertEquals("percentage", created.get("strategy").asText());
    assertEquals(EMAIL, created.get("author_email").asText());
    assertEquals("deployment", created.get("annotations").get("workers/triggered_by").asText());
    assertEquals(v2, created.get("versions").get(0).get("version_id").asText());
    assertTrue(created.get("versions").get(0).get("percentage").isNumber());
    Instant.parse(created.get("created_on").asText());

    JsonNode listed =
        JSON.readTree(send("GET", SCRIPT, "/deployments", null, Auth.TOKEN).body())
            .get("result")
            .get("deployments");
    assertEquals(2, listed.size());
    assertEquals(created.get("id").asText(), listed.get(0).get("id").asText());
    assertEquals(
        JSON.readTree(first.body()).get("result").get("id").asText(),
        listed.get(1).get("id").asText());
    assertEquals(90.0, listed.get(1).get("versions").get(0).get("percentage").asDouble());

    JsonNode fetched =
        JSON.readTree(
                send("GET", SCRIPT, "/deployments/" + created.get("id").asText(), null, Auth.TOKEN)
                    .body())
            .get("result");
    assertEquals(created, fetched);
  }

  @Test
  void triggeredByFromClientIsIgnored() throws Exception {
    String body =
        "{\"strategy\":\"percentage\",\"versions\":[{\"version_id\":\""
            + v1
            + "\",\"percentage\":100}],"
            + "\"annotations\":{\"workers/triggered_by\":\"rollback\",\"workers/message\":\"m\"}}";

    JsonNode created = JSON.readTree(create(body, false).body()).get("result");

    assertEquals("deployment", created.get("annotations").get("workers/triggered_by").asText());
    assertEquals("deployment", fake.liveDeployment(ACCOUNT, SCRIPT).orElseThrow().triggeredBy());
    assertEquals("m", fake.liveDeployment(ACCOUNT, SCRIPT).orElseThrow().message());
  }

  @Test
  void messageIsTruncatedTo100BytesOnUtf8Boundary() throws Exception {
    String ninetyNine = "a".repeat(99);
    String hundredBytes = "b".repeat(98) + "é"; // 98 + 2 bytes

    create(withMessage(v1, ninetyNine + "€€"), false); // the € would straddle byte 100
    Deployment cut = fake.liveDeployment(ACCOUNT, SCRIPT).orElseThrow();
    create(withMessage(v2, hundredBytes), false);
    Deployment kept = fake.liveDeployment(ACCOUNT, SCRIPT).orElseThrow();

    assertEquals(ninetyNine, cut.message());
    assertEquals(hundredBytes, kept.message());
    assertEquals(100, kept.message().getBytes(StandardCharsets.UTF_8).length);
  }

  @Test
  void deletingTheLiveDeploymentIsRefusedButAnOlderOneIsDeleted() throws Exception {
    String older =
        JSON.readTree(create(hundred(v1), false).body()).get("result").get("id").asText();
    String live = JSON.readTree(create(hundred(v2), false).body()).get("result").get("id").asText();

    HttpResponse<String> refused = send("DELETE", SCRIPT, "/deployments/" + live, null, Auth.TOKEN);
    assertEquals(400, refused.statusCode());
    assertEquals(10227, errorCode(refused));
    assertEquals(2, fake.deployments(ACCOUNT, SCRIPT).size());

    HttpResponse<String> deleted =
        send("DELETE", SCRIPT, "/deployments/" + older, null, Auth.TOKEN);
    assertEquals(200, deleted.statusCode());
    assertTrue(JSON.readTree(deleted.body()).get("success").asBoolean());
    assertEquals(
        List.of(live), fake.deployments(ACCOUNT, SCRIPT).stream().map(Deployment::id).toList());

    HttpResponse<String> gone = send("GET", SCRIPT, "/deployments/" + older, null, Auth.TOKEN);
    assertEquals(404, gone.statusCode());
    assertEquals(10226, errorCode(gone));
  }

  @Test
  void readsOnMissingScriptAnswer10007() throws Exception {
    for (String tail : List.of("/deployments", "/versions", "/versions/" + v1)) {
      HttpResponse<String> response = send("GET", "no-such-script", tail, null, Auth.TOKEN);
      assertEquals(404, response.statusCode(), tail);
      assertEquals(10007, errorCode(response), tail);
    }
  }

  @Test
  void seededDeploymentServesTrafficWithoutBeingLogged() throws Exception {
    Deployment seeded =
        fake.seedDeployment(
            ACCOUNT,
            SCRIPT,
            List.of(new DeploymentVersion(v1, 70), new DeploymentVersion(v2, 30)),
            "wrangler",
            "dev@example.com",
            "from CI");

    assertTrue(fake.requests().isEmpty());
    JsonNode live =
        JSON.readTree(send("GET", SCRIPT, "/deployments", null, Auth.TOKEN).body())
            .get("result")
            .get("deployments")
            .get(0);
    assertEquals(seeded.id(), live.get("id").asText());
    assertEquals("wrangler", live.get("source").asText());
    assertEquals("dev@example.com", live.get("author_email").asText());
    assertEquals("from CI", live.get("annotations").get("workers/message").asText());
    assertEquals(30.0, live.get("versions").get(1).get("percentage").asDouble());
  }

  // ------------------------------------------------------------------ secrets (10220)

  @Test
  void rollbackAcrossSecretChangeIsRefusedWith10220ThenForceSucceeds() throws Exception {
    assertEquals(200, create(hundred(v1), false).statusCode());
    assertEquals(200, create(hundred(v2), false).statusCode());
    fake.changeSecret(ACCOUNT, SCRIPT, "STRIPE_KEY");
    fake.changeSecret(ACCOUNT, SCRIPT, "DB_URL");

    HttpResponse<String> refused = create(hundred(v1), false);

    assertEquals(400, refused.statusCode());
    assertEquals(10220, errorCode(refused));
    assertEquals(
        "A secret has changed since this version was active. If you are sure this is ok, add a"
            + " ?force=true query parameter to allow the rollback. The following secrets have"
            + " changed: DB_URL, STRIPE_KEY",
        JSON.readTree(refused.body()).get("errors").get(0).get("message").asText());
    assertEquals(v2, liveVersion());

    HttpResponse<String> forced = create(hundred(v1), true);

    assertEquals(200, forced.statusCode());
    assertEquals(v1, liveVersion());
    assertEquals(200, create(split(v1, "50", v2, "50"), false).statusCode());
  }

  @Test
  void secretChangeDoesNotBlockTheServingVersionOrNewerVersions() throws Exception {
    assertEquals(200, create(hundred(v1), false).statusCode());
    fake.changeSecret(ACCOUNT, SCRIPT, "API_KEY");
    String v3 = fake.addVersion(ACCOUNT, SCRIPT);

    assertEquals(200, create(hundred(v1), false).statusCode());
    assertEquals(200, create(hundred(v3), false).statusCode());
    HttpResponse<String> neverServed = create(hundred(v2), false);
    assertEquals(10220, errorCode(neverServed));
    assertTrue(neverServed.body().contains("The following secrets have changed: API_KEY"));
  }

  // ------------------------------------------------------------------ versions

  @Test
  void versionPagesAreNewestFirstAndEndOnAnEmptyPage() throws Exception {
    fake.addScript(ACCOUNT, "paged");
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 23; i++) {
      ids.add(0, fake.addVersion(ACCOUNT, "paged"));
    }

    List<String> seen = new ArrayList<>();
    int page = 1;
    while (true) {
      JsonNode envelope =
          JSON.readTree(
              send("GET", "paged", "/versions?deployable=true&page=" + page, null, Auth.TOKEN)
                  .body());
      JsonNode items = envelope.get("result").get("items");
      if (items.isEmpty()) {
        break;
      }
      assertEquals(10, envelope.get("result_info").get("per_page").asInt());
      assertEquals(23, envelope.get("result_info").get("total_count").asInt());
      assertEquals(3, envelope.get("result_info").get("total_pages").asInt());
      items.forEach(item -> seen.add(item.get("id").asText()));
      page++;
    }

    assertEquals(4, page, "the fourth page is the first empty one");
    assertEquals(ids, seen);
    JsonNode five =
        JSON.readTree(send("GET", "paged", "/versions?page=2&per_page=5", null, Auth.TOKEN).body());
    assertEquals(5, five.get("result").get("items").size());
    assertEquals(ids.get(5), five.get("result").get("items").get(0).get("id").asText());
    assertEquals(18, five.get("result").get("items").get(0).get("number").asInt());
  }

  @Test
  void deployableVersionsAreTheHundredMostRecent() throws Exception {
    List<String> deployable = new ArrayList<>();
    List<String> all = new ArrayList<>();
    for (int page = 1; page <= 3; page++) {
      for (JsonNode item : versionPage("/versions?deployable=true&per_page=50&page=" + page)) {
        deployable.add(item.get("id").asText());
      }
      for (JsonNode item : versionPage("/versions?per_page=50&page=" + page)) {
        all.add(item.get("id").asText());
      }
    }

    assertEquals(100, deployable.size());
    assertEquals(103, all.size());
    assertEquals(List.of(v2, v1), deployable.subList(0, 2));
    assertFalse(deployable.contains(oldVersion));
    assertEquals(oldVersion, all.get(all.size() - 1));
  }

  @Test
  void deployableListingCanIgnorePaginationLikeCloudflareSchemaSays() throws Exception {
    fake.setDeployableIgnoresPagination(true);

    JsonNode first = versionPage("/versions?deployable=true&page=1&per_page=10");
    JsonNode third = versionPage("/versions?deployable=true&page=3&per_page=10");

    assertEquals(100, first.size());
    assertEquals(first, third);
    assertEquals(10, versionPage("/versions?page=1&per_page=10").size());
  }

  private JsonNode versionPage(String tail) throws Exception {
    HttpResponse<String> response = send("GET", SCRIPT, tail, null, Auth.TOKEN);
    assertEquals(200, response.statusCode(), response.body());
    return JSON.readTree(response.body()).get("result").get("items");
  }

  @Test
  void versionCarriesSeededFieldsAndUnknownVersionIs10224() throws Exception {
    Instant createdOn = Instant.parse("2026-02-03T04:05:06Z");
    String id =
        fake.addVersion(
            ACCOUNT,
            SCRIPT,
            new VersionSeed(
                "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e",
                500,
                createdOn,
                "dev@example.com",
                "v2026.2",
                "fix checkout",
                "wrangler"));

    JsonNode version =
        JSON.readTree(send("GET", SCRIPT, "/versions/" + id, null, Auth.TOKEN).body())
            .get("result");

    assertEquals(id, version.get("id").asText());
    assertEquals(500, version.get("number").asInt());
    assertEquals("dev@example.com", version.get("metadata").get("author_email").asText());
    assertEquals(createdOn, Instant.parse(version.get("metadata").get("created_on").asText()));
    assertEquals("wrangler", version.get("metadata").get("source").asText());
    assertEquals("v2026.2", version.get("annotations").get("workers/tag").asText());
    assertEquals("fix checkout", version.get("annotations").get("workers/message").asText());
    HttpResponse<String> unknown =
        send("GET", SCRIPT, "/versions/" + UUID.randomUUID(), null, Auth.TOKEN);
    assertEquals(404, unknown.statusCode());
    assertEquals(10224, errorCode(unknown));
  }

  // ------------------------------------------------------------------ rate limiting

  @Test
  void rateLimitBlocksOneCredentialWithRetryAfterAndReleasesItAfterBlockTime() throws Exception {
    fake.rateLimit(3, Duration.ofSeconds(30), Duration.ofMillis(1200));
    for (int i = 0; i < 3; i++) {
      HttpResponse<String> allowed = send("GET", SCRIPT, "/deployments", null, Auth.TOKEN);
      assertEquals(200, allowed.statusCode());
      assertEquals(
          "\"default\";q=3;w=30", allowed.headers().firstValue("Ratelimit-Policy").orElseThrow());
    }

    HttpResponse<String> over = send("GET", SCRIPT, "/deployments", null, Auth.TOKEN);
    HttpResponse<String> stillBlocked = create(hundred(v1), false);
    HttpResponse<String> otherCredential = send("GET", SCRIPT, "/deployments", null, Auth.API_KEY);

    assertEquals(429, over.statusCode());
    assertEquals(971, errorCode(over));
    assertEquals("2", over.headers().firstValue("retry-after").orElseThrow());
    assertTrue(over.headers().firstValue("Ratelimit").orElseThrow().contains("r=0"));
    assertEquals(429, stillBlocked.statusCode());
    assertTrue(fake.deployments(ACCOUNT, SCRIPT).isEmpty());
    assertEquals(200, otherCredential.statusCode());
    assertEquals(
        List.of(200, 200, 200, 429, 429, 200),
        fake.requests().stream().map(RecordedRequest::status).toList());

    Thread.sleep(1300);
    assertEquals(200, send("GET", SCRIPT, "/deployments", null, Auth.TOKEN).statusCode());
  }

  @Test
  void everyAnswerCarriesTheTokensRateLimitHeadersCountingEveryClientOfIt() throws Exception {
    fake.rateLimit(10, Duration.ofSeconds(30), Duration.ofSeconds(30));
    // A second client (its own connection pool, as wrangler would be) with the same token.
    HttpClient wrangler = HttpClient.newHttpClient();
    HttpRequest theirs =
        HttpRequest.newBuilder(
                URI.create(
                    fake.baseUrl() + "/accounts/" + ACCOUNT + "/workers/scripts/other/deployments"))
            .header("Authorization", "Bearer " + TOKEN)
            .build();

    HttpResponse<String> first = send("GET", SCRIPT, "/deployments", null, Auth.TOKEN);
    HttpResponse<String> second = wrangler.send(theirs, HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> refused = create("{}", false);
    HttpResponse<String> third = send("GET", SCRIPT, "/deployments", null, Auth.TOKEN);
    HttpResponse<String> otherToken = send("GET", SCRIPT, "/deployments", null, Auth.API_KEY);

    assertEquals(200, first.statusCode());
    assertEquals(
        List.of("r=9", "r=8", "r=7", "r=6"),
        Stream.of(first, second, refused, third)
            .map(r -> r.headers().firstValue("Ratelimit").orElseThrow())
            .map(h -> h.split(";")[1])
            .toList(),
        "a 404 for another script and a rejected create count too");
    assertTrue(third.headers().firstValue("Ratelimit").orElseThrow().startsWith("\"default\";"));
    assertEquals(
        "\"default\";q=10;w=30", third.headers().firstValue("Ratelimit-Policy").orElseThrow());
    assertTrue(
        otherToken.headers().firstValue("Ratelimit").orElseThrow().contains(";r=9;"),
        "another credential has its own count");
    // t: seconds until the oldest request of the window leaves it.
    long t = Long.parseLong(third.headers().firstValue("Ratelimit").orElseThrow().split(";t=")[1]);
    assertTrue(t >= 29 && t <= 30, "t=" + t);
  }

  // ------------------------------------------------------------------ faults

  @Test
  void statusFaultAnswersWithEnvelopeAndDoesNotApply() throws Exception {
    fake.inject(Fault.status(503).on("POST", "/deployments"));
    fake.inject(Fault.status(429).retryAfter(Duration.ofMillis(2500)).on("POST", "/deployments"));

    assertEquals(200, send("GET", SCRIPT, "/deployments", null, Auth.TOKEN).statusCode());
    HttpResponse<String> unavailable = create(hundred(v1), false);
    HttpResponse<String> limited = create(hundred(v1), false);
    HttpResponse<String> applied = create(hundred(v1), false);

    assertEquals(503, unavailable.statusCode());
    assertEquals(10013, errorCode(unavailable));
    assertEquals(429, limited.statusCode());
    assertEquals(971, errorCode(limited));
    assertEquals("3", limited.headers().firstValue("retry-after").orElseThrow());
    assertEquals(200, applied.statusCode());
    assertEquals(1, fake.deployments(ACCOUNT, SCRIPT).size());
  }

  @Test
  void faultFiresForTheGivenNumberOfMatchingRequests() throws Exception {
    fake.inject(Fault.status(500).times(2));

    assertEquals(500, send("GET", SCRIPT, "/versions", null, Auth.TOKEN).statusCode());
    assertEquals(500, send("GET", SCRIPT, "/deployments", null, Auth.TOKEN).statusCode());
    assertEquals(200, send("GET", SCRIPT, "/deployments", null, Auth.TOKEN).statusCode());
  }

  @Test
  void delayFaultAppliesTheWriteBeforeTheLateAnswer() throws Exception {
    fake.inject(Fault.delay(Duration.ofMillis(700)).on("POST", "/deployments"));

    assertThrows(
        HttpTimeoutException.class, () -> create(hundred(v1), false, Duration.ofMillis(200)));

    assertEquals(v1, liveVersion());
    assertEquals(200, fake.requests().get(0).status());
  }

  @Test
  void dropAfterApplyLandsTheWriteButTheClientGetsNoAnswer() throws Exception {
    fake.inject(Fault.dropAfterApply().on("POST", "/deployments"));

    IOException lost = assertThrows(IOException.class, () -> create(hundred(v1), false));

    assertFalse(lost instanceof HttpTimeoutException, "the connection was closed, not timed out");
    assertEquals(v1, liveVersion());
    assertEquals(1, fake.count("POST", "/deployments"));
    assertEquals(0, fake.requests().get(0).status());
    assertEquals(200, create(hundred(v2), false).statusCode());
  }

  @Test
  void droppedReadsAreRecordedWithoutStatusEvenWhenTheClientResendsThem() throws Exception {
    fake.inject(Fault.dropAfterApply().times(2).on("GET", "/deployments"));

    IOException lost =
        assertThrows(
            IOException.class, () -> send("GET", SCRIPT, "/deployments", null, Auth.TOKEN));

    assertFalse(lost instanceof HttpTimeoutException, "the connection was closed, not timed out");
    assertEquals(
        List.of(0, 0),
        fake.requests().stream().map(RecordedRequest::status).toList(),
        "java.net.http resends a GET once after a dropped connection");
    assertEquals(200, send("GET", SCRIPT, "/deployments", null, Auth.TOKEN).statusCode());
  }

  @Test
  void latencyIsAddedToEveryRequest() throws Exception {
    fake.setLatency(Duration.ofMillis(150));

    long start = System.nanoTime();
    send("GET", SCRIPT, "/deployments", null, Auth.TOKEN);

    assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() >= 150);
  }

  // ------------------------------------------------------------------ request log

  @Test
  void requestLogRecordsCredentialIdsAndNeverTheSecrets() throws Exception {
    create(hundred(v1), true);
    send("GET", SCRIPT, "/deployments", null, Auth.API_KEY);
    send("GET", SCRIPT, "/deployments", null, Auth.BAD_TOKEN);
    send("GET", SCRIPT, "/deployments", null, Auth.NONE);

    List<RecordedRequest> log = fake.requests();

    assertEquals(4, log.size());
    RecordedRequest post = log.get(0);
    assertEquals("POST", post.method());
    assertEquals(
        "/client/v4/accounts/" + ACCOUNT + "/workers/scripts/" + SCRIPT + "/deployments",
        post.path());
    assertEquals("force=true", post.query());
    assertEquals(Credential.apiToken(TOKEN).id(), post.credentialId());
    assertEquals(hundred(v1), post.body());
    assertEquals(200, post.status());
    assertEquals(Credential.apiKey(KEY_EMAIL, API_KEY).id(), log.get(1).credentialId());
    assertEquals(Credential.apiToken("not-a-known-token").id(), log.get(2).credentialId());
    assertEquals(403, log.get(2).status());
    assertNull(log.get(3).credentialId());
    assertEquals(401, log.get(3).status());
    String everything = log.toString();
    for (String secret : List.of(TOKEN, API_KEY, "not-a-known-token")) {
      assertFalse(everything.contains(secret), secret);
    }
    assertEquals(1, fake.count("POST", "/deployments"));
    assertEquals(3, fake.count("GET", "/deployments"));
    fake.clearRequests();
    assertTrue(fake.requests().isEmpty());
  }

  @Test
  void servesManyConcurrentRequests() throws Exception {
    fake.setLatency(Duration.ofMillis(20));
    ExecutorService pool = Executors.newFixedThreadPool(50);
    try {
      List<Future<Integer>> results = new ArrayList<>();
      for (int i = 0; i < 300; i++) {
        results.add(
            pool.submit(
                () -> send("GET", SCRIPT, "/versions?per_page=5", null, Auth.TOKEN).statusCode()));
      }
      for (Future<Integer> result : results) {
        assertEquals(200, result.get());
      }
    } finally {
      pool.shutdownNow();
    }
    assertEquals(300, fake.count("GET", "/versions"));
  }

  @Test
  void unknownPathAndMethodAreRejectedWithEnvelope() throws Exception {
    HttpResponse<String> noRoute = send("GET", SCRIPT, "/settings", null, Auth.TOKEN);
    HttpResponse<String> wrongMethod = send("DELETE", SCRIPT, "/versions", null, Auth.TOKEN);

    assertEquals(404, noRoute.statusCode());
    assertEquals(7003, errorCode(noRoute));
    assertEquals(405, wrongMethod.statusCode());
    assertEquals(10405, errorCode(wrongMethod));
  }

  @Test
  void revokedTokenIsRefusedAndResetForgetsEverything() throws Exception {
    fake.removeToken(TOKEN);
    assertEquals(403, send("GET", SCRIPT, "/deployments", null, Auth.TOKEN).statusCode());

    fake.reset();

    assertTrue(fake.requests().isEmpty());
    assertThrows(IllegalArgumentException.class, () -> fake.deployments(ACCOUNT, SCRIPT));
    assertEquals(403, send("GET", SCRIPT, "/deployments", null, Auth.API_KEY).statusCode());
  }

  // ------------------------------------------------------------------ Cloudflare's schema

  // The fields Cloudflare's official OpenAPI schema of these endpoints marks required, per answer,
  // written out here (a test does not read the schema).
  private static final List<String> SUCCESS_ENVELOPE =
      List.of("success", "errors", "messages", "result");
  private static final List<String> DELETE_ENVELOPE = List.of("success", "errors", "messages");
  private static final List<String> FAILURE_ENVELOPE =
      List.of("success", "errors", "messages", "result");
  private static final List<String> ERROR_ENTRY = List.of("code", "message");
  private static final List<String> DEPLOYMENTS_RESULT = List.of("deployments");
  private static final List<String> DEPLOYMENT =
      List.of("id", "source", "strategy", "versions", "created_on");
  private static final List<String> DEPLOYMENT_VERSION = List.of("version_id", "percentage");
  private static final List<String> VERSION_DETAIL = List.of("resources");

  // What wrangler reads beyond that (packages/wrangler/src/versions/ of cloudflare/workers-sdk):
  // every version's id, number and metadata.created_on (it sorts and prints by it), and in a
  // version's detail the resources its ApiVersion type declares without "?".
  private static final List<String> WRANGLER_VERSION =
      List.of("id", "number", "metadata.created_on");
  private static final List<String> WRANGLER_RESOURCES =
      List.of(
          "resources.bindings",
          "resources.script.etag",
          "resources.script.handlers",
          "resources.script.last_deployed_from",
          "resources.script_runtime.compatibility_date",
          "resources.script_runtime.compatibility_flags",
          "resources.script_runtime.usage_model",
          "resources.script_runtime.limits");

  /**
   * Cloudflare's timestamps: UTC, always six fractional digits. wrangler hands them to JavaScript's
   * Date and sorts them as strings, which is only right when they all have the same length.
   */
  private static final java.util.regex.Pattern TIMESTAMP =
      java.util.regex.Pattern.compile("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z");

  /** Every successful answer of the fake. */
  enum Answer {
    LIST_DEPLOYMENTS,
    GET_DEPLOYMENT,
    CREATE_DEPLOYMENT,
    DELETE_DEPLOYMENT,
    LIST_VERSIONS,
    GET_VERSION
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(Answer.class)
  void everySuccessfulAnswerCarriesWhatCloudflaresSchemaRequires(Answer answer) throws Exception {
    fake.seedDeployment(
        ACCOUNT, SCRIPT, List.of(new DeploymentVersion(oldVersion, 100)), "dash", null, null);
    String older = fake.liveDeployment(ACCOUNT, SCRIPT).orElseThrow().id();
    HttpResponse<String> created = create(split(v1, "90", v2, "10"), false);
    String live = JSON.readTree(created.body()).get("result").get("id").asText();
    fake.changeSecret(ACCOUNT, SCRIPT, "API_KEY");

    HttpResponse<String> response =
        switch (answer) {
          case LIST_DEPLOYMENTS -> send("GET", SCRIPT, "/deployments", null, Auth.TOKEN);
          case GET_DEPLOYMENT -> send("GET", SCRIPT, "/deployments/" + live, null, Auth.TOKEN);
          case CREATE_DEPLOYMENT -> created;
          case DELETE_DEPLOYMENT ->
              send("DELETE", SCRIPT, "/deployments/" + older, null, Auth.TOKEN);
          case LIST_VERSIONS ->
              send("GET", SCRIPT, "/versions?deployable=true&per_page=10", null, Auth.TOKEN);
          case GET_VERSION -> send("GET", SCRIPT, "/versions/" + v1, null, Auth.TOKEN);
        };

    assertEquals(200, response.statusCode(), response.body());
    JsonNode body = JSON.readTree(response.body());
    assertHas(
        body, "answer", answer == Answer.DELETE_DEPLOYMENT ? DELETE_ENVELOPE : SUCCESS_ENVELOPE);
    assertTrue(body.get("success").asBoolean(), "success is true");
    assertTrue(body.get("errors").isArray() && body.get("errors").isEmpty(), "errors is []");
    assertTrue(body.get("messages").isArray(), "messages is a list");
    JsonNode result = body.get("result");
    switch (answer) {
      case LIST_DEPLOYMENTS -> {
        assertHas(result, "result", DEPLOYMENTS_RESULT);
        assertEquals(2, result.get("deployments").size());
        for (JsonNode d : result.get("deployments")) {
          assertDeployment(d);
        }
      }
      case GET_DEPLOYMENT, CREATE_DEPLOYMENT -> assertDeployment(result);
      case DELETE_DEPLOYMENT -> assertTrue(result == null || result.isNull(), "no result");
      case LIST_VERSIONS -> {
        assertEquals(10, result.get("items").size());
        for (JsonNode v : result.get("items")) {
          assertHas(v, "version", WRANGLER_VERSION);
          assertTimestamp(v.at("/metadata/created_on"));
        }
      }
      case GET_VERSION -> {
        assertHas(result, "version", VERSION_DETAIL);
        assertHas(result, "version", WRANGLER_VERSION);
        assertHas(result, "version", WRANGLER_RESOURCES);
        assertTimestamp(result.at("/metadata/created_on"));
      }
    }
  }

  static Stream<Arguments> failures() {
    return Stream.of(
        Arguments.of("401 without credentials", "GET", SCRIPT, "/deployments", Auth.NONE, null),
        Arguments.of("403 unknown token", "GET", SCRIPT, "/deployments", Auth.BAD_TOKEN, null),
        Arguments.of(
            "403 token of another account",
            "GET",
            SCRIPT,
            "/deployments",
            Auth.OTHER_ACCOUNT_TOKEN,
            null),
        Arguments.of("404 missing script", "GET", "nope", "/deployments", Auth.TOKEN, null),
        Arguments.of(
            "404 unknown deployment", "GET", SCRIPT, "/deployments/d-unknown", Auth.TOKEN, null),
        Arguments.of(
            "404 unknown version",
            "GET",
            SCRIPT,
            "/versions/" + UUID.randomUUID(),
            Auth.TOKEN,
            null),
        Arguments.of("400 invalid create", "POST", SCRIPT, "/deployments", Auth.TOKEN, "{}"),
        Arguments.of("404 unknown path", "GET", SCRIPT, "/settings", Auth.TOKEN, null),
        Arguments.of("405 wrong method", "PUT", SCRIPT, "/deployments", Auth.TOKEN, "{}"),
        Arguments.of("injected 429", "GET", SCRIPT, "/versions?inject=429", Auth.TOKEN, null),
        Arguments.of("injected 503", "GET", SCRIPT, "/versions?inject=503", Auth.TOKEN, null),
        Arguments.of("injected 418", "GET", SCRIPT, "/versions?inject=418", Auth.TOKEN, null));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failures")
  void everyErrorAnswerIsCloudflaresFailureEnvelope(
      String reason, String method, String script, String tail, Auth auth, String body)
      throws Exception {
    if (tail.contains("inject=")) {
      fake.inject(Fault.status(Integer.parseInt(tail.substring(tail.indexOf('=') + 1))));
    }

    HttpResponse<String> response = send(method, script, tail, body, auth);

    assertTrue(response.statusCode() >= 400, reason + ": " + response.statusCode());
    JsonNode envelope = JSON.readTree(response.body());
    for (String field : FAILURE_ENVELOPE) {
      assertTrue(envelope.has(field), "the answer lacks " + field + ": " + envelope);
    }
    assertFalse(envelope.get("success").asBoolean(true), "success is false");
    assertTrue(envelope.get("result").isNull(), "result is null");
    assertTrue(envelope.get("messages").isArray(), "messages is a list");
    assertFalse(envelope.get("errors").isEmpty(), "names at least one error");
    for (JsonNode error : envelope.get("errors")) {
      assertHas(error, "error", ERROR_ENTRY);
      assertTrue(error.get("code").isInt() && error.get("code").asInt() > 0, error.toString());
      assertTrue(error.get("message").isTextual(), error.toString());
    }
  }

  // ------------------------------------------------------------------ what wrangler reads

  @Test
  void wranglerDeploymentsListAndStatusFindEveryFieldTheyPrint() throws Exception {
    // deployments list: GET deployments, sorted by created_on; for each, GET each version.
    // deployments status: the same for deployments[0].
    fake.seedDeployment(
        ACCOUNT,
        SCRIPT,
        List.of(new DeploymentVersion(v1, 100)),
        "wrangler",
        "dev@example.com",
        "first");
    create(split(v1, "90", v2, "10"), false);

    JsonNode deployments =
        JSON.readTree(send("GET", SCRIPT, "/deployments", null, Auth.TOKEN).body())
            .at("/result/deployments");
    for (JsonNode d : deployments) {
      assertTimestamp(d.get("created_on"));
      assertTrue(d.get("author_email").isTextual(), "Author: " + d);
      assertTrue(d.get("source").isTextual(), "Source: " + d);
      assertTrue(d.get("annotations").isObject(), "Message and trigger: " + d);
      for (JsonNode traffic : d.get("versions")) {
        assertTrue(traffic.get("percentage").isNumber(), traffic.toString());
        JsonNode version =
            JSON.readTree(
                    send(
                            "GET",
                            SCRIPT,
                            "/versions/" + traffic.get("version_id").asText(),
                            null,
                            Auth.TOKEN)
                        .body())
                .get("result");
        assertEquals(traffic.get("version_id").asText(), version.get("id").asText());
        assertTimestamp(version.at("/metadata/created_on"));
      }
    }
    assertEquals("first", deployments.get(1).at("/annotations/workers~1message").asText());
  }

  @Test
  void wranglerVersionsListFindsEveryFieldItPrints() throws Exception {
    // versions list: GET versions?deployable=true; sorts by metadata.created_on, prints id,
    // created_on, author_email, source (or annotations' workers/triggered_by), tag and message.
    String tagged =
        fake.addVersion(
            ACCOUNT,
            SCRIPT,
            VersionSeed.defaults()
                .withAuthorEmail("dev@example.com")
                .withTag("v2026.12")
                .withMessage("fix")
                .withSource("wrangler"));

    JsonNode items =
        JSON.readTree(send("GET", SCRIPT, "/versions?deployable=true", null, Auth.TOKEN).body())
            .at("/result/items");

    for (JsonNode v : items) {
      assertTrue(v.get("id").isTextual(), v.toString());
      assertTimestamp(v.at("/metadata/created_on"));
      assertEquals("upload", v.at("/annotations/workers~1triggered_by").asText(), v.toString());
    }
    JsonNode newest = items.get(0);
    assertEquals(tagged, newest.get("id").asText());
    assertEquals("dev@example.com", newest.at("/metadata/author_email").asText());
    assertEquals(32, newest.at("/metadata/author_id").asText().length());
    assertEquals("wrangler", newest.at("/metadata/source").asText());
    assertEquals("v2026.12", newest.at("/annotations/workers~1tag").asText());
    assertEquals("fix", newest.at("/annotations/workers~1message").asText());
  }

  @Test
  void wranglerVersionsViewFindsTheResourcesItPrints() throws Exception {
    // versions view: version.resources.script.handlers, script_runtime.compatibility_date and
    // compatibility_flags, and resources.bindings (secret_text ones listed by name).
    fake.changeSecret(ACCOUNT, SCRIPT, "STRIPE_KEY");

    JsonNode version =
        JSON.readTree(send("GET", SCRIPT, "/versions/" + v1, null, Auth.TOKEN).body())
            .get("result");

    JsonNode resources = version.get("resources");
    assertEquals(List.of("fetch"), texts(resources.at("/script/handlers")));
    assertTrue(
        resources.at("/script_runtime/compatibility_date").asText().matches("\\d{4}-\\d\\d-\\d\\d"),
        resources.toString());
    assertTrue(resources.at("/script_runtime/compatibility_flags").isArray());
    assertTrue(resources.at("/script_runtime/limits").isObject());
    assertEquals("standard", resources.at("/script_runtime/usage_model").asText());
    assertEquals(64, resources.at("/script/etag").asText().length(), "a SHA-256 in hex");
    JsonNode bindings = resources.get("bindings");
    assertEquals(1, bindings.size());
    assertEquals("secret_text", bindings.get(0).get("type").asText());
    assertEquals("STRIPE_KEY", bindings.get(0).get("name").asText());
    assertNull(bindings.get(0).get("text"), "a secret's value is never answered");
  }

  @Test
  void wranglerVersionsDeployFindsTheNewDeploymentsId() throws Exception {
    // versions deploy: GET deployments and each version of the live split (as above), then one
    // POST; it reads result.id. (Its later lookup of the Worker's tag under /workers/services/
    // is optional: wrangler prints null when that call fails, as it does against the fake.)
    HttpResponse<String> response =
        create(
            "{\"strategy\":\"percentage\",\"versions\":[{\"version_id\":\""
                + v1
                + "\",\"percentage\":90},{\"version_id\":\""
                + v2
                + "\",\"percentage\":10}],\"annotations\":{\"workers/message\":\"canary\"}}",
            false);

    JsonNode result = JSON.readTree(response.body()).get("result");
    assertEquals(200, response.statusCode());
    assertEquals(
        fake.liveDeployment(ACCOUNT, SCRIPT).orElseThrow().id(), result.get("id").asText());
    assertEquals("canary", result.at("/annotations/workers~1message").asText());
  }

  @Test
  void wranglerRollbackFindsTheStableVersionAndTheChangedSecrets() throws Exception {
    // rollback without a version: GET deployments, newest first by created_on, skip the live
    // one, take the first deployment with a version at percentage === 100. Then GET that version,
    // POST it at 100; on 10220 it reads the secret names after "The following secrets have
    // changed:" in errors[0].message and POSTs again with ?force=true.
    String v3 = fake.addVersion(ACCOUNT, SCRIPT);
    create(hundred(v1), false);
    create(split(v2, "90", v3, "10"), false);
    fake.changeSecret(ACCOUNT, SCRIPT, "DB_URL");
    fake.changeSecret(ACCOUNT, SCRIPT, "STRIPE_KEY");

    List<JsonNode> deployments = new ArrayList<>();
    JSON.readTree(send("GET", SCRIPT, "/deployments", null, Auth.TOKEN).body())
        .at("/result/deployments")
        .forEach(deployments::add);
    deployments.sort(
        (a, b) -> b.get("created_on").asText().compareTo(a.get("created_on").asText()));
    String stable = null;
    for (JsonNode d : deployments.subList(1, deployments.size())) {
      for (JsonNode traffic : d.get("versions")) {
        if (stable == null
            && traffic.get("percentage").isNumber()
            && traffic.get("percentage").asDouble() == 100) {
          stable = traffic.get("version_id").asText();
        }
      }
    }
    assertEquals(v1, stable, "the newest earlier deployment of one version at 100%");

    HttpResponse<String> refused = create(hundred(stable), false);
    assertEquals(10220, errorCode(refused));
    String message = JSON.readTree(refused.body()).at("/errors/0/message").asText();
    String marker = "The following secrets have changed:";
    assertEquals(
        List.of("DB_URL", "STRIPE_KEY"),
        List.of(message.substring(message.indexOf(marker) + marker.length() + 1).split(", ")));
    assertEquals(200, create(hundred(stable), true).statusCode());
    assertEquals(v1, liveVersion());
  }

  private static void assertDeployment(JsonNode d) {
    assertHas(d, "deployment", DEPLOYMENT);
    assertTimestamp(d.get("created_on"));
    assertTrue(d.get("versions").isArray() && !d.get("versions").isEmpty(), d.toString());
    for (JsonNode v : d.get("versions")) {
      assertHas(v, "deployment version", DEPLOYMENT_VERSION);
      assertTrue(v.get("percentage").isNumber(), v.toString());
    }
  }

  /** Each dotted path is present and not null. */
  private static void assertHas(JsonNode node, String what, List<String> paths) {
    for (String path : paths) {
      JsonNode value = node.at("/" + path.replace('.', '/'));
      assertFalse(value.isMissingNode() || value.isNull(), what + " lacks " + path + ": " + node);
    }
  }

  private static void assertTimestamp(JsonNode value) {
    assertTrue(
        value != null && value.isTextual() && TIMESTAMP.matcher(value.asText()).matches(),
        "an ISO-8601 UTC timestamp with six fractional digits: " + value);
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  // ------------------------------------------------------------------ helpers

  private String liveVersion() {
    return fake.liveDeployment(ACCOUNT, SCRIPT).orElseThrow().versions().get(0).versionId();
  }

  private static String hundred(String versionId) {
    return "{\"strategy\":\"percentage\",\"versions\":[{\"version_id\":\""
        + versionId
        + "\",\"percentage\":100}]}";
  }

  private static String withMessage(String versionId, String message) throws Exception {
    return "{\"strategy\":\"percentage\",\"versions\":[{\"version_id\":\""
        + versionId
        + "\",\"percentage\":100}],\"annotations\":{\"workers/message\":"
        + JSON.writeValueAsString(message)
        + "}}";
  }

  private static int errorCode(HttpResponse<String> response) throws IOException {
    return JSON.readTree(response.body()).get("errors").get(0).get("code").asInt();
  }

  private HttpResponse<String> create(String body, boolean force) throws Exception {
    return create(body, force, Duration.ofSeconds(10));
  }

  private HttpResponse<String> create(String body, boolean force, Duration timeout)
      throws Exception {
    return send(
        "POST", SCRIPT, "/deployments" + (force ? "?force=true" : ""), body, Auth.TOKEN, timeout);
  }

  private HttpResponse<String> send(
      String method, String script, String tail, String body, Auth auth) throws Exception {
    return send(method, script, tail, body, auth, Duration.ofSeconds(10));
  }

  private HttpResponse<String> send(
      String method, String script, String tail, String body, Auth auth, Duration timeout)
      throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(
                URI.create(
                    fake.baseUrl() + "/accounts/" + ACCOUNT + "/workers/scripts/" + script + tail))
            .timeout(timeout)
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      request.header("Content-Type", "application/json");
    }
    switch (auth) {
      case TOKEN -> request.header("Authorization", "Bearer " + TOKEN);
      case API_KEY -> request.header("X-Auth-Email", KEY_EMAIL).header("X-Auth-Key", API_KEY);
      case NONE -> {}
      case BAD_TOKEN -> request.header("Authorization", "Bearer not-a-known-token");
      case OTHER_ACCOUNT_TOKEN -> request.header("Authorization", "Bearer " + OTHER_TOKEN);
      case EMAIL_WITHOUT_KEY -> request.header("X-Auth-Email", KEY_EMAIL);
      case WRONG_KEY -> request.header("X-Auth-Email", KEY_EMAIL).header("X-Auth-Key", "nope");
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
