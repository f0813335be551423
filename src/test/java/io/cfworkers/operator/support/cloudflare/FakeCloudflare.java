package io.cfworkers.operator.support.cloudflare;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A stateful, in-process stand-in for the Cloudflare Workers deployments API and its GraphQL
 * Analytics, served over HTTP on 127.0.0.1. Test support only.
 *
 * <p>This class is the server front: routing, credentials, the REST rate limit, injected faults,
 * latency and the request log. The Workers state and its REST endpoints are {@link FakeWorkers};
 * {@code POST /client/v4/graphql} is {@link FakeAnalytics} (see {@link #analytics()}), which
 * answers from the Workers' deployment history. Time comes from the {@link Clock} the fake was
 * started with ({@link #start(Clock)}; the system clock by default): creation times, the rate
 * limit's windows and the analytics all follow it, so analysis scenarios run on simulated time.
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
 * <p>Order of checks for each REST request: route; credential present ({@code 401/10000});
 * credential known ({@code 403/9106}); rate limit of that credential ({@code 429/971}, when
 * enabled); credential bound to the account ({@code 403/10000}); then the endpoint. Creating a
 * deployment then checks, in order: JSON well-formed, {@code strategy}, 1–2 versions, UUIDs,
 * distinct, each percentage in [0.01, 100], sum 100 ±0.001 (all {@code 400/10021}); script exists
 * ({@code 404/10007}); each version among the script's 100 most recent ({@code 404/10224}); secrets
 * unchanged unless {@code force=true} ({@code 400/10220}). Unknown JSON fields are accepted. A
 * GraphQL query checks the credential the same way, is not charged to the REST rate limit, and goes
 * on to {@link FakeAnalytics} with its own budget.
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

  /** The GraphQL Analytics endpoint, below {@link #API_PREFIX}. */
  public static final String GRAPHQL_PATH = API_PREFIX + "/graphql";

  private static final Logger LOG = Logger.getLogger(FakeCloudflare.class.getName());
  static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

  private final HttpServer server;
  private final ExecutorService executor;
  private final Clock clock;
  private volatile boolean closed;

  private final Object lock = new Object();
  // Everything below is guarded by lock, and so are the parts' states.
  private final FakeWorkers workers;
  private final FakeAnalytics analytics;
  private final Set<String> accounts = new HashSet<>();
  private final Map<String, Principal> tokens = new HashMap<>();
  private final Map<String, ApiKeyHolder> apiKeys = new HashMap<>();
  private final List<ArmedFault> faults = new ArrayList<>();
  private final Map<String, Bucket> buckets = new HashMap<>();
  private RateLimit rateLimit;
  private Duration latency = Duration.ZERO;

  // Guarded by itself.
  private final List<LogEntry> log = new ArrayList<>();

  private FakeCloudflare(HttpServer server, ExecutorService executor, Clock clock) {
    this.server = server;
    this.executor = executor;
    this.clock = clock;
    this.workers = new FakeWorkers(clock);
    this.analytics = new FakeAnalytics(lock, clock, workers);
  }

  /** Starts a fake on 127.0.0.1 on a free ephemeral port, on the system clock. */
  public static FakeCloudflare start() {
    return start(0);
  }

  /** Starts a fake on 127.0.0.1 on {@code port}; 0 picks a free port. On the system clock. */
  public static FakeCloudflare start(int port) {
    return start(port, Clock.systemUTC());
  }

  /**
   * Starts a fake on a free port whose time is {@code clock}: creation times, rate-limit and
   * analytics windows, and the analytics' traffic all follow it, so a test can move time on.
   */
  public static FakeCloudflare start(Clock clock) {
    return start(0, clock);
  }

  /** Starts a fake on 127.0.0.1 on {@code port} (0 picks a free port) on {@code clock}. */
  public static FakeCloudflare start(int port, Clock clock) {
    try {
      HttpServer server =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1024);
      ExecutorService executor = Executors.newCachedThreadPool(daemonThreads());
      FakeCloudflare fake = new FakeCloudflare(server, executor, clock);
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

  /** The fake's clock. */
  public Clock clock() {
    return clock;
  }

  /** The GraphQL Analytics side: traffic, error rates, budget, dataset faults. */
  public FakeAnalytics analytics() {
    return analytics;
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
      tokens.put(token, new Principal(email, Set.of(accountIds), true));
    }
  }

  /** Accepts the pair {@code email} + global API {@code key} for the given accounts. */
  public void addApiKey(String email, String key, String... accountIds) {
    synchronized (lock) {
      accounts.addAll(Arrays.asList(accountIds));
      apiKeys.put(email, new ApiKeyHolder(key, new Principal(email, Set.of(accountIds), true)));
    }
  }

  /**
   * Grants or takes away the token's Account Analytics: Read permission (granted by {@link
   * #addToken}); without it, analytics queries get GraphQL error code {@code authz}.
   */
  public void setAnalyticsRead(String token, boolean allowed) {
    synchronized (lock) {
      Principal principal = tokens.get(token);
      if (principal == null) {
        throw new IllegalArgumentException("no such token");
      }
      tokens.put(token, new Principal(principal.email(), principal.accounts(), allowed));
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
      workers.addScript(accountId, scriptName);
    }
  }

  /** Uploads a version with a random id, the next number, created now; returns its id. */
  public String addVersion(String accountId, String scriptName) {
    return addVersion(accountId, scriptName, VersionSeed.defaults());
  }

  /**
   * Uploads a version as {@code seed} describes (creating the script if needed); returns its id.
   * The version has seen the script's current secrets. Created now on the fake's clock unless the
   * seed says when.
   */
  public String addVersion(String accountId, String scriptName, VersionSeed seed) {
    synchronized (lock) {
      accounts.add(accountId);
      return workers.addVersion(accountId, scriptName, seed);
    }
  }

  /**
   * Changes a secret of the script (creating it if new), which bumps its revision. The versions of
   * the deployment serving traffic see the new value; every other version now needs {@code
   * force=true} to be deployed.
   */
  public void changeSecret(String accountId, String scriptName, String secretName) {
    synchronized (lock) {
      workers.changeSecret(accountId, scriptName, secretName);
    }
  }

  /** The script's versions, newest first. */
  public List<WorkerVersion> versions(String accountId, String scriptName) {
    synchronized (lock) {
      return workers.versions(accountId, scriptName);
    }
  }

  // ---------------------------------------------------------------- deployments

  /**
   * Adds a deployment as if another tool (wrangler, the dashboard) had made it: it serves traffic
   * at once (created now on the fake's clock), is not recorded as a request and skips validation
   * except that the script and the versions must exist.
   */
  public Deployment seedDeployment(
      String accountId,
      String scriptName,
      List<DeploymentVersion> split,
      String source,
      String authorEmail,
      String message) {
    synchronized (lock) {
      return workers.seedDeployment(accountId, scriptName, split, source, authorEmail, message);
    }
  }

  /** The script's deployments, newest first (the first serves traffic). */
  public List<Deployment> deployments(String accountId, String scriptName) {
    synchronized (lock) {
      return workers.deployments(accountId, scriptName);
    }
  }

  /** The deployment serving traffic, or empty when the script has none. */
  public Optional<Deployment> liveDeployment(String accountId, String scriptName) {
    synchronized (lock) {
      return workers.liveDeployment(accountId, scriptName);
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
      workers.setDeployableIgnoresPagination(ignores);
    }
  }

  /** Back to empty: no accounts, credentials, scripts, requests, faults, latency or rate limit. */
  public void reset() {
    synchronized (lock) {
      accounts.clear();
      tokens.clear();
      apiKeys.clear();
      workers.reset();
      analytics.reset();
      faults.clear();
      buckets.clear();
      rateLimit = null;
      latency = Duration.ZERO;
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
    } else if (fault != null && fault.kind() == Fault.Kind.GRAPHQL_ERROR) {
      reply = FakeAnalytics.error(fault.graphQlCode(), fault.graphQlMessage());
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
    if (path.equals(GRAPHQL_PATH)) {
      return processGraphQl(method, body, presented);
    }
    FakeWorkers.Route route = FakeWorkers.Route.parse(path);
    if (route == null) {
      return Reply.error(FakeError.NO_ROUTE);
    }
    if (!route.kind().methods.contains(method)) {
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
      if (!principal.accounts().contains(route.account())) {
        return Reply.error(FakeError.ACCOUNT_NOT_AUTHORIZED).withHeaders(rateHeaders);
      }
      return workers
          .handle(route, method, params, body, principal.email())
          .withHeaders(rateHeaders);
    }
  }

  /**
   * A GraphQL query: the same credential checks as REST, then {@link FakeAnalytics}, which keeps
   * its own per-credential budget; the REST rate limit is not charged.
   */
  private Reply processGraphQl(String method, String body, Presented presented) {
    if (!method.equals("POST")) {
      return Reply.error(FakeError.METHOD_NOT_ALLOWED);
    }
    synchronized (lock) {
      if (presented.credential() == null) {
        return Reply.error(FakeError.AUTHENTICATION_REQUIRED);
      }
      Principal principal = authenticate(presented.credential());
      if (principal == null) {
        return Reply.error(FakeError.AUTHENTICATION_FAILED);
      }
      return analytics.handle(
          body, presented.credentialId(), principal.accounts(), principal.analyticsRead());
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
    long now = clockNanos();
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

  // ---------------------------------------------------------------- helpers

  /** The fake's clock in nanoseconds since the epoch, for the rate limit's windows. */
  private long clockNanos() {
    Instant now = clock.instant();
    return now.getEpochSecond() * 1_000_000_000L + now.getNano();
  }

  private static long ceilSeconds(long nanos) {
    long second = Duration.ofSeconds(1).toNanos();
    return Math.max(0, (nanos + second - 1) / second);
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

  private record Principal(String email, Set<String> accounts, boolean analyticsRead) {}

  private record ApiKeyHolder(String key, Principal principal) {}

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
    long blockedUntil; // clockNanos(); 0 = not blocked
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
}
