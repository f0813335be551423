package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.AnalysisSpec;
import io.cfworkers.operator.api.v1alpha1.RolloutPause;
import io.cfworkers.operator.api.v1alpha1.RolloutSpec;
import io.cfworkers.operator.api.v1alpha1.RolloutStatus;
import io.cfworkers.operator.api.v1alpha1.RolloutStep;
import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.cloudflare.RecordedRequest;
import io.cfworkers.operator.support.operator.FakeCloudflareResource.InjectFakeCloudflare;
import io.cfworkers.operator.support.operator.OperatorRbac;
import io.cfworkers.operator.support.operator.Resources;
import io.cfworkers.operator.support.operator.SimulatedClock;
import io.cfworkers.operator.support.operator.Tenant;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Fifty resources analysing at once on one token: their measurements are due together far more
 * often than the token's GraphQL budget allows, and the operator's per-credential analytics budget
 * keeps every 5-minute window within Cloudflare's limit, while deployments on the same token still
 * go through. On {@link SimulatedClock}, so the limiter's slices and the fake's 5-minute window
 * pass in seconds. The operator uses a tenth of the analytics limit (28 queries per 5 minutes, in
 * slices of 10.7 s; at most 29 in a window of admissions and one more on its way) and the fake
 * allows 30, so any query sent past the operator's budget would be refused. The clock moves in 10 s
 * steps, shorter than a slice: a query admitted before a step and counted by the fake after it is
 * the one on its way the budget leaves room for.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRbac.ClusterWide.class)
@TestProfile(AnalysisBudgetIT.TenthOfTheBudget.class)
class AnalysisBudgetIT {
  static final int RESOURCES = 50;
  static final int FAKE_LIMIT = 30;

  /** {@link AnalysisIT.SimulatedTime} with a tenth of the analytics limit. */
  public static class TenthOfTheBudget extends AnalysisIT.SimulatedTime {

    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "cfworkers.cloudflare.analytics.share",
          "0.1",
          // Setting up 50 rollouts is not what this test measures: the REST budget is no limit.
          "cfworkers.cloudflare.rate-limit.requests",
          "60000",
          "cfworkers.reconcile.poll-interval",
          "20s");
    }
  }

  KubernetesClient client = OperatorRbac.adminClient();
  SimulatedClock clock = SimulatedClock.INSTANCE;

  @InjectFakeCloudflare FakeCloudflare fake;

  @Test
  void fiftyResourcesAnalysingOnOneTokenNeverExceedItsGraphQlBudgetNorStarveDeployments() {
    fake.analytics().setBudget(FAKE_LIMIT, Duration.ofMinutes(5));
    Tenant t = Tenant.create(client, fake);
    t.createSecret(t.token);
    List<String> scripts = new ArrayList<>();
    List<String[]> versions = new ArrayList<>();
    for (int i = 0; i < RESOURCES; i++) {
      String script = "svc-" + i;
      fake.addScript(t.account, script);
      String v1 = fake.addVersion(t.account, script);
      String v2 = fake.addVersion(t.account, script);
      fake.seedDeployment(
          t.account, script, List.of(new DeploymentVersion(v1, 100)), "wrangler", t.email, null);
      fake.analytics().setTraffic(t.account, script, 1200);
      scripts.add(script);
      versions.add(new String[] {v1, v2});
      WorkerDeployment wd =
          Resources.workerDeployment(t.namespace, "app-" + i, t.account, script, v2, 100);
      wd.getSpec().setRollout(rollout());
      client.resource(wd).create();
    }
    // Every rollout's first step is live.
    Awaitility.await()
        .atMost(Tenant.CONVERGE.multipliedBy(2))
        .until(() -> stepsLive(t) == RESOURCES);
    Instant start = clock.instant();

    // Jump to when every first window is due, then tick through 10 minutes: 50 resources want a
    // measurement every 30 s (1,000 per 5 minutes); the operator's budget has 28.
    clock.advance(Duration.ofMinutes(1));
    touchSecret(t, 0);
    Tenant.idle(Duration.ofSeconds(2));
    List<Integer> perFiveMinutes = new ArrayList<>();
    long queriesBefore = 0;
    for (int tick = 1; tick <= 60; tick++) {
      clock.advance(Duration.ofSeconds(10));
      touchSecret(t, tick);
      Tenant.idle(Duration.ofMillis(500));
      if (tick % 30 == 0) {
        long queries = queries(t);
        perFiveMinutes.add((int) (queries - queriesBefore));
        queriesBefore = queries;
      }
      if (tick == 30) {
        // A deployment on the same token meanwhile: it is made within seconds.
        String script = scripts.get(0);
        long postsBefore = fake.count("POST", "/scripts/" + script + "/deployments");
        client
            .resources(WorkerDeployment.class)
            .inNamespace(t.namespace)
            .withName("app-0")
            .edit(
                wd -> {
                  wd.getSpec().setRollout(null);
                  wd.getSpec().setVersions(Resources.split(versions.get(0)[0], 100));
                  return wd;
                });
        Awaitility.await()
            .atMost(Duration.ofSeconds(10))
            .until(() -> fake.count("POST", "/scripts/" + script + "/deployments") > postsBefore);
      }
    }

    assertEquals(0, fake.analytics().budgetRefusals(), "queries refused for the budget");
    for (int spent : perFiveMinutes) {
      assertTrue(spent <= FAKE_LIMIT, "queries in a 5-minute window: " + perFiveMinutes);
    }
    assertTrue(
        perFiveMinutes.stream().mapToInt(Integer::intValue).sum() >= 20,
        "the budget is used, not left idle: " + perFiveMinutes);
    long measured =
        client.resources(WorkerDeployment.class).inNamespace(t.namespace).list().getItems().stream()
            .filter(wd -> wd.getStatus() != null && wd.getStatus().getRollout() != null)
            .filter(wd -> wd.getStatus().getRollout().getAnalysis() != null)
            .filter(wd -> wd.getStatus().getRollout().getAnalysis().getLastMeasurement() != null)
            .count();
    assertTrue(
        measured >= 10,
        measured + " resources measured in " + Duration.between(start, clock.instant()));
  }

  private static RolloutSpec rollout() {
    AnalysisSpec analysis = new AnalysisSpec();
    analysis.setInterval("30s");
    analysis.setWindow("1m");
    analysis.setDelay("0s");
    RolloutSpec rollout =
        new RolloutSpec(List.of(new RolloutStep(10.0, new RolloutPause("30m"))), null);
    rollout.setAnalysis(analysis);
    return rollout;
  }

  private long stepsLive(Tenant t) {
    return client
        .resources(WorkerDeployment.class)
        .inNamespace(t.namespace)
        .list()
        .getItems()
        .stream()
        .filter(wd -> wd.getStatus() != null && wd.getStatus().getRollout() != null)
        .map(wd -> wd.getStatus().getRollout())
        .filter(r -> RolloutStatus.PAUSED.equals(r.getPhase()) && r.getStepStartedAt() != null)
        .count();
  }

  /** GraphQL health queries sent with the tenant's token (introspections not counted). */
  private long queries(Tenant t) {
    return t.requestsWith(t.token).stream()
        .map(RecordedRequest::body)
        .filter(body -> body != null && body.contains("workersInvocationsAdaptive"))
        .filter(body -> !body.contains("__type"))
        .count();
  }

  /** A change of the shared Secret's metadata reconciles every resource naming it. */
  private void touchSecret(Tenant t, int tick) {
    client
        .secrets()
        .inNamespace(t.namespace)
        .withName(Resources.SECRET_NAME)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"tick\":\"" + tick + "\"}}}");
  }
}
