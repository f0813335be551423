package io.cfworkers.operator.cloudflare;

import java.time.Instant;

/**
 * A version of a Worker script (uploaded code), as Cloudflare reports it.
 *
 * @param id the version's UUID
 * @param number the version's sequence number within the script, or null
 * @param authorEmail {@code metadata.author_email}, or null
 * @param createdOn {@code metadata.created_on}, or null
 * @param source {@code metadata.source}, or null
 * @param message the {@code workers/message} annotation, or null
 * @param tag the {@code workers/tag} annotation, or null
 */
public record WorkerVersion(
    String id,
    Integer number,
    String authorEmail,
    Instant createdOn,
    String source,
    String message,
    String tag) {}
