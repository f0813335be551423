package io.cfworkers.operator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sandbox API server over HTTP, as kubectl sees it, without kubectl: what {@code
 * SandboxKubectlIT} relies on, checked where kubectl is absent too.
 */
class SandboxApiServerTest {
  private static final String WD = "/apis/cfworkers.io/v1alpha1/namespaces/shop/workerdeployments";
  private static final String TABLE =
      "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";

  private static SandboxApiServer server;
  private static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() {
    server =
        SandboxApiServer.start(0, Path.of("crds/workerdeployments.cfworkers.io-v1.yml"), "shop");
  }

  @AfterAll
  static void stop() {
    server.close();
  }

  @Test
  void answersDiscoveryWhateverTheQuery() throws Exception {
    Map<String, Object> resources = json(get("/apis/cfworkers.io/v1alpha1?timeout=32s", null));
    Map<String, Object> wd = Json.map(((List<?>) resources.get("resources")).get(0));
    assertEquals("workerdeployments", wd.get("name"));
    assertEquals("WorkerDeployment", wd.get("kind"));
    assertEquals(List.of("wd"), wd.get("shortNames"));
    assertEquals(true, wd.get("namespaced"));
    assertEquals("APIVersions", json(get("/api?timeout=32s", null)).get("kind"));
    assertEquals("1", json(get("/version?timeout=32s", null)).get("major"));
    assertEquals(
        200, get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", null).statusCode());
  }

  @Test
  void refusesAResourceThatBreaksACelRuleWith422NamingTheFieldAndTheMessage() throws Exception {
    HttpResponse<String> response =
        send("POST", WD + "?fieldValidation=Strict", manifest("split", 90, 20), null);
    assertEquals(422, response.statusCode());
    Map<String, Object> status = json(response);
    assertEquals("Invalid", status.get("reason"));
    Map<String, Object> cause =
        Json.map(((List<?>) Json.map(status.get("details")).get("causes")).get(0));
    assertEquals("spec.versions", cause.get("field"));
    assertTrue(
        String.valueOf(cause.get("message"))
            .startsWith(
                "Invalid value: \"array\": percentages must add up to 100 (±0.001), they add up"
                    + " to 110"),
        String.valueOf(cause.get("message")));
    assertEquals(404, get(WD + "/split", null).statusCode(), "nothing was stored");
  }

  @Test
  void storesDefaultsAndKeepsStatusASubresource() throws Exception {
    assertEquals(201, send("POST", WD, manifest("defaults", 100), null).statusCode());
    Map<String, Object> stored = json(get(WD + "/defaults", null));
    assertEquals("percentage", Json.at(stored, "spec.strategy"));
    assertEquals(false, Json.at(stored, "spec.suspend"));
    assertEquals(1, Json.at(stored, "metadata.generation"));

    HttpResponse<String> status =
        send(
            "PATCH",
            WD + "/defaults/status",
            "{\"status\":{\"deploymentId\":\"d-1\"}}",
            Patches.MERGE_PATCH);
    assertEquals(200, status.statusCode(), status.body());
    Map<String, Object> afterStatus = json(get(WD + "/defaults", null));
    assertEquals("d-1", Json.at(afterStatus, "status.deploymentId"));
    assertEquals(1, Json.at(afterStatus, "metadata.generation"), "status writes keep generation");

    HttpResponse<String> spec =
        send(
            "PATCH",
            WD + "/defaults",
            "{\"spec\":{\"suspend\":true},\"status\":{\"deploymentId\":\"ignored\"}}",
            Patches.MERGE_PATCH);
    assertEquals(200, spec.statusCode(), spec.body());
    Map<String, Object> afterSpec = json(get(WD + "/defaults", null));
    assertEquals(true, Json.at(afterSpec, "spec.suspend"));
    assertEquals(2, Json.at(afterSpec, "metadata.generation"));
    assertEquals("d-1", Json.at(afterSpec, "status.deploymentId"), "main writes keep status");
  }

  @Test
  void storesSecretStringDataAsBase64Data() throws Exception {
    String secret =
        "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\",\"namespace\":\"shop\"},"
            + "\"stringData\":{\"token\":\"t0k3n\"}}";
    assertEquals(201, send("POST", "/api/v1/namespaces/shop/secrets", secret, null).statusCode());
    Map<String, Object> stored = json(get("/api/v1/namespaces/shop/secrets/s", null));
    assertEquals("dDBrM24=", Json.at(stored, "data.token"));
    assertNull(stored.get("stringData"));
    assertEquals("Opaque", stored.get("type"));
  }

  @Test
  void printsTheCrdPrinterColumnsAsATable() throws Exception {
    send("POST", WD, manifest("table", 100), null);
    send(
        "PATCH",
        WD + "/table/status",
        "{\"status\":{\"versionSummary\":\"182bd5e5@100\",\"deploymentId\":\"d-9\","
            + "\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"reason\":\"Deployed\","
            + "\"lastTransitionTime\":\"2026-01-01T00:00:00Z\"}]}}",
        Patches.MERGE_PATCH);
    Map<String, Object> table = json(get(WD + "/table", TABLE));
    assertEquals("Table", table.get("kind"));
    List<?> columns = (List<?>) table.get("columnDefinitions");
    assertEquals(
        List.of(
            "Name",
            "SCRIPT",
            "DECLARED",
            "VERSIONS",
            "READY",
            "REASON",
            "STEP",
            "PHASE",
            "ANALYSIS",
            "DEPLOYMENT",
            "AGE"),
        columns.stream().map(c -> Json.map(c).get("name")).toList());
    assertEquals(
        List.of(0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0),
        columns.stream().map(c -> ((Number) Json.map(c).get("priority")).intValue()).toList(),
        "the analysis result and the deployment id only with -o wide");
    List<?> cells = (List<?>) Json.map(((List<?>) table.get("rows")).get(0)).get("cells");
    assertEquals(
        List.of(
            "table",
            "checkout-api",
            "100",
            "182bd5e5@100",
            "True",
            "Deployed",
            "null",
            "null",
            "null",
            "d-9"),
        cells.subList(0, 10).stream().map(String::valueOf).toList());
    assertTrue(String.valueOf(cells.get(10)).matches("\\d+s"), "age " + cells.get(10));
  }

  @Test
  void streamsWatchEventsOverHttpFromTheListedVersionOn() throws Exception {
    send("POST", WD, manifest("watched", 100), null);
    String resourceVersion = (String) Json.at(json(get(WD, null)), "metadata.resourceVersion");
    HttpResponse<InputStream> watch =
        http.send(
            HttpRequest.newBuilder(
                    URI.create(
                        server.url()
                            + WD
                            + "?watch=true&fieldSelector=metadata.name%3Dwatched&timeoutSeconds=10"
                            + (resourceVersion == null
                                ? ""
                                : "&resourceVersion=" + resourceVersion)))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    assertEquals(200, watch.statusCode());
    try (BufferedReader events =
        new BufferedReader(new InputStreamReader(watch.body(), StandardCharsets.UTF_8))) {
      send("PATCH", WD + "/watched", "{\"spec\":{\"suspend\":true}}", Patches.MERGE_PATCH);
      String line;
      do {
        line = events.readLine();
      } while (line != null && line.isBlank());
      Map<String, Object> event = Json.parse(line);
      assertEquals("MODIFIED", event.get("type"));
      assertEquals(true, Json.at(Json.map(event.get("object")), "spec.suspend"));
    }
  }

  private static String manifest(String name, Object... percentages) {
    String[] ids = {"182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e", "7a3c0b4e-1f2d-4c5b-9e8f-0a1b2c3d4e5f"};
    StringBuilder versions = new StringBuilder();
    for (int i = 0; i < percentages.length; i++) {
      versions
          .append(i == 0 ? "" : ",")
          .append("{\"versionId\":\"")
          .append(ids[i])
          .append("\",\"percentage\":")
          .append(percentages[i])
          .append('}');
    }
    return "{\"apiVersion\":\"cfworkers.io/v1alpha1\",\"kind\":\"WorkerDeployment\","
        + "\"metadata\":{\"name\":\""
        + name
        + "\",\"namespace\":\"shop\"},\"spec\":{\"accountId\":\"023e105f4ecef8ad9ca31a8372d0c353\","
        + "\"scriptName\":\"checkout-api\",\"auth\":{\"apiTokenSecretRef\":{\"name\":\"cloudflare-api\","
        + "\"key\":\"token\"}},\"versions\":["
        + versions
        + "]}}";
  }

  private static HttpResponse<String> get(String path, String accept) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(server.url() + path));
    if (accept != null) {
      request.header("Accept", accept);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static HttpResponse<String> send(
      String method, String path, String body, String contentType) throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create(server.url() + path))
            .timeout(Duration.ofSeconds(30))
            .header("Content-Type", contentType == null ? "application/json" : contentType)
            .method(method, HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static Map<String, Object> json(HttpResponse<String> response) {
    return Json.parse(response.body());
  }
}
