package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.cloudflare.CloudflareRateLimitedException;
import io.cfworkers.operator.cloudflare.CloudflareTransientException;
import io.cfworkers.operator.cloudflare.Credential;
import io.cfworkers.operator.cloudflare.ScriptRef;
import io.cfworkers.operator.cloudflare.WorkersAnalyticsApi;
import io.cfworkers.operator.rollout.analysis.AnalysisResult;
import io.cfworkers.operator.rollout.analysis.AnalysisRules;
import io.cfworkers.operator.rollout.analysis.AnalysisSettings;
import io.cfworkers.operator.rollout.analysis.AnalysisVerdict;
import io.cfworkers.operator.rollout.analysis.AnalysisWindow;
import io.cfworkers.operator.rollout.analysis.AnalyticsError;
import io.cfworkers.operator.rollout.analysis.Measurement;
import io.cfworkers.operator.rollout.analysis.VersionHealthQuery;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Measures a rollout's canary over one window: the I/O half of the analysis gate, whose rules are
 * {@link AnalysisRules}'. Before the first query of a credential it checks, once, that the dataset
 * can tell versions apart ({@code scriptVersion}); a failed query or check is an Error verdict with
 * Cloudflare's message, never an exception. Counts every measurement by result ({@code
 * cfworkers_analysis_measurements_total{result}}).
 */
final class CanaryAnalyst {
  static final String MEASUREMENTS = "cfworkers.analysis.measurements";

  private static final Logger LOG = Logger.getLogger(CanaryAnalyst.class);

  private final WorkersAnalyticsApi analytics;
  private final MeterRegistry meters;

  CanaryAnalyst(WorkersAnalyticsApi analytics, MeterRegistry meters) {
    this.analytics = analytics;
    this.meters = meters;
  }

  /** What to measure: the script's canary against its stable version, over one due window. */
  record Request(
      ScriptRef script,
      Credential credential,
      AnalysisSettings settings,
      AnalysisWindow.Due window,
      String canaryVersionId,
      String stableVersionId) {}

  /**
   * The verdict on the request's window, or empty when the credential's analytics budget has no
   * query left now (nothing was sent: measure a little later; that is not an analysis error).
   *
   * @param who the resource, for the log line
   */
  Optional<AnalysisVerdict> measure(String who, Request request) {
    AnalysisWindow.Due window = request.window();
    AnalysisVerdict verdict;
    try {
      verdict = query(request);
    } catch (CloudflareRateLimitedException e) {
      if (!e.fromCloudflare()) {
        LOG.debugf("%s: analytics budget spent, measuring later", who);
        return Optional.empty();
      }
      verdict = AnalysisRules.error(window, WorkersAnalyticsApi.asError(e));
    } catch (CloudflareTransientException e) {
      verdict = AnalysisRules.error(window, WorkersAnalyticsApi.asError(e));
    }
    count(verdict.result());
    if (verdict.result() == AnalysisResult.FAILED || verdict.result() == AnalysisResult.ERROR) {
      LOG.infof("%s: analysis %s", who, verdict.message());
    } else {
      LOG.debugf("%s: analysis %s", who, verdict.message());
    }
    return Optional.of(verdict);
  }

  /** Whether the credential's analytics budget has a query left now. */
  boolean canQueryNow(Credential credential) {
    return analytics.canQueryNow(credential);
  }

  /** A verdict for a measurement that could not be made at all (e.g. no analytics token). */
  AnalysisVerdict failed(String who, AnalysisWindow.Due window, String why) {
    AnalysisVerdict verdict =
        AnalysisRules.error(window, new AnalyticsError(AnalyticsError.Kind.OTHER, null, why));
    count(verdict.result());
    LOG.infof("%s: analysis %s", who, verdict.message());
    return verdict;
  }

  private AnalysisVerdict query(Request request) {
    AnalysisWindow.Due window = request.window();
    Credential credential = request.credential();
    VersionHealthQuery.DimensionCheck check = analytics.scriptVersionDimension(credential);
    if (check instanceof VersionHealthQuery.Absent absent) {
      return AnalysisRules.error(
          window,
          new AnalyticsError(
              AnalyticsError.Kind.UNKNOWN_FIELD,
              VersionHealthQuery.SCRIPT_VERSION,
              absent.message()));
    }
    if (check instanceof VersionHealthQuery.CheckFailed failed) {
      return AnalysisRules.error(window, failed.error());
    }
    VersionHealthQuery.Answer answer =
        analytics.versionHealth(request.script(), window.start(), window.end(), credential);
    if (answer instanceof VersionHealthQuery.Failure failure) {
      return AnalysisRules.error(window, failure.error());
    }
    Measurement m =
        Measurement.of(
            window,
            ((VersionHealthQuery.Totals) answer).byVersion(),
            request.canaryVersionId(),
            request.stableVersionId());
    return AnalysisRules.judge(m, request.settings());
  }

  private void count(AnalysisResult result) {
    Counter.builder(MEASUREMENTS)
        .description("Measurements of rollout canaries by result")
        .tag("result", result.statusValue())
        .register(meters)
        .increment();
  }
}
