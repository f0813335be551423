package io.cfworkers.operator.cloudflare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.cloudflare.Fault;
import io.cfworkers.operator.support.cloudflare.RecordedRequest;
import io.cfworkers.operator.support.cloudflare.VersionSeed;
import io.cfworkers.operator.support.operator.SimulatedClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The production client against the fake Cloudflare API. */
class HttpWorkersDeploymentsApiTest {
  private static final String ACCOUNT = "0123456789abcdef0123456789abcdef";
  private static final String SCRIPT = "shop-frontend";
  private static final ScriptRef SHOP = new ScriptRef(ACCOUNT, SCRIPT);
  private static final String ALICE_TOKEN = "alice-SECRET-token-6f1c0b9e2d";
  private static final String BOB_TOKEN = "bob-SECRET-token-83d2aa71c4";
  private static final String OPS_KEY = "ops-SECRET-global-key-5e9d1f";
  private static final Credential ALICE = Credential.apiToken(ALICE_TOKEN);
  private static final Credential BOB = Credential.apiToken(BOB_TOKEN);
  private static final Credential OPS = Credential.apiKey("ops@example.com", OPS_KEY);
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(2);

  /** How long a stalling fake holds a body back: far past the request timeout. */
  private static final Duration STALL = Duration.ofSeconds(30);

  /** A call bounded by the request timeout ends well within this. */
  private static final Duration GIVE_UP_WITHIN = REQUEST_TIMEOUT.multipliedBy(5);

  private FakeCloudflare fake;
  private SimulatedClock clock;
  private SimpleMeterRegistry meters;
  private HttpWorkersDeploymentsApi api;
  private String v1;
  private String v2;

  @BeforeEach
  void setUp() {
    fake = FakeCloudflare.start();
    fake.addToken(ALICE_TOKEN, "alice@example.com", ACCOUNT);
    fake.addToken(BOB_TOKEN, "bob@example.com", ACCOUNT);
    fake.addApiKey("ops@example.com", OPS_KEY, ACCOUNT);
    fake.addScript(ACCOUNT, SCRIPT);
    v1 = fake.addVersion(ACCOUNT, SCRIPT);
    v2 = fake.addVersion(ACCOUNT, SCRIPT);
    clock = new SimulatedClock(Instant.parse("2025-03-01T12:00:00Z"));
    meters = new SimpleMeterRegistry();
    // A budget the tests never exhaust; the 429 block runs on the test's clock.
    CredentialRateLimiter limiter =
        new CredentialRateLimiter(
            new CredentialRateLimiter.Budget(10_000, Duration.ofMinutes(1), 1),
            Duration.ZERO,
            clock,
            clock::nanoTime);
    // A plain ObjectMapper fails on unknown properties: the client must not depend on that setting.
    api =
        new HttpWorkersDeploymentsApi(
            new CloudflareClientSettings(fake.baseUrl(), Duration.ofSeconds(2), REQUEST_TIMEOUT),
            limiter,
            meters,
            new ObjectMapper());
  }

  @AfterEach
  void tearDown() {
    fake.close();
  }

  // ------------------------------------------------------------------ happy paths

  @Test
  void listsDeploymentsNewestFirstWithEveryField() {
    Deployment older =
        fake.seedDeployment(
            ACCOUNT, SCRIPT, List.of(new DeploymentVersion(v1, 100)), "wrangler", "w@x.io", null);
    Deployment newer =
        fake.seedDeployment(
            ACCOUNT,
            SCRIPT,
            List.of(new DeploymentVersion(v2, 90), new DeploymentVersion(v1, 10)),
            "dash",
            "d@x.io",
            "canary 10%");

    List<Deployment> deployments = api.listDeployments(SHOP, ALICE);

    assertEquals(
        List.of(newer.id(), older.id()), deployments.stream().map(Deployment::id).toList());
    Deployment live = deployments.get(0);
    assertEquals(newer.createdOn(), live.createdOn());
    assertEquals("dash", live.source());
    assertEquals("percentage", live.strategy());
    assertEquals(
        List.of(new DeploymentVersion(v2, 90), new DeploymentVersion(v1, 10)), live.versions());
    assertEquals("canary 10%", live.message());
    assertEquals("deployment", live.triggeredBy());
    assertEquals("d@x.io", live.authorEmail());
    assertNull(deployments.get(1).message());
    assertEquals(Optional.of(live), api.activeDeployment(SHOP, ALICE));
  }

