package io.cfworkers.operator.support.cloudflare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.cfworkers.operator.cloudflare.Credential;
import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.cloudflare.WorkerVersion;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * A stateful, in-process stand-in for the Cloudflare Workers deployments API, served over HTTP on
 * 127.0.0.1. Test support only.
 *
 * <p>It serves, under {@link #baseUrl()}{@code /accounts/{account}/workers/scripts/{script}}:
 * {@code GET|POST deployments}, {@code GET|DELETE deployments/{id}}, {@code GET versions} (paged,
 * {@code page}/{@code per_page}, newest first, an empty page past the last; {@code deployable=true}
 * keeps the 100 most recent, all in one answer when no page is asked for, as {@code wrangler
 * versions deploy --version-tag} asks) and {@code GET versions/{id}}, with Cloudflare's envelope.
 * Versions carry their tag ({@link VersionSeed#withTag}) as annotation {@code workers/tag}. Every
 * error it answers is one of {@link FakeError}.
 *
 * <p>Every answer carries every field Cloudflare's official schema marks required: the envelope's
 * {@code success}, {@code errors}, {@code messages} and {@code result} ({@code result} may be
 * omitted only by a delete; the fake sends it as null); a deployment's {@code id}, {@code source},
 * {@code strategy}, {@code created_on} and {@code versions[].version_id/percentage}; a version's
 * detail {@code resources} with {@code bindings}, {@code script{etag, handlers,
 * last_deployed_from}} and {@code script_runtime{compatibility_date, compatibility_flags,
 * usage_model, limits}}; each error's {@code code} and {@code message}. Timestamps are ISO-8601 to
 * the microsecond, as Cloudflare's. That is what lets wrangler ({@code deployments list|status},
 * {@code versions list|view|deploy}, {@code rollback}) run against the fake.
 *
 * <p>Order of checks for each request: route; credential present ({@code 401/10000}); credential
 * known ({@code 403/9106}); rate limit of that credential ({@code 429/971}, when enabled);
 * credential bound to the account ({@code 403/10000}); then the endpoint. Creating a deployment
 * then checks, in order: JSON well-formed, {@code strategy}, 1–2 versions, UUIDs, distinct, each
 * percentage in [0.01, 100], sum 100 ±0.001 (all {@code 400/10021}); script exists ({@code
 * 404/10007}); each version among the script's 100 most recent ({@code 404/10224}); secrets
 * unchanged unless {@code force=true} ({@code 400/10220}). Unknown JSON fields are accepted.
 *
 * <p>Secrets: each script has named secrets with revision counters ({@link #changeSecret}). A
 * version remembers the revisions current when it was created, and is brought up to date whenever
 * it is part of the deployment serving traffic (when that deployment is made, and when a secret
 * changes while it serves). Deploying a version whose remembered revisions differ from the current
 * ones is refused with 10220 unless {@code force=true}: rolling back across a secret change needs
 * force, redeploying a serving version or one created after the change does not.
 *
 * <p>Every request, whatever its outcome, is recorded in {@link #requests()} in arrival order with
 * the credential's {@link Credential#id()} (never the secret) and its final status. Seeding methods
 * ({@link #seedDeployment} and the like) change state without being recorded.
 *
 * <p>Thread-safe: state changes are serialized on one lock; latency and fault delays are served
 * outside it, so slow answers do not hold up other requests.
 */
public final class FakeCloudflare implements AutoCloseable {

  /** The path prefix of the v4 API, as in {@code https://api.cloudflare.com/client/v4}. */
  public static final String API_PREFIX = "/client/v4";

  /** A deployment may only use one of the script's this-many most recent versions. */
  public static final int DEPLOYABLE_VERSIONS = 100;

  /** Cloudflare keeps at most this many bytes of {@code workers/message}. */
  public static final int MAX_MESSAGE_BYTES = 100;

  static final int DEFAULT_PER_PAGE = 10;
  static final int MAX_PER_PAGE = 100;
  private static final BigDecimal HUNDRED = BigDecimal.valueOf(100);
  private static final BigDecimal MIN_PERCENTAGE = new BigDecimal("0.01");
  private static final BigDecimal SUM_TOLERANCE = new BigDecimal("0.001");
  private static final Pattern UUID_PATTERN =
      Pattern.compile(
          "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
  private static final Logger LOG = Logger.getLogger(FakeCloudflare.class.getName());
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final HttpServer server;
  private final ExecutorService executor;
  private volatile boolean closed;

  private final Object lock = new Object();
  // Everything below is guarded by lock.
  private final Set<String> accounts = new HashSet<>();
  private final Map<String, Principal> tokens = new HashMap<>();
  private final Map<String, ApiKeyHolder> apiKeys = new HashMap<>();
  private final Map<ScriptKey, Script> scripts = new HashMap<>();
  private final List<ArmedFault> faults = new ArrayList<>();
  private final Map<String, Bucket> buckets = new HashMap<>();
  private RateLimit rateLimit;
  private Duration latency = Duration.ZERO;
  private boolean deployableIgnoresPagination;
  private long versionSequence;

  // Guarded by itself.
  private final List<LogEntry> log = new ArrayList<>();

  private FakeCloudflare(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /** Starts a fake on 127.0.0.1 on a free ephemeral port. */
  public static FakeCloudflare start() {
    return start(0);
  }

  /** Starts a fake on 127.0.0.1 on {@code port}; 0 picks a free port. */
  public static FakeCloudflare start(int port) {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
      ExecutorService executor = Executors.newCachedThreadPool(daemonThreads());
      FakeCloudflare fake = new FakeCloudflare(server, executor);
      server.createContext("/", fake::handle);
      server.setExecutor(executor);
      server.start();
      return fake;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the fake Cloudflare API on port " + port, e);
    }
  }

  /** The API base URL, e.g. {@code http://127.0.0.1:41234/client/v4}. */
  public String baseUrl() {
    return "http://127.0.0.1:" + port() + API_PREFIX;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Stops the server; requests in flight are cut off. Idempotent. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    server.stop(0);
    executor.shutdownNow();
  }

  // ---------------------------------------------------------------- accounts and credentials

  public void addAccount(String accountId) {
    synchronized (lock) {
      accounts.add(accountId);
    }
  }

  /**
   * Accepts {@code token} for the given accounts (which are created if needed). Deployments made
   * with it have {@code author_email} {@code email}.
   */
  public void addToken(String token, String email, String... accountIds) {
    synchronized (lock) {
      accounts.addAll(Arrays.asList(accountIds));
      tokens.put(token, new Principal(email, Set.of(accountIds)));
    }
  }

  /** Accepts the pair {@code email} + global API {@code key} for the given accounts. */
  public void addApiKey(String email, String key, String... accountIds) {
    synchronized (lock) {
      accounts.addAll(Arrays.asList(accountIds));
      apiKeys.put(email, new ApiKeyHolder(key, new Principal(email, Set.of(accountIds))));
    }
  }

  /** Revokes a token: later requests with it get 403/9106. */
  public void removeToken(String token) {
    synchronized (lock) {
      tokens.remove(token);
    }
  }

  // ---------------------------------------------------------------- scripts, versions, secrets

  /** Creates an empty script (no versions, no deployments); creates the account if needed. */
  public void addScript(String accountId, String scriptName) {
    synchronized (lock) {
      accounts.add(accountId);
      scripts.computeIfAbsent(new ScriptKey(accountId, scriptName), k -> new Script());
    }
  }

  /** Uploads a version with a random id, the next number, created now; returns its id. */
  public String addVersion(String accountId, String scriptName) {
    return addVersion(accountId, scriptName, VersionSeed.defaults());
  }

  /**
   * Uploads a version as {@code seed} describes (creating the script if needed); returns its id.
   * The version has seen the script's current secrets.
   */
  public String addVersion(String accountId, String scriptName, VersionSeed seed) {
    synchronized (lock) {
      addScript(accountId, scriptName);
      Script script = scripts.get(new ScriptKey(accountId, scriptName));
      String id = seed.id() != null ? seed.id() : UUID.randomUUID().toString();
      if (script.versions.containsKey(id)) {
        throw new IllegalArgumentException("version " + id + " exists already");
      }
      int number = seed.number() != null ? seed.number() : script.nextNumber();
      // Cloudflare keeps times to the microsecond.
      Instant createdOn =
          seed.createdOn() != null ? seed.createdOn().truncatedTo(ChronoUnit.MICROS) : now();
      WorkerVersion version =
          new WorkerVersion(
              id, number, seed.authorEmail(), createdOn, seed.source(), seed.message(), seed.tag());
      script.versions.put(
          id, new VersionState(version, ++versionSequence, new HashMap<>(script.secrets)));
      return id;
    }
  }

  /**
   * Changes a secret of the script (creating it if new), which bumps its revision. The versions of
   * the deployment serving traffic see the new value; every other version now needs {@code
   * force=true} to be deployed.
   */
  public void changeSecret(String accountId, String scriptName, String secretName) {
    synchronized (lock) {
      Script script = requireScript(accountId, scriptName);
      script.secrets.merge(secretName, 1, Integer::sum);
      script.live().ifPresent(live -> script.refreshSecrets(live.versions()));
    }
  }

  /** The script's versions, newest first. */
  public List<WorkerVersion> versions(String accountId, String scriptName) {
    synchronized (lock) {
      return requireScript(accountId, scriptName).versionsNewestFirst().stream()
          .map(VersionState::version)
          .toList();
    }
  }

  // ---------------------------------------------------------------- deployments

  /**
   * Adds a deployment as if another tool (wrangler, the dashboard) had made it: it serves traffic
   * at once, is not recorded as a request and skips validation except that the script and the
   * versions must exist.
   */
  public Deployment seedDeployment(
      String accountId,
      String scriptName,
      List<DeploymentVersion> split,
      String source,
      String authorEmail,
      String message) {
    synchronized (lock) {
      Script script = requireScript(accountId, scriptName);
      for (DeploymentVersion v : split) {
        if (!script.versions.containsKey(v.versionId())) {
          throw new IllegalArgumentException(
              "no version " + v.versionId() + " in " + accountId + "/" + scriptName);
        }
      }
      Deployment deployment =
          new Deployment(
              UUID.randomUUID().toString(),
              now(),
              source,
              "percentage",
              split,
              message,
              "deployment",
              authorEmail);
      script.deploy(deployment);
      return deployment;
    }
  }

  /** The script's deployments, newest first (the first serves traffic). */
  public List<Deployment> deployments(String accountId, String scriptName) {
    synchronized (lock) {
      return List.copyOf(requireScript(accountId, scriptName).deployments);
    }
  }

  /** The deployment serving traffic, or empty when the script has none. */
  public Optional<Deployment> liveDeployment(String accountId, String scriptName) {
    synchronized (lock) {
      return requireScript(accountId, scriptName).live();
    }
  }

  // ---------------------------------------------------------------- request log

  /** Every request received, in arrival order. A snapshot; safe to call while serving. */
  public List<RecordedRequest> requests() {
    synchronized (log) {
      return log.stream().map(LogEntry::toRecord).toList();
    }
  }

  /** How many requests with this method had a path ending with {@code pathSuffix}. */
  public long count(String method, String pathSuffix) {
    synchronized (log) {
      return log.stream()
          .filter(e -> e.method.equalsIgnoreCase(method) && e.path.endsWith(pathSuffix))
          .count();
    }
  }

  public void clearRequests() {
    synchronized (log) {
      log.clear();
    }
  }

  // ---------------------------------------------------------------- faults, latency, rate limit

  /** Arms a fault; faults are checked in injection order and the first matching one fires. */
  public void inject(Fault fault) {
    synchronized (lock) {
      faults.add(new ArmedFault(fault));
    }
  }

  public void clearFaults() {
    synchronized (lock) {
      faults.clear();
    }
  }

  /** Waits {@code latency} before serving each request (ZERO by default). */
  public void setLatency(Duration latency) {
    synchronized (lock) {
      this.latency = latency;
    }
  }

  /**
   * Allows each credential {@code requests} requests per sliding {@code window}. The request over
   * the limit, and every request with that credential for {@code blockFor} after it, gets 429 with
   * code 971 and {@code retry-after}; when the block ends the credential starts a fresh window.
   * Only authenticated credentials are counted; other credentials are unaffected.
   */
  public void rateLimit(int requests, Duration window, Duration blockFor) {
    if (requests < 1 || window.isNegative() || window.isZero() || blockFor.isNegative()) {
      throw new IllegalArgumentException("rate limit needs requests >= 1 and a positive window");
    }
    synchronized (lock) {
      rateLimit = new RateLimit(requests, window.toNanos(), blockFor.toNanos());
      buckets.clear();
    }
  }

  public void disableRateLimit() {
    synchronized (lock) {
      rateLimit = null;
      buckets.clear();
    }
  }

  /**
   * With {@code true}, {@code GET versions?deployable=true} answers every deployable version on
   * every page, as Cloudflare's schema says it does ("Ignores pagination."), so a client that pages
   * until an empty page never sees one. Off by default: pages then end with an empty one.
   */
  public void setDeployableIgnoresPagination(boolean ignores) {
    synchronized (lock) {
      deployableIgnoresPagination = ignores;
    }
  }

  /** Back to empty: no accounts, credentials, scripts, requests, faults, latency or rate limit. */
  public void reset() {
    synchronized (lock) {
      accounts.clear();
      tokens.clear();
      apiKeys.clear();
      scripts.clear();
      faults.clear();
      buckets.clear();
      rateLimit = null;
      latency = Duration.ZERO;
      deployableIgnoresPagination = false;
    }
    clearRequests();
  }

  // ---------------------------------------------------------------- HTTP

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      serve(exchange);
    }
  }

  private void serve(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod().toUpperCase(Locale.ROOT);
    String path = exchange.getRequestURI().getRawPath();
    String query = exchange.getRequestURI().getRawQuery();
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    Presented presented = Presented.from(exchange.getRequestHeaders());
    LogEntry entry = new LogEntry(method, path, query, presented.credentialId(), body);
    synchronized (log) {
      log.add(entry);
    }

    Duration wait;
    synchronized (lock) {
      wait = latency;
    }
    sleep(wait);

    Fault fault = takeFault(method, path);
    if (fault != null && fault.kind() == Fault.Kind.HOLD_BEFORE_APPLY) {
      sleep(fault.delay());
    }
    if (fault != null && fault.kind() == Fault.Kind.ROUND_PERCENTAGES) {
      body = roundPercentages(body, fault.decimals());
    }
    Reply reply;
    if (fault != null && fault.kind() == Fault.Kind.STATUS) {
      reply = injectedStatus(fault);
    } else if (fault != null && fault.kind() == Fault.Kind.STALL_BODY) {
      entry.status = 200;
      byte[] start =
          "{\"success\": true, \"errors\": [], \"messages\": [], \"result\": {"
              .getBytes(StandardCharsets.UTF_8);
      sendStalled(exchange, 200, Map.of(), start, start.length * 2L, fault.delay());
      return;
    } else {
      try {
        reply = process(method, path, query, body, presented);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "fake Cloudflare failed on " + method + " " + path, e);
        reply = Reply.error(500, FakeError.INTERNAL_ERROR, FakeError.INTERNAL_ERROR.message());
      }
    }

    if (fault != null && fault.kind() == Fault.Kind.DROP_AFTER_APPLY) {
      entry.status = 0;
      // Closing before sendResponseHeaders closes the TCP connection: the client gets no answer.
      exchange.close();
      return;
    }
    entry.status = reply.status();
    if (fault != null && fault.kind() == Fault.Kind.DELAY) {
      sleep(fault.delay());
    }
    if (fault != null && fault.kind() == Fault.Kind.STALL_BODY_AFTER_APPLY) {
      byte[] bytes = JSON.writeValueAsBytes(reply.body());
      byte[] half = Arrays.copyOf(bytes, bytes.length / 2);
      if (sendStalled(
          exchange, reply.status(), reply.headers(), half, bytes.length, fault.delay())) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes, half.length, bytes.length - half.length);
        }
      }
      return;
    }
    send(exchange, reply);
  }

  /**
   * Sends the status, headers announcing {@code length} bytes, and {@code start}; then waits {@code
   * stall}. Returns false when the wait was cut short by {@link #close()}.
   */
  private static boolean sendStalled(
      HttpExchange exchange,
      int status,
      Map<String, String> extraHeaders,
      byte[] start,
      long length,
      Duration stall)
      throws IOException {
    Headers headers = exchange.getResponseHeaders();
    headers.set("Content-Type", "application/json");
    extraHeaders.forEach(headers::set);
    exchange.sendResponseHeaders(status, length);
    OutputStream out = exchange.getResponseBody();
    out.write(start);
    out.flush();
    sleep(stall);
    return !Thread.currentThread().isInterrupted();
  }

  private static void send(HttpExchange exchange, Reply reply) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(reply.body());
    Headers headers = exchange.getResponseHeaders();
    headers.set("Content-Type", "application/json");
    reply.headers().forEach(headers::set);
    exchange.sendResponseHeaders(reply.status(), bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** The body with every {@code versions[].percentage} rounded; unparsable bodies unchanged. */
  private static String roundPercentages(String body, int decimals) {
    try {
      JsonNode root = JSON.readTree(body);
      JsonNode versions = root.path("versions");
      for (JsonNode v : versions) {
        if (v instanceof com.fasterxml.jackson.databind.node.ObjectNode o
            && o.path("percentage").isNumber()) {
          o.put(
              "percentage",
              o.get("percentage")
                  .decimalValue()
                  .setScale(decimals, java.math.RoundingMode.HALF_EVEN)
                  .doubleValue());
        }
      }
      return JSON.writeValueAsString(root);
    } catch (IOException e) {
      return body;
    }
  }

  private Fault takeFault(String method, String path) {
    synchronized (lock) {
      for (Iterator<ArmedFault> it = faults.iterator(); it.hasNext(); ) {
        ArmedFault armed = it.next();
        if (armed.fault.matches(method, path)) {
          if (--armed.remaining <= 0) {
            it.remove();
          }
          return armed.fault;
        }
      }
      return null;
    }
  }

  private static Reply injectedStatus(Fault fault) {
    int status = fault.httpStatus();
    if (status == 429) {
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("retry-after", Long.toString(ceilSeconds(fault.retryAfterDuration().toNanos())));
      return Reply.error(status, FakeError.RATE_LIMITED, FakeError.RATE_LIMITED.message())
          .withHeaders(headers);
    }
    if (status >= 500) {
      return Reply.error(status, FakeError.INTERNAL_ERROR, FakeError.INTERNAL_ERROR.message());
    }
    return Reply.error(
        status, FakeError.INJECTED_CLIENT_ERROR, FakeError.INJECTED_CLIENT_ERROR.message(status));
  }

  private Reply process(
      String method, String path, String query, String body, Presented presented) {
    Route route = Route.parse(path);
    if (route == null) {
      return Reply.error(FakeError.NO_ROUTE);
    }
    if (!route.kind.methods.contains(method)) {
      return Reply.error(FakeError.METHOD_NOT_ALLOWED);
    }
    Map<String, String> params = parseQuery(query);
    synchronized (lock) {
      if (presented.credential() == null) {
        return Reply.error(FakeError.AUTHENTICATION_REQUIRED);
      }
      Principal principal = authenticate(presented.credential());
      if (principal == null) {
        return Reply.error(FakeError.AUTHENTICATION_FAILED);
      }
      Map<String, String> rateHeaders = new LinkedHashMap<>();
      Reply limited = chargeRateLimit(presented.credentialId(), rateHeaders);
      if (limited != null) {
        return limited;
      }
      if (!principal.accounts().contains(route.account)) {
        return Reply.error(FakeError.ACCOUNT_NOT_AUTHORIZED).withHeaders(rateHeaders);
      }
      Reply reply =
          switch (route.kind) {
            case DEPLOYMENTS ->
                method.equals("POST")
                    ? createDeployment(route, params, body, principal)
                    : listDeployments(route);
            case DEPLOYMENT ->
                method.equals("DELETE") ? deleteDeployment(route) : getDeployment(route);
            case VERSIONS -> listVersions(route, params);
            case VERSION -> getVersion(route);
          };
      return reply.withHeaders(rateHeaders);
    }
  }

  private Principal authenticate(Credential credential) {
    if (credential instanceof Credential.ApiToken token) {
      return tokens.get(token.token());
    }
    Credential.ApiKey key = (Credential.ApiKey) credential;
    ApiKeyHolder holder = apiKeys.get(key.email());
    return holder != null && holder.key().equals(key.key()) ? holder.principal() : null;
  }

  /** Charges one request to the credential; returns the 429 reply when it is over its budget. */
  private Reply chargeRateLimit(String credentialId, Map<String, String> headers) {
    if (rateLimit == null) {
      return null;
    }
    long now = System.nanoTime();
    Bucket bucket = buckets.computeIfAbsent(credentialId, id -> new Bucket());
    if (bucket.blockedUntil != 0 && now - bucket.blockedUntil >= 0) {
      bucket.blockedUntil = 0;
      bucket.accepted.clear();
    }
    if (bucket.blockedUntil == 0) {
      while (!bucket.accepted.isEmpty() && now - bucket.accepted.peekFirst() >= rateLimit.window) {
        bucket.accepted.pollFirst();
      }
      if (bucket.accepted.size() < rateLimit.requests) {
        bucket.accepted.addLast(now);
        long reset = bucket.accepted.peekFirst() + rateLimit.window - now;
        headers.put(
            "Ratelimit",
            "\"default\";r="
                + (rateLimit.requests - bucket.accepted.size())
                + ";t="
                + ceilSeconds(reset));
        headers.put("Ratelimit-Policy", rateLimit.policy());
        return null;
      }
      bucket.blockedUntil = now + Math.max(rateLimit.blockFor, 1);
    }
    long remaining = bucket.blockedUntil - now;
    Map<String, String> limited = new LinkedHashMap<>();
    limited.put("Ratelimit", "\"default\";r=0;t=" + ceilSeconds(remaining));
    limited.put("Ratelimit-Policy", rateLimit.policy());
    limited.put("retry-after", Long.toString(ceilSeconds(remaining)));
    return Reply.error(FakeError.RATE_LIMITED).withHeaders(limited);
  }

  // ---------------------------------------------------------------- endpoints (lock held)

  private Reply listDeployments(Route route) {
    Script script = scripts.get(route.scriptKey());
    if (script == null) {
      return Reply.error(FakeError.SCRIPT_NOT_FOUND);
    }
    ObjectNode result = JSON.createObjectNode();
    ArrayNode items = result.putArray("deployments");
    script.deployments.forEach(d -> items.add(deploymentJson(d)));
    return Reply.ok(result);
  }

  private Reply getDeployment(Route route) {
    Script script = scripts.get(route.scriptKey());
    if (script == null) {
      return Reply.error(FakeError.SCRIPT_NOT_FOUND);
    }
    return script
        .deployment(route.id)
        .map(d -> Reply.ok(deploymentJson(d)))
        .orElseGet(() -> Reply.error(FakeError.DEPLOYMENT_NOT_FOUND));
  }

  private Reply deleteDeployment(Route route) {
    Script script = scripts.get(route.scriptKey());
    if (script == null) {
      return Reply.error(FakeError.SCRIPT_NOT_FOUND);
    }
    Optional<Deployment> deployment = script.deployment(route.id);
    if (deployment.isEmpty()) {
      return Reply.error(FakeError.DEPLOYMENT_NOT_FOUND);
    }
    if (script.deployments.get(0) == deployment.get()) {
      return Reply.error(FakeError.ACTIVE_DEPLOYMENT_NOT_DELETABLE);
    }
    script.deployments.remove(deployment.get());
    return Reply.ok(null);
  }

  private Reply listVersions(Route route, Map<String, String> query) {
    Script script = scripts.get(route.scriptKey());
    if (script == null) {
      return Reply.error(FakeError.SCRIPT_NOT_FOUND);
    }
    int page;
    int perPage;
    try {
      page = positiveInt(query, "page", 1, Integer.MAX_VALUE);
      perPage = positiveInt(query, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE);
    } catch (IllegalArgumentException e) {
      return Reply.invalid(e.getMessage());
    }
    List<VersionState> all = script.versionsNewestFirst();
    if ("true".equalsIgnoreCase(query.get("deployable"))) {
      all = all.subList(0, Math.min(all.size(), DEPLOYABLE_VERSIONS));
      boolean unpaged = !query.containsKey("page") && !query.containsKey("per_page");
      if (deployableIgnoresPagination || unpaged) {
        page = 1;
        perPage = Math.max(1, all.size());
      }
    }
    long from = (long) (page - 1) * perPage;
    List<VersionState> slice =
        from >= all.size()
            ? List.of()
            : all.subList((int) from, (int) Math.min(all.size(), from + perPage));
    ObjectNode result = JSON.createObjectNode();
    ArrayNode items = result.putArray("items");
    slice.forEach(v -> items.add(versionJson(v.version())));
    ObjectNode info = JSON.createObjectNode();
    info.put("page", page);
    info.put("per_page", perPage);
    info.put("count", slice.size());
    info.put("total_count", all.size());
    info.put("total_pages", (all.size() + perPage - 1) / perPage);
    return Reply.ok(result).withResultInfo(info);
  }

  private Reply getVersion(Route route) {
    Script script = scripts.get(route.scriptKey());
    if (script == null) {
      return Reply.error(FakeError.SCRIPT_NOT_FOUND);
    }
    VersionState version = script.versions.get(route.id);
    if (version == null) {
      return Reply.error(
          FakeError.VERSION_NOT_DEPLOYABLE,
          FakeError.VERSION_NOT_DEPLOYABLE.message(route.id, route.script));
    }
    return Reply.ok(versionDetailJson(version, script.secrets.keySet()));
  }

  private Reply createDeployment(
      Route route, Map<String, String> query, String body, Principal principal) {
    JsonNode root;
    try {
      root = JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return Reply.invalid("request body: malformed JSON");
    }
    if (root == null || root.isMissingNode()) {
      return Reply.invalid("request body: malformed JSON");
    }
    if (!root.isObject()) {
      return Reply.invalid("request body: must be a JSON object");
    }
    JsonNode strategy = root.get("strategy");
    if (strategy == null || !"percentage".equals(strategy.textValue())) {
      return Reply.invalid("strategy: must be \"percentage\"");
    }
    JsonNode versions = root.get("versions");
    if (versions == null || !versions.isArray() || versions.size() < 1 || versions.size() > 2) {
      return Reply.invalid("versions: must have 1 or 2 entries");
    }
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < versions.size(); i++) {
      JsonNode entry = versions.get(i);
      JsonNode id = entry.isObject() ? entry.get("version_id") : null;
      if (id == null || !id.isTextual() || !UUID_PATTERN.matcher(id.textValue()).matches()) {
        return Reply.invalid("versions[" + i + "].version_id: must be a UUID");
      }
      ids.add(id.textValue());
    }
    for (int i = 1; i < ids.size(); i++) {
      if (ids.subList(0, i).stream().anyMatch(ids.get(i)::equalsIgnoreCase)) {
        return Reply.invalid("versions[" + i + "].version_id: must differ from the other versions");
      }
    }
    BigDecimal sum = BigDecimal.ZERO;
    List<DeploymentVersion> split = new ArrayList<>();
    for (int i = 0; i < versions.size(); i++) {
      JsonNode percentage = versions.get(i).get("percentage");
      if (percentage == null || !percentage.isNumber()) {
        return Reply.invalid("versions[" + i + "].percentage: must be a number");
      }
      BigDecimal value = percentage.decimalValue();
      if (value.compareTo(MIN_PERCENTAGE) < 0 || value.compareTo(HUNDRED) > 0) {
        return Reply.invalid("versions[" + i + "].percentage: must be between 0.01 and 100");
      }
      sum = sum.add(value);
      split.add(new DeploymentVersion(ids.get(i), percentage.doubleValue()));
    }
    if (sum.subtract(HUNDRED).abs().compareTo(SUM_TOLERANCE) > 0) {
      return Reply.invalid(
          "versions: percentages must sum to 100 (±0.001), got " + sum.toPlainString());
    }
    String message = null;
    JsonNode annotations = root.get("annotations");
    if (annotations != null && !annotations.isNull()) {
      if (!annotations.isObject()) {
        return Reply.invalid("annotations: must be an object");
      }
      JsonNode text = annotations.get("workers/message");
      if (text != null && !text.isNull()) {
        if (!text.isTextual()) {
          return Reply.invalid("annotations.workers/message: must be a string");
        }
        message = truncateUtf8(text.textValue(), MAX_MESSAGE_BYTES);
      }
      // workers/triggered_by is server-set: whatever the client sent is ignored.
    }

    Script script = scripts.get(route.scriptKey());
    if (script == null) {
      return Reply.error(FakeError.SCRIPT_NOT_FOUND);
    }
    Set<String> deployable =
        new HashSet<>(
            script.versionsNewestFirst().stream()
                .limit(DEPLOYABLE_VERSIONS)
                .map(v -> v.version().id())
                .toList());
    for (String id : ids) {
      if (!deployable.contains(id)) {
        return Reply.error(
            FakeError.VERSION_NOT_DEPLOYABLE,
            FakeError.VERSION_NOT_DEPLOYABLE.message(id, route.script));
      }
    }
    boolean force = "true".equalsIgnoreCase(query.get("force"));
    if (!force) {
      Set<String> changed = new TreeSet<>();
      for (String id : ids) {
        changed.addAll(script.changedSecrets(script.versions.get(id)));
      }
      if (!changed.isEmpty()) {
        return Reply.error(
            FakeError.SECRET_CHANGED, FakeError.SECRET_CHANGED.message(String.join(", ", changed)));
      }
    }
    Deployment deployment =
        new Deployment(
            UUID.randomUUID().toString(),
            now(),
            "api",
            "percentage",
            split,
            message,
            "deployment",
            principal.email());
    script.deploy(deployment);
    return Reply.ok(deploymentJson(deployment));
  }

  // ---------------------------------------------------------------- JSON

  private static ObjectNode deploymentJson(Deployment d) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", d.id());
    node.put("created_on", timestamp(d.createdOn()));
    node.put("source", d.source());
    node.put("strategy", d.strategy());
    ArrayNode versions = node.putArray("versions");
    for (DeploymentVersion v : d.versions()) {
      versions.addObject().put("version_id", v.versionId()).put("percentage", v.percentage());
    }
    ObjectNode annotations = node.putObject("annotations");
    if (d.message() != null) {
      annotations.put("workers/message", d.message());
    }
    if (d.triggeredBy() != null) {
      annotations.put("workers/triggered_by", d.triggeredBy());
    }
    if (d.authorEmail() != null) {
      node.put("author_email", d.authorEmail());
    }
    return node;
  }

  /** A version as the list shows it (Cloudflare's {@code version-item-short}). */
  private static ObjectNode versionJson(WorkerVersion v) {
    ObjectNode node = JSON.createObjectNode();
    node.put("id", v.id());
    node.put("number", v.number());
    ObjectNode metadata = node.putObject("metadata");
    if (v.authorEmail() != null) {
      metadata.put("author_email", v.authorEmail());
      metadata.put("author_id", hex(v.authorEmail()).substring(0, 32));
    }
    metadata.put("created_on", timestamp(v.createdOn()));
    metadata.put("modified_on", timestamp(v.createdOn()));
    metadata.put("hasPreview", false);
    if (v.source() != null) {
      metadata.put("source", v.source());
    }
    ObjectNode annotations = node.putObject("annotations");
    if (v.message() != null) {
      annotations.put("workers/message", v.message());
    }
    if (v.tag() != null) {
      annotations.put("workers/tag", v.tag());
    }
    annotations.put("workers/triggered_by", "upload");
    return node;
  }

  /**
   * A version's detail (Cloudflare's {@code version-item-full}): the list's fields plus {@code
   * resources}, which the schema requires and wrangler's {@code versions view} and {@code versions
   * deploy} read. The fake keeps no code or configuration, so the script is a plain {@code fetch}
   * handler with a stable etag, the runtime the defaults of a new Worker created that day, and the
   * bindings the script's secrets (as Cloudflare lists them: name and type, never the value).
   */
  private static ObjectNode versionDetailJson(VersionState state, Set<String> secretNames) {
    WorkerVersion v = state.version();
    ObjectNode node = versionJson(v);
    ObjectNode resources = node.putObject("resources");
    ArrayNode bindings = resources.putArray("bindings");
    new TreeSet<>(secretNames)
        .forEach(name -> bindings.addObject().put("name", name).put("type", "secret_text"));
    ObjectNode script = resources.putObject("script");
    script.put("etag", hex(v.id()));
    script.putArray("handlers").add("fetch");
    script.put("last_deployed_from", v.source() != null ? v.source() : "api");
    ObjectNode runtime = resources.putObject("script_runtime");
    runtime.put("compatibility_date", timestamp(v.createdOn()).substring(0, 10));
    runtime.putArray("compatibility_flags");
    runtime.put("usage_model", "standard");
    runtime.putObject("limits").put("cpu_ms", 30_000);
    return node;
  }

  /** The SHA-256 of {@code text} in lowercase hex. */
  private static String hex(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  private static ObjectNode envelope(boolean success, JsonNode result) {
    ObjectNode node = JSON.createObjectNode();
    node.put("success", success);
    node.putArray("errors");
    node.putArray("messages");
    node.set("result", result == null ? JSON.nullNode() : result);
    return node;
  }

  // ---------------------------------------------------------------- helpers

  private static final DateTimeFormatter TIMESTAMP =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  /** Now, to the microsecond, as Cloudflare's timestamps are. */
  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MICROS);
  }

  /**
   * As Cloudflare writes a time, e.g. {@code 2022-11-08T17:19:29.176266Z}: UTC and always six
   * fractional digits, so that timestamps sort as strings (wrangler sorts them so).
   */
  static String timestamp(Instant instant) {
    return TIMESTAMP.format(instant);
  }

  /** {@code s} cut to at most {@code maxBytes} bytes of UTF-8, never inside a character. */
  static String truncateUtf8(String s, int maxBytes) {
    int bytes = 0;
    int i = 0;
    while (i < s.length()) {
      int cp = s.codePointAt(i);
      int len = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
      if (bytes + len > maxBytes) {
        break;
      }
      bytes += len;
      i += Character.charCount(cp);
    }
    return s.substring(0, i);
  }

  private static long ceilSeconds(long nanos) {
    long second = Duration.ofSeconds(1).toNanos();
    return Math.max(0, (nanos + second - 1) / second);
  }

  private static int positiveInt(Map<String, String> query, String name, int dflt, int max) {
    String raw = query.get(name);
    if (raw == null || raw.isEmpty()) {
      return dflt;
    }
    try {
      int value = Integer.parseInt(raw);
      if (value >= 1 && value <= max) {
        return value;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(name + ": must be an integer between 1 and " + max);
  }

  private static Map<String, String> parseQuery(String rawQuery) {
    Map<String, String> params = new HashMap<>();
    if (rawQuery == null || rawQuery.isEmpty()) {
      return params;
    }
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String name = eq < 0 ? pair : pair.substring(0, eq);
      String value = eq < 0 ? "" : pair.substring(eq + 1);
      params.putIfAbsent(decode(name), decode(value));
    }
    return params;
  }

  private static String decode(String raw) {
    return URLDecoder.decode(raw, StandardCharsets.UTF_8);
  }

  private Script requireScript(String accountId, String scriptName) {
    Script script = scripts.get(new ScriptKey(accountId, scriptName));
    if (script == null) {
      throw new IllegalArgumentException("no script " + accountId + "/" + scriptName);
    }
    return script;
  }

  private static void sleep(Duration d) {
    if (d.isZero() || d.isNegative()) {
      return;
    }
    try {
      Thread.sleep(d.toMillis(), (int) (d.toNanos() % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "fake-cloudflare-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  // ---------------------------------------------------------------- state types

  private record ScriptKey(String account, String script) {}

  private record Principal(String email, Set<String> accounts) {}

  private record ApiKeyHolder(String key, Principal principal) {}

  private record VersionState(WorkerVersion version, long sequence, Map<String, Integer> seen) {}

  private static final class Script {
    final Map<String, VersionState> versions = new HashMap<>();
    final List<Deployment> deployments = new ArrayList<>(); // newest first
    final Map<String, Integer> secrets = new HashMap<>(); // name -> revision

    int nextNumber() {
      return versions.values().stream()
              .map(v -> v.version().number())
              .filter(n -> n != null)
              .mapToInt(Integer::intValue)
              .max()
              .orElse(0)
          + 1;
    }

    List<VersionState> versionsNewestFirst() {
      List<VersionState> sorted = new ArrayList<>(versions.values());
      sorted.sort(
          Comparator.comparing((VersionState v) -> v.version().createdOn())
              .thenComparing(v -> v.version().number(), Comparator.nullsFirst(Integer::compare))
              .thenComparingLong(VersionState::sequence)
              .reversed());
      return sorted;
    }

    Optional<Deployment> live() {
      return deployments.isEmpty() ? Optional.empty() : Optional.of(deployments.get(0));
    }

    Optional<Deployment> deployment(String id) {
      return deployments.stream().filter(d -> d.id().equals(id)).findFirst();
    }

    void deploy(Deployment deployment) {
      deployments.add(0, deployment);
      refreshSecrets(deployment.versions());
    }

    void refreshSecrets(List<DeploymentVersion> split) {
      for (DeploymentVersion v : split) {
        VersionState state = versions.get(v.versionId());
        if (state != null) {
          state.seen().clear();
          state.seen().putAll(secrets);
        }
      }
    }

    Set<String> changedSecrets(VersionState version) {
      Set<String> changed = new TreeSet<>();
      secrets.forEach(
          (name, revision) -> {
            if (!revision.equals(version.seen().getOrDefault(name, 0))) {
              changed.add(name);
            }
          });
      return changed;
    }
  }

  private static final class ArmedFault {
    final Fault fault;
    int remaining;

    ArmedFault(Fault fault) {
      this.fault = fault;
      this.remaining = fault.count();
    }
  }

  private record RateLimit(int requests, long window, long blockFor) {
    String policy() {
      return "\"default\";q=" + requests + ";w=" + ceilSeconds(window);
    }
  }

  private static final class Bucket {
    final Deque<Long> accepted = new ArrayDeque<>();
    long blockedUntil; // System.nanoTime(); 0 = not blocked
  }

  private static final class LogEntry {
    final String method;
    final String path;
    final String query;
    final String credentialId;
    final String body;
    final long receivedNanos = System.nanoTime();
    volatile int status;

    LogEntry(String method, String path, String query, String credentialId, String body) {
      this.method = method;
      this.path = path;
      this.query = query;
      this.credentialId = credentialId;
      this.body = body;
    }

    RecordedRequest toRecord() {
      return new RecordedRequest(method, path, query, credentialId, body, status, receivedNanos);
    }
  }

  /** The credential a request carried, if complete. */
  private record Presented(Credential credential) {
    static Presented from(Headers headers) {
      String authorization = headers.getFirst("Authorization");
      if (authorization != null) {
        String[] parts = authorization.trim().split("\\s+", 2);
        if (parts.length == 2 && parts[0].equalsIgnoreCase("Bearer") && !parts[1].isBlank()) {
          return new Presented(Credential.apiToken(parts[1].trim()));
        }
        return new Presented(null);
      }
      String email = headers.getFirst("X-Auth-Email");
      String key = headers.getFirst("X-Auth-Key");
      if (email != null && !email.isBlank() && key != null && !key.isBlank()) {
        return new Presented(Credential.apiKey(email.trim(), key.trim()));
      }
      return new Presented(null);
    }

    String credentialId() {
      return credential == null ? null : credential.id();
    }
  }

  private enum Endpoint {
    DEPLOYMENTS(Set.of("GET", "POST")),
    DEPLOYMENT(Set.of("GET", "DELETE")),
    VERSIONS(Set.of("GET")),
    VERSION(Set.of("GET"));

    final Set<String> methods;

    Endpoint(Set<String> methods) {
      this.methods = methods;
    }
  }

  /** {@code /client/v4/accounts/{a}/workers/scripts/{s}/(deployments|versions)[/{id}]}. */
  private record Route(Endpoint kind, String account, String script, String id) {
    static Route parse(String rawPath) {
      if (!rawPath.startsWith(API_PREFIX + "/")) {
        return null;
      }
      String[] s = rawPath.substring(API_PREFIX.length() + 1).split("/", -1);
      if (s.length < 6
          || s.length > 7
          || !s[0].equals("accounts")
          || !s[2].equals("workers")
          || !s[3].equals("scripts")
          || s[1].isEmpty()
          || s[4].isEmpty()) {
        return null;
      }
      String account = decodeSegment(s[1]);
      String script = decodeSegment(s[4]);
      String id = s.length == 7 ? decodeSegment(s[6]) : null;
      if (id != null && id.isEmpty()) {
        return null;
      }
      return switch (s[5]) {
        case "deployments" ->
            new Route(id == null ? Endpoint.DEPLOYMENTS : Endpoint.DEPLOYMENT, account, script, id);
        case "versions" ->
            new Route(id == null ? Endpoint.VERSIONS : Endpoint.VERSION, account, script, id);
        default -> null;
      };
    }

    private static String decodeSegment(String raw) {
      return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    ScriptKey scriptKey() {
      return new ScriptKey(account, script);
    }
  }

  /** An answer: status, extra headers, and the envelope. */
  private record Reply(int status, Map<String, String> headers, ObjectNode body) {
    static Reply ok(JsonNode result) {
      return new Reply(200, Map.of(), envelope(true, result));
    }

    static Reply error(FakeError error) {
      return error(error.httpStatus(), error, error.message());
    }

    static Reply error(FakeError error, String message) {
      return error(error.httpStatus(), error, message);
    }

    static Reply error(int status, FakeError error, String message) {
      ObjectNode body = envelope(false, null);
      ((ArrayNode) body.get("errors"))
          .addObject()
          .put("code", error.code())
          .put("message", message);
      return new Reply(status, Map.of(), body);
    }

    static Reply invalid(String message) {
      return error(FakeError.INVALID_REQUEST, FakeError.INVALID_REQUEST.message(message));
    }

    Reply withHeaders(Map<String, String> extra) {
      if (extra.isEmpty()) {
        return this;
      }
      Map<String, String> merged = new LinkedHashMap<>(headers);
      merged.putAll(extra);
      return new Reply(status, merged, body);
    }

    Reply withResultInfo(ObjectNode info) {
      body.set("result_info", info);
      return this;
    }
  }
}
