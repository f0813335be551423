package io.cfworkers.operator.cloudflare;

import java.time.Duration;
import java.util.Objects;

/**
 * How {@link HttpWorkersDeploymentsApi} reaches Cloudflare.
 *
 * @param baseUrl the API root, e.g. {@code https://api.cloudflare.com/client/v4}; a trailing slash
 *     is ignored
 * @param connectTimeout time allowed to open a connection
 * @param requestTimeout time allowed for one request, from sending to the last byte of the answer
 */
public record CloudflareClientSettings(
    String baseUrl, Duration connectTimeout, Duration requestTimeout) {
  public CloudflareClientSettings {
    Objects.requireNonNull(baseUrl, "baseUrl");
    Objects.requireNonNull(connectTimeout, "connectTimeout");
    Objects.requireNonNull(requestTimeout, "requestTimeout");
    while (baseUrl.endsWith("/")) {
      baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
    }
    if (baseUrl.isEmpty()) {
      throw new IllegalArgumentException("baseUrl must not be empty");
    }
    if (connectTimeout.isNegative()
        || connectTimeout.isZero()
        || requestTimeout.isNegative()
        || requestTimeout.isZero()) {
      throw new IllegalArgumentException("timeouts must be positive");
    }
  }
}
