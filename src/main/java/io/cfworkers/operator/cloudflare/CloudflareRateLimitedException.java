package io.cfworkers.operator.cloudflare;

import java.time.Duration;
import java.util.List;

/**
 * No call may be made with this credential for {@link #retryAfter()}: either Cloudflare answered
 * 429 ({@link #httpStatus()} 429), or the client-side budget of the credential is spent and the
 * call was not sent ({@link #httpStatus()} 0).
 *
 * <p>{@link #permitsReserved()}: a change's permits are reserved for it at a later slice of the
 * budget ({@link CredentialRateLimiter#acquirePair}); nothing was sent, and the same resource
 * coming back after {@link #retryAfter()} uses them. It is a wait in a queue, not a failure.
 */
public final class CloudflareRateLimitedException extends CloudflareApiException {
  private final Duration retryAfter;
  private final boolean permitsReserved;

  public CloudflareRateLimitedException(
      Duration retryAfter, int httpStatus, List<CloudflareError> errors, String message) {
    this(retryAfter, httpStatus, errors, message, false);
  }

  private CloudflareRateLimitedException(
      Duration retryAfter,
      int httpStatus,
      List<CloudflareError> errors,
      String message,
      boolean permitsReserved) {
    super(message, httpStatus, errors, null);
    this.retryAfter = retryAfter;
    this.permitsReserved = permitsReserved;
  }

  /**
   * The change's permits are reserved and due in {@code retryAfter}: nothing was sent, come back
   * then.
   */
  public static CloudflareRateLimitedException reserved(Duration retryAfter, String message) {
    return new CloudflareRateLimitedException(retryAfter, 0, List.of(), message, true);
  }

  /**
   * True when the caller's permits are reserved for it, due after {@link #retryAfter()}: the caller
   * should come back then (with the same waiter) rather than report a rate limit.
   */
  public boolean permitsReserved() {
    return permitsReserved;
  }

  public Duration retryAfter() {
    return retryAfter;
  }

  /**
   * True when Cloudflare itself refused the call (an HTTP answer, normally 429); false when the
   * client-side budget held the call and nothing was sent.
   */
  public boolean fromCloudflare() {
    return httpStatus() != 0;
  }
}
