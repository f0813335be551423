package io.cfworkers.operator.rollout.analysis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cfworkers.operator.rollout.analysis.Measurement.Counts;
import io.cfworkers.operator.rollout.analysis.VersionHealthQuery.Absent;
import io.cfworkers.operator.rollout.analysis.VersionHealthQuery.CheckFailed;
import io.cfworkers.operator.rollout.analysis.VersionHealthQuery.Failure;
import io.cfworkers.operator.rollout.analysis.VersionHealthQuery.Present;
import io.cfworkers.operator.rollout.analysis.VersionHealthQuery.Totals;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class VersionHealthQueryTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String V1 = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";
  static final String V2 = "7a3c0b4e-1f2d-4c5b-9e8f-0a1b2c3d4e5f";

  @Test
  void requestBodyCarriesTheQueryAndRfc3339Variables() throws Exception {
    JsonNode body =
        JSON.readTree(
            VersionHealthQuery.requestBody(
                "023e105f4ecef8ad9ca31a8372d0c353",
                "checkout-api",
                Instant.parse("2026-11-29T12:00:00Z"),
                Instant.parse("2026-11-29T12:05:00.900Z")));
    assertEquals(
        """
        query VersionHealth($accountTag: string, $script: string, $since: string, $until: string) {
          viewer { accounts(filter: {accountTag: $accountTag}) {
            workersInvocationsAdaptive(limit: 1000,
              filter: {scriptName: $script, datetime_geq: $since, datetime_leq: $until}) {
              dimensions { scriptVersion status }
              sum { requests errors }
            } } } }""",
        body.get("query").asText());
    assertEquals(
        JSON.readTree(
            """
            {"accountTag": "023e105f4ecef8ad9ca31a8372d0c353", "script": "checkout-api",
             "since": "2026-11-29T12:00:00Z", "until": "2026-11-29T12:05:00Z"}
            """),
        body.get("variables"));
  }

  @Test
  void introspectionBodyAsksForTheDimensionsType() throws Exception {
    JsonNode body = JSON.readTree(VersionHealthQuery.introspectionBody());
    assertEquals(
        "query ScriptVersionDimension { __type(name:"
            + " \"AccountWorkersInvocationsAdaptiveDimensions\") { fields { name } } }",
        body.get("query").asText());
  }

  static String rows(String rowsJson) {
    return """
        {"data": {"viewer": {"accounts": [{"workersInvocationsAdaptive": [%s]}]}}, "errors": null}
        """
        .formatted(rowsJson);
  }

  static String row(String version, String status, long requests, long errors) {
    return """
        {"dimensions": {"scriptVersion": "%s", "status": "%s"},
         "sum": {"requests": %d, "errors": %d}}"""
        .formatted(version, status, requests, errors);
  }

  static Stream<Arguments> goodAnswers() {
    return Stream.of(
        Arguments.of("no rows: no traffic in the window", rows(""), Map.of()),
        Arguments.of(
            "one version, one status",
            rows(row(V1, "success", 1234, 0)),
            Map.of(V1, new Counts(1234, 0))),
        Arguments.of(
            "rows of one version summed over its statuses",
            rows(
                String.join(
                    ",",
                    row(V2, "success", 950, 0),
                    row(V2, "scriptThrewException", 40, 40),
                    row(V2, "exceededResources", 10, 10),
                    row(V1, "success", 9000, 0),
                    row(V1, "internalError", 3, 3))),
            Map.of(V2, new Counts(1000, 50), V1, new Counts(9003, 3))),
        Arguments.of(
            "rows without a version are left out",
            rows(
                row(V1, "success", 10, 0)
                    + ", {\"dimensions\": {\"status\": \"success\"}, \"sum\": {\"requests\": 5,"
                    + " \"errors\": 0}}"),
            Map.of(V1, new Counts(10, 0))),
        Arguments.of(
            "an empty errors array is no error",
            rows(row(V1, "success", 7, 1)).replace("\"errors\": null", "\"errors\": []"),
            Map.of(V1, new Counts(7, 1))),
        Arguments.of(
            "unknown extra fields are ignored",
            """
            {"data": {"viewer": {"accounts": [{"workersInvocationsAdaptive": [
              {"dimensions": {"scriptVersion": "%s", "status": "success", "colo": "FRA"},
               "sum": {"requests": 3, "errors": 0, "subrequests": 9}}]}]}},
             "extensions": {"cost": 1}}
            """
                .formatted(V1),
            Map.of(V1, new Counts(3, 0))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodAnswers")
  void sumsRowsPerVersion(String reason, String answer, Map<String, Counts> expected) {
    assertEquals(new Totals(expected), VersionHealthQuery.parse(200, answer));
  }

  static Stream<Arguments> failedAnswers() {
    return Stream.of(
        Arguments.of(
            "GraphQL budget exceeded",
            200,
            """
            {"data": null, "errors": [{"message": "query budget exceeded for this token",
              "path": ["viewer"], "extensions": {"code": "budget"}}]}
            """,
            AnalyticsError.Kind.BUDGET,
            "budget: query budget exceeded for this token"),
        Arguments.of(
            "token without Account Analytics: Read",
            200,
            """
            {"data": null, "errors": [{"message": "not authorized for that account",
              "path": ["viewer", "accounts"], "extensions": {"code": "authz"}}]}
            """,
            AnalyticsError.Kind.PERMISSION,
            "authz: not authorized for that account"),
        Arguments.of(
            "dataset without scriptVersion (or renamed)",
            200,
            """
            {"data": null, "errors": [{"message": "unknown field \\"scriptVersion\\"",
              "path": ["viewer"], "extensions": {"code": "GRAPHQL_VALIDATION_FAILED"}}]}
            """,
            AnalyticsError.Kind.UNKNOWN_FIELD,
            "GRAPHQL_VALIDATION_FAILED: unknown field \"scriptVersion\""),
        Arguments.of(
            "other GraphQL error without a code",
            200,
            """
            {"data": null, "errors": [{"message": "time range too large"}]}
            """,
            AnalyticsError.Kind.OTHER,
            "time range too large"),
        Arguments.of(
            "errors beside data: a partial answer is never judged",
            200,
            """
            {"data": {"viewer": {"accounts": [{"workersInvocationsAdaptive": []}]}},
             "errors": [{"message": "internal error", "extensions": {"code": "internal"}}]}
            """,
            AnalyticsError.Kind.OTHER,
            "internal: internal error"),
        Arguments.of(
            "several errors: the budget wins, every message kept",
            200,
            """
            {"errors": [{"message": "something odd"},
                        {"message": "budget spent", "extensions": {"code": "budget"}}]}
            """,
            AnalyticsError.Kind.BUDGET,
            "budget: something odd; budget spent"),
        Arguments.of(
            "HTTP 5xx with Cloudflare's envelope",
            502,
            """
            {"success": false, "errors": [{"code": 10013, "message": "An unknown error has occurred"}]}
            """,
            AnalyticsError.Kind.HTTP,
            "502: HTTP 502 from the analytics endpoint: 10013 An unknown error has occurred"),
        Arguments.of(
            "HTTP 5xx with an HTML page: the page is not copied",
            503,
            "<html><body>Service Unavailable</body></html>",
            AnalyticsError.Kind.HTTP,
            "503: HTTP 503 from the analytics endpoint"),
        Arguments.of(
            "HTTP 403: authentication",
            403,
            """
            {"success": false, "errors": [{"code": 10000, "message": "Authentication error"}]}
            """,
            AnalyticsError.Kind.PERMISSION,
            "403: HTTP 403 from the analytics endpoint: 10000 Authentication error"),
        Arguments.of(
            "HTTP 429: rate limited",
            429,
            "",
            AnalyticsError.Kind.BUDGET,
            "429: HTTP 429 from the analytics endpoint"),
        Arguments.of(
            "no account in the answer",
            200,
            """
            {"data": {"viewer": {"accounts": []}}}
            """,
            AnalyticsError.Kind.PERMISSION,
            "the answer holds no account: the account id is wrong or the token cannot read its"
                + " analytics"),
        Arguments.of(
            "not JSON with HTTP 200",
            200,
            "ok",
            AnalyticsError.Kind.MALFORMED,
            "the answer is not a JSON object"),
        Arguments.of(
            "empty body with HTTP 200",
            200,
            "",
            AnalyticsError.Kind.MALFORMED,
            "the answer is not a JSON object"),
        Arguments.of(
            "data without the dataset",
            200,
            """
            {"data": {"viewer": {"accounts": [{}]}}}
            """,
            AnalyticsError.Kind.MALFORMED,
            "the answer has no workersInvocationsAdaptive rows"),
        Arguments.of(
            "a row with a non-numeric sum",
            200,
            rows(
                "{\"dimensions\": {\"scriptVersion\": \""
                    + V1
                    + "\"}, \"sum\": {\"requests\": \"many\", \"errors\": 0}}"),
            AnalyticsError.Kind.MALFORMED,
            "a row lacks sum.requests or sum.errors as whole numbers"),
        Arguments.of(
            "a row without sums",
            200,
            rows("{\"dimensions\": {\"scriptVersion\": \"" + V1 + "\"}}"),
            AnalyticsError.Kind.MALFORMED,
            "a row lacks sum.requests or sum.errors as whole numbers"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("failedAnswers")
  void turnsFailuresIntoTypedErrors(
      String reason, int status, String answer, AnalyticsError.Kind kind, String description) {
    Failure failure = assertInstanceOf(Failure.class, VersionHealthQuery.parse(status, answer));
    assertEquals(kind, failure.error().kind());
    assertEquals(description, failure.error().describe());
  }

  @Test
  void anAnswerAtTheRowLimitIsNotJudged() {
    String full =
        rows(
            String.join(
                ",", Collections.nCopies(VersionHealthQuery.ROW_LIMIT, row(V1, "success", 1, 0))));
    Failure failure = assertInstanceOf(Failure.class, VersionHealthQuery.parse(200, full));
    assertEquals(AnalyticsError.Kind.MALFORMED, failure.error().kind());
    assertEquals(
        "the answer holds 1000 rows, the query's limit: some may be missing, so the counts are not"
            + " judged",
        failure.error().message());
    String justUnder =
        rows(
            String.join(
                ",",
                Collections.nCopies(VersionHealthQuery.ROW_LIMIT - 1, row(V1, "success", 1, 0))));
    assertEquals(
        new Totals(Map.of(V1, new Counts(999, 0))), VersionHealthQuery.parse(200, justUnder));
  }

  @Test
  void longMessagesAreCapped() {
    String answer = "{\"errors\": [{\"message\": \"" + "x".repeat(2000) + "\"}]}";
    Failure failure = assertInstanceOf(Failure.class, VersionHealthQuery.parse(200, answer));
    assertEquals(500, failure.error().message().length());
    assertTrue(failure.error().message().endsWith("…"));
  }

  @Test
  void totalsBecomeAMeasurementOfCanaryAndStable() {
    Totals totals =
        assertInstanceOf(
            Totals.class,
            VersionHealthQuery.parse(
                200,
                rows(row(V2, "scriptThrewException", 5, 5) + "," + row(V2, "success", 95, 0))));
    AnalysisWindow.Due window =
        new AnalysisWindow.Due(
            Instant.parse("2026-11-29T12:00:00Z"), Instant.parse("2026-11-29T12:05:00Z"));
    Measurement m = Measurement.of(window, totals.byVersion(), V2, V1);
    assertEquals(new Counts(100, 5), m.canary());
    assertEquals(Counts.NONE, m.stable());
    assertEquals(5.0, m.canary().errorRatePercent());
  }

  static Stream<Arguments> introspectionAnswers() {
    return Stream.of(
        Arguments.of(
            "scriptVersion among the dimensions",
            200,
            """
            {"data": {"__type": {"fields": [{"name": "datetime"}, {"name": "scriptName"},
              {"name": "scriptVersion"}, {"name": "status"}]}}}
            """,
            Present.class,
            ""),
        Arguments.of(
            "dimensions without scriptVersion",
            200,
            """
            {"data": {"__type": {"fields": [{"name": "datetime"}, {"name": "scriptName"}]}}}
            """,
            Absent.class,
            "has no dimension scriptVersion"),
        Arguments.of(
            "the type no longer exists (dataset renamed)",
            200,
            """
            {"data": {"__type": null}}
            """,
            Absent.class,
            "may have been renamed"),
        Arguments.of(
            "introspection refused",
            200,
            """
            {"data": null, "errors": [{"message": "not authorized", "extensions": {"code": "authz"}}]}
            """,
            CheckFailed.class,
            "authz: not authorized"),
        Arguments.of(
            "HTTP error", 500, "", CheckFailed.class, "500: HTTP 500 from the analytics endpoint"),
        Arguments.of(
            "a type without a field list",
            200,
            """
            {"data": {"__type": {}}}
            """,
            CheckFailed.class,
            "lists no fields"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("introspectionAnswers")
  void checksForTheScriptVersionDimension(
      String reason, int status, String answer, Class<?> expected, String messagePart) {
    VersionHealthQuery.DimensionCheck check = VersionHealthQuery.parseIntrospection(status, answer);
    assertEquals(expected, check.getClass());
    String message = "";
    if (check instanceof Absent absent) {
      message = absent.message();
    } else if (check instanceof CheckFailed failed) {
      message = failed.error().describe();
    }
    assertTrue(message.contains(messagePart), message);
  }
}
