package io.cfworkers.operator.cloudflare;

import java.util.List;

/** Cloudflare refused the call; the same call gets the same answer until the input changes. */
public final class CloudflareRejectedException extends CloudflareApiException {
  private final Rejection rejection;

  public CloudflareRejectedException(
      Rejection rejection, int httpStatus, List<CloudflareError> errors, String message) {
    super(message, httpStatus, errors, null);
    this.rejection = rejection;
  }

  public Rejection rejection() {
    return rejection;
  }
}
