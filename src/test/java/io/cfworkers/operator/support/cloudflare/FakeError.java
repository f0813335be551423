package io.cfworkers.operator.support.cloudflare;

/**
 * Every error the fake Cloudflare API answers with: HTTP status, Cloudflare error code and message
 * template, in one table.
 *
 * <p>Codes marked <em>invented</em> are the fake's choice for cases Cloudflare does not document
 * (see the error-code table of the Cloudflare notes): a client must not rely on their exact values,
 * only on the HTTP status class. The others are the codes Cloudflare is known to answer with.
 *
 * <table>
 *   <caption>Errors of the fake</caption>
 *   <tr><th>constant</th><th>HTTP</th><th>code</th><th>origin</th></tr>
 *   <tr><td>{@link #AUTHENTICATION_REQUIRED}</td><td>401</td><td>10000</td><td>Cloudflare</td></tr>
 *   <tr><td>{@link #AUTHENTICATION_FAILED}</td><td>403</td><td>9106</td><td>Cloudflare</td></tr>
 *   <tr><td>{@link #ACCOUNT_NOT_AUTHORIZED}</td><td>403</td><td>10000</td><td>Cloudflare</td></tr>
 *   <tr><td>{@link #INVALID_REQUEST}</td><td>400</td><td>10021</td><td>Cloudflare code, fake's
 *       messages</td></tr>
 *   <tr><td>{@link #SCRIPT_NOT_FOUND}</td><td>404</td><td>10007</td><td>Cloudflare</td></tr>
 *   <tr><td>{@link #SECRET_CHANGED}</td><td>400</td><td>10220</td><td>Cloudflare</td></tr>
 *   <tr><td>{@link #RATE_LIMITED}</td><td>429</td><td>971</td><td>Cloudflare</td></tr>
 *   <tr><td>{@link #INTERNAL_ERROR}</td><td>5xx</td><td>10013</td><td>Cloudflare</td></tr>
 *   <tr><td>{@link #VERSION_NOT_DEPLOYABLE}</td><td>404</td><td>10224</td><td>invented</td></tr>
 *   <tr><td>{@link #DEPLOYMENT_NOT_FOUND}</td><td>404</td><td>10226</td><td>invented</td></tr>
 *   <tr><td>{@link #ACTIVE_DEPLOYMENT_NOT_DELETABLE}</td><td>400</td><td>10227</td><td>invented</td></tr>
 *   <tr><td>{@link #NO_ROUTE}</td><td>404</td><td>7003</td><td>invented</td></tr>
 *   <tr><td>{@link #METHOD_NOT_ALLOWED}</td><td>405</td><td>10405</td><td>invented</td></tr>
 *   <tr><td>{@link #INJECTED_CLIENT_ERROR}</td><td>4xx</td><td>10999</td><td>invented</td></tr>
 * </table>
 */
public enum FakeError {
  /** No usable credential headers (none, or {@code X-Auth-Email} without {@code X-Auth-Key}). */
  AUTHENTICATION_REQUIRED(401, 10000, "Authentication error", false),
  /** An unknown API token, or an e-mail and key that do not match. */
  AUTHENTICATION_FAILED(403, 9106, "Authentication failed", false),
  /** A valid credential that is not bound to the account in the path. */
  ACCOUNT_NOT_AUTHORIZED(403, 10000, "Authentication error", false),
  /** A request that breaks a rule; the message names the field and the rule. */
  INVALID_REQUEST(400, 10021, "%s", false),
  /** The script is not in the account. */
  SCRIPT_NOT_FOUND(404, 10007, "This Worker does not exist on your account.", false),
  /** A version to deploy saw other secret values than the current ones; lists the secrets. */
  SECRET_CHANGED(
      400,
      10220,
      "A secret has changed since this version was active. If you are sure this is ok, add a"
          + " ?force=true query parameter to allow the rollback. The following secrets have"
          + " changed: %s",
      false),
  /** Over the credential's request budget, or still blocked after going over it. */
  RATE_LIMITED(429, 971, "Please wait and consider throttling your request speed", false),
  /** An injected 5xx; the HTTP status is the injected one. */
  INTERNAL_ERROR(500, 10013, "An unknown error has occurred", false),
  /**
   * Invented: a version id that is not a version of the script, or not among its 100 most recent
   * (creating a deployment), or unknown (reading a version).
   */
  VERSION_NOT_DEPLOYABLE(404, 10224, "Version %s is not a deployable version of script %s", true),
  /** Invented: no deployment with that id in the script's history. */
  DEPLOYMENT_NOT_FOUND(404, 10226, "Deployment not found", true),
  /** Invented: deleting the deployment that serves traffic. */
  ACTIVE_DEPLOYMENT_NOT_DELETABLE(400, 10227, "Cannot delete the active deployment", true),
  /** Invented: a path the fake does not serve. */
  NO_ROUTE(404, 7003, "No route for that URI", true),
  /** Invented: a method the path does not support. */
  METHOD_NOT_ALLOWED(405, 10405, "Method not allowed", true),
  /** Invented: an injected 4xx other than 429; the HTTP status is the injected one. */
  INJECTED_CLIENT_ERROR(400, 10999, "Injected fault: HTTP %d", true);

  private final int httpStatus;
  private final int code;
  private final String template;
  private final boolean invented;

  FakeError(int httpStatus, int code, String template, boolean invented) {
    this.httpStatus = httpStatus;
    this.code = code;
    this.template = template;
    this.invented = invented;
  }

  /** The HTTP status answered (for injected faults: the default; the fault's status wins). */
  public int httpStatus() {
    return httpStatus;
  }

  /** The Cloudflare error code in {@code errors[0].code}. */
  public int code() {
    return code;
  }

  /** True when Cloudflare documents no code for this case and the fake picked one. */
  public boolean invented() {
    return invented;
  }

  /** The message, with the template's placeholders filled from {@code args}. */
  public String message(Object... args) {
    return args.length == 0 ? template : String.format(java.util.Locale.ROOT, template, args);
  }
}