  @Test
  void listsNoDeploymentsForAScriptNeverDeployed() {
    assertEquals(List.of(), api.listDeployments(SHOP, ALICE));
    assertEquals(Optional.empty(), api.activeDeployment(SHOP, ALICE));
  }

  @Test
  void createsDeploymentThatServesTrafficAndSendsOnlyStrategyVersionsAndMessage() throws Exception {
    Deployment created =
        api.createDeployment(
            SHOP,
            ALICE,
            new DeploymentRequest(
                List.of(new DeploymentVersion(v1, 90), new DeploymentVersion(v2, 10)), "rollout"),
            false);

    assertEquals(Optional.of(created), fake.liveDeployment(ACCOUNT, SCRIPT));
    assertEquals("api", created.source());
    assertEquals("alice@example.com", created.authorEmail());
    assertEquals("rollout", created.message());
    assertEquals(
        List.of(new DeploymentVersion(v1, 90), new DeploymentVersion(v2, 10)), created.versions());

    RecordedRequest post = onlyPost();
    assertNull(post.query(), "no force parameter unless asked");
    assertEquals(ALICE.id(), post.credentialId());
    JsonNode body = new ObjectMapper().readTree(post.body());
    assertEquals(
        new ObjectMapper()
            .readTree(
                "{\"strategy\":\"percentage\",\"versions\":["
                    + "{\"version_id\":\""
                    + v1
                    + "\",\"percentage\":90.0},"
                    + "{\"version_id\":\""
                    + v2
                    + "\",\"percentage\":10.0}],"
                    + "\"annotations\":{\"workers/message\":\"rollout\"}}"),
        body);
  }

  @Test
  void createsDeploymentWithoutAnnotationsWhenThereIsNoMessage() throws Exception {
    api.createDeployment(
        SHOP, ALICE, new DeploymentRequest(List.of(new DeploymentVersion(v1, 100)), null), false);

    JsonNode body = new ObjectMapper().readTree(onlyPost().body());
    assertFalse(body.has("annotations"), body.toString());
    assertEquals(
        Optional.of(List.of(new DeploymentVersion(v1, 100))),
        fake.liveDeployment(ACCOUNT, SCRIPT).map(Deployment::versions));
  }

  @Test
  void cutsTheMessageToHundredBytesOnACharacterBoundaryBeforeSending() throws Exception {
    String message = "x".repeat(97) + "🚀 launched";

    Deployment created =
        api.createDeployment(
            SHOP,
            ALICE,
            new DeploymentRequest(List.of(new DeploymentVersion(v1, 100)), message),
            false);

    String sent =
        new ObjectMapper()
            .readTree(onlyPost().body())
            .path("annotations")
            .path("workers/message")
            .asText();
    assertEquals("x".repeat(97), sent);
    assertEquals("x".repeat(97), created.message());
  }

  @Test
  void authenticatesWithEmailAndGlobalKey() {
    Deployment created =
        api.createDeployment(
            SHOP, OPS, new DeploymentRequest(List.of(new DeploymentVersion(v2, 100)), null), false);

    assertEquals("ops@example.com", created.authorEmail());
    assertEquals(OPS.id(), onlyPost().credentialId());
    assertEquals(1, api.listDeployments(SHOP, OPS).size());
  }

