package io.cfworkers.operator.cloudflare;

/** Why Cloudflare rejected a call; the reconciler maps each to a condition reason. */
public enum Rejection {
  /** The script does not exist in the account (404, code 10007). */
  SCRIPT_NOT_FOUND,
  /**
   * A version id is not a deployable version of the script: code 10224, or a 404 reading the
   * version itself.
   */
  VERSION_NOT_FOUND,
  /**
   * A deployment or other named object does not exist, or a 404 without a code that says what is
   * missing (other 404s).
   */
  NOT_FOUND,
  /**
   * A secret changed since the version last ran (code 10220); {@code force=true} lets it through.
   */
  SECRET_CHANGED,
  /** The credentials were refused (401/403, codes 10000, 9106). */
  AUTHENTICATION_FAILED,
  /** Any other 4xx: the request is wrong as it stands. */
  INVALID
}
