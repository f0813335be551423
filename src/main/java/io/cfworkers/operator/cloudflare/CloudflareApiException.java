package io.cfworkers.operator.cloudflare;

import java.util.List;

/**
 * A failed Cloudflare call. Messages quote Cloudflare's codes and messages, never credentials. The
 * three subtypes are all the reconciler needs to tell apart: rejected, rate limited, transient.
 */
public abstract sealed class CloudflareApiException extends RuntimeException
    permits CloudflareRejectedException,
        CloudflareRateLimitedException,
        CloudflareTransientException {

  private final int httpStatus;
  private final List<CloudflareError> errors;

  protected CloudflareApiException(
      String message, int httpStatus, List<CloudflareError> errors, Throwable cause) {
    super(message, cause);
    this.httpStatus = httpStatus;
    this.errors = errors == null ? List.of() : List.copyOf(errors);
  }

  /** The HTTP status Cloudflare answered, or 0 when no answer arrived. */
  public int httpStatus() {
    return httpStatus;
  }

  /** Cloudflare's {@code errors[]}, possibly empty. */
  public List<CloudflareError> errors() {
    return errors;
  }

  /** The first Cloudflare error code, or 0 when there is none. */
  public int code() {
    return errors.isEmpty() ? 0 : errors.get(0).code();
  }

  /** Cloudflare's error messages as one line, e.g. {@code "10007: This Worker does not exist"}. */
  public String cloudflareMessage() {
    return CloudflareError.describe(errors);
  }
}
