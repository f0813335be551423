package io.cfworkers.operator.reconcile;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.ToIntFunction;
import org.jboss.logging.Logger;

/**
 * Keeps the polls of all resources sharing one credential inside a share of its budget: with N
 * resources polled once per interval each, polling costs N requests per interval, so the effective
 * interval is stretched until N ÷ interval is at most {@code share} of the budget's rate ({@link
 * #effectiveInterval}). Changes are not affected: they use the rest of the budget.
 *
 * <p>Per credential (by its non-secret {@code id}) the effective interval is exported as the gauge
 * {@value #METRIC} (seconds, tag {@code credential}), and one INFO line is logged when it starts to
 * stretch, changes by more than 10% while stretched, or returns to the configured interval.
 */
final class PollBudget {
  static final String METRIC = "cfworkers.poll.interval.effective";

  private static final Logger LOG = Logger.getLogger(PollBudget.class);

  private final Duration pollInterval;
  private final int requests;
  private final Duration period;
  private final double share;
  private final MeterRegistry meters;

  /** The Secrets each credential was read from; the resources naming them share its budget. */
  private final Map<String, Set<String>> secretsByCredential = new ConcurrentHashMap<>();

  /** Resources are counted at most this often per credential (counting lists them). */
  private static final long COUNT_TTL_NANOS = Duration.ofSeconds(1).toNanos();

  /** Per credential: when resources were last counted ({@code System.nanoTime}) and how many. */
  private final Map<String, long[]> counts = new ConcurrentHashMap<>();

  /** The effective interval per credential, in seconds, as last computed (the gauge's value). */
  private final Map<String, double[]> seconds = new ConcurrentHashMap<>();

  PollBudget(
      Duration pollInterval, int requests, Duration period, double share, MeterRegistry meters) {
    this.pollInterval = pollInterval;
    this.requests = requests;
    this.period = period;
    this.share = share;
    this.meters = meters;
  }

  /**
   * The interval between two polls of each of {@code resources} resources sharing a budget of
   * {@code requests} per {@code period}, so that polls use at most {@code share} of it: the
   * configured interval, or longer.
   */
  static Duration effectiveInterval(
      Duration pollInterval, int resources, int requests, Duration period, double share) {
    if (resources <= 0) {
      return pollInterval;
    }
    double nanos = period.toNanos() * (double) resources / (requests * share);
    Duration needed = Duration.ofNanos((long) Math.ceil(Math.min(nanos, Long.MAX_VALUE / 2.0)));
    return needed.compareTo(pollInterval) > 0 ? needed : pollInterval;
  }

  /**
   * The effective poll interval of a resource whose credential is {@code credentialId}, read from
   * Secret {@code secretKey}.
   *
   * @param resourcesNaming how many resources name a Secret (namespace/name)
   */
  Duration interval(String credentialId, String secretKey, ToIntFunction<String> resourcesNaming) {
    Set<String> secrets =
        secretsByCredential.computeIfAbsent(credentialId, k -> ConcurrentHashMap.newKeySet());
    boolean newSecret = secrets.add(secretKey);
    long now = System.nanoTime();
    long[] count = counts.computeIfAbsent(credentialId, k -> new long[] {0, -1});
    int n;
    synchronized (count) {
      if (newSecret || count[1] < 0 || now - count[0] > COUNT_TTL_NANOS) {
        count[0] = now;
        count[1] = secrets.stream().mapToInt(resourcesNaming).sum();
      }
      n = (int) count[1];
    }
    Duration effective = effectiveInterval(pollInterval, n, requests, period, share);
    report(credentialId, n, effective);
    return effective;
  }

  private void report(String credentialId, int resources, Duration effective) {
    double now = effective.toNanos() / 1e9;
    double configured = pollInterval.toNanos() / 1e9;
    double[] cell =
        seconds.computeIfAbsent(
            credentialId,
            id -> {
              double[] c = {configured};
              Gauge.builder(METRIC, c, v -> v[0])
                  .description(
                      "Effective poll interval of the resources sharing a credential: the"
                          + " configured one, or longer so that polls fit their share of the budget")
                  .baseUnit("seconds")
                  .tag("credential", id)
                  .register(meters);
              return c;
            });
    double before;
    synchronized (cell) {
      before = cell[0];
      cell[0] = now;
    }
    boolean wasStretched = before > configured;
    boolean stretched = now > configured;
    if (stretched && (!wasStretched || Math.abs(now - before) > 0.1 * before)) {
      LOG.infof(
          "Credential %s: %d resources; polling each every %s (not %s) keeps polls within %.0f%%"
              + " of its budget (%d per %s)",
          credentialId, resources, effective, pollInterval, share * 100, requests, period);
    } else if (!stretched && wasStretched) {
      LOG.infof(
          "Credential %s: %d resources; polling each every %s again",
          credentialId, resources, pollInterval);
    }
  }
}
