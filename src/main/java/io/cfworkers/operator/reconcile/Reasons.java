package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.cloudflare.CloudflareRejectedException;

/**
 * Condition and event reasons: CamelCase, stable, searchable. Changing one is a breaking change for
 * users' alerts and scripts.
 */
public final class Reasons {
  private Reasons() {}

  // Ready=True
  public static final String DEPLOYED = "Deployed";
  public static final String ADOPTED = "Adopted";
  public static final String DRIFT_CORRECTED = "DriftCorrected";

  // Reconciling=True
  public static final String DEPLOYING = "Deploying";
  public static final String RATE_LIMITED = "RateLimited";
  public static final String API_UNAVAILABLE = "ApiUnavailable";
  public static final String INTERNAL_ERROR = "InternalError";

  // Neither
  public static final String SUSPENDED = "Suspended";
  public static final String DRIFT_DETECTED = "DriftDetected";

  /** Break-glass: annotation cfworkers.io/hold is present (also Ready=True when in sync). */
  public static final String HELD = "Held";

  // Events only
  public static final String HOLD_RELEASED = "HoldReleased";

  // Stalled=True
  public static final String CREDENTIALS_NOT_FOUND = "CredentialsNotFound";
  public static final String AUTHENTICATION_FAILED = "AuthenticationFailed";
  public static final String SCRIPT_NOT_FOUND = "ScriptNotFound";
  public static final String VERSION_NOT_FOUND = "VersionNotFound";
  public static final String AMBIGUOUS_VERSION_TAG = "AmbiguousVersionTag";
  public static final String SECRET_CHANGED_FORCE_REQUIRED = "SecretChangedForceRequired";
  public static final String REJECTED = "Rejected";
  public static final String INVALID_SPEC = "InvalidSpec";
  public static final String SCRIPT_CONFLICT = "ScriptConflict";
  public static final String DEPLOYMENT_NOT_OBSERVED = "DeploymentNotObserved";

  /** The Stalled reason for a rejection. */
  public static String of(CloudflareRejectedException e) {
    return switch (e.rejection()) {
      case SCRIPT_NOT_FOUND -> SCRIPT_NOT_FOUND;
      case VERSION_NOT_FOUND -> VERSION_NOT_FOUND;
      case SECRET_CHANGED -> SECRET_CHANGED_FORCE_REQUIRED;
      case AUTHENTICATION_FAILED -> AUTHENTICATION_FAILED;
      case NOT_FOUND, INVALID -> REJECTED;
    };
  }
}
