package io.cfworkers.operator.support.cloudflare;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * A misbehaviour the fake shows for the next {@link #times(int) k} matching requests. Immutable:
 * every builder method returns a new fault.
 *
 * <ul>
 *   <li>{@link #status(int)}: answers with that status and a Cloudflare error envelope; the request
 *       is not applied.
 *   <li>{@link #delay(Duration)}: applies the request, then waits before answering (a write lands,
 *       the answer is late).
 *   <li>{@link #dropAfterApply()}: applies the request, then closes the connection without any
 *       answer (a write lands, the answer is lost).
 *   <li>{@link #holdBeforeApply(Duration)}: waits, then applies the request and answers (a write
 *       held open, landing late).
 *   <li>{@link #roundPercentages(int)}: applies a create with each percentage rounded to that many
 *       decimals and answers with what it stored (Cloudflare keeping another split than asked).
 *   <li>{@link #stallBodyAfterApply(Duration)}: applies the request, sends the answer's headers and
 *       the first half of its body, then stalls (a write lands, its answer never completes).
 *   <li>{@link #stallBody(Duration)}: does not apply the request; sends success headers and the
 *       start of an envelope, then stalls (nothing lands, yet the client cannot know).
 *   <li>{@link #graphQlError(String, String)}, {@link #unknownField(String)}: a GraphQL query
 *       answered with HTTP 200 and an {@code errors} array.
 * </ul>
 */
public final class Fault {

  enum Kind {
    STATUS,
    DELAY,
    DROP_AFTER_APPLY,
    HOLD_BEFORE_APPLY,
    ROUND_PERCENTAGES,
    STALL_BODY_AFTER_APPLY,
    STALL_BODY,
    GRAPHQL_ERROR
  }

  private static final Duration DEFAULT_RETRY_AFTER = Duration.ofSeconds(1);

  private final Kind kind;
  private final int status;
  private final Duration delay;
  private final int times;
  private final String method;
  private final String pathSuffix;
  private final Duration retryAfter;
  private final String graphQlCode;
  private final String graphQlMessage;

  private Fault(
      Kind kind,
      int status,
      Duration delay,
      int times,
      String method,
      String pathSuffix,
      Duration retryAfter) {
    this(kind, status, delay, times, method, pathSuffix, retryAfter, null, null);
  }

  private Fault(
      Kind kind,
      int status,
      Duration delay,
      int times,
      String method,
      String pathSuffix,
      Duration retryAfter,
      String graphQlCode,
      String graphQlMessage) {
    this.graphQlCode = graphQlCode;
    this.graphQlMessage = graphQlMessage;
    this.kind = kind;
    this.status = status;
    this.delay = delay;
    this.times = times;
    this.method = method;
    this.pathSuffix = pathSuffix;
    this.retryAfter = retryAfter;
  }

  /**
   * Answer with {@code httpStatus} (400–599) and Cloudflare's error envelope: code 10013 for 5xx,
   * 971 plus a {@code retry-after} header for 429, the invented {@link
   * FakeError#INJECTED_CLIENT_ERROR} otherwise. The request is not applied.
   */
  public static Fault status(int httpStatus) {
    if (httpStatus < 400 || httpStatus > 599) {
      throw new IllegalArgumentException("status must be 400-599, was " + httpStatus);
    }
    return new Fault(Kind.STATUS, httpStatus, Duration.ZERO, 1, null, null, DEFAULT_RETRY_AFTER);
  }

  /** Apply the request normally, then wait {@code d} before answering. */
  public static Fault delay(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("delay must not be negative");
    }
    return new Fault(Kind.DELAY, 0, d, 1, null, null, DEFAULT_RETRY_AFTER);
  }

  /**
   * Apply the request, then close the connection without sending any response.
   *
   * <p>Note: {@code java.net.http.HttpClient} silently resends a GET once when the connection
   * closes before any response byte, so dropping a read is only visible to such a client with
   * {@code times(2)}. A POST is never resent by it.
   */
  public static Fault dropAfterApply() {
    return new Fault(Kind.DROP_AFTER_APPLY, 0, Duration.ZERO, 1, null, null, DEFAULT_RETRY_AFTER);
  }

  /** Wait {@code d} with the request open, then apply it and answer. */
  public static Fault holdBeforeApply(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("hold must not be negative");
    }
    return new Fault(Kind.HOLD_BEFORE_APPLY, 0, d, 1, null, null, DEFAULT_RETRY_AFTER);
  }

  /**
   * Apply a create with every {@code percentage} of its body rounded (half-even) to {@code
   * decimals} places, and answer with the deployment as stored; the request log keeps the body as
   * sent.
   */
  public static Fault roundPercentages(int decimals) {
    if (decimals < 0) {
      throw new IllegalArgumentException("decimals must not be negative");
    }
    return new Fault(
        Kind.ROUND_PERCENTAGES, decimals, Duration.ZERO, 1, null, null, DEFAULT_RETRY_AFTER);
  }

  /**
   * Apply the request, send the answer's status and headers (with its full {@code Content-Length})
   * and the first half of its body, then send nothing more for {@code stall}, after which the rest
   * follows if the client is still there. The JDK client's {@code HttpRequest.timeout} does not
   * cover the body, so only a client that bounds the whole exchange gives up in time.
   */
  public static Fault stallBodyAfterApply(Duration stall) {
    return new Fault(
        Kind.STALL_BODY_AFTER_APPLY, 0, positive(stall), 1, null, null, DEFAULT_RETRY_AFTER);
  }

  /**
   * Do not apply the request; send {@code 200} headers and the start of a success envelope, then
   * nothing more for {@code stall}, after which the connection is closed with the body incomplete.
   */
  public static Fault stallBody(Duration stall) {
    return new Fault(Kind.STALL_BODY, 0, positive(stall), 1, null, null, DEFAULT_RETRY_AFTER);
  }

  private static Duration positive(Duration stall) {
    if (stall.isNegative() || stall.isZero()) {
      throw new IllegalArgumentException("stall must be positive");
    }
    return stall;
  }

  /**
   * On {@code POST /graphql}: answer HTTP 200 with {@code data: null} and one GraphQL error with
   * {@code message} and, unless null, {@code extensions.code} (Cloudflare uses {@code budget} and
   * {@code authz}). The query is not charged to the analytics budget.
   */
  public static Fault graphQlError(String code, String message) {
    return new Fault(
        Kind.GRAPHQL_ERROR,
        0,
        Duration.ZERO,
        1,
        "POST",
        "/graphql",
        DEFAULT_RETRY_AFTER,
        code,
        Objects.requireNonNull(message, "message"));
  }

  /** On {@code POST /graphql}: an "unknown field" GraphQL error, as after a dataset rename. */
  public static Fault unknownField(String field) {
    return graphQlError(
        null, "unknown field \"" + field + "\" on type \"" + FakeAnalytics.DIMENSIONS_TYPE + "\"");
  }

  /** Fire on the next {@code k} matching requests (default 1). */
  public Fault times(int k) {
    if (k < 1) {
      throw new IllegalArgumentException("times must be at least 1, was " + k);
    }
    return new Fault(
        kind, status, delay, k, method, pathSuffix, retryAfter, graphQlCode, graphQlMessage);
  }

  /** Match only requests with this method whose path ends with {@code pathSuffix}. */
  public Fault on(String method, String pathSuffix) {
    return new Fault(
        kind,
        status,
        delay,
        times,
        Objects.requireNonNull(method, "method").toUpperCase(Locale.ROOT),
        Objects.requireNonNull(pathSuffix, "pathSuffix"),
        retryAfter,
        graphQlCode,
        graphQlMessage);
  }

  /**
   * For {@code status(429)}: the {@code retry-after} header, in seconds rounded up (default 1s).
   */
  public Fault retryAfter(Duration d) {
    if (d.isNegative()) {
      throw new IllegalArgumentException("retryAfter must not be negative");
    }
    return new Fault(
        kind, status, delay, times, method, pathSuffix, d, graphQlCode, graphQlMessage);
  }

  Kind kind() {
    return kind;
  }

  int httpStatus() {
    return status;
  }

  /** For {@link #roundPercentages}: the decimals kept. */
  int decimals() {
    return status;
  }

  Duration delay() {
    return delay;
  }

  int count() {
    return times;
  }

  Duration retryAfterDuration() {
    return retryAfter;
  }

  String graphQlCode() {
    return graphQlCode;
  }

  String graphQlMessage() {
    return graphQlMessage;
  }

  boolean matches(String requestMethod, String requestPath) {
    return (method == null || method.equals(requestMethod))
        && (pathSuffix == null || requestPath.endsWith(pathSuffix));
  }

  @Override
  public String toString() {
    String what =
        switch (kind) {
          case STATUS -> "status(" + status + ")";
          case DELAY -> "delay(" + delay + ")";
          case DROP_AFTER_APPLY -> "dropAfterApply()";
          case HOLD_BEFORE_APPLY -> "holdBeforeApply(" + delay + ")";
          case ROUND_PERCENTAGES -> "roundPercentages(" + status + ")";
          case STALL_BODY_AFTER_APPLY -> "stallBodyAfterApply(" + delay + ")";
          case STALL_BODY -> "stallBody(" + delay + ")";
          case GRAPHQL_ERROR -> "graphQlError(" + graphQlCode + ", " + graphQlMessage + ")";
        };
    String where = method == null ? "any request" : method + " *" + pathSuffix;
    return "Fault[" + what + " x" + times + " on " + where + "]";
  }
}
