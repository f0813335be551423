package io.cfworkers.operator.rollout;

import io.cfworkers.operator.rollout.analysis.AnalysisDecision;

/**
 * Condition and event reasons of a rollout: CamelCase, stable, searchable. Changing one is a
 * breaking change for users' alerts, scripts and the Argo CD health check.
 */
public final class RolloutReasons {
  private RolloutReasons() {}

  // Conditions. Reconciling=True:
  public static final String PROGRESSING = "RolloutProgressing";
  public static final String PAUSED = "RolloutPaused";
  public static final String WAITING_FOR_PROMOTION = "WaitingForPromotion";
  // Stalled=True:
  public static final String ABORTED = "RolloutAborted";
  public static final String PROGRESS_DEADLINE_EXCEEDED = "ProgressDeadlineExceeded";
  // Ready=True:
  public static final String ROLLED_OUT = "RolledOut";
  // Neither (frozen):
  public static final String SUSPENDED = "Suspended";
  public static final String HELD = "Held";

  // Events only.
  public static final String STARTED = "RolloutStarted";
  public static final String RESTARTED = "RolloutRestarted";
  public static final String STEP_STARTED = "StepStarted";
  public static final String STEP_LIVE = "StepLive";
  public static final String STEP_EDITED = "StepEdited";
  public static final String PROMOTED = "Promoted";
  public static final String PROMOTED_FULL = "PromotedFull";
  public static final String RETRIED = "RolloutRetried";
  public static final String REQUEST_IGNORED = "RequestIgnored";
  public static final String COMPLETED = "RolloutCompleted";
  public static final String DRIFT_DETECTED = "DriftDetected";
  public static final String STRAIGHT_TO_TARGET = "StraightToTarget";
  public static final String REMOVED = "RolloutRemoved";

  /** Condition reason while a step holds for analysis after its pause (or without one). */
  public static final String ANALYSING = "Analysing";

  /** Event: the step's analysis let it end. */
  public static final String ANALYSIS_PASSED = "AnalysisPassed";

  /** Condition reason and event of a rollout aborted by failed analysis. */
  public static final String ANALYSIS_FAILED = AnalysisDecision.ANALYSIS_FAILED;

  /** Condition reason while waiting for a human after inconclusive measurements in a row. */
  public static final String INCONCLUSIVE_ANALYSIS = AnalysisDecision.INCONCLUSIVE_ANALYSIS;

  /** Condition reason while waiting for a human after failed analytics queries in a row. */
  public static final String ANALYSIS_QUERY_FAILED = AnalysisDecision.ANALYSIS_QUERY_FAILED;
}