  @Test
  void getsOneDeploymentAndReturnsEmptyForAnUnknownId() {
    Deployment seeded =
        fake.seedDeployment(
            ACCOUNT, SCRIPT, List.of(new DeploymentVersion(v1, 100)), "wrangler", "w@x.io", "m");

    assertEquals(Optional.of(seeded), api.getDeployment(SHOP, ALICE, seeded.id()));
    assertEquals(
        Optional.empty(), api.getDeployment(SHOP, ALICE, "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"));
  }

  @Test
  void deletesAnOlderDeploymentButNotTheLiveOne() {
    Deployment older =
        fake.seedDeployment(
            ACCOUNT, SCRIPT, List.of(new DeploymentVersion(v1, 100)), "wrangler", "w@x.io", null);
    Deployment live =
        fake.seedDeployment(
            ACCOUNT, SCRIPT, List.of(new DeploymentVersion(v2, 100)), "wrangler", "w@x.io", null);

    api.deleteDeployment(SHOP, ALICE, older.id());

    assertEquals(List.of(live), fake.deployments(ACCOUNT, SCRIPT));
    CloudflareRejectedException refused =
        assertThrows(
            CloudflareRejectedException.class, () -> api.deleteDeployment(SHOP, ALICE, live.id()));
    assertEquals(Rejection.INVALID, refused.rejection());
    assertEquals(400, refused.httpStatus());
    assertEquals(10227, refused.code());
    assertEquals(List.of(live), fake.deployments(ACCOUNT, SCRIPT));

    CloudflareRejectedException unknown =
        assertThrows(
            CloudflareRejectedException.class, () -> api.deleteDeployment(SHOP, ALICE, older.id()));
    assertEquals(Rejection.NOT_FOUND, unknown.rejection());
    assertEquals(404, unknown.httpStatus());
  }

  @Test
  void listsTheHundredMostRecentDeployableVersionsFollowingPagesUntilAnEmptyOne() {
    List<String> all = new ArrayList<>(List.of(v2, v1));
    for (int i = 0; i < 148; i++) {
      all.add(0, fake.addVersion(ACCOUNT, SCRIPT));
    }
    fake.clearRequests();

    List<WorkerVersion> versions = api.listVersions(SHOP, ALICE);

    // Only the 100 most recent versions can be deployed, newest first.
    assertEquals(all.subList(0, 100), versions.stream().map(WorkerVersion::id).toList());
    assertEquals(
        List.of("deployable=true&page=1&per_page=100", "deployable=true&page=2&per_page=100"),
        fake.requests().stream().map(RecordedRequest::query).toList());
  }

  @Test
  void getsOneVersionWithItsMetadataAndReturnsEmptyForAnUnknownId() {
    Instant created = Instant.parse("2025-02-01T08:30:00.123456Z");
    String id =
        fake.addVersion(
            ACCOUNT,
            SCRIPT,
            VersionSeed.defaults()
                .withNumber(42)
                .withCreatedOn(created)
                .withAuthorEmail("dev@x.io")
                .withSource("wrangler")
                .withMessage("fix cart")
                .withTag("v1.4.2"));

    assertEquals(
        Optional.of(
            new WorkerVersion(id, 42, "dev@x.io", created, "wrangler", "fix cart", "v1.4.2")),
        api.getVersion(SHOP, ALICE, id));
    assertEquals(
        Optional.empty(), api.getVersion(SHOP, ALICE, "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"));
  }

  // ------------------------------------------------------------------ rejections

  @Test
  void missingScriptIsRejectedAsScriptNotFoundOnEveryCall() {
    ScriptRef missing = new ScriptRef(ACCOUNT, "no-such-script");
    List<Executable> calls =
        List.of(
            () -> api.listDeployments(missing, ALICE),
            () -> api.getDeployment(missing, ALICE, "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d"),
            () -> api.getVersion(missing, ALICE, v1),
            () -> api.listVersions(missing, ALICE),
            () ->
                api.createDeployment(
                    missing,
                    ALICE,
                    new DeploymentRequest(List.of(new DeploymentVersion(v1, 100)), null),
                    false));

    for (Executable call : calls) {
      CloudflareRejectedException e = assertThrows(CloudflareRejectedException.class, call);
      assertEquals(Rejection.SCRIPT_NOT_FOUND, e.rejection());
      assertEquals(404, e.httpStatus());
      assertEquals(10007, e.code());
      assertEquals("10007: This Worker does not exist on your account.", e.cloudflareMessage());
      assertTrue(e.getMessage().contains("This Worker does not exist"), e.getMessage());
      assertTrue(e.getMessage().contains("/no-such-script/"), e.getMessage());
    }
  }

