package io.cfworkers.operator.rollout.analysis;

import java.util.Objects;

/**
 * Why an analytics query gave no numbers, in Cloudflare's words. It never carries the credential:
 * only Cloudflare's message and code, which name no secret.
 *
 * @param kind what sort of failure it is
 * @param code Cloudflare's {@code extensions.code}, or the HTTP status as text, or null
 * @param message Cloudflare's message (several joined with "; "), or a description of the fault
 */
public record AnalyticsError(Kind kind, String code, String message) {

  /** What sort of failure a query met. */
  public enum Kind {
    /** The token's GraphQL budget (300 queries per 5 minutes) is spent: code {@code budget}. */
    BUDGET,
    /** The token may not read the account's analytics (Account Analytics: Read is missing). */
    PERMISSION,
    /** The dataset lacks a field the query uses (e.g. renamed, or no {@code scriptVersion}). */
    UNKNOWN_FIELD,
    /** The endpoint answered with an HTTP error or not at all. */
    HTTP,
    /** The answer was not the shape the query asks for. */
    MALFORMED,
    /** Any other GraphQL error. */
    OTHER
  }

  public AnalyticsError {
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(message, "message");
  }

  /** One line for status, events and logs, e.g. {@code budget: query budget exceeded}. */
  public String describe() {
    return code == null || code.isBlank() ? message : code + ": " + message;
  }
}
