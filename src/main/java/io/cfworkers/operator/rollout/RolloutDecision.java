package io.cfworkers.operator.rollout;

import io.cfworkers.operator.api.v1alpha1.RolloutStatus;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.rollout.analysis.AnalysisWindow;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * What the reconciler should do for a rollout, as a value: at most one deployment to create, the
 * next {@code status.rollout}, the conditions and events to report, and when to look again.
 *
 * @param create the split Cloudflare should serve, to be created once (the intent record covers
 *     it); empty when live already matches, or while frozen
 * @param status the next {@code status.rollout}; null means no rollout applies (no {@code
 *     spec.rollout}, no live deployment, or the target is the stable version): the caller deploys
 *     {@code create} as it deploys any spec, reports as it does without a rollout, and removes
 *     {@code status.rollout}
 * @param condition what the Ready/Reconciling/Stalled conditions say; null exactly when {@code
 *     status} is null
 * @param events to emit, in order
 * @param lookAgainAfter when the plan may change without any event: the end of a timed pause, the
 *     progress deadline or the next analysis measurement; empty when only a change (or the usual
 *     poll) can move it
 * @param measure a window of the canary to measure now (spec.rollout.analysis): the caller queries
 *     Cloudflare's analytics, records the verdict in {@code status.analysis} ({@link
 *     io.cfworkers.operator.rollout.analysis.AnalysisRules#record}) and plans again with it
 */
public record RolloutDecision(
    Optional<Create> create,
    RolloutStatus status,
    RolloutCondition condition,
    List<RolloutEvent> events,
    Optional<Duration> lookAgainAfter,
    Optional<AnalysisWindow.Due> measure) {

  public RolloutDecision {
    events = List.copyOf(events);
  }

  /** A decision that measures nothing. */
  public RolloutDecision(
      Optional<Create> create,
      RolloutStatus status,
      RolloutCondition condition,
      List<RolloutEvent> events,
      Optional<Duration> lookAgainAfter) {
    this(create, status, condition, events, lookAgainAfter, Optional.empty());
  }

  /** What a create is for. */
  public enum Purpose {
    /** A step's split: {@code stable@(100-w), canary@w}. */
    STEP,
    /** The end of the rollout: {@code canary@100}. */
    FULL,
    /** Back to {@code stable@100}. */
    ABORT,
    /** No rollout applies: the spec's target at 100. */
    DIRECT
  }

  /**
   * One deployment to create.
   *
   * @param versions the split, stable version first
   * @param step the rollout step it belongs to (1-based; the last step for {@link Purpose#FULL}), 0
   *     for {@link Purpose#ABORT} and {@link Purpose#DIRECT}
   */
  public record Create(List<VersionTraffic> versions, int step, Purpose purpose) {
    public Create {
      versions = List.copyOf(versions);
    }
  }

  /**
   * The kstatus conditions: Ready, Reconciling and Stalled, with one reason and message for all.
   */
  public record RolloutCondition(
      boolean ready, boolean reconciling, boolean stalled, String reason, String message) {
    static RolloutCondition ready(String reason, String message) {
      return new RolloutCondition(true, false, false, reason, message);
    }

    static RolloutCondition reconciling(String reason, String message) {
      return new RolloutCondition(false, true, false, reason, message);
    }

    static RolloutCondition stalled(String reason, String message) {
      return new RolloutCondition(false, false, true, reason, message);
    }

    static RolloutCondition idle(String reason, String message) {
      return new RolloutCondition(false, false, false, reason, message);
    }
  }

  /** A Kubernetes Event to emit: {@code type} is Normal or Warning. */
  public record RolloutEvent(String type, String reason, String message) {
    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";

    static RolloutEvent normal(String reason, String message) {
      return new RolloutEvent(NORMAL, reason, message);
    }

    static RolloutEvent warning(String reason, String message) {
      return new RolloutEvent(WARNING, reason, message);
    }
  }
}
