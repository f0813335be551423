package io.cfworkers.operator.cloudflare;

import java.time.Instant;
import java.util.List;

/**
 * A deployment as Cloudflare reports it. Deployments are an append-only history; the newest one
 * serves traffic.
 *
 * @param id the deployment's UUID
 * @param createdOn when Cloudflare created it (may be null if Cloudflare omitted it)
 * @param source who made it: {@code api}, {@code wrangler}, {@code dash}, {@code terraform}, …
 * @param strategy always {@code percentage} today
 * @param versions the split, in Cloudflare's order
 * @param message the {@code workers/message} annotation, or null
 * @param triggeredBy the server-set {@code workers/triggered_by} annotation, or null
 * @param authorEmail the e-mail of the credential's owner that created it, or null
 */
public record Deployment(
    String id,
    Instant createdOn,
    String source,
    String strategy,
    List<DeploymentVersion> versions,
    String message,
    String triggeredBy,
    String authorEmail) {
  public Deployment {
    versions = versions == null ? List.of() : List.copyOf(versions);
  }
}
