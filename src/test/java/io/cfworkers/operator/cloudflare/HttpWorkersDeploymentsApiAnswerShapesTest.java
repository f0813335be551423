package io.cfworkers.operator.cloudflare;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Answers the fake never gives: surprise fields, HTML error pages, odd envelopes and headers. */
class HttpWorkersDeploymentsApiAnswerShapesTest {
  private static final ScriptRef SHOP = new ScriptRef("acc", "shop");
  private static final Credential TOKEN = Credential.apiToken("stub-SECRET-token");
  private static final Map<String, String> JSON = Map.of("Content-Type", "application/json");
  private static final String V1 = "2a1f3c4d-0000-4000-8000-000000000001";
  private static final String V2 = "2a1f3c4d-0000-4000-8000-000000000002";

  private final StubServer stub = new StubServer();
  private final HttpWorkersDeploymentsApi api =
      new HttpWorkersDeploymentsApi(
          new CloudflareClientSettings(
              stub.baseUrl() + "/", Duration.ofSeconds(2), Duration.ofSeconds(2)),
          new CredentialRateLimiter(
              new CredentialRateLimiter.Budget(1000, Duration.ofMinutes(1), 1), Duration.ZERO),
          new SimpleMeterRegistry(),
          new ObjectMapper());

  @AfterEach
  void stop() {
    stub.close();
  }

  @Test
  void ignoresFieldsItDoesNotKnowAtEveryLevel() {
    stub.answer(
        200,
        JSON,
        """
        {"success": true, "errors": [], "messages": [{"code": 1, "message": "hi"}],
         "result_info": {"page": 1}, "brand_new_top_level": {"x": [1, 2]},
         "result": {
           "deployments": [{
             "id": "d-1", "created_on": "2025-01-02T03:04:05.678901Z", "source": "api",
             "strategy": "percentage", "author_email": "a@x.io", "shiny": true,
             "versions": [{"version_id": "%s", "percentage": 100, "weight": 7}],
             "annotations": {"workers/message": "m", "workers/triggered_by": "deployment",
                             "workers/future": {"nested": 1}}
           }],
           "cursor": "abc"
         }}
        """
            .formatted(V1));
    stub.answer(
        200,
        JSON,
        """
        {"success": true, "errors": [], "messages": [],
         "result": {"id": "%s", "number": 3, "unexpected": null,
           "metadata": {"author_email": "dev@x.io", "author_id": "u1",
                        "created_on": "2025-01-01T00:00:00Z", "modified_on": "2025-01-01T00:00:00Z",
                        "source": "wrangler", "hasPreview": true},
           "annotations": {"workers/tag": "t1", "workers/triggered_by": "upload"},
           "resources": {"script": {"etag": "e"}, "bindings": []}}}
        """
            .formatted(V2));

    assertEquals(
        List.of(
            new Deployment(
                "d-1",
                Instant.parse("2025-01-02T03:04:05.678901Z"),
                "api",
                "percentage",
                List.of(new DeploymentVersion(V1, 100)),
                "m",
                "deployment",
                "a@x.io")),
        api.listDeployments(SHOP, TOKEN));
    assertEquals(
        Optional.of(
            new WorkerVersion(
                V2, 3, "dev@x.io", Instant.parse("2025-01-01T00:00:00Z"), "wrangler", null, "t1")),
        api.getVersion(SHOP, TOKEN, V2));
  }

  @Test
  void htmlErrorPageFromAProxyIsTransientAndNotQuoted() {
    stub.answer(
        502,
        Map.of("Content-Type", "text/html"),
        "<html><body><h1>502 Bad Gateway</h1>cloudflare</body></html>");

    CloudflareTransientException e =
        assertThrows(CloudflareTransientException.class, () -> api.listDeployments(SHOP, TOKEN));

    assertEquals(502, e.httpStatus());
    assertEquals(List.of(), e.errors());
    assertTrue(e.getMessage().contains("HTTP 502"), e.getMessage());
    assertFalse(e.getMessage().contains("<html>"), e.getMessage());
  }

