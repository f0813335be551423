package io.cfworkers.operator.cloudflare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * {@link WorkersDeploymentsApi} over HTTP/1.1 ({@link CloudflareTransport}) and Jackson.
 *
 * <p>Every request first takes a permit from the credential's {@link CredentialRateLimiter}; when
 * none is available the call is not sent. A 429 blocks the credential in the limiter for its {@code
 * retry-after}. Failures are classified by {@link CloudflareErrorMapper} only. Nothing here
 * retries: each method sends each of its requests once.
 *
 * <p>Each call, from sending to the last byte of the answer, is bounded by the request timeout; a
 * call that runs out of it is cancelled and its connection closed (see {@link
 * CloudflareTransport}). A 2xx answer is read only when it has the shape Cloudflare's schema
 * promises ({@link CloudflareSchema}); one that does not is a {@link CloudflareTransientException}:
 * the call may have worked, so a create's outcome is unknown, and nothing is read as "no
 * deployment".
 *
 * <p>Metrics: {@value #REQUESTS_METRIC} (tags {@code operation}, {@code outcome} = {@code success},
 * {@code rejected}, {@code rate_limited}, {@code transient}) counts requests sent to Cloudflare;
 * {@value #REQUEST_DURATION_METRIC} times them by {@code operation}; {@value
 * #RATE_LIMIT_WAITS_METRIC} (tag {@code source} = {@code client} when the limiter held a call
 * unsent, {@code cloudflare} when Cloudflare answered 429) counts rate-limit waits. No tag names a
 * credential.
 */
public final class HttpWorkersDeploymentsApi implements WorkersDeploymentsApi {
  public static final String REQUESTS_METRIC = CloudflareTransport.REQUESTS_METRIC;
  public static final String REQUEST_DURATION_METRIC = CloudflareTransport.REQUEST_DURATION_METRIC;
  public static final String RATE_LIMIT_WAITS_METRIC = "cloudflare.api.rate_limit.waits";

  /**
   * Versions asked for per page. Cloudflare lets a deployment use only a script's 100 most recent
   * versions, so one page normally holds every deployable version.
   */
  static final int VERSIONS_PER_PAGE = 100;

  /** A safety stop for a server that keeps inventing pages. */
  static final int MAX_VERSION_PAGES = 50;

  private static final Logger LOG = Logger.getLogger(HttpWorkersDeploymentsApi.class);

  private final ObjectMapper json;
  private final CloudflareTransport transport;

  /**
   * @throws IllegalStateException when the JDK client is configured to re-send POSTs on its own
   *     (system property {@code jdk.httpclient.enableAllMethodRetry}), which would break the
   *     one-POST-per-create contract
   */
  public HttpWorkersDeploymentsApi(
      CloudflareClientSettings settings,
      CredentialRateLimiter limiter,
      MeterRegistry meters,
      ObjectMapper json) {
    this.json = json;
    // A create is sent once; a read whose answer was lost may reach Cloudflare twice for one permit
    // of the budget (see CloudflareTransport).
    this.transport = new CloudflareTransport(settings, limiter, meters, RATE_LIMIT_WAITS_METRIC);
  }

  @Override
  public List<Deployment> listDeployments(ScriptRef script, Credential credential) {
    return listDeployments(script, credential, CredentialRateLimiter.Use.READ);
  }

  /**
   * Takes the list's permit and the create's together: see {@link
   * CredentialRateLimiter#acquirePair}.
   */
  @Override
  public List<Deployment> listDeploymentsBeforeChange(
      ScriptRef script, Credential credential, String waiter) {
    return listDeployments(script, credential, CredentialRateLimiter.Use.PAIR, waiter);
  }

  private List<Deployment> listDeployments(
      ScriptRef script, Credential credential, CredentialRateLimiter.Use use) {
    return listDeployments(script, credential, use, null);
  }

  private List<Deployment> listDeployments(
      ScriptRef script, Credential credential, CredentialRateLimiter.Use use, String waiter) {
    JsonNode result =
        send(
            CloudflareOperation.LIST_DEPLOYMENTS,
            script,
            credential,
            "/deployments",
            "",
            null,
            use,
            waiter);
    // CloudflareSchema has checked that the list and every required field are there.
    CloudflareJson.DeploymentsJson page = read(result, CloudflareJson.DeploymentsJson.class);
    return page.deployments().stream().map(CloudflareJson.DeploymentJson::toDomain).toList();
  }

