package io.cfworkers.operator.cloudflare;

import static io.cfworkers.operator.cloudflare.CloudflareOperation.CREATE_DEPLOYMENT;
import static io.cfworkers.operator.cloudflare.CloudflareOperation.DELETE_DEPLOYMENT;
import static io.cfworkers.operator.cloudflare.CloudflareOperation.GET_DEPLOYMENT;
import static io.cfworkers.operator.cloudflare.CloudflareOperation.GET_VERSION;
import static io.cfworkers.operator.cloudflare.CloudflareOperation.LIST_DEPLOYMENTS;
import static io.cfworkers.operator.cloudflare.CloudflareOperation.LIST_VERSIONS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class CloudflareErrorMapperTest {
  private static final Instant NOW = Instant.parse("2025-03-01T12:00:00Z");
  private static final String PATH = "/accounts/acc/workers/scripts/shop/deployments";

  private final CloudflareErrorMapper mapper =
      new CloudflareErrorMapper(Clock.fixed(NOW, ZoneOffset.UTC));

  /** What the mapper must produce: a rejection, or one of the two retryable kinds. */
  private static final String TRANSIENT = "transient";

  private static final String RATE_LIMITED = "rate_limited";

  static Stream<Arguments> table() {
    return Stream.of(
        row("429 is rate limited", LIST_DEPLOYMENTS, 429, 971, RATE_LIMITED),
        row("429 without envelope is rate limited", CREATE_DEPLOYMENT, 429, 0, RATE_LIMITED),
        row("code 971 on another status is rate limited", LIST_DEPLOYMENTS, 400, 971, RATE_LIMITED),
        row(
            "401 is an authentication failure",
            LIST_DEPLOYMENTS,
            401,
            10000,
            "AUTHENTICATION_FAILED"),
        row("403 bad credential (9106)", CREATE_DEPLOYMENT, 403, 9106, "AUTHENTICATION_FAILED"),
        row("403 without code", GET_VERSION, 403, 0, "AUTHENTICATION_FAILED"),
        row(
            "code 10000 on a 400 is authentication",
            LIST_VERSIONS,
            400,
            10000,
            "AUTHENTICATION_FAILED"),
        row(
            "code 9106 on a 400 is authentication",
            GET_DEPLOYMENT,
            400,
            9106,
            "AUTHENTICATION_FAILED"),
        row("10007 script missing on list", LIST_DEPLOYMENTS, 404, 10007, "SCRIPT_NOT_FOUND"),
        row("10007 script missing on create", CREATE_DEPLOYMENT, 404, 10007, "SCRIPT_NOT_FOUND"),
        row("10007 script missing on get version", GET_VERSION, 404, 10007, "SCRIPT_NOT_FOUND"),
        row("10224 unknown version on create", CREATE_DEPLOYMENT, 404, 10224, "VERSION_NOT_FOUND"),
        row("10224 unknown version on a 400", CREATE_DEPLOYMENT, 400, 10224, "VERSION_NOT_FOUND"),
        row("bare 404 from get version", GET_VERSION, 404, 0, "VERSION_NOT_FOUND"),
        row(
            "404 with another code from create is not said to be a missing version",
            CREATE_DEPLOYMENT,
            404,
            10021,
            "NOT_FOUND"),
        row(
            "bare 404 from create (a proxy, a wrong base URL) is not a missing version",
            CREATE_DEPLOYMENT,
            404,
            0,
            "NOT_FOUND"),
        row("10220 secret changed", CREATE_DEPLOYMENT, 400, 10220, "SECRET_CHANGED"),
        row(
            "100146 version not visible yet is transient",
            CREATE_DEPLOYMENT,
            404,
            100146,
            TRANSIENT),
        row("404 unknown deployment on get", GET_DEPLOYMENT, 404, 10226, "NOT_FOUND"),
        row("404 unknown deployment on delete", DELETE_DEPLOYMENT, 404, 10226, "NOT_FOUND"),
        row("bare 404 on list deployments", LIST_DEPLOYMENTS, 404, 0, "NOT_FOUND"),
        row("400 validation error (10021)", CREATE_DEPLOYMENT, 400, 10021, "INVALID"),
        row("400 delete of live deployment", DELETE_DEPLOYMENT, 400, 10227, "INVALID"),
        row("409 conflict", CREATE_DEPLOYMENT, 409, 0, "INVALID"),
        row("422 unprocessable", CREATE_DEPLOYMENT, 422, 100405, "INVALID"),
        row(
            "2xx with success false and a known code",
            CREATE_DEPLOYMENT,
            200,
            10220,
            "SECRET_CHANGED"),
        row("2xx with success false and an unknown code", LIST_DEPLOYMENTS, 200, 12345, "INVALID"),
        row("500 is transient", LIST_DEPLOYMENTS, 500, 10013, TRANSIENT),
        row("502 HTML page without envelope is transient", CREATE_DEPLOYMENT, 502, 0, TRANSIENT),
        row("503 is transient", GET_VERSION, 503, 0, TRANSIENT),
        row("408 request timeout is transient", CREATE_DEPLOYMENT, 408, 0, TRANSIENT),
        row("425 too early is transient", LIST_DEPLOYMENTS, 425, 0, TRANSIENT),
        row("5xx wins over a 404-ish code", GET_VERSION, 500, 10007, TRANSIENT),
        row("unexpected 3xx is transient", LIST_DEPLOYMENTS, 302, 0, TRANSIENT));
  }

  private static Arguments row(
      String reason, CloudflareOperation op, int status, int code, String expected) {
    return Arguments.of(reason, op, status, code, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("table")
  void mapsFailureToTypedException(
      String reason, CloudflareOperation op, int status, int code, String expected) {
    List<CloudflareError> errors =
        code == 0 ? List.of() : List.of(new CloudflareError(code, "message for " + code));

    CloudflareApiException e = mapper.fromResponse(op, PATH, status, errors, Optional.of("30"));

    switch (expected) {
      case TRANSIENT -> assertInstanceOf(CloudflareTransientException.class, e);
      case RATE_LIMITED -> {
        CloudflareRateLimitedException limited =
            assertInstanceOf(CloudflareRateLimitedException.class, e);
        assertEquals(Duration.ofSeconds(30), limited.retryAfter());
      }
      default ->
          assertEquals(
              Rejection.valueOf(expected),
              assertInstanceOf(CloudflareRejectedException.class, e).rejection());
    }
    assertEquals(status, e.httpStatus());
    assertEquals(code, e.code());
    assertEquals(errors, e.errors());
    assertTrue(e.getMessage().contains("HTTP " + status), e.getMessage());
    assertTrue(e.getMessage().contains(op.method() + " " + PATH), e.getMessage());
    if (code != 0) {
      assertTrue(e.getMessage().contains(code + ": message for " + code), e.getMessage());
    } else if (!expected.equals(TRANSIENT) && !expected.equals(RATE_LIMITED)) {
      assertTrue(
          e.getMessage().contains("no Cloudflare error in the answer"),
          "says that Cloudflare named no error: " + e.getMessage());
    }
  }

  static Stream<Arguments> retryAfterHeaders() {
    return Stream.of(
        Arguments.of("delay-seconds", Optional.of("120"), Duration.ofSeconds(120)),
        Arguments.of("delay-seconds with spaces", Optional.of(" 7 "), Duration.ofSeconds(7)),
        Arguments.of("zero seconds", Optional.of("0"), Duration.ZERO),
        Arguments.of(
            "HTTP date in the future",
            Optional.of("Sat, 01 Mar 2025 12:01:30 GMT"),
            Duration.ofSeconds(90)),
        Arguments.of(
            "HTTP date in the past", Optional.of("Sat, 01 Mar 2025 11:00:00 GMT"), Duration.ZERO),
        Arguments.of("missing header", Optional.empty(), Duration.ofMinutes(5)),
        Arguments.of("blank header", Optional.of(" "), Duration.ofMinutes(5)),
        Arguments.of("garbled header", Optional.of("soon-ish"), Duration.ofMinutes(5)),
        Arguments.of("negative seconds", Optional.of("-5"), Duration.ofMinutes(5)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("retryAfterHeaders")
  void rateLimitedWaitFollowsRetryAfter(String reason, Optional<String> header, Duration expected) {
    CloudflareApiException e =
        mapper.fromResponse(
            LIST_DEPLOYMENTS, PATH, 429, List.of(new CloudflareError(971, "slow down")), header);

    assertEquals(expected, assertInstanceOf(CloudflareRateLimitedException.class, e).retryAfter());
    assertTrue(((CloudflareRateLimitedException) e).fromCloudflare());
  }

  @Test
  void timeoutIsTransientWithoutHttpStatus() {
    HttpTimeoutException timeout = new HttpTimeoutException("request timed out");

    CloudflareTransientException e = mapper.fromIoFailure(CREATE_DEPLOYMENT, PATH, timeout);

    assertEquals(0, e.httpStatus());
    assertTrue(e.errors().isEmpty());
    assertSame(timeout, e.getCause());
    assertTrue(e.getMessage().contains("POST " + PATH + " timed out"), e.getMessage());
  }

  @Test
  void connectionLossIsTransientWithoutHttpStatus() {
    CloudflareTransientException e =
        mapper.fromIoFailure(LIST_DEPLOYMENTS, PATH, new IOException("connection reset"));

    assertEquals(0, e.httpStatus());
    assertTrue(e.getMessage().contains("GET " + PATH + " got no answer"), e.getMessage());
    assertTrue(e.getMessage().contains("connection reset"), e.getMessage());
  }

  @Test
  void answerWithoutEnvelopeSaysSoInsteadOfQuotingTheBody() {
    CloudflareApiException e =
        mapper.fromResponse(CREATE_DEPLOYMENT, PATH, 502, List.of(), Optional.empty());

    assertInstanceOf(CloudflareTransientException.class, e);
    assertEquals(0, e.code());
    assertFalse(e.getMessage().contains("<html"), e.getMessage());
    assertTrue(e.getMessage().contains("no Cloudflare error in the answer"), e.getMessage());
  }
}
