package io.cfworkers.operator.cloudflare;

import java.util.List;

/**
 * A 5xx, timeout or I/O failure: worth retrying later. For a create call the outcome is unknown —
 * the deployment may exist — so the caller must list deployments before creating again.
 */
public final class CloudflareTransientException extends CloudflareApiException {
  public CloudflareTransientException(
      int httpStatus, List<CloudflareError> errors, String message, Throwable cause) {
    super(message, httpStatus, errors, cause);
  }
}