  @Test
  void plainTextClientErrorIsRejectedAsInvalid() {
    stub.answer(400, Map.of("Content-Type", "text/plain"), "bad request");

    CloudflareRejectedException e =
        assertThrows(CloudflareRejectedException.class, () -> api.listDeployments(SHOP, TOKEN));

    assertEquals(Rejection.INVALID, e.rejection());
    assertEquals(400, e.httpStatus());
  }

  @Test
  void successStatusWithAFailedEnvelopeIsJudgedByItsCodes() {
    stub.answer(
        200,
        JSON,
        """
        {"success": false, "result": null, "messages": [],
         "errors": [{"code": 10220, "message": "A secret has changed", "documentation_url": "x"}]}
        """);

    CloudflareRejectedException e =
        assertThrows(
            CloudflareRejectedException.class,
            () ->
                api.createDeployment(
                    SHOP,
                    TOKEN,
                    new DeploymentRequest(List.of(new DeploymentVersion(V1, 100)), null),
                    false));

    assertEquals(Rejection.SECRET_CHANGED, e.rejection());
    assertEquals("10220: A secret has changed", e.cloudflareMessage());
  }

  @Test
  void successWithAnUnreadableBodyIsTransient() {
    stub.answer(200, Map.of("Content-Type", "text/html"), "<html>maintenance</html>");

    CloudflareTransientException e =
        assertThrows(CloudflareTransientException.class, () -> api.listDeployments(SHOP, TOKEN));

    assertEquals(200, e.httpStatus());
  }

  @Test
  void rateLimitWithAGarbledRetryAfterHoldsTheCredentialForFiveMinutes() {
    stub.answer(
        429,
        Map.of("Content-Type", "application/json", "retry-after", "later, please"),
        """
        {"success": false, "result": null, "messages": [],
         "errors": [{"code": 971, "message": "Please wait and consider throttling your request speed"}]}
        """);

    CloudflareRateLimitedException fromCloudflare =
        assertThrows(CloudflareRateLimitedException.class, () -> api.listDeployments(SHOP, TOKEN));
    CloudflareRateLimitedException held =
        assertThrows(CloudflareRateLimitedException.class, () -> api.listDeployments(SHOP, TOKEN));

    assertEquals(Duration.ofMinutes(5), fromCloudflare.retryAfter());
    assertTrue(fromCloudflare.fromCloudflare());
    assertFalse(held.fromCloudflare());
    assertTrue(
        held.retryAfter().compareTo(Duration.ofMinutes(4)) > 0, held.retryAfter().toString());
    assertEquals(1, stub.requests().size(), "the held call was not sent");
  }

  @Test
  void stopsListingVersionsWhenAPageRepeatsThePreviousOne() {
    // Cloudflare documents that deployable=true ignores pagination: page 2 repeats page 1.
    String page =
        """
        {"success": true, "errors": [], "messages": [],
         "result": {"items": [{"id": "%s", "number": 2}, {"id": "%s", "number": 1}]}}
        """
            .formatted(V2, V1);
    stub.answer(200, JSON, page);
    stub.answer(200, JSON, page);
    stub.answer(200, JSON, page);

    List<WorkerVersion> versions = api.listVersions(SHOP, TOKEN);

    assertEquals(List.of(V2, V1), versions.stream().map(WorkerVersion::id).toList());
    assertEquals(
        List.of(
            "GET /client/v4/accounts/acc/workers/scripts/shop/versions?deployable=true&page=1&per_page=100",
            "GET /client/v4/accounts/acc/workers/scripts/shop/versions?deployable=true&page=2&per_page=100"),
        stub.requests());
  }

  @Test
  void deleteAcceptsAnEmptyAnswer() {
    stub.answer(200, JSON, "");

    api.deleteDeployment(SHOP, TOKEN, "d-1");

    assertEquals(
        List.of("DELETE /client/v4/accounts/acc/workers/scripts/shop/deployments/d-1"),
        stub.requests());
  }
}
