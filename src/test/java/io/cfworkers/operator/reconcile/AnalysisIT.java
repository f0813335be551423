package io.cfworkers.operator.reconcile;

import static io.cfworkers.operator.reconcile.RolloutIT.split;
import static io.cfworkers.operator.reconcile.RolloutIT.splitsOldestFirst;
import static io.cfworkers.operator.reconcile.RolloutIT.step;
import static io.cfworkers.operator.support.operator.Tenant.condition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.cfworkers.operator.api.v1alpha1.AnalysisMeasurement;
import io.cfworkers.operator.api.v1alpha1.AnalysisSpec;
import io.cfworkers.operator.api.v1alpha1.AnalysisStatus;
import io.cfworkers.operator.api.v1alpha1.RolloutSpec;
import io.cfworkers.operator.api.v1alpha1.RolloutStatus;
import io.cfworkers.operator.api.v1alpha1.RolloutStep;
import io.cfworkers.operator.api.v1alpha1.SecretKeyRef;
import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.rollout.RolloutAnnotations;
import io.cfworkers.operator.rollout.RolloutReasons;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.cloudflare.Fault;
import io.cfworkers.operator.support.operator.FakeCloudflareResource;
import io.cfworkers.operator.support.operator.FakeCloudflareResource.InjectFakeCloudflare;
import io.cfworkers.operator.support.operator.OperatorRbac;
import io.cfworkers.operator.support.operator.Resources;
import io.cfworkers.operator.support.operator.SimulatedClock;
import io.cfworkers.operator.support.operator.SimulatedClockProducer;
import io.cfworkers.operator.support.operator.Tenant;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rollout analysis end to end: the real operator under the chart's RBAC against the mock API server
 * and the fake Cloudflare, whose analytics answer from its own deployment history (traffic split by
 * the deployment live at each moment, an error rate per version). Both run on {@link
 * SimulatedClock}: the test moves time in ticks and touches the resource after each, so minutes of
 * windows, delays and intervals pass in seconds. Analysis: interval 1m, window 2m, delay 1m.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRbac.ClusterWide.class)
@TestProfile(AnalysisIT.SimulatedTime.class)
class AnalysisIT {
  /** How far simulated time moves per tick: one reconcile. */
  static final Duration TICK = Duration.ofSeconds(15);

  static final Duration INTERVAL = Duration.ofMinutes(1);
  static final Duration WINDOW = Duration.ofMinutes(2);
  static final Duration DELAY = Duration.ofMinutes(1);

  /**
   * The operator and the fake on simulated time; a 20 s (real) poll that ticks outrun. Other
   * simulated-time tests extend it with their own settings.
   */
  public static class SimulatedTime implements QuarkusTestProfile {
    @Override
    public Set<Class<?>> getEnabledAlternatives() {
      return Set.of(SimulatedClockProducer.class);
    }

    @Override
    public Map<String, String> getConfigOverrides() {
      String retry = "quarkus.operator-sdk.controllers.workerdeployment.retry.";
      return Map.of(
          "cfworkers.reconcile.poll-interval",
          "20s",
          retry + "interval.initial",
          "500",
          retry + "interval.max",
          "2000");
    }

    @Override
    public List<TestResourceEntry> testResources() {
      return List.of(
          new TestResourceEntry(
              FakeCloudflareResource.class,
              Map.of(FakeCloudflareResource.CLOCK, "simulated"),
              true));
    }
  }

  KubernetesClient client = OperatorRbac.adminClient();
  SimulatedClock clock = SimulatedClock.INSTANCE;

  @InjectFakeCloudflare FakeCloudflare fake;
  @Inject MeterRegistry meters;

  private final List<Tenant> tenants = new ArrayList<>();
  private int ticks;

  @AfterEach
  void cleanUp() {
    fake.clearFaults();
    for (Tenant t : tenants) {
      client.resources(WorkerDeployment.class).inNamespace(t.namespace).delete();
    }
  }

