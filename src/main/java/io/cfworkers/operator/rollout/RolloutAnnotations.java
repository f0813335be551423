package io.cfworkers.operator.rollout;

/**
 * The annotations a user sets to steer a rollout. The first four are requests: a value different
 * from the last one handled (kept in {@code status.rollout.lastHandled*}) is a new request, handled
 * once; any new value will do, e.g. {@code "$(date +%s)"}. {@link #HOLD} is a state.
 */
public final class RolloutAnnotations {
  private RolloutAnnotations() {}

  /** End the current step (its pause, or the wait for its split) and go to the next one. */
  public static final String PROMOTE = "cfworkers.io/promote";

  /** Skip the remaining steps: the new version serves 100% now. */
  public static final String PROMOTE_FULL = "cfworkers.io/promote-full";

  /** Back to the stable version at 100%; stays aborted until a retry or a new target. */
  public static final String ABORT = "cfworkers.io/abort";

  /** Restart an aborted rollout at step 1. */
  public static final String RETRY = "cfworkers.io/retry";

  /** Break-glass: while present, observe and report only. Its value is the reason. */
  public static final String HOLD = "cfworkers.io/hold";
}
