package io.cfworkers.operator.cloudflare;

import java.time.Duration;
import java.util.List;

/**
 * No call may be made with this credential for {@link #retryAfter()}: either Cloudflare answered
 * 429 ({@link #httpStatus()} 429), or the client-side budget of the credential is spent and the
 * call was not sent ({@link #httpStatus()} 0).
 */
public final class CloudflareRateLimitedException extends CloudflareApiException {
  private final Duration retryAfter;

  public CloudflareRateLimitedException(
      Duration retryAfter, int httpStatus, List<CloudflareError> errors, String message) {
    super(message, httpStatus, errors, null);
    this.retryAfter = retryAfter;
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
