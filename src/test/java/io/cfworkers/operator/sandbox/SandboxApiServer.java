package io.cfworkers.operator.sandbox;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cfworkers.operator.support.crd.CrdValidator;
import io.cfworkers.operator.support.crd.CrdValidator.FieldValidation;
import io.cfworkers.operator.support.rbac.ApiAuthorizer;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * An in-memory Kubernetes API server that real {@code kubectl} can use, for the sandbox. Test
 * support only: it never ships in the operator's artifact.
 *
 * <p>Storage, resource versions, generations, the status subresource and WebSocket watches are the
 * fabric8 mock server's, in CRUD mode (the <em>backend</em>, which the operator's fabric8 client
 * talks to directly). In front of it, on {@link #url()}, an HTTP server adds what kubectl needs and
 * the mock server lacks:
 *
 * <ul>
 *   <li>discovery ({@code /version}, {@code /api}, {@code /apis}, resource lists), any query;
 *   <li>the OpenAPI v3 documents kubectl reads to choose server-side field validation and the patch
 *       type, and the CRD's schema for {@code kubectl explain} ({@link OpenApi});
 *   <li>admission of custom resources like the apiserver: pruning or strict unknown-field checks
 *       ({@code fieldValidation}), schema defaults, the CRD's OpenAPI schema and CEL rules, failing
 *       with {@code 422 Invalid} naming each field and rule message ({@link CrdValidator});
 *   <li>Secret {@code stringData} stored as base64 {@code data}; the protobuf bodies of {@code
 *       kubectl create secret|configmap|namespace} ({@link KubeProtobuf});
 *   <li>patches (JSON, merge, and strategic merge for built-in kinds) applied here and stored with
 *       a compare-and-swap update, retried on conflict as the apiserver does;
 *   <li>{@code Table} responses for {@code kubectl get}, with the CRD's printer columns;
 *   <li>field selectors on lists (what {@code kubectl describe} uses to find events);
 *   <li>watches as a streamed HTTP response ({@code kubectl wait}, {@code get -w}), relayed from a
 *       backend WebSocket watch;
 *   <li>{@code Status} bodies for errors ({@code NotFound}, {@code AlreadyExists}, ...).
 * </ul>
 *
 * <p>Authorization: the operator's token is checked against the Helm chart's RBAC rules ({@link
 * ApiAuthorizer}); any other token (kubectl's) is an administrator's.
 *
 * <p>Not served: server-side apply (answered 415 with a message), authentication (any token is
 * accepted), admission of anything but the CRD's resources, resources other than those {@link
 * Discovery} lists.
 */
public final class SandboxApiServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SandboxApiServer.class.getName());
  private static final int MAX_CONFLICT_RETRIES = 10;

  private final KubernetesMockServer backend;
  private final HttpServer front;
  private final ExecutorService executor;
  private final HttpClient http;
  private final String backendUrl;
  private final Map<String, Object> crd;
  private final String crdGroup;
  private final String crdPlural;
  private final String crdKind;
  private final CrdValidator validator;
  private final Discovery discovery;
  private final Tables tables;
  private final OpenApi openApi;
  private final WatchRelay watches;
  private volatile boolean closed;
  private ApiAuthorizer authorizer;

  private SandboxApiServer(
      KubernetesMockServer backend, HttpServer front, ExecutorService executor, Path crdFile) {
    this.backend = backend;
    this.front = front;
    this.executor = executor;
    this.backendUrl = "http://127.0.0.1:" + backend.getPort();
    this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    this.crd = Json.readYaml(crdFile);
    this.crdGroup = (String) Json.at(crd, "spec.group");
    this.crdPlural = (String) Json.at(crd, "spec.names.plural");
    this.crdKind = (String) Json.at(crd, "spec.names.kind");
    this.validator = CrdValidator.fromCrdFile(crdFile);
    this.discovery = new Discovery(crd, "127.0.0.1:" + front.getAddress().getPort());
    this.tables = new Tables(crd);
    this.openApi = new OpenApi(discovery, crd);
    this.watches = new WatchRelay(http, backendUrl);
  }

  /**
   * Starts the server on 127.0.0.1:{@code port} (0: a free port), installs the CRD from {@code
   * crdFile} and creates the namespaces {@code default} plus {@code namespaces}.
   */
  public static SandboxApiServer start(int port, Path crdFile, String... namespaces) {
    MockWebServer web = new MockWebServer();
    KubernetesMockServer backend =
        new KubernetesMockServer(
            new Context(), web, new HashMap<>(), new KubernetesCrudDispatcher(List.of()), false);
    backend.init(InetAddress.getLoopbackAddress(), 0);
    ExecutorService executor =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "sandbox-api-" + THREADS.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
    HttpServer front;
    try {
      front = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 256);
    } catch (IOException e) {
      backend.destroy();
      throw new UncheckedIOException("cannot listen on 127.0.0.1:" + port, e);
    }
    SandboxApiServer server = new SandboxApiServer(backend, front, executor, crdFile);
    server.authorizer = ApiAuthorizer.install(web);
    front.createContext("/", server::handle);
    front.setExecutor(executor);
    front.start();
    server.install(namespaces);
    return server;
  }

  private static final AtomicInteger THREADS = new AtomicInteger();

  /**
   * RBAC in front of the backend: requests with a token registered there are checked against its
   * grants (the operator's); all others, kubectl's through the front server included, are admin.
   */
  public ApiAuthorizer authorizer() {
    return authorizer;
  }

  /** The URL kubectl uses, e.g. {@code http://127.0.0.1:6443}. */
  public String url() {
    return "http://127.0.0.1:" + port();
  }

  public int port() {
    return front.getAddress().getPort();
  }

  /**
   * The mock server's own URL, for fabric8 clients (the operator): same objects, WebSocket watches,
   * no admission.
   */
  public String backendUrl() {
    return backendUrl;
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    watches.close();
    front.stop(0);
    executor.shutdownNow();
    backend.destroy();
  }

  private void install(String... namespaces) {
    Map<String, Object> crdObject = new LinkedHashMap<>(crd);
    Map<String, Object> metadata = new LinkedHashMap<>(Json.map(crdObject.get("metadata")));
    metadata.put("creationTimestamp", Instant.now().toString());
    crdObject.put("metadata", metadata);
    crdObject.put(
        "status",
        Map.of(
            "acceptedNames", Json.at(crd, "spec.names"),
            "storedVersions",
                List.of(
                    Json.at(crd, "spec.versions") instanceof List<?> l
                        ? Json.map(l.get(0)).get("name")
                        : "v1"),
            "conditions",
                List.of(
                    Map.of(
                        "type", "Established", "status", "True", "reason", "InitialNamesAccepted"),
                    Map.of("type", "NamesAccepted", "status", "True", "reason", "NoConflicts"))));
    requireOk(
        backend("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crdObject));
    List<String> all = new ArrayList<>(List.of("default"));
    all.addAll(List.of(namespaces));
    for (String namespace : all.stream().distinct().toList()) {
      Map<String, Object> ns = new LinkedHashMap<>();
      ns.put("apiVersion", "v1");
      ns.put("kind", "Namespace");
      ns.put("metadata", Map.of("name", namespace));
      requireOk(backend("POST", "/api/v1/namespaces", ns));
    }
  }

  private static void requireOk(Answer answer) {
    if (answer.status / 100 != 2) {
      throw new IllegalStateException(
          "the mock API server refused: "
              + answer.status
              + " "
              + new String(answer.body, StandardCharsets.UTF_8));
    }
  }

  // ------------------------------------------------------------------ request handling

  private void handle(HttpExchange exchange) {
    try {
      String method = exchange.getRequestMethod().toUpperCase();
      URI uri = exchange.getRequestURI();
      String path = uri.getRawPath();
      Map<String, String> query = query(uri.getRawQuery());
      byte[] body = exchange.getRequestBody().readAllBytes();
      String accept = exchange.getRequestHeaders().getFirst("Accept");
      LOG.fine(() -> method + " " + uri);

      if (method.equals("GET") && discovery.document(path).isPresent()) {
        send(exchange, 200, discovery.document(path).get());
        return;
      }
      if (method.equals("GET") && openApi.document(path).isPresent()) {
        send(exchange, 200, openApi.document(path).get());
        return;
      }
      ResourcePath resource = ResourcePath.parse(path);
      if (resource == null
          || discovery
              .resource(resource.group(), resource.version(), resource.plural())
              .isEmpty()) {
        send(
            exchange,
            404,
            ApiStatus.failure(
                404, "NotFound", "the server could not find the requested resource", null));
        return;
      }
      switch (method) {
        case "GET" -> {
          if ("true".equals(query.get("watch")) || "1".equals(query.get("watch"))) {
            watches.relay(exchange, resource, query, tableView(accept) ? this::tableEvent : null);
          } else {
            get(exchange, resource, query, accept);
          }
        }
        case "POST" -> create(exchange, resource, query, decode(exchange, body));
        case "PUT" -> update(exchange, resource, query, decode(exchange, body));
        case "PATCH" ->
            patch(
                exchange,
                resource,
                query,
                body,
                exchange.getRequestHeaders().getFirst("Content-Type"));
        case "DELETE" -> delete(exchange, resource);
        default -> send(exchange, 405, ApiStatus.methodNotAllowed(method + " is not supported"));
      }
    } catch (IllegalArgumentException e) {
      trySend(exchange, 400, ApiStatus.badRequest(e.getMessage()));
    } catch (IOException e) {
      LOG.log(Level.FINE, "client went away", e);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "sandbox API server failed on " + exchange.getRequestURI(), e);
      trySend(exchange, 500, ApiStatus.failure(500, "InternalError", String.valueOf(e), null));
    } finally {
      exchange.close();
    }
  }

  private void get(
      HttpExchange exchange, ResourcePath resource, Map<String, String> query, String accept)
      throws IOException {
    StringBuilder backendQuery = new StringBuilder();
    if (query.containsKey("labelSelector")) {
      backendQuery.append("?labelSelector=").append(encode(query.get("labelSelector")));
    }
    String target = resource.isList() ? resource.collectionPath() : resource.objectPath();
    if (resource.subresource() != null) {
      target += "/" + resource.subresource();
    }
    Answer answer = backend("GET", target + backendQuery, null);
    if (answer.status == 404) {
      send(exchange, 404, ApiStatus.notFound(resource));
      return;
    }
    if (answer.status != 200) {
      relay(exchange, answer);
      return;
    }
    Map<String, Object> object = Json.parse(answer.body);
    if (resource.isList()) {
      object = FieldSelector.parse(query.get("fieldSelector")).filter(object);
      fillListKind(object, resource);
    }
    if (tableView(accept)) {
      send(
          exchange,
          200,
          tables.table(
              resource.plural(),
              object,
              "Object".equals(query.get("includeObject")),
              true,
              Instant.now()));
    } else {
      send(exchange, 200, object);
    }
  }

  private byte[] tableEvent(ResourcePath resource, Map<String, Object> event, boolean first) {
    Map<String, Object> converted = new LinkedHashMap<>(event);
    if (event.get("object") instanceof Map<?, ?> object && !"Status".equals(object.get("kind"))) {
      converted.put(
          "object", tables.table(resource.plural(), Json.map(object), false, first, Instant.now()));
    }
    return Json.bytes(converted);
  }

  private void create(
      HttpExchange exchange,
      ResourcePath resource,
      Map<String, String> query,
      Map<String, Object> body)
      throws IOException {
    Map<String, Object> object = body;
    String name = String.valueOf(Json.at(object, "metadata.name"));
    List<String> warnings = new ArrayList<>();
    if (resource.subresource() == null) {
      Map<String, Object> admitted = admit(exchange, resource, null, object, query, warnings);
      if (admitted == null) {
        return;
      }
      object = admitted;
    }
    if (isDryRun(query)) {
      send(exchange, 201, object, warnings);
      return;
    }
    Answer answer = backend("POST", resource.collectionPath(), object);
    if (answer.status == 409) {
      send(exchange, 409, ApiStatus.alreadyExists(resource, name));
    } else if (answer.status == 200 || answer.status == 201) {
      send(exchange, 201, Json.parse(answer.body), warnings);
    } else {
      relay(exchange, answer);
    }
  }

  private void update(
      HttpExchange exchange,
      ResourcePath resource,
      Map<String, String> query,
      Map<String, Object> body)
      throws IOException {
    if (resource.isList()) {
      send(exchange, 405, ApiStatus.methodNotAllowed("PUT on a collection is not supported"));
      return;
    }
    Map<String, Object> object = body;
    Answer current = backend("GET", resource.objectPath(), null);
    if (current.status == 404) {
      send(exchange, 404, ApiStatus.notFound(resource));
      return;
    }
    List<String> warnings = new ArrayList<>();
    if (resource.subresource() == null) {
      object = admit(exchange, resource, Json.parse(current.body), object, query, warnings);
      if (object == null) {
        return;
      }
    }
    store(exchange, resource, object, query, warnings);
  }

  private void patch(
      HttpExchange exchange,
      ResourcePath resource,
      Map<String, String> query,
      byte[] body,
      String contentType)
      throws IOException {
    String type = Patches.mediaType(contentType);
    if (type.equals(Patches.APPLY_PATCH)) {
      send(
          exchange,
          415,
          ApiStatus.unsupportedMediaType(
              "the sandbox API server does not implement server-side apply: use client-side"
                  + " `kubectl apply` (without --server-side)"));
      return;
    }
    boolean customResource = isCustomResource(resource);
    if (type.equals(Patches.STRATEGIC_MERGE_PATCH) && customResource) {
      send(
          exchange,
          415,
          ApiStatus.unsupportedMediaType(
              "the body of the request was in an unknown format - accepted media types include:"
                  + " application/json-patch+json, application/merge-patch+json,"
                  + " application/apply-patch+yaml"));
      return;
    }
    if (!type.equals(Patches.JSON_PATCH)
        && !type.equals(Patches.MERGE_PATCH)
        && !type.equals(Patches.STRATEGIC_MERGE_PATCH)) {
      send(exchange, 415, ApiStatus.unsupportedMediaType("unsupported patch type " + contentType));
      return;
    }
    if (resource.isList()) {
      send(exchange, 405, ApiStatus.methodNotAllowed("PATCH on a collection is not supported"));
      return;
    }
    for (int attempt = 0; ; attempt++) {
      Answer current = backend("GET", resource.objectPath(), null);
      if (current.status == 404) {
        send(exchange, 404, ApiStatus.notFound(resource));
        return;
      }
      Map<String, Object> old = Json.parse(current.body);
      Map<String, Object> patched =
          switch (type) {
            case Patches.JSON_PATCH -> Patches.jsonPatch(old, body);
            case Patches.MERGE_PATCH -> Patches.mergePatch(old, Json.parse(body));
            default -> Patches.strategicMergePatch(old, Json.parse(body));
          };
      // The patch applies to the version read here; the update below fails if it changed since.
      Json.map(patched.computeIfAbsent("metadata", k -> new LinkedHashMap<>()))
          .put("resourceVersion", Json.at(old, "metadata.resourceVersion"));
      List<String> warnings = new ArrayList<>();
      Map<String, Object> object = patched;
      if (resource.subresource() == null) {
        object = admit(exchange, resource, old, patched, query, warnings);
        if (object == null) {
          return;
        }
      }
      if (isDryRun(query)) {
        send(exchange, 200, object, warnings);
        return;
      }
      Answer answer = put(resource, object);
      if (answer.status == 409 && attempt < MAX_CONFLICT_RETRIES) {
        continue;
      }
      answerStore(exchange, resource, object, answer, warnings);
      return;
    }
  }

  private void store(
      HttpExchange exchange,
      ResourcePath resource,
      Map<String, Object> object,
      Map<String, String> query,
      List<String> warnings)
      throws IOException {
    if (isDryRun(query)) {
      send(exchange, 200, object, warnings);
      return;
    }
    answerStore(exchange, resource, object, put(resource, object), warnings);
  }

  private Answer put(ResourcePath resource, Map<String, Object> object) {
    String target = resource.objectPath();
    if (resource.subresource() != null) {
      target += "/" + resource.subresource();
    }
    return backend("PUT", target, object);
  }

  private void answerStore(
      HttpExchange exchange,
      ResourcePath resource,
      Map<String, Object> object,
      Answer answer,
      List<String> warnings)
      throws IOException {
    if (answer.status == 409) {
      send(exchange, 409, ApiStatus.conflict(resource, resource.name()));
    } else if (answer.status == 404) {
      send(exchange, 404, ApiStatus.notFound(resource));
    } else if (answer.status / 100 == 2) {
      send(exchange, 200, Json.parse(answer.body), warnings);
    } else {
      relay(exchange, answer);
    }
  }

  private void delete(HttpExchange exchange, ResourcePath resource) throws IOException {
    if (resource.isList()) {
      send(exchange, 405, ApiStatus.methodNotAllowed("deleting a collection is not supported"));
      return;
    }
    Answer current = backend("GET", resource.objectPath(), null);
    if (current.status == 404) {
      send(exchange, 404, ApiStatus.notFound(resource));
      return;
    }
    Answer answer = backend("DELETE", resource.objectPath(), null);
    if (answer.status == 404) {
      send(exchange, 404, ApiStatus.notFound(resource));
    } else if (answer.status / 100 == 2) {
      send(exchange, 200, Json.parse(current.body));
    } else {
      relay(exchange, answer);
    }
  }

  /**
   * The request body as JSON maps: JSON as sent, or the protobuf kubectl's typed commands (such as
   * {@code kubectl create secret}) send for built-in kinds.
   */
  private static Map<String, Object> decode(HttpExchange exchange, byte[] body) {
    String type = Patches.mediaType(exchange.getRequestHeaders().getFirst("Content-Type"));
    if (type.equals(KubeProtobuf.MEDIA_TYPE)) {
      return KubeProtobuf.decode(body);
    }
    return Json.parse(body);
  }

  // ------------------------------------------------------------------ admission

  /**
   * What the apiserver stores for a create ({@code old} null) or an update of the main resource:
   * for custom resources the admitted object (or null after answering 422/400), for Secrets {@code
   * stringData} folded into {@code data}, anything else as sent.
   */
  private Map<String, Object> admit(
      HttpExchange exchange,
      ResourcePath resource,
      Map<String, Object> old,
      Map<String, Object> object,
      Map<String, String> query,
      List<String> warnings)
      throws IOException {
    if (resource.group().isEmpty() && resource.plural().equals("secrets")) {
      return foldStringData(object);
    }
    if (!isCustomResource(resource)) {
      return object;
    }
    FieldValidation fields =
        switch (String.valueOf(query.getOrDefault("fieldValidation", "Warn"))) {
          case "Strict" -> FieldValidation.STRICT;
          case "Ignore" -> FieldValidation.IGNORE;
          default -> FieldValidation.WARN;
        };
    CrdValidator.Admission admission = validator.admit(old, object, fields);
    warnings.addAll(admission.warnings());
    if (admission.admitted()) {
      Map<String, Object> stored = new LinkedHashMap<>(admission.stored());
      if (old != null && old.get("status") != null) {
        stored.put("status", old.get("status"));
      }
      return stored;
    }
    String name = String.valueOf(Json.at(object, "metadata.name"));
    List<String> strict =
        admission.errors().stream().filter(e -> e.startsWith("strict decoding error")).toList();
    if (!strict.isEmpty()) {
      send(
          exchange,
          400,
          ApiStatus.badRequest(
              crdKind
                  + " in version \""
                  + resource.version()
                  + "\" cannot be handled as a "
                  + crdKind
                  + ": "
                  + String.join(", ", strict)));
      return null;
    }
    send(exchange, 422, ApiStatus.invalid(crdKind, crdGroup, name, resource, admission.errors()));
    return null;
  }

  private static Map<String, Object> foldStringData(Map<String, Object> secret) {
    Map<String, Object> folded = new LinkedHashMap<>(secret);
    if (folded.get("type") == null || "".equals(folded.get("type"))) {
      folded.put("type", "Opaque");
    }
    if (!(secret.get("stringData") instanceof Map<?, ?> stringData)) {
      return folded;
    }
    Map<String, Object> data =
        folded.get("data") instanceof Map<?, ?> d
            ? new LinkedHashMap<>(Json.map(d))
            : new LinkedHashMap<>();
    stringData.forEach(
        (k, v) ->
            data.put(
                String.valueOf(k),
                Base64.getEncoder()
                    .encodeToString(String.valueOf(v).getBytes(StandardCharsets.UTF_8))));
    folded.remove("stringData");
    folded.put("data", data);
    return folded;
  }

  private boolean isCustomResource(ResourcePath resource) {
    return resource.group().equals(crdGroup) && resource.plural().equals(crdPlural);
  }

  private boolean tableView(String accept) {
    return accept != null && accept.contains("as=Table");
  }

  private static boolean isDryRun(Map<String, String> query) {
    return "All".equals(query.get("dryRun"));
  }

  /** The mock server answers every list as kind List; the apiserver names it after the kind. */
  private void fillListKind(Map<String, Object> list, ResourcePath resource) {
    list.put(
        "apiVersion",
        resource.group().isEmpty()
            ? resource.version()
            : resource.group() + "/" + resource.version());
    discovery
        .resource(resource.group(), resource.version(), resource.plural())
        .ifPresent(r -> list.put("kind", r.get("kind") + "List"));
    list.putIfAbsent("metadata", new LinkedHashMap<>());
  }

  // ------------------------------------------------------------------ plumbing

  private record Answer(int status, byte[] body, String contentType) {}

  private Answer backend(String method, String pathAndQuery, Map<String, Object> body) {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(backendUrl + pathAndQuery))
            .timeout(Duration.ofSeconds(30))
            .header("Accept", "application/json");
    if (body != null) {
      request
          .header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofByteArray(Json.bytes(body)));
    } else {
      request.method(method, HttpRequest.BodyPublishers.noBody());
    }
    try {
      HttpResponse<byte[]> response =
          http.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
      return new Answer(
          response.statusCode(),
          response.body(),
          response.headers().firstValue("Content-Type").orElse("application/json"));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "the mock API server did not answer " + method + " " + pathAndQuery, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  private static void relay(HttpExchange exchange, Answer answer) throws IOException {
    exchange.getResponseHeaders().set("Content-Type", answer.contentType);
    exchange.sendResponseHeaders(answer.status, answer.body.length == 0 ? -1 : answer.body.length);
    if (answer.body.length > 0) {
      exchange.getResponseBody().write(answer.body);
    }
  }

  private static void send(HttpExchange exchange, int status, Map<String, Object> body)
      throws IOException {
    send(exchange, status, body, List.of());
  }

  private static void send(
      HttpExchange exchange, int status, Map<String, Object> body, List<String> warnings)
      throws IOException {
    byte[] bytes = Json.bytes(body);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    for (String warning : warnings) {
      exchange.getResponseHeaders().add("Warning", "299 - " + Json.string(warning));
    }
    exchange.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static void trySend(HttpExchange exchange, int status, Map<String, Object> body) {
    try {
      send(exchange, status, body);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.FINE, "could not answer " + exchange.getRequestURI(), e);
    }
  }

  static Map<String, String> query(String rawQuery) {
    Map<String, String> params = new LinkedHashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return params;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String key = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
      String value =
          eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
      params.put(key, value);
    }
    return params;
  }

  static String encode(String value) {
    return java.net.URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