  @Override
  public Deployment createDeployment(
      ScriptRef script, Credential credential, DeploymentRequest request, boolean force) {
    String body = createBody(request);
    JsonNode result =
        send(
            CloudflareOperation.CREATE_DEPLOYMENT,
            script,
            credential,
            "/deployments",
            force ? "force=true" : "",
            body);
    return read(result, CloudflareJson.DeploymentJson.class).toDomain();
  }

  @Override
  public Optional<Deployment> getDeployment(
      ScriptRef script, Credential credential, String deploymentId) {
    try {
      JsonNode result =
          send(
              CloudflareOperation.GET_DEPLOYMENT,
              script,
              credential,
              "/deployments/" + segment(deploymentId),
              "",
              null);
      return Optional.of(read(result, CloudflareJson.DeploymentJson.class).toDomain());
    } catch (CloudflareRejectedException e) {
      if (isMissingObject(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  @Override
  public void deleteDeployment(ScriptRef script, Credential credential, String deploymentId) {
    send(
        CloudflareOperation.DELETE_DEPLOYMENT,
        script,
        credential,
        "/deployments/" + segment(deploymentId),
        "",
        null);
  }

  /**
   * {@inheritDoc}
   *
   * <p>Pages hold {@value #VERSIONS_PER_PAGE} versions. Listing stops at an empty page, and also at
   * a page that adds no version not seen before: Cloudflare documents that {@code deployable=true}
   * ignores pagination, so its page 2 repeats page 1 instead of being empty.
   */
  @Override
  public List<WorkerVersion> listVersions(ScriptRef script, Credential credential) {
    List<WorkerVersion> versions = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int page = 1; page <= MAX_VERSION_PAGES; page++) {
      JsonNode result =
          send(
              CloudflareOperation.LIST_VERSIONS,
              script,
              credential,
              "/versions",
              "deployable=true&page=" + page + "&per_page=" + VERSIONS_PER_PAGE,
              null);
      List<CloudflareJson.VersionJson> items =
          read(result, CloudflareJson.VersionsJson.class).items();
      boolean added = false;
      for (CloudflareJson.VersionJson item : items) {
        if (seen.add(item.id())) {
          versions.add(item.toDomain());
          added = true;
        }
      }
      if (!added) {
        return versions;
      }
    }
    LOG.warnf(
        "Listing versions of %s stopped after %d pages of %d",
        script, MAX_VERSION_PAGES, VERSIONS_PER_PAGE);
    return versions;
  }

  /**
   * {@inheritDoc}
   *
   * <p>Asks for {@value #VERSIONS_PER_PAGE} per page as well, so that a server that does page the
   * answer still returns every deployable version in this one call.
   */
  @Override
  public List<WorkerVersion> deployableVersions(ScriptRef script, Credential credential) {
    JsonNode result =
        send(
            CloudflareOperation.LIST_VERSIONS,
            script,
            credential,
            "/versions",
            "deployable=true&per_page=" + VERSIONS_PER_PAGE,
            null);
    List<CloudflareJson.VersionJson> items =
        read(result, CloudflareJson.VersionsJson.class).items();
    return items == null
        ? List.of()
        : items.stream().map(CloudflareJson.VersionJson::toDomain).toList();
  }

  @Override
  public Optional<WorkerVersion> getVersion(
      ScriptRef script, Credential credential, String versionId) {
    try {
      JsonNode result =
          send(
              CloudflareOperation.GET_VERSION,
              script,
              credential,
              "/versions/" + segment(versionId),
              "",
              null);
      return Optional.of(read(result, CloudflareJson.VersionJson.class).toDomain());
    } catch (CloudflareRejectedException e) {
      if (isMissingObject(e)) {
        return Optional.empty();
      }
      throw e;
    }
  }

  /** The create body; {@code workers/triggered_by} is server-set and never sent. */
  private String createBody(DeploymentRequest request) {
    ObjectNode body = json.createObjectNode();
    body.put("strategy", "percentage");
    ArrayNode versions = body.putArray("versions");
    for (DeploymentVersion v : request.versions()) {
      versions.addObject().put("version_id", v.versionId()).put("percentage", v.percentage());
    }
    if (request.message() != null && !request.message().isEmpty()) {
      body.putObject("annotations")
          .put(
              CloudflareJson.MESSAGE_ANNOTATION,
              Utf8.truncate(request.message(), DeploymentRequest.MAX_MESSAGE_BYTES));
    }
    try {
      return json.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("A tree of strings and numbers always serializes", e);
    }
  }

  /**
   * Sends one request and returns the envelope's {@code result} (null when absent), or throws the
   * mapped failure.
   */
  private JsonNode send(
      CloudflareOperation operation,
      ScriptRef script,
      Credential credential,
      String subPath,
      String query,
      String body) {
    return send(
        operation,
        script,
        credential,
        subPath,
        query,
        body,
        operation == CloudflareOperation.CREATE_DEPLOYMENT
            ? CredentialRateLimiter.Use.CREATE
            : CredentialRateLimiter.Use.READ,
        null);
  }

  private JsonNode send(
      CloudflareOperation operation,
      ScriptRef script,
      Credential credential,
      String subPath,
      String query,
      String body,
      CredentialRateLimiter.Use use,
      String waiter) {
    String path =
        "/accounts/"
            + segment(script.accountId())
            + "/workers/scripts/"
            + segment(script.scriptName())
            + subPath;
    String target = query.isEmpty() ? path : path + "?" + query;
    CloudflareTransport.Call call =
        new CloudflareTransport.Call(operation, credential, target, body);
    CloudflareTransport.Answer answer = transport.send(call, use, waiter);
    int status = answer.status();

    JsonNode envelope = parse(answer.body());
    boolean ok = answer.ok();
    if (ok && envelope == null && operation == CloudflareOperation.DELETE_DEPLOYMENT) {
      transport.succeeded(operation);
      return null;
    }
    if (ok && envelope == null) {
      throw transport.count(
          operation, unreadableAnswer(operation, target, status, "with a body that is not JSON"));
    }
    boolean failed =
        envelope != null
            && envelope.path("success").isBoolean()
            && !envelope.get("success").booleanValue();
    if (ok && !failed) {
      Optional<String> problem = CloudflareSchema.problem(operation, envelope);
      if (problem.isPresent()) {
        LOG.debugf(
            "%s %s -> %d with an answer that breaks Cloudflare's schema: %s",
            operation.method(), target, status, problem.get());
        throw transport.count(
            operation,
            unreadableAnswer(
                operation,
                target,
                status,
                "with an answer that breaks Cloudflare's schema (" + problem.get() + ")"));
      }
      transport.succeeded(operation);
      return envelope.get("result");
    }
    throw transport.failed(call, answer, errorsOf(envelope));
  }

  /** A 2xx the client cannot read: the call may have worked, so the outcome is unknown. */
  private static CloudflareTransientException unreadableAnswer(
      CloudflareOperation operation, String target, int status, String what) {
    return new CloudflareTransientException(
        status,
        List.of(),
        "Cloudflare answered "
            + operation.method()
            + " "
            + target
            + " (HTTP "
            + status
            + ") "
            + what,
        null);
  }

  private JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      JsonNode node = json.readTree(body);
      return node != null && node.isObject() ? node : null;
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static List<CloudflareError> errorsOf(JsonNode envelope) {
    if (envelope == null || !envelope.path("errors").isArray()) {
      return List.of();
    }
    List<CloudflareError> found = new ArrayList<>();
    for (JsonNode error : envelope.get("errors")) {
      if (error.isObject()) {
        found.add(
            new CloudflareError(error.path("code").asInt(0), error.path("message").asText("")));
      }
    }
    return found;
  }

  private <T> T read(JsonNode result, Class<T> type) {
    try {
      return json.treeToValue(result, type);
    } catch (JsonProcessingException | IllegalArgumentException e) {
      // The call succeeded on Cloudflare's side; only its answer is unreadable.
      throw new CloudflareTransientException(
          200,
          List.of(),
          "Cloudflare's answer does not have the expected shape ("
              + type.getSimpleName()
              + "): "
              + e.getClass().getSimpleName(),
          e);
    }
  }

  private static boolean isMissingObject(CloudflareRejectedException e) {
    return e.httpStatus() == 404
        && (e.rejection() == Rejection.NOT_FOUND || e.rejection() == Rejection.VERSION_NOT_FOUND);
  }

  private static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