  @Test
  void healthyCanaryIsPromotedOnceItsPauseIsOverAndAMeasurementPassed() {
    Tenant t = deployedTenant(1200);
    fake.analytics().setErrorRate(t.v2, 0.1);
    double successfulBefore = measurements(AnalysisMeasurement.SUCCESSFUL);
    rollOut(t, 0, step(50, "2m"));

    WorkerDeployment done = tickUntil(t, Duration.ofMinutes(10), AnalysisIT::rolledOut);

    assertEquals(
        List.of(split(t.v1, 100), split(t.v1, 50, t.v2, 50), split(t.v2, 100)),
        splitsOldestFirst(t),
        "one deployment for the step, one for the promotion");
    AnalysisStatus analysis = done.getStatus().getRollout().getAnalysis();
    assertTrue(analysis.getSuccessful() >= 1, analysis.toString());
    assertEquals(0, count(analysis.getFailed()), analysis.toString());
    AnalysisMeasurement last = analysis.getLastMeasurement();
    assertEquals(AnalysisMeasurement.SUCCESSFUL, last.getResult());
    // 600 requests a minute for the canary at 50%, over a 2-minute window.
    assertTrue(last.getCanaryRequests() > 1000, last.toString());
    assertTrue(last.getStableRequests() > 1000, last.toString());
    assertTrue(t.eventReasons("app").contains(RolloutReasons.ANALYSIS_PASSED));
    assertTrue(measurements(AnalysisMeasurement.SUCCESSFUL) > successfulBefore);
  }

  @Test
  void canaryFailingOnFivePercentIsAbortedWithinDelayWindowAndFailureLimitPlusOneIntervals() {
    Tenant t = deployedTenant(1200);
    fake.analytics().setErrorRate(t.v1, 0.1);
    fake.analytics().setErrorRate(t.v2, 5);
    double abortedBefore = aborted(RolloutStatus.ABORT_ANALYSIS_FAILED);
    int failureLimit = 1;
    rollOut(t, failureLimit, step(10, "30m"));

    WorkerDeployment done = tickUntil(t, Duration.ofMinutes(15), AnalysisIT::abortedToStable);

    RolloutStatus r = done.getStatus().getRollout();
    assertEquals(RolloutStatus.ABORT_ANALYSIS_FAILED, r.getAbortReason());
    AnalysisStatus analysis = r.getAnalysis();
    assertEquals(failureLimit + 1, analysis.getFailed(), analysis.toString());
    Instant stepLive = Instant.parse(analysis.getStepStartedAt());
    Instant abortedAt = Instant.parse(analysis.getLastMeasurement().getTakenAt());
    Duration bound = DELAY.plus(WINDOW).plus(INTERVAL.multipliedBy(failureLimit + 1)).plus(TICK);
    assertTrue(
        !abortedAt.isAfter(stepLive.plus(bound)),
        "aborted "
            + Duration.between(stepLive, abortedAt)
            + " after the step went live, bound "
            + bound);
    AnalysisMeasurement last = analysis.getLastMeasurement();
    assertEquals(AnalysisMeasurement.FAILED, last.getResult());
    assertTrue(last.getCanaryErrorRate() > 4 && last.getCanaryErrorRate() < 6, last.toString());
    assertTrue(last.getStableErrorRate() < 1, last.toString());
    var stalled = condition(done, "Stalled");
    assertEquals("True", stalled.getStatus());
    assertEquals(RolloutReasons.ANALYSIS_FAILED, stalled.getReason());
    assertTrue(stalled.getMessage().contains("errors in"), stalled.getMessage());
    assertTrue(t.eventReasons("app").contains(RolloutReasons.ANALYSIS_FAILED));
    assertEquals(
        List.of(split(t.v1, 100), split(t.v1, 90, t.v2, 10), split(t.v1, 100)),
        splitsOldestFirst(t),
        "the step, then exactly one deployment back to stable");
    assertEquals(abortedBefore + 1, aborted(RolloutStatus.ABORT_ANALYSIS_FAILED));
  }

  @Test
  void withoutTrafficTheRolloutWaitsForAPersonAndNeverPromotes() {
    Tenant t = deployedTenant(0);
    WorkerDeployment waiting = rollOutUntilWaiting(t, RolloutReasons.INCONCLUSIVE_ANALYSIS);
    assertEquals(
        3, count(waiting.getStatus().getRollout().getAnalysis().getConsecutiveInconclusive()));
    assertTrue(
        condition(waiting, "Reconciling").getMessage().contains("fewer than minRequests 100"),
        condition(waiting, "Reconciling").getMessage());

    // Ten more minutes: still waiting, nothing promoted, no more queries spent on it.
    long queries = graphQlQueries(t);
    tickUntil(t, Duration.ofMinutes(10), wd -> false, false);
    WorkerDeployment still = t.get("app");
    assertTrue(reconcilingReason(still, RolloutReasons.INCONCLUSIVE_ANALYSIS));
    assertEquals(2, t.deployments().size(), "only the step's deployment");
    assertEquals(queries, graphQlQueries(t));

    // A person promotes: the rollout goes on.
    t.touch("app", RolloutAnnotations.PROMOTE, "looked-at-it");
    tickUntil(t, Duration.ofMinutes(2), AnalysisIT::rolledOut);
    assertEquals(split(t.v2, 100), t.live().versions());
  }

