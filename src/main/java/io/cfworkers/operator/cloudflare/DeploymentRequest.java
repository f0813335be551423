package io.cfworkers.operator.cloudflare;

import java.util.List;

/**
 * What to deploy: the split (strategy {@code percentage}) and an optional message. The message is
 * sent as the {@code workers/message} annotation, cut to {@value #MAX_MESSAGE_BYTES} bytes of UTF-8
 * on a character boundary by the client; {@code workers/triggered_by} is server-set and never sent.
 */
public record DeploymentRequest(List<DeploymentVersion> versions, String message) {
  /** Cloudflare keeps at most this many bytes of {@code workers/message}. */
  public static final int MAX_MESSAGE_BYTES = 100;

  public DeploymentRequest {
    versions = List.copyOf(versions);
  }
}