  @Test
  void unknownVersionInACreateIsRejectedAsVersionNotFound() {
    String unknown = "9b1deb4d-3b7d-4bad-9bdd-2b0d7b3dcb6d";

    CloudflareRejectedException e =
        assertThrows(
            CloudflareRejectedException.class,
            () ->
                api.createDeployment(
                    SHOP,
                    ALICE,
                    new DeploymentRequest(List.of(new DeploymentVersion(unknown, 100)), null),
                    false));

    assertEquals(Rejection.VERSION_NOT_FOUND, e.rejection());
    assertEquals(404, e.httpStatus());
    assertEquals(10224, e.code());
    assertTrue(e.cloudflareMessage().contains(unknown), e.cloudflareMessage());
    assertTrue(e.getMessage().contains("POST /accounts/" + ACCOUNT), e.getMessage());
    assertEquals(List.of(), fake.deployments(ACCOUNT, SCRIPT));
  }

  @Test
  void rollbackAcrossASecretChangeIsRejectedUntilForced() {
    fake.seedDeployment(
        ACCOUNT, SCRIPT, List.of(new DeploymentVersion(v1, 100)), "wrangler", "w@x.io", null);
    fake.seedDeployment(
        ACCOUNT, SCRIPT, List.of(new DeploymentVersion(v2, 100)), "wrangler", "w@x.io", null);
    fake.changeSecret(ACCOUNT, SCRIPT, "STRIPE_KEY");
    DeploymentRequest rollback =
        new DeploymentRequest(List.of(new DeploymentVersion(v1, 100)), "rollback");

    CloudflareRejectedException e =
        assertThrows(
            CloudflareRejectedException.class,
            () -> api.createDeployment(SHOP, ALICE, rollback, false));
    assertEquals(Rejection.SECRET_CHANGED, e.rejection());
    assertEquals(400, e.httpStatus());
    assertEquals(10220, e.code());
    assertTrue(
        e.cloudflareMessage().contains("The following secrets have changed: STRIPE_KEY"),
        e.cloudflareMessage());

    Deployment forced = api.createDeployment(SHOP, ALICE, rollback, true);

    assertEquals(Optional.of(forced), fake.liveDeployment(ACCOUNT, SCRIPT));
    List<String> queries =
        fake.requests().stream()
            .filter(r -> r.method().equals("POST"))
            .map(RecordedRequest::query)
            .toList();
    assertEquals(java.util.Arrays.asList(null, "force=true"), queries);
  }

  @Test
  void invalidSplitIsRejectedWithCloudflaresValidationMessage() {
    CloudflareRejectedException e =
        assertThrows(
            CloudflareRejectedException.class,
            () ->
                api.createDeployment(
                    SHOP,
                    ALICE,
                    new DeploymentRequest(
                        List.of(new DeploymentVersion(v1, 50), new DeploymentVersion(v2, 40)),
                        null),
                    false));

    assertEquals(Rejection.INVALID, e.rejection());
    assertEquals(400, e.httpStatus());
    assertEquals(10021, e.code());
    assertFalse(e.cloudflareMessage().isBlank());
    assertTrue(e.getMessage().contains(e.cloudflareMessage()), e.getMessage());
    assertEquals(List.of(), fake.deployments(ACCOUNT, SCRIPT));
  }

