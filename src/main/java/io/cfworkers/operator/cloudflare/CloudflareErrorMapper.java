package io.cfworkers.operator.cloudflare;

import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The one place that turns a failed Cloudflare call into a {@link CloudflareApiException}. Rules,
 * first match wins:
 *
 * <ol>
 *   <li>HTTP 429 or code 971: rate limited, for the {@code retry-after} seconds (or HTTP date), or
 *       {@link #DEFAULT_RETRY_AFTER} when the header is missing or unreadable;
 *   <li>5xx: transient;
 *   <li>401/403 or codes 10000, 9106: {@link Rejection#AUTHENTICATION_FAILED};
 *   <li>code 10007: {@link Rejection#SCRIPT_NOT_FOUND};
 *   <li>code 10224: {@link Rejection#VERSION_NOT_FOUND};
 *   <li>code 10220: {@link Rejection#SECRET_CHANGED};
 *   <li>code 100146 (a just-created version is not visible yet): transient;
 *   <li>404 from {@link CloudflareOperation#GET_VERSION} (its path names the version): {@link
 *       Rejection#VERSION_NOT_FOUND};
 *   <li>other 404, including a create's without code 10224: {@link Rejection#NOT_FOUND}, quoting
 *       what Cloudflare said. A create is not reported as naming an unknown version unless
 *       Cloudflare's code says so: a 404 there may as well come from a proxy or a wrong base URL;
 *   <li>other 4xx, or a 2xx whose envelope says {@code success: false}: {@link Rejection#INVALID};
 *   <li>anything else (an unexpected 1xx/3xx): transient.
 * </ol>
 *
 * <p>No answer at all (I/O error, timeout) is transient with HTTP status 0. Messages name the
 * method, path, HTTP status and Cloudflare's codes and messages; they never contain a credential,
 * and a body that is not a Cloudflare envelope (an HTML error page) is not quoted.
 */
public final class CloudflareErrorMapper {
  /** How long to hold a credential after a 429 that carries no usable {@code retry-after}. */
  public static final Duration DEFAULT_RETRY_AFTER = Duration.ofMinutes(5);

  static final int CODE_RATE_LIMITED = 971;
  static final int CODE_AUTHENTICATION_ERROR = 10000;
  static final int CODE_AUTHENTICATION_FAILED = 9106;
  static final int CODE_SCRIPT_NOT_FOUND = 10007;
  static final int CODE_SECRET_CHANGED = 10220;

  /** Not documented by Cloudflare; the code the project's fake answers for an unknown version. */
  static final int CODE_VERSION_NOT_FOUND = 10224;

  static final int CODE_VERSION_NOT_YET_VISIBLE = 100146;

  private static final Set<Integer> AUTHENTICATION_CODES =
      Set.of(CODE_AUTHENTICATION_ERROR, CODE_AUTHENTICATION_FAILED);

  private final Clock clock;

  /**
   * @param clock the wall clock a {@code retry-after} given as an HTTP date is measured against
   */
  public CloudflareErrorMapper(Clock clock) {
    this.clock = clock;
  }

  /**
   * Maps an answer that was not a success.
   *
   * @param operation the call made
   * @param target method-less request path with query, e.g. {@code
   *     /accounts/a/workers/scripts/s/deployments?force=true}
   * @param httpStatus the HTTP status Cloudflare answered
   * @param errors the envelope's {@code errors[]}; empty when the body was not an envelope
   * @param retryAfter the {@code retry-after} header, if any
   */
  public CloudflareApiException fromResponse(
      CloudflareOperation operation,
      String target,
      int httpStatus,
      List<CloudflareError> errors,
      Optional<String> retryAfter) {
    List<CloudflareError> errs = errors == null ? List.of() : List.copyOf(errors);
    String where = operation.method() + " " + target + " (HTTP " + httpStatus + ")";
    String detail = errs.isEmpty() ? "no Cloudflare error in the answer" : describe(errs);

    if (httpStatus == 429 || hasCode(errs, CODE_RATE_LIMITED)) {
      Duration wait = retryAfter(retryAfter);
      return new CloudflareRateLimitedException(
          wait,
          httpStatus,
          errs,
          "Cloudflare rate-limited " + where + ", retry after " + wait + ": " + detail);
    }
    if (httpStatus >= 500 || httpStatus == 408 || httpStatus == 425) {
      // 408 Request Timeout and 425 Too Early say "try again", like a 5xx.
      return new CloudflareTransientException(
          httpStatus, errs, "Cloudflare failed " + where + ": " + detail, null);
    }
    if (httpStatus == 401 || httpStatus == 403 || errs.stream().anyMatch(this::isAuthentication)) {
      return rejected(Rejection.AUTHENTICATION_FAILED, httpStatus, errs, where, detail);
    }
    if (hasCode(errs, CODE_SCRIPT_NOT_FOUND)) {
      return rejected(Rejection.SCRIPT_NOT_FOUND, httpStatus, errs, where, detail);
    }
    if (hasCode(errs, CODE_VERSION_NOT_FOUND)) {
      return rejected(Rejection.VERSION_NOT_FOUND, httpStatus, errs, where, detail);
    }
    if (hasCode(errs, CODE_SECRET_CHANGED)) {
      return rejected(Rejection.SECRET_CHANGED, httpStatus, errs, where, detail);
    }
    if (hasCode(errs, CODE_VERSION_NOT_YET_VISIBLE)) {
      return new CloudflareTransientException(
          httpStatus,
          errs,
          "Cloudflare does not see the version yet: " + where + ": " + detail,
          null);
    }
    if (httpStatus == 404) {
      Rejection rejection =
          operation == CloudflareOperation.GET_VERSION
              ? Rejection.VERSION_NOT_FOUND
              : Rejection.NOT_FOUND;
      return rejected(rejection, httpStatus, errs, where, detail);
    }
    if (httpStatus >= 400 || (httpStatus >= 200 && httpStatus < 300)) {
      return rejected(Rejection.INVALID, httpStatus, errs, where, detail);
    }
    return new CloudflareTransientException(
        httpStatus, errs, "Unexpected answer from Cloudflare to " + where + ": " + detail, null);
  }

  /** Maps a call that got no answer: an I/O error or a timeout. */
  public CloudflareTransientException fromIoFailure(
      CloudflareOperation operation, String target, IOException failure) {
    String what = failure instanceof HttpTimeoutException ? "timed out" : "got no answer";
    String reason = failure.getClass().getSimpleName();
    if (failure.getMessage() != null) {
      reason += ": " + failure.getMessage();
    }
    return new CloudflareTransientException(
        0,
        List.of(),
        "Cloudflare call " + operation.method() + " " + target + " " + what + " (" + reason + ")",
        failure);
  }

  /**
   * The wait a {@code retry-after} header asks for: delay-seconds or an HTTP date; {@link
   * #DEFAULT_RETRY_AFTER} when it is missing or unreadable, zero when the date has passed.
   */
  public Duration retryAfter(Optional<String> header) {
    if (header.isEmpty() || header.get().isBlank()) {
      return DEFAULT_RETRY_AFTER;
    }
    String value = header.get().trim();
    try {
      long seconds = Long.parseLong(value);
      return seconds >= 0 ? Duration.ofSeconds(seconds) : DEFAULT_RETRY_AFTER;
    } catch (NumberFormatException notSeconds) {
      try {
        Instant at = ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        Duration wait = Duration.between(clock.instant(), at);
        return wait.isNegative() ? Duration.ZERO : wait;
      } catch (DateTimeParseException notADate) {
        return DEFAULT_RETRY_AFTER;
      }
    }
  }

  private boolean isAuthentication(CloudflareError error) {
    return AUTHENTICATION_CODES.contains(error.code());
  }

  private static boolean hasCode(List<CloudflareError> errors, int code) {
    return errors.stream().anyMatch(e -> e.code() == code);
  }

  private static CloudflareRejectedException rejected(
      Rejection rejection,
      int httpStatus,
      List<CloudflareError> errors,
      String where,
      String detail) {
    return new CloudflareRejectedException(
        rejection, httpStatus, errors, "Cloudflare refused " + where + ": " + detail);
  }

  private static String describe(List<CloudflareError> errors) {
    return CloudflareError.describe(errors);
  }
}
