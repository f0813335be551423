package io.cfworkers.operator.rollout.analysis;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cfworkers.operator.rollout.analysis.Measurement.Counts;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The GraphQL Analytics queries of the analysis, as text in and text out (no I/O): the request
 * bodies to {@code POST /graphql}, and the answers read into per-version counts, a dimension check,
 * or a typed {@link AnalyticsError}.
 *
 * <p>The health query sums dataset {@code workersInvocationsAdaptive} of one script over a window,
 * grouped by {@code scriptVersion} and {@code status}; {@link #parse} adds the rows up per version.
 * {@code errors} there counts Worker runtime failures (status scriptThrewException,
 * exceededResources, internalError), not HTTP 5xx answers the Worker chose to return.
 *
 * <p>GraphQL reports errors with HTTP 200 and an {@code errors} array; any error, even beside data,
 * makes the answer a failure: a partial answer is never judged.
 */
public final class VersionHealthQuery {

  /** The per-version health query; variables accountTag, script, since, until (RFC 3339). */
  public static final String QUERY =
      """
      query VersionHealth($accountTag: string, $script: string, $since: string, $until: string) {
        viewer { accounts(filter: {accountTag: $accountTag}) {
          workersInvocationsAdaptive(limit: 1000,
            filter: {scriptName: $script, datetime_geq: $since, datetime_leq: $until}) {
            dimensions { scriptVersion status }
            sum { requests errors }
          } } } }""";

  /** The GraphQL type whose fields are the dataset's dimensions. */
  public static final String DIMENSIONS_TYPE = "AccountWorkersInvocationsAdaptiveDimensions";

  /** The dimension the health query groups by; not named on a Cloudflare documentation page. */
  public static final String SCRIPT_VERSION = "scriptVersion";

  /** Asks for the dimensions of the dataset, to check once per credential for scriptVersion. */
  public static final String INTROSPECTION_QUERY =
      "query ScriptVersionDimension { __type(name: \""
          + DIMENSIONS_TYPE
          + "\") { fields { name } } }";

  /** Rows the health query asks for at most; as many rows back means some may be missing. */
  public static final int ROW_LIMIT = 1000;

  private static final int MAX_MESSAGE_LENGTH = 500;
  private static final ObjectMapper JSON = new ObjectMapper();

  private VersionHealthQuery() {}

  /** What a health query's answer says. */
  public sealed interface Answer permits Totals, Failure {}

  /**
   * Requests and errors per {@code scriptVersion}, summed over all rows of the version (rows
   * without a version are left out).
   */
  public record Totals(Map<String, Counts> byVersion) implements Answer {
    public Totals {
      byVersion = Map.copyOf(byVersion);
    }
  }

  /** The query gave no numbers. */
  public record Failure(AnalyticsError error) implements Answer {
    public Failure {
      Objects.requireNonNull(error, "error");
    }
  }

  /** What the introspection answer says about the {@code scriptVersion} dimension. */
  public sealed interface DimensionCheck permits Present, Absent, CheckFailed {}

  /** The dataset has {@code scriptVersion}: analysis can run. */
  public record Present() implements DimensionCheck {}

  /** The dataset lacks {@code scriptVersion} (or the type itself): analysis cannot run. */
  public record Absent(String message) implements DimensionCheck {}

  /** The introspection query itself failed. */
  public record CheckFailed(AnalyticsError error) implements DimensionCheck {}

  /**
   * The body of the health query for one script over {@code [since, until]}.
   *
   * @param accountTag the account id
   * @param script the script name
   */
  public static String requestBody(String accountTag, String script, Instant since, Instant until) {
    ObjectNode body = JSON.createObjectNode();
    body.put("query", QUERY);
    ObjectNode variables = body.putObject("variables");
    variables.put("accountTag", accountTag);
    variables.put("script", script);
    variables.put("since", rfc3339(since));
    variables.put("until", rfc3339(until));
    return write(body);
  }

  /** The body of the introspection query. */
  public static String introspectionBody() {
    ObjectNode body = JSON.createObjectNode();
    body.put("query", INTROSPECTION_QUERY);
    return write(body);
  }

  /**
   * Reads the answer to {@link #requestBody}.
   *
   * @param httpStatus the HTTP status of the answer
   * @param body the answer's body (may be empty)
   */
  public static Answer parse(int httpStatus, String body) {
    JsonNode root = readOrNull(body);
    AnalyticsError failure = failureOf(httpStatus, root);
    if (failure != null) {
      return new Failure(failure);
    }
    JsonNode accounts = root.path("data").path("viewer").path("accounts");
    if (!accounts.isArray()) {
      return malformed("the answer has no data.viewer.accounts");
    }
    if (accounts.isEmpty()) {
      return new Failure(
          new AnalyticsError(
              AnalyticsError.Kind.PERMISSION,
              null,
              "the answer holds no account: the account id is wrong or the token cannot read its"
                  + " analytics"));
    }
    JsonNode rows = accounts.get(0).path("workersInvocationsAdaptive");
    if (!rows.isArray()) {
      return malformed("the answer has no workersInvocationsAdaptive rows");
    }
    if (rows.size() >= ROW_LIMIT) {
      return malformed(
          "the answer holds "
              + rows.size()
              + " rows, the query's limit: some may be missing, so the counts are not judged");
    }
    Map<String, Counts> totals = new LinkedHashMap<>();
    for (JsonNode row : rows) {
      JsonNode requests = row.path("sum").path("requests");
      JsonNode errors = row.path("sum").path("errors");
      if (!requests.isIntegralNumber() || !errors.isIntegralNumber()) {
        return malformed("a row lacks sum.requests or sum.errors as whole numbers");
      }
      if (requests.asLong() < 0 || errors.asLong() < 0) {
        return malformed("a row has negative sums");
      }
      JsonNode version = row.path("dimensions").path(SCRIPT_VERSION);
      if (!version.isTextual() || version.asText().isEmpty()) {
        continue;
      }
      totals.merge(version.asText(), new Counts(requests.asLong(), errors.asLong()), Counts::plus);
    }
    return new Totals(totals);
  }

  /** Reads the answer to {@link #introspectionBody}. */
  public static DimensionCheck parseIntrospection(int httpStatus, String body) {
    JsonNode root = readOrNull(body);
    AnalyticsError failure = failureOf(httpStatus, root);
    if (failure != null) {
      return new CheckFailed(failure);
    }
    JsonNode type = root.path("data").path("__type");
    if (type.isMissingNode() || type.isNull()) {
      return new Absent(
          "Cloudflare's GraphQL schema has no type "
              + DIMENSIONS_TYPE
              + ": the dataset workersInvocationsAdaptive may have been renamed; analysis cannot"
              + " run");
    }
    JsonNode fields = type.path("fields");
    if (!fields.isArray()) {
      return new CheckFailed(
          new AnalyticsError(
              AnalyticsError.Kind.MALFORMED, null, "the introspection answer lists no fields"));
    }
    for (JsonNode field : fields) {
      if (SCRIPT_VERSION.equals(field.path("name").asText())) {
        return new Present();
      }
    }
    return new Absent(
        "Cloudflare's dataset workersInvocationsAdaptive has no dimension "
            + SCRIPT_VERSION
            + " (type "
            + DIMENSIONS_TYPE
            + "): per-version analysis cannot run");
  }

  /**
   * An instant as the query's RFC 3339 variables carry it, in whole seconds, e.g.
   * 2026-11-29T12:00:00Z.
   */
  public static String rfc3339(Instant instant) {
    return instant.truncatedTo(ChronoUnit.SECONDS).toString();
  }

  private static AnalyticsError failureOf(int httpStatus, JsonNode root) {
    if (httpStatus < 200 || httpStatus > 299) {
      return httpError(httpStatus, root);
    }
    if (root == null || !root.isObject()) {
      return new AnalyticsError(
          AnalyticsError.Kind.MALFORMED, null, "the answer is not a JSON object");
    }
    JsonNode errors = root.path("errors");
    if (errors.isArray() && !errors.isEmpty()) {
      return graphQlError(errors);
    }
    return null;
  }

  private static AnalyticsError graphQlError(JsonNode errors) {
    List<String> messages = new ArrayList<>();
    AnalyticsError.Kind kind = null;
    String code = null;
    for (JsonNode error : errors) {
      String message = error.path("message").asText("");
      String errorCode = error.path("extensions").path("code").asText(null);
      AnalyticsError.Kind errorKind = classify(errorCode, message);
      if (kind == null || errorKind.ordinal() < kind.ordinal()) {
        kind = errorKind;
        code = errorCode;
      }
      if (!message.isBlank()) {
        messages.add(message);
      }
    }
    return new AnalyticsError(
        kind,
        code,
        capped(
            messages.isEmpty() ? "GraphQL error without a message" : String.join("; ", messages)));
  }

  /**
   * The kind of one GraphQL error, from its {@code extensions.code} and message. When several
   * errors come together, the kind listed first in {@link AnalyticsError.Kind} wins.
   */
  static AnalyticsError.Kind classify(String code, String message) {
    String c = code == null ? "" : code.toLowerCase(Locale.ROOT);
    String m = message == null ? "" : message.toLowerCase(Locale.ROOT);
    if (c.equals("budget") || m.contains("budget")) {
      return AnalyticsError.Kind.BUDGET;
    }
    if (c.equals("authz")
        || c.equals("authn")
        || c.equals("unauthorized")
        || c.equals("forbidden")
        || m.contains("not authorized")
        || m.contains("does not have access")
        || m.contains("permission")) {
      return AnalyticsError.Kind.PERMISSION;
    }
    if (m.contains("unknown field") || m.contains("cannot query field")) {
      return AnalyticsError.Kind.UNKNOWN_FIELD;
    }
    return AnalyticsError.Kind.OTHER;
  }

  private static AnalyticsError httpError(int httpStatus, JsonNode root) {
    AnalyticsError.Kind kind =
        switch (httpStatus) {
          case 401, 403 -> AnalyticsError.Kind.PERMISSION;
          case 429 -> AnalyticsError.Kind.BUDGET;
          default -> AnalyticsError.Kind.HTTP;
        };
    List<String> messages = new ArrayList<>();
    if (root != null) {
      for (JsonNode error : root.path("errors")) {
        String message = error.path("message").asText("");
        if (!message.isBlank()) {
          JsonNode code = error.path("code");
          messages.add(code.isNumber() ? code.asText() + " " + message : message);
        }
      }
    }
    String text = "HTTP " + httpStatus + " from the analytics endpoint";
    if (!messages.isEmpty()) {
      text += ": " + String.join("; ", messages);
    }
    return new AnalyticsError(kind, Integer.toString(httpStatus), capped(text));
  }

  private static Failure malformed(String message) {
    return new Failure(new AnalyticsError(AnalyticsError.Kind.MALFORMED, null, message));
  }

  private static String capped(String message) {
    return message.length() <= MAX_MESSAGE_LENGTH
        ? message
        : message.substring(0, MAX_MESSAGE_LENGTH - 1) + "…";
  }

  private static JsonNode readOrNull(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (JsonProcessingException e) {
      return null;
    }
  }

  private static String write(ObjectNode body) {
    try {
      return JSON.writeValueAsString(body);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a tree of strings always serialises", e);
    }
  }
}
