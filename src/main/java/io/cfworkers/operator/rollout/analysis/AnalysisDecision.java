package io.cfworkers.operator.rollout.analysis;

/**
 * What the analysis of a held step allows, given its measurements so far. The rollout planner acts
 * on it: {@link Advance} lets the step end, {@link Hold} keeps it, {@link Abort} rolls back to
 * stable, {@link WaitForHuman} pauses the rollout until a person promotes or aborts.
 */
public sealed interface AnalysisDecision {

  /** status.rollout.abortReason when analysis aborts a rollout. */
  String ANALYSIS_FAILED = "AnalysisFailed";

  /** Condition reason while waiting for a human after inconclusive measurements in a row. */
  String INCONCLUSIVE_ANALYSIS = "InconclusiveAnalysis";

  /** Condition reason while waiting for a human after failed analytics queries in a row. */
  String ANALYSIS_QUERY_FAILED = "AnalysisQueryFailed";

  /** A human-readable account of the decision, for status and events. */
  String message();

  /** The pause is over and the step has a successful measurement: the step may end. */
  record Advance(String message) implements AnalysisDecision {}

  /** Keep the step: its pause is not over, or it has no successful measurement yet. */
  record Hold(String message) implements AnalysisDecision {}

  /**
   * Too many failed measurements: roll back to stable.
   *
   * @param reason always {@link #ANALYSIS_FAILED}
   * @param message the failures with the canary's requests, errors and error rate
   */
  record Abort(String reason, String message) implements AnalysisDecision {}

  /**
   * Analysis cannot judge the canary: wait for a person (phase Paused, WaitingForPromotion).
   *
   * @param reason {@link #INCONCLUSIVE_ANALYSIS} or {@link #ANALYSIS_QUERY_FAILED}
   * @param message why, with the numbers or Cloudflare's message
   */
  record WaitForHuman(String reason, String message) implements AnalysisDecision {}
}
