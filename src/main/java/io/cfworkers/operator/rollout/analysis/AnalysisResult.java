package io.cfworkers.operator.rollout.analysis;

import io.cfworkers.operator.api.v1alpha1.AnalysisMeasurement;

/** The result of one measurement, as status shows it. */
public enum AnalysisResult {
  /** Enough canary requests, error rate at or below maxErrorRate. */
  SUCCESSFUL(AnalysisMeasurement.SUCCESSFUL),
  /** Canary error rate above maxErrorRate. */
  FAILED(AnalysisMeasurement.FAILED),
  /** Fewer than minRequests canary requests: nothing can be said. */
  INCONCLUSIVE(AnalysisMeasurement.INCONCLUSIVE),
  /** The analytics query failed. */
  ERROR(AnalysisMeasurement.ERROR);

  private final String statusValue;

  AnalysisResult(String statusValue) {
    this.statusValue = statusValue;
  }

  /** The value written to {@code status.rollout.analysis.lastMeasurement.result}. */
  public String statusValue() {
    return statusValue;
  }

  /** The result a status value names, or null for an unknown or absent value. */
  public static AnalysisResult fromStatusValue(String value) {
    for (AnalysisResult r : values()) {
      if (r.statusValue.equals(value)) {
        return r;
      }
    }
    return null;
  }
}