  @Test
  void refusedCredentialsAreRejectedAsAuthenticationFailures() {
    fake.addAccount("ffffffffffffffffffffffffffffffff");
    List<Supplier<CloudflareRejectedException>> cases =
        List.of(
            () ->
                assertThrows(
                    CloudflareRejectedException.class,
                    () -> api.listDeployments(SHOP, Credential.apiToken("revoked-SECRET-token"))),
            () ->
                assertThrows(
                    CloudflareRejectedException.class,
                    () ->
                        api.listDeployments(
                            SHOP, Credential.apiKey("ops@example.com", "wrong-SECRET-key"))),
            () ->
                assertThrows(
                    CloudflareRejectedException.class,
                    () ->
                        api.listDeployments(
                            new ScriptRef("ffffffffffffffffffffffffffffffff", SCRIPT), ALICE)));
    List<Integer> codes = new ArrayList<>();

    for (Supplier<CloudflareRejectedException> call : cases) {
      CloudflareRejectedException e = call.get();
      assertEquals(Rejection.AUTHENTICATION_FAILED, e.rejection());
      assertEquals(403, e.httpStatus());
      assertTrue(e.getMessage().contains(e.cloudflareMessage()), e.getMessage());
      assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
      codes.add(e.code());
    }
    assertEquals(List.of(9106, 9106, 10000), codes);
  }

  // ------------------------------------------------------------------ rate limits

  @Test
  void after429NoCallWithThatCredentialReachesCloudflareUntilRetryAfterWhileOthersProceed() {
    // A 429 the Ratelimit headers did not announce (another client spent the budget between two
    // readings): the operator paces by those headers, so a counting limit of the fake would be
    // respected before it answered 429.
    api.listDeployments(SHOP, ALICE);
    api.listDeployments(SHOP, ALICE);
    fake.inject(Fault.status(429).retryAfter(Duration.ofSeconds(30)).on("GET", "/deployments"));

    CloudflareRateLimitedException limited =
        assertThrows(CloudflareRateLimitedException.class, () -> api.listDeployments(SHOP, ALICE));
    assertTrue(limited.fromCloudflare());
    assertEquals(429, limited.httpStatus());
    assertEquals(971, limited.code());
    assertEquals(Duration.ofSeconds(30), limited.retryAfter());
    assertEquals(3, requestsWith(ALICE));

    clock.advance(Duration.ofSeconds(10));
    for (int i = 0; i < 3; i++) {
      CloudflareRateLimitedException held =
          assertThrows(
              CloudflareRateLimitedException.class,
              () ->
                  api.createDeployment(
                      SHOP,
                      ALICE,
                      new DeploymentRequest(List.of(new DeploymentVersion(v1, 100)), null),
                      false));
      assertFalse(held.fromCloudflare());
      assertEquals(0, held.httpStatus());
      assertEquals(Duration.ofSeconds(20), held.retryAfter());
    }
    assertEquals(3, requestsWith(ALICE), "held calls never reach Cloudflare");

    assertEquals(List.of(), api.listDeployments(SHOP, BOB));
    assertEquals(1, requestsWith(BOB));

    clock.advance(Duration.ofSeconds(20));
    fake.inject(Fault.status(429).retryAfter(Duration.ofSeconds(30)).on("GET", "/deployments"));
    assertThrows(CloudflareRateLimitedException.class, () -> api.listDeployments(SHOP, ALICE));
    assertEquals(4, requestsWith(ALICE), "once Retry-After has passed, calls are sent again");

    assertEquals(
        3.0,
        meters
            .counter(HttpWorkersDeploymentsApi.RATE_LIMIT_WAITS_METRIC, "source", "client")
            .count());
    assertEquals(
        2.0,
        meters
            .counter(HttpWorkersDeploymentsApi.RATE_LIMIT_WAITS_METRIC, "source", "cloudflare")
            .count());
    assertEquals(2.0, requestsCounter("list_deployments", "rate_limited"));
  }

