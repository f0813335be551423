package io.cfworkers.operator.support.cloudflare;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The GraphQL Analytics side of {@link FakeCloudflare}: {@code POST /client/v4/graphql} answers the
 * operator's per-version health query (dataset {@code workersInvocationsAdaptive}) and the
 * introspection of {@code AccountWorkersInvocationsAdaptiveDimensions}. Reach it with {@link
 * FakeCloudflare#analytics()}.
 *
 * <p>The numbers come from the fake's own deployment history, so they agree with what was deployed:
 * a script receives {@link #setTraffic traffic} at a steady rate whenever it has a live deployment,
 * split between versions by the deployment live at each moment of the window, and each version
 * fails a {@link #setErrorRate share} of its requests (0% unless set). For each version the answer
 * has a {@code success} row (requests that did not fail) and a {@code scriptThrewException} row
 * (requests = errors), as Cloudflare groups by {@code scriptVersion} and {@code status}; a version
 * with no requests has no row. Counts are rounded to whole requests per version.
 *
 * <p>Checks, in order, after the front's credential checks: the credential's query budget ({@value
 * #DEFAULT_BUDGET_QUERIES} per 5 minutes of the fake's clock by default; over it: {@code
 * extensions.code "budget"}, not counted); the query is one of the two the fake knows; for the
 * health query, the token may read the account's analytics ({@link
 * FakeCloudflare#setAnalyticsRead}; otherwise {@code extensions.code "authz"}); the dataset has
 * {@code scriptVersion} ({@link #setScriptVersionDimension}; otherwise an "unknown field" error).
 * Errors come as HTTP 200 with {@code data: null} and {@code errors[{message, path,
 * extensions{code}}]}, as Cloudflare sends them.
 *
 * <p>Thread-safe: every method holds the fake's lock.
 */
public final class FakeAnalytics {
  public static final String DATASET = "workersInvocationsAdaptive";
  public static final String DIMENSIONS_TYPE = "AccountWorkersInvocationsAdaptiveDimensions";
  public static final int DEFAULT_BUDGET_QUERIES = 300;
  public static final Duration DEFAULT_BUDGET_WINDOW = Duration.ofMinutes(5);

  /** Requests and errors of one version over a window. */
  public record VersionCounts(long requests, long errors) {}

  private final Object lock;
  private final Clock clock;
  private final FakeWorkers workers;
  // Guarded by lock.
  private final Map<FakeWorkers.ScriptKey, Double> trafficPerMinute = new HashMap<>();
  private final Map<String, Double> errorRatePercent = new HashMap<>();
  private final Map<String, Deque<Instant>> spent = new HashMap<>();
  private boolean scriptVersionDimension = true;
  private int budgetRefusals;
  private int budgetQueries = DEFAULT_BUDGET_QUERIES;
  private Duration budgetWindow = DEFAULT_BUDGET_WINDOW;

  FakeAnalytics(Object lock, Clock clock, FakeWorkers workers) {
    this.lock = lock;
    this.clock = clock;
    this.workers = workers;
  }

  /** The script receives {@code requestsPerMinute} whenever a deployment serves it (0 = none). */
  public void setTraffic(String accountId, String scriptName, double requestsPerMinute) {
    if (!(requestsPerMinute >= 0)) {
      throw new IllegalArgumentException("requestsPerMinute must be 0 or more");
    }
    synchronized (lock) {
      trafficPerMinute.put(new FakeWorkers.ScriptKey(accountId, scriptName), requestsPerMinute);
    }
  }

  /** The version fails {@code percent} of its requests with a runtime error (0 to 100). */
  public void setErrorRate(String versionId, double percent) {
    if (!(percent >= 0 && percent <= 100)) {
      throw new IllegalArgumentException("percent must be between 0 and 100");
    }
    synchronized (lock) {
      errorRatePercent.put(versionId, percent);
    }
  }

  /**
   * With {@code false} the dataset loses {@code scriptVersion}, as if Cloudflare renamed it: the
   * introspection no longer lists it and the health query gets an "unknown field" error.
   */
  public void setScriptVersionDimension(boolean present) {
    synchronized (lock) {
      scriptVersionDimension = present;
    }
  }

  /** Each credential may send {@code queries} GraphQL queries per sliding {@code window}. */
  public void setBudget(int queries, Duration window) {
    if (queries < 1 || window.isNegative() || window.isZero()) {
      throw new IllegalArgumentException("budget needs queries >= 1 and a positive window");
    }
    synchronized (lock) {
      budgetQueries = queries;
      budgetWindow = window;
      spent.clear();
    }
  }

  /** How many queries were refused with code {@code budget} since the start or the last reset. */
  public int budgetRefusals() {
    synchronized (lock) {
      return budgetRefusals;
    }
  }

  /** What the health query answers for the script over {@code [since, until]}, by version. */
  public Map<String, VersionCounts> versionCounts(
      String accountId, String scriptName, Instant since, Instant until) {
    synchronized (lock) {
      return counts(new FakeWorkers.ScriptKey(accountId, scriptName), since, until);
    }
  }

  void reset() {
    trafficPerMinute.clear();
    errorRatePercent.clear();
    spent.clear();
    budgetRefusals = 0;
    scriptVersionDimension = true;
    budgetQueries = DEFAULT_BUDGET_QUERIES;
    budgetWindow = DEFAULT_BUDGET_WINDOW;
  }

  /**
   * Answers one GraphQL request of an authenticated credential (the lock is held).
   *
   * @param accounts the accounts the credential is bound to
   * @param analyticsRead whether it may read their analytics
   */
  Reply handle(String body, String credentialId, Set<String> accounts, boolean analyticsRead) {
    if (!charge(credentialId)) {
      budgetRefusals++;
      return error(
          "budget",
          "query budget exhausted: at most "
              + budgetQueries
              + " GraphQL queries per "
              + budgetWindow.toMinutes()
              + " minutes per token");
    }
    JsonNode request;
    try {
      request = FakeCloudflare.JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return error("bad_request", "the request body is not JSON");
    }
    String query = request == null ? "" : request.path("query").asText("");
    JsonNode variables = request == null ? null : request.path("variables");
    if (query.contains("__type")) {
      return introspection(query);
    }
    if (!query.contains(DATASET)) {
      return error(null, "the fake answers only the VersionHealth and introspection queries");
    }
    if (!scriptVersionDimension && query.contains("scriptVersion")) {
      return error(null, "unknown field \"scriptVersion\" on type \"" + DIMENSIONS_TYPE + "\"");
    }
    String account = variables.path("accountTag").asText("");
    String script = variables.path("script").asText("");
    Instant since;
    Instant until;
    try {
      since = Instant.parse(variables.path("since").asText(""));
      until = Instant.parse(variables.path("until").asText(""));
    } catch (DateTimeParseException e) {
      return error(null, "variables since and until must be RFC 3339 times");
    }
    if (!accounts.contains(account) || !analyticsRead) {
      return error(
          "authz", "not authorized: the token may not read the analytics of account " + account);
    }
    ArrayNode rows = FakeCloudflare.JSON.createArrayNode();
    counts(new FakeWorkers.ScriptKey(account, script), since, until)
        .forEach(
            (version, counts) -> {
              long ok = counts.requests() - counts.errors();
              if (ok > 0) {
                row(rows, version, "success", ok, 0);
              }
              if (counts.errors() > 0) {
                row(rows, version, "scriptThrewException", counts.errors(), counts.errors());
              }
            });
    ObjectNode answer = FakeCloudflare.JSON.createObjectNode();
    answer
        .putObject("data")
        .putObject("viewer")
        .putArray("accounts")
        .addObject()
        .set(DATASET, rows);
    answer.putNull("errors");
    return new Reply(200, Map.of(), answer);
  }

  /** A GraphQL error answer: HTTP 200, {@code data: null}, one error with the code (if any). */
  static Reply error(String code, String message) {
    ObjectNode answer = FakeCloudflare.JSON.createObjectNode();
    answer.putNull("data");
    ObjectNode error = answer.putArray("errors").addObject();
    error.put("message", message);
    error.putArray("path").add("viewer");
    ObjectNode extensions = error.putObject("extensions");
    if (code != null) {
      extensions.put("code", code);
    }
    return new Reply(200, Map.of(), answer);
  }

  private Reply introspection(String query) {
    ObjectNode answer = FakeCloudflare.JSON.createObjectNode();
    ObjectNode data = answer.putObject("data");
    if (!query.contains(DIMENSIONS_TYPE)) {
      data.putNull("__type");
    } else {
      ArrayNode fields = data.putObject("__type").putArray("fields");
      for (String name : List.of("datetime", "scriptName", "scriptVersion", "status")) {
        if (scriptVersionDimension || !name.equals("scriptVersion")) {
          fields.addObject().put("name", name);
        }
      }
    }
    answer.putNull("errors");
    return new Reply(200, Map.of(), answer);
  }

  /** Charges one query to the credential; false when its budget is spent. */
  private boolean charge(String credentialId) {
    Instant now = clock.instant();
    Deque<Instant> queries = spent.computeIfAbsent(credentialId, id -> new ArrayDeque<>());
    while (!queries.isEmpty() && !queries.peekFirst().plus(budgetWindow).isAfter(now)) {
      queries.pollFirst();
    }
    if (queries.size() >= budgetQueries) {
      return false;
    }
    queries.addLast(now);
    return true;
  }

  /**
   * Sums, over every deployment of the script's history, the traffic it served inside the window:
   * each deployment serves from its creation until the next one is made.
   */
  private Map<String, VersionCounts> counts(
      FakeWorkers.ScriptKey key, Instant since, Instant until) {
    double perMinute = trafficPerMinute.getOrDefault(key, 0.0);
    List<Deployment> history = workers.history(key.account(), key.script());
    Map<String, Double> requests = new TreeMap<>();
    for (int i = 0; i < history.size(); i++) {
      Deployment deployment = history.get(i);
      Instant from = max(deployment.createdOn(), since);
      Instant to = i + 1 < history.size() ? min(history.get(i + 1).createdOn(), until) : until;
      if (!to.isAfter(from)) {
        continue;
      }
      double minutes = Duration.between(from, to).toNanos() / 60e9;
      for (DeploymentVersion v : deployment.versions()) {
        requests.merge(v.versionId(), perMinute * minutes * v.percentage() / 100, Double::sum);
      }
    }
    Map<String, VersionCounts> counts = new TreeMap<>();
    requests.forEach(
        (version, exact) -> {
          long total = Math.round(exact);
          if (total > 0) {
            long errors = Math.round(total * errorRatePercent.getOrDefault(version, 0.0) / 100);
            counts.put(version, new VersionCounts(total, errors));
          }
        });
    return counts;
  }

  private static void row(
      ArrayNode rows, String version, String status, long requests, long errors) {
    ObjectNode row = rows.addObject();
    row.putObject("dimensions").put("scriptVersion", version).put("status", status);
    row.putObject("sum").put("requests", requests).put("errors", errors);
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
