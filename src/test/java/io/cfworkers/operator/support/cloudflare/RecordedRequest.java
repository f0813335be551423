package io.cfworkers.operator.support.cloudflare;

/**
 * One request the fake received. Never holds a secret: credentials appear only as {@link
 * io.cfworkers.operator.cloudflare.Credential#id()}, and headers are not recorded.
 *
 * @param method the HTTP method, upper case
 * @param path the raw request path, e.g. {@code
 *     /client/v4/accounts/a/workers/scripts/s/deployments}
 * @param query the raw query string, or null when there is none
 * @param credentialId the id of the credential presented (known or not), or null when the request
 *     carried no complete credential
 * @param body the request body as UTF-8 text, empty when there was none
 * @param status the HTTP status answered; 0 when the connection was dropped without an answer, or
 *     while the answer is not decided yet
 * @param receivedNanos {@link System#nanoTime()} of this JVM when the request arrived (before any
 *     latency or fault delay), for timing measurements; 0 when unknown
 */
public record RecordedRequest(
    String method,
    String path,
    String query,
    String credentialId,
    String body,
    int status,
    long receivedNanos) {

  /** A request whose arrival time is unknown. */
  public RecordedRequest(
      String method, String path, String query, String credentialId, String body, int status) {
    this(method, path, query, credentialId, body, status, 0L);
  }
}