  @Test
  void injected429CarriesItsRetryAfter() {
    fake.inject(Fault.status(429).retryAfter(Duration.ofSeconds(7)));

    CloudflareRateLimitedException e =
        assertThrows(CloudflareRateLimitedException.class, () -> api.listVersions(SHOP, ALICE));

    assertEquals(Duration.ofSeconds(7), e.retryAfter());
    assertTrue(e.getMessage().contains("971: Please wait"), e.getMessage());
  }

  // ------------------------------------------------------------------ transient failures

  @Test
  void serverErrorIsTransient() {
    fake.inject(Fault.status(503));

    CloudflareTransientException e =
        assertThrows(CloudflareTransientException.class, () -> api.listDeployments(SHOP, ALICE));

    assertEquals(503, e.httpStatus());
    assertEquals(10013, e.code());
    assertEquals(1.0, requestsCounter("list_deployments", "transient"));
  }

  @Test
  void answerLaterThanTheRequestTimeoutIsTransient() {
    fake.inject(Fault.delay(REQUEST_TIMEOUT.multipliedBy(3)));

    CloudflareTransientException e =
        assertThrows(CloudflareTransientException.class, () -> api.getVersion(SHOP, ALICE, v1));

    assertEquals(0, e.httpStatus());
    assertInstanceOf(HttpTimeoutException.class, e.getCause());
    assertTrue(e.getMessage().contains("timed out"), e.getMessage());
  }

  @Test
  void droppedConnectionIsTransient() {
    // The JDK client itself re-sends a GET once when the connection closes without an answer.
    fake.inject(Fault.dropAfterApply().times(2));

    CloudflareTransientException e =
        assertThrows(CloudflareTransientException.class, () -> api.listDeployments(SHOP, ALICE));

    assertEquals(0, e.httpStatus());
    assertNotNull(e.getCause());
    assertTrue(fake.count("GET", "/deployments") <= 2, "a read reaches Cloudflare at most twice");
  }

  @Test
  void createIsSentOnceWhenTheAnswerIsLostOnAFreshConnection() {
    fake.inject(Fault.dropAfterApply().on("POST", "/deployments"));

    assertCreateSentOnceAndLanded();
  }

  @Test
  void createIsSentOnceWhenTheAnswerIsLostOnAReusedConnection() {
    api.listDeployments(SHOP, ALICE);
    api.listDeployments(SHOP, ALICE);
    fake.inject(Fault.dropAfterApply().on("POST", "/deployments"));

    assertCreateSentOnceAndLanded();
  }

  @Test
  void createIsSentOnceWhenTheAnswerComesTooLate() {
    fake.inject(Fault.delay(REQUEST_TIMEOUT.multipliedBy(3)).on("POST", "/deployments"));

    assertCreateSentOnceAndLanded();
  }

  @Test
  void createFailingWith5xxIsSentOnceAndReportedTransient() {
    fake.inject(Fault.status(502).on("POST", "/deployments"));

    assertThrows(
        CloudflareTransientException.class,
        () ->
            api.createDeployment(
                SHOP,
                ALICE,
                new DeploymentRequest(List.of(new DeploymentVersion(v1, 100)), null),
                false));

    assertEquals(1, fake.count("POST", "/deployments"));
  }

  @Test
  void readWhoseBodyStallsAfterTheHeadersGivesUpAtTheRequestTimeout() {
    fake.inject(Fault.stallBodyAfterApply(STALL).on("GET", "/deployments"));

    CloudflareTransientException e =
        assertTimeoutPreemptively(
            GIVE_UP_WITHIN,
            () ->
                assertThrows(
                    CloudflareTransientException.class, () -> api.listDeployments(SHOP, ALICE)));

    assertEquals(0, e.httpStatus());
    assertInstanceOf(HttpTimeoutException.class, e.getCause());
    assertTrue(e.getMessage().contains("timed out"), e.getMessage());
    assertEquals(1, fake.count("GET", "/deployments"), "a stalled read is not re-sent");
    assertEquals(1.0, requestsCounter("list_deployments", "transient"));
    assertEquals(List.of(), api.listDeployments(SHOP, ALICE), "the next call is answered");
  }