  @Test
  void aTokenWithoutAnalyticsPermissionWaitsForAPersonWithCloudflaresMessage() {
    Tenant t = deployedTenant(1200);
    fake.setAnalyticsRead(t.token, false);
    String message = queriesFailUntilAPersonDecides(t);
    assertTrue(message.contains("authz"), message);
    assertTrue(message.contains("not authorized"), message);
    assertTrue(!message.contains(t.token), "no credential in status");
  }

  @Test
  void withoutTheScriptVersionDimensionTheRolloutWaitsForAPersonSayingWhy() {
    Tenant t = deployedTenant(1200);
    // As if Cloudflare renamed the dimension: the introspection no longer lists it.
    fake.analytics().setScriptVersionDimension(false);
    try {
      String message = queriesFailUntilAPersonDecides(t);
      assertTrue(message.contains("no dimension scriptVersion"), message);
      assertTrue(message.contains("per-version analysis cannot run"), message);
    } finally {
      fake.analytics().setScriptVersionDimension(true);
    }
  }

  @Test
  void aSeparateAnalyticsTokenCarriesTheQueriesWhenTheDeployTokenMayNotReadAnalytics() {
    Tenant t = deployedTenant(1200);
    fake.setAnalyticsRead(t.token, false);
    String analyticsToken = "analytics-" + t.token;
    fake.addToken(analyticsToken, t.email, t.account);
    client
        .secrets()
        .inNamespace(t.namespace)
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("cloudflare-analytics")
                .withNamespace(t.namespace)
                .endMetadata()
                // data, not stringData: the mock API server does not convert stringData
                .addToData(
                    "token",
                    java.util.Base64.getEncoder()
                        .encodeToString(
                            analyticsToken.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .build())
        .create();
    AnalysisSpec analysis = analysis(0);
    analysis.setAnalyticsTokenSecretRef(new SecretKeyRef("cloudflare-analytics", "token"));
    rollOut(t, analysis, step(50, "2m"));

    tickUntil(t, Duration.ofMinutes(10), AnalysisIT::rolledOut);

    assertTrue(graphQl(t, analyticsToken) > 0, "queries with the analytics token");
    assertEquals(0, graphQl(t, t.token), "no query with the deploy token");
  }

  static Stream<Arguments> createFaults() {
    return Stream.of(
        Arguments.of("answer lost after the create landed", Fault.dropAfterApply()),
        Arguments.of("refused with 503", Fault.status(503)),
        Arguments.of("refused with 429", Fault.status(429).retryAfter(Duration.ofSeconds(1))),
        Arguments.of(
            "landed, answered after the request timeout", Fault.delay(Duration.ofMillis(3500))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("createFaults")
  void abortByAnalysisCreatesExactlyOneDeploymentDespiteCreateFaults(String name, Fault fault) {
    Tenant t = deployedTenant(1200);
    fake.analytics().setErrorRate(t.v2, 8);
    rollOut(t, 0, step(20, "30m"));
    tickUntil(t, Duration.ofMinutes(1), wd -> stepLive(wd));
    fake.inject(fault.on("POST", "/scripts/" + t.script + "/deployments"));

    tickUntil(t, Duration.ofMinutes(10), AnalysisIT::abortedToStable);
    // A few more ticks: nothing else is created.
    tickUntil(t, Duration.ofMinutes(1), wd -> false, false);

    assertEquals(
        List.of(split(t.v1, 100), split(t.v1, 80, t.v2, 20), split(t.v1, 100)),
        splitsOldestFirst(t));
  }

  // --- helpers
  // ------------------------------------------------------------------------------------

  private Tenant deployedTenant(double requestsPerMinute) {
    Tenant t = Tenant.create(client, fake);
    tenants.add(t);
    fake.analytics().setTraffic(t.account, t.script, requestsPerMinute);
    t.createSecret(t.token);
    t.create("app", t.v1, 100);
    t.awaitReady("app", Reasons.DEPLOYED);
    return t;
  }

  private static AnalysisSpec analysis(int failureLimit) {
    AnalysisSpec analysis = new AnalysisSpec();
    analysis.setInterval("1m");
    analysis.setWindow("2m");
    analysis.setDelay("1m");
    analysis.setFailureLimit(failureLimit);
    return analysis;
  }

  private static void rollOut(Tenant t, int failureLimit, RolloutStep... steps) {
    rollOut(t, analysis(failureLimit), steps);
  }

  private static void rollOut(Tenant t, AnalysisSpec analysis, RolloutStep... steps) {
    RolloutSpec rollout = new RolloutSpec(List.of(steps), null);
    rollout.setAnalysis(analysis);
    for (int attempt = 1; ; attempt++) {
      try {
        t.edit(
            "app",
            wd -> {
              wd.getSpec().setVersions(Resources.split(t.v2, 100));
              wd.getSpec().setRollout(rollout);
            });
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
  }

  /**
   * Rolls out one step of 50% and ticks until the rollout waits for a person for {@code reason}.
   */
  private WorkerDeployment rollOutUntilWaiting(Tenant t, String reason) {
    rollOut(t, 0, step(50, "1m"));
    return tickUntil(t, Duration.ofMinutes(10), wd -> reconcilingReason(wd, reason));
  }

  /**
   * Rolls out with analysis while every query fails: the rollout waits for a person
   * (AnalysisQueryFailed) with an Error verdict and nothing promoted. Returns the condition's
   * message.
   */
  private String queriesFailUntilAPersonDecides(Tenant t) {
    WorkerDeployment waiting = rollOutUntilWaiting(t, RolloutReasons.ANALYSIS_QUERY_FAILED);
    assertEquals(
        AnalysisMeasurement.ERROR,
        waiting.getStatus().getRollout().getAnalysis().getLastMeasurement().getResult());
    assertEquals(2, t.deployments().size(), "never promoted without a measurement");
    return condition(waiting, "Reconciling").getMessage();
  }

  private WorkerDeployment tickUntil(Tenant t, Duration limit, Predicate<WorkerDeployment> done) {
    return tickUntil(t, limit, done, true);
  }

  /**
   * Moves simulated time a tick at a time, touching the resource after each so it is reconciled at
   * the new time, until {@code done} holds or {@code limit} of simulated time has passed.
   */
  private WorkerDeployment tickUntil(
      Tenant t, Duration limit, Predicate<WorkerDeployment> done, boolean mustHappen) {
    Instant end = clock.instant().plus(limit);
    while (true) {
      WorkerDeployment wd = t.get("app");
      if (done.test(wd)) {
        return wd;
      }
      if (!clock.instant().isBefore(end)) {
        if (mustHappen) {
          fail("not within " + limit + " of simulated time; status: " + describe(wd));
        }
        return wd;
      }
      clock.advance(TICK);
      t.touch("app", "cfworkers.io/tick", Integer.toString(++ticks));
      Tenant.idle(Duration.ofMillis(400));
    }
  }

  private static String describe(WorkerDeployment wd) {
    if (wd.getStatus() == null) {
      return "none";
    }
    return io.fabric8.kubernetes.client.utils.Serialization.asJson(wd.getStatus());
  }

  private static boolean rolledOut(WorkerDeployment wd) {
    var ready = condition(wd, "Ready");
    return ready != null
        && "True".equals(ready.getStatus())
        && RolloutReasons.ROLLED_OUT.equals(ready.getReason())
        && wd.getStatus().getPendingDeployment() == null;
  }

  private static boolean abortedToStable(WorkerDeployment wd) {
    RolloutStatus r = wd.getStatus() == null ? null : wd.getStatus().getRollout();
    return r != null
        && RolloutStatus.ABORTED.equals(r.getPhase())
        && wd.getStatus().getPendingDeployment() == null
        && wd.getStatus().getVersions() != null
        && wd.getStatus().getVersions().size() == 1
        && wd.getStatus().getVersions().get(0).getVersionId().equals(r.getStableVersionId());
  }

  private static boolean stepLive(WorkerDeployment wd) {
    RolloutStatus r = wd.getStatus() == null ? null : wd.getStatus().getRollout();
    return r != null
        && RolloutStatus.PAUSED.equals(r.getPhase())
        && r.getStepStartedAt() != null
        && wd.getStatus().getPendingDeployment() == null;
  }

  private static boolean reconcilingReason(WorkerDeployment wd, String reason) {
    var reconciling = condition(wd, "Reconciling");
    return reconciling != null
        && "True".equals(reconciling.getStatus())
        && reason.equals(reconciling.getReason());
  }

  private long graphQlQueries(Tenant t) {
    return graphQl(t, t.token);
  }

  private static long graphQl(Tenant t, String token) {
    return t.requestsWith(token).stream()
        .filter(r -> r.path().endsWith("/graphql") && !r.body().contains("__type"))
        .count();
  }

  private double measurements(String result) {
    Counter c = meters.find("cfworkers.analysis.measurements").tag("result", result).counter();
    return c == null ? 0 : c.count();
  }

  private double aborted(String reason) {
    Counter c = meters.find("cfworkers.rollouts.aborted").tag("reason", reason).counter();
    return c == null ? 0 : c.count();
  }

  private static int count(Integer i) {
    return i == null ? 0 : i;
  }
}
