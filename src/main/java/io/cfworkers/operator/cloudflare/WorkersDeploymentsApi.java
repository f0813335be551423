package io.cfworkers.operator.cloudflare;

import java.util.List;
import java.util.Optional;

/**
 * The Cloudflare Workers deployments API, in domain terms. Nothing outside this package knows a URL
 * or a header.
 *
 * <p>Every method either returns Cloudflare's answer or throws one of the subtypes of {@link
 * CloudflareApiException}:
 *
 * <ul>
 *   <li>{@link CloudflareRejectedException}: Cloudflare refused the call (spec, target or
 *       credentials wrong); repeating it unchanged gets the same answer;
 *   <li>{@link CloudflareRateLimitedException}: no call was made, or Cloudflare answered 429; retry
 *       no sooner than {@link CloudflareRateLimitedException#retryAfter()};
 *   <li>{@link CloudflareTransientException}: 5xx, timeout or I/O error; the outcome is unknown for
 *       {@link #createDeployment}.
 * </ul>
 *
 * <p>Every call is charged to the client-side budget of its credential. Read calls may be repeated
 * freely. {@link #createDeployment} is sent exactly once per invocation: it is never retried here.
 */
public interface WorkersDeploymentsApi {

  /**
   * The script's deployments, newest first; the first one serves traffic. An empty list means the
   * script has no deployment yet. Reads only.
   *
   * @throws CloudflareRejectedException with {@link Rejection#SCRIPT_NOT_FOUND} if the script does
   *     not exist
   */
  List<Deployment> listDeployments(ScriptRef script, Credential credential);

  /**
   * As {@link #listDeployments}, for a resource with a change pending: the budget permit of the
   * create that will likely follow is taken together with the list's, so a list whose create then
   * finds the budget spent is never sent. When no create follows, the held permit serves another
   * resource's create, or lapses. Reads only.
   *
   * <p>When the permits are not due soon, nothing is sent: they are reserved for {@code waiter} and
   * a {@link CloudflareRateLimitedException} with {@link
   * CloudflareRateLimitedException#permitsReserved()} says when; the same waiter calling again then
   * uses them.
   *
   * @param waiter the resource the change is for (namespace/name)
   */
  default List<Deployment> listDeploymentsBeforeChange(
      ScriptRef script, Credential credential, String waiter) {
    return listDeployments(script, credential);
  }

  /** The deployment serving traffic now, or empty when none does. Reads only. */
  default Optional<Deployment> activeDeployment(ScriptRef script, Credential credential) {
    return listDeployments(script, credential).stream().findFirst();
  }

  /**
   * Creates a deployment, which serves traffic as soon as it exists. Sent once: a transient failure
   * leaves the outcome unknown, and the caller must list deployments again before trying anew.
   *
   * @param force sends {@code ?force=true}, which lets a rollback across a secret change through
   * @return the created deployment
   */
  Deployment createDeployment(
      ScriptRef script, Credential credential, DeploymentRequest request, boolean force);

  /** One deployment, or empty if the script has no deployment with that id. Reads only. */
  Optional<Deployment> getDeployment(ScriptRef script, Credential credential, String deploymentId);

  /**
   * Deletes a deployment from the history. Cloudflare refuses to delete the one serving traffic
   * ({@link CloudflareRejectedException}). Deleting an unknown id is rejected as not found.
   */
  void deleteDeployment(ScriptRef script, Credential credential, String deploymentId);

  /**
   * The script's deployable versions, newest first, following pages until an empty one. Reads only.
   */
  List<WorkerVersion> listVersions(ScriptRef script, Credential credential);

  /**
   * The script's deployable versions (the last 100 uploaded), newest first, with their tags, in one
   * call as {@code wrangler versions deploy --version-tag} makes it: {@code GET
   * versions?deployable=true}, which Cloudflare answers in full, ignoring pagination. Reads only.
   * The default lists page by page; the HTTP client overrides it with the single call.
   *
   * @throws CloudflareRejectedException with {@link Rejection#SCRIPT_NOT_FOUND} if the script does
   *     not exist
   */
  default List<WorkerVersion> deployableVersions(ScriptRef script, Credential credential) {
    return listVersions(script, credential);
  }

  /** One version, or empty if the script has no version with that id. Reads only. */
  Optional<WorkerVersion> getVersion(ScriptRef script, Credential credential, String versionId);
}