  @Test
  void createWhoseBodyStallsAfterItLandedIsSentOnceAndReportedTransient() {
    fake.inject(Fault.stallBodyAfterApply(STALL).on("POST", "/deployments"));

    assertTimeoutPreemptively(GIVE_UP_WITHIN, this::assertCreateSentOnceAndLanded);
  }

  @Test
  void createWhoseBodyStallsBeforeItLandedIsSentOnceAndReportedTransient() {
    fake.inject(Fault.stallBody(STALL).on("POST", "/deployments"));

    CloudflareTransientException e =
        assertTimeoutPreemptively(
            GIVE_UP_WITHIN,
            () ->
                assertThrows(
                    CloudflareTransientException.class,
                    () ->
                        api.createDeployment(
                            SHOP,
                            ALICE,
                            new DeploymentRequest(List.of(new DeploymentVersion(v1, 100)), null),
                            false)));

    assertInstanceOf(HttpTimeoutException.class, e.getCause());
    assertEquals(1, fake.count("POST", "/deployments"), "the POST was sent exactly once");
    assertEquals(Optional.empty(), fake.liveDeployment(ACCOUNT, SCRIPT));
  }

  @Test
  void stalledConnectionIsClosedWhenTheClientGivesUp() throws Exception {
    // A bare socket, to see what the client does with the connection: the server sends headers and
    // half a body, then waits for the client to close the connection.
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<Long> closedAfterMillis =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket socket = server.accept()) {
                  InputStream in = socket.getInputStream();
                  BufferedReader request =
                      new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
                  for (String line = request.readLine();
                      line != null && !line.isEmpty();
                      line = request.readLine()) {
                    // skip the request head; a GET has no body
                  }
                  socket
                      .getOutputStream()
                      .write(
                          ("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                                  + "Content-Length: 200\r\n\r\n{\"success\": true, \"result\": {")
                              .getBytes(StandardCharsets.US_ASCII));
                  socket.getOutputStream().flush();
                  long stalledAt = System.nanoTime();
                  socket.setSoTimeout((int) STALL.toMillis());
                  int read = in.read();
                  assertEquals(-1, read, "the client sends nothing more, it closes");
                  return (System.nanoTime() - stalledAt) / 1_000_000;
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      HttpWorkersDeploymentsApi bare =
          new HttpWorkersDeploymentsApi(
              new CloudflareClientSettings(
                  "http://127.0.0.1:" + server.getLocalPort() + "/client/v4",
                  Duration.ofSeconds(2),
                  REQUEST_TIMEOUT),
              new CredentialRateLimiter(
                  new CredentialRateLimiter.Budget(10, Duration.ofMinutes(1), 1), Duration.ZERO),
              new SimpleMeterRegistry(),
              new ObjectMapper());

      assertTimeoutPreemptively(
          GIVE_UP_WITHIN,
          () ->
              assertThrows(
                  CloudflareTransientException.class, () -> bare.listDeployments(SHOP, ALICE)));

      long closedAfter = closedAfterMillis.get(GIVE_UP_WITHIN.toMillis(), TimeUnit.MILLISECONDS);
      assertTrue(
          closedAfter < GIVE_UP_WITHIN.toMillis(),
          "the connection was closed " + closedAfter + " ms into the stall");
    }
  }

  private void assertCreateSentOnceAndLanded() {
    DeploymentRequest request =
        new DeploymentRequest(
            List.of(new DeploymentVersion(v1, 60), new DeploymentVersion(v2, 40)), "lost answer");

    CloudflareTransientException e =
        assertThrows(
            CloudflareTransientException.class,
            () -> api.createDeployment(SHOP, ALICE, request, false));

    assertEquals(0, e.httpStatus());
    assertEquals(1, fake.count("POST", "/deployments"), "the POST was sent exactly once");
    assertEquals(
        Optional.of(request.versions()),
        fake.liveDeployment(ACCOUNT, SCRIPT).map(Deployment::versions),
        "the deployment exists although its answer was lost");
    assertEquals(1.0, requestsCounter("create_deployment", "transient"));
  }

