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
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Answers the fake never gives: surprise fields, HTML error pages, odd envelopes and headers, and
 * 2xx answers that break Cloudflare's schema.
 */
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

  /** The calls whose answers the client reads. */
  enum Call {
    LIST_DEPLOYMENTS,
    GET_DEPLOYMENT,
    CREATE_DEPLOYMENT,
    LIST_VERSIONS,
    GET_VERSION,
    DELETE_DEPLOYMENT
  }

  private static final String DEPLOYMENT =
      """
      {"id": "d-1", "created_on": "2025-01-02T03:04:05Z", "source": "api",
       "strategy": "percentage", "versions": [{"version_id": "%s", "percentage": 100}]}"""
          .formatted(V1);

  private static final String VERSION_WITHOUT_RESOURCES =
      """
      {"id": "%s", "number": 1, "metadata": {"created_on": "2025-01-01T00:00:00Z"}}"""
          .formatted(V1);

  private static final String VERSION =
      VERSION_WITHOUT_RESOURCES.substring(0, VERSION_WITHOUT_RESOURCES.length() - 1)
          + """
          , "resources": {"bindings": [], "script": {"etag": "e", "handlers": ["fetch"]},
                          "script_runtime": {"usage_model": "standard", "limits": {}}}}""";

  private static String ok(String result) {
    return "{\"success\": true, \"errors\": [], \"messages\": [], \"result\": " + result + "}";
  }

  private static String deploymentWithout(String field) {
    String without = DEPLOYMENT.replaceFirst("\"" + field + "\": \"[^\"]*\",\\s*", "");
    assertFalse(without.contains("\"" + field + "\""), without);
    return without;
  }

  /**
   * 2xx answers that break Cloudflare's schema; the third column is the part the error must name.
   * Each would be misread if taken at face value: a missing list as "no deployment", a missing
   * percentage as 0.
   */
  static Stream<Arguments> schemaBreakingAnswers() {
    return Stream.of(
        shape(
            "deployments list without deployments",
            Call.LIST_DEPLOYMENTS,
            ok("{}"),
            "no list deployments"),
        shape(
            "deployments is not a list",
            Call.LIST_DEPLOYMENTS,
            ok("{\"deployments\": {}}"),
            "no list deployments"),
        shape("success true with result null", Call.LIST_DEPLOYMENTS, ok("null"), "no result"),
        shape(
            "success true without result",
            Call.LIST_DEPLOYMENTS,
            "{\"success\": true, \"errors\": [], \"messages\": []}",
            "no result"),
        shape(
            "no success field",
            Call.LIST_DEPLOYMENTS,
            "{\"errors\": [], \"messages\": [], \"result\": {\"deployments\": []}}",
            "no boolean success"),
        shape(
            "success is the string true",
            Call.LIST_DEPLOYMENTS,
            "{\"success\": \"true\", \"result\": {\"deployments\": []}}",
            "no boolean success"),
        shape("result is a list", Call.GET_DEPLOYMENT, ok("[]"), "result is not an object"),
        shape(
            "listed deployment without id",
            Call.LIST_DEPLOYMENTS,
            ok("{\"deployments\": [" + deploymentWithout("id") + "]}"),
            "result.deployments[0] has no id"),
        shape(
            "listed deployment without created_on",
            Call.LIST_DEPLOYMENTS,
            ok("{\"deployments\": [" + deploymentWithout("created_on") + "]}"),
            "result.deployments[0] has no created_on"),
        shape(
            "listed deployment without source",
            Call.LIST_DEPLOYMENTS,
            ok("{\"deployments\": [" + deploymentWithout("source") + "]}"),
            "result.deployments[0] has no source"),
        shape(
            "listed deployment without strategy",
            Call.LIST_DEPLOYMENTS,
            ok("{\"deployments\": [" + deploymentWithout("strategy") + "]}"),
            "result.deployments[0] has no strategy"),
        shape(
            "listed deployment without versions",
            Call.LIST_DEPLOYMENTS,
            ok("{\"deployments\": [" + DEPLOYMENT.replaceFirst(", \"versions\".*]", "") + "]}"),
            "result.deployments[0] has no list versions"),
        shape(
            "version entry without version_id",
            Call.LIST_DEPLOYMENTS,
            ok(
                "{\"deployments\": ["
                    + DEPLOYMENT.replace("\"version_id\": \"" + V1 + "\", ", "")
                    + "]}"),
            "result.deployments[0].versions[0] has no version_id"),
        shape(
            "version entry without percentage",
            Call.LIST_DEPLOYMENTS,
            ok("{\"deployments\": [" + DEPLOYMENT.replace(", \"percentage\": 100", "") + "]}"),
            "result.deployments[0].versions[0] has no number percentage"),
        shape(
            "percentage given as a string",
            Call.LIST_DEPLOYMENTS,
            ok("{\"deployments\": [" + DEPLOYMENT.replace("100", "\"100\"") + "]}"),
            "result.deployments[0].versions[0] has no number percentage"),
        shape(
            "single deployment without id",
            Call.GET_DEPLOYMENT,
            ok(deploymentWithout("id")),
            "result has no id"),
        shape(
            "created deployment without id",
            Call.CREATE_DEPLOYMENT,
            ok(deploymentWithout("id")),
            "result has no id"),
        shape(
            "created deployment with a version entry without percentage",
            Call.CREATE_DEPLOYMENT,
            ok(DEPLOYMENT.replace(", \"percentage\": 100", "")),
            "result.versions[0] has no number percentage"),
        shape("created deployment as null", Call.CREATE_DEPLOYMENT, ok("null"), "no result"),
        shape(
            "versions list without items",
            Call.LIST_VERSIONS,
            ok("{}"),
            "result has no list items"),
        shape(
            "versions list item without id",
            Call.LIST_VERSIONS,
            ok("{\"items\": [{\"number\": 1}]}"),
            "result.items[0] has no id"),
        shape(
            "version detail without resources",
            Call.GET_VERSION,
            ok(VERSION_WITHOUT_RESOURCES),
            "result has no resources"),
        shape(
            "version detail without id",
            Call.GET_VERSION,
            ok(VERSION.replace("\"id\": \"" + V1 + "\", ", "")),
            "result has no id"),
        shape(
            "delete answered without success",
            Call.DELETE_DEPLOYMENT,
            "{\"errors\": [], \"messages\": []}",
            "no boolean success"));
  }

  private static Arguments shape(String reason, Call call, String body, String names) {
    return Arguments.of(reason, call, body, names);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("schemaBreakingAnswers")
  void answerThatBreaksTheSchemaIsTransientNeverReadAsEmpty(
      String reason, Call call, String body, String names) {
    stub.answer(200, JSON, body);

    CloudflareTransientException e =
        assertThrows(CloudflareTransientException.class, () -> call(call));

    assertEquals(200, e.httpStatus());
    assertTrue(e.getMessage().contains("breaks Cloudflare's schema"), e.getMessage());
    assertTrue(e.getMessage().contains(names), e.getMessage());
    assertEquals(1, stub.requests().size(), "sent once, not retried by the client");
  }

  /** The control: the same minimal answers, with every required field, are read. */
  @ParameterizedTest(name = "{0}")
  @EnumSource(Call.class)
  void minimalAnswerWithEveryRequiredFieldIsRead(Call call) {
    String body =
        switch (call) {
          case LIST_DEPLOYMENTS -> ok("{\"deployments\": [" + DEPLOYMENT + "]}");
          case GET_DEPLOYMENT, CREATE_DEPLOYMENT -> ok(DEPLOYMENT);
          case LIST_VERSIONS -> ok("{\"items\": [{\"id\": \"" + V1 + "\"}]}");
          case GET_VERSION -> ok(VERSION);
          case DELETE_DEPLOYMENT -> "{\"success\": true, \"errors\": [], \"messages\": []}";
        };
    stub.answer(200, JSON, body);
    stub.answer(200, JSON, ok("{\"items\": []}"));

    Object read = call(call);

    switch (call) {
      case LIST_DEPLOYMENTS ->
          assertEquals(
              List.of(new DeploymentVersion(V1, 100)),
              ((List<?>) read).stream().map(d -> ((Deployment) d).versions()).findFirst().get());
      case GET_DEPLOYMENT, CREATE_DEPLOYMENT -> assertEquals("d-1", ((Deployment) read).id());
      case LIST_VERSIONS ->
          assertEquals(
              List.of(V1), ((List<?>) read).stream().map(v -> ((WorkerVersion) v).id()).toList());
      case GET_VERSION -> assertEquals(V1, ((WorkerVersion) read).id());
      case DELETE_DEPLOYMENT -> assertEquals("deleted", read);
    }
  }

  private Object call(Call call) {
    return switch (call) {
      case LIST_DEPLOYMENTS -> api.listDeployments(SHOP, TOKEN);
      case GET_DEPLOYMENT -> api.getDeployment(SHOP, TOKEN, "d-1").orElseThrow();
      case CREATE_DEPLOYMENT ->
          api.createDeployment(
              SHOP,
              TOKEN,
              new DeploymentRequest(List.of(new DeploymentVersion(V1, 100)), null),
              false);
      case LIST_VERSIONS -> api.listVersions(SHOP, TOKEN);
      case GET_VERSION -> api.getVersion(SHOP, TOKEN, V1).orElseThrow();
      case DELETE_DEPLOYMENT -> {
        api.deleteDeployment(SHOP, TOKEN, "d-1");
        yield "deleted";
      }
    };
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