  // ------------------------------------------------------------------ metrics and secrecy

  @Test
  void countsAndTimesEveryRequestByOperationAndOutcome() {
    api.listDeployments(SHOP, ALICE);
    api.listDeployments(SHOP, ALICE);
    assertThrows(
        CloudflareRejectedException.class,
        () -> api.listDeployments(new ScriptRef(ACCOUNT, "missing"), ALICE));
    api.getVersion(SHOP, ALICE, v1);

    assertEquals(2.0, requestsCounter("list_deployments", "success"));
    assertEquals(1.0, requestsCounter("list_deployments", "rejected"));
    assertEquals(1.0, requestsCounter("get_version", "success"));
    assertEquals(
        3,
        meters
            .timer(
                HttpWorkersDeploymentsApi.REQUEST_DURATION_METRIC, "operation", "list_deployments")
            .count());
    assertTrue(
        meters.getMeters().stream()
            .flatMap(m -> m.getId().getTags().stream())
            .noneMatch(
                t -> t.getValue().contains(ALICE.id()) || t.getValue().contains(ALICE_TOKEN)),
        "no metric tag names a credential");
  }

  @Test
  void secretsNeverAppearInLogsExceptionsOrToString() {
    List<String> texts = new ArrayList<>();
    try (LogCapture logs = new LogCapture("io.cfworkers")) {
      api.listDeployments(SHOP, ALICE);
      api.listDeployments(SHOP, OPS);
      fake.inject(Fault.status(500));
      fake.inject(Fault.dropAfterApply().times(2));
      fake.inject(Fault.delay(REQUEST_TIMEOUT.multipliedBy(3)));
      fake.inject(Fault.status(429));
      for (Credential credential : List.of(ALICE, OPS, ALICE, OPS)) {
        texts.add(
            assertThrows(CloudflareApiException.class, () -> api.listDeployments(SHOP, credential))
                .toString());
      }
      texts.add(
          assertThrows(CloudflareRateLimitedException.class, () -> api.listDeployments(SHOP, OPS))
              .getMessage());
      texts.add(
          assertThrows(
                  CloudflareRejectedException.class,
                  () -> api.listDeployments(SHOP, Credential.apiToken("unknown-SECRET-token")))
              .getMessage());
      texts.add(
          assertThrows(
                  CloudflareRejectedException.class,
                  () ->
                      api.listDeployments(SHOP, Credential.apiKey("ops@example.com", "bad-SECRET")))
              .getMessage());
      texts.add(ALICE.toString());
      texts.add(OPS.toString());
      texts.add(api.toString());

      List<String> logged = logs.texts();
      assertTrue(
          logged.stream()
              .anyMatch(t -> t.contains("GET /accounts/" + ACCOUNT) && t.contains("200")),
          "the capture sees the client's DEBUG request lines: " + logged);
      texts.addAll(logged);
    }

    for (String text : texts) {
      assertFalse(text.contains("SECRET"), text);
      assertFalse(text.contains("Bearer"), text);
    }
  }

  private RecordedRequest onlyPost() {
    List<RecordedRequest> posts =
        fake.requests().stream().filter(r -> r.method().equals("POST")).toList();
    assertEquals(1, posts.size(), posts.toString());
    return posts.get(0);
  }

  private long requestsWith(Credential credential) {
    return fake.requests().stream().filter(r -> credential.id().equals(r.credentialId())).count();
  }

  private double requestsCounter(String operation, String outcome) {
    return meters
        .counter(
            HttpWorkersDeploymentsApi.REQUESTS_METRIC, "operation", operation, "outcome", outcome)
        .count();
  }
}
