package io.cfworkers.operator.reconcile;

import static io.cfworkers.operator.support.operator.Tenant.condition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.RolloutPause;
import io.cfworkers.operator.api.v1alpha1.RolloutSpec;
import io.cfworkers.operator.api.v1alpha1.RolloutStatus;
import io.cfworkers.operator.api.v1alpha1.RolloutStep;
import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.rollout.RolloutAnnotations;
import io.cfworkers.operator.rollout.RolloutReasons;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.cloudflare.Fault;
import io.cfworkers.operator.support.operator.FakeCloudflareResource;
import io.cfworkers.operator.support.operator.FakeCloudflareResource.InjectFakeCloudflare;
import io.cfworkers.operator.support.operator.OperatorRbac;
import io.cfworkers.operator.support.operator.Resources;
import io.cfworkers.operator.support.operator.Tenant;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Progressive rollouts end to end: the real operator under the chart's RBAC against the mock API
 * server and the fake Cloudflare API, with pauses of a second. The poll is 20 s here, so anything
 * that happens within a few seconds was started by the rollout's own timers or by the request's
 * annotation, not by a poll. Every case counts the deployments the fake stored: one per step.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRbac.ClusterWide.class)
@QuarkusTestResource(value = FakeCloudflareResource.class, restrictToAnnotatedClass = true)
@TestProfile(RolloutIT.SlowPoll.class)
class RolloutIT {
  /** Far longer than any wait below. */
  static final Duration POLL = Duration.ofSeconds(20);

  /** Within this, a request or a timer has acted: a fraction of the poll interval. */
  static final Duration PROMPTLY = Duration.ofSeconds(6);

  /**
   * The test timings of {@link FakeCloudflareResource} with a 20 s poll and the retry back-off of
   * the fault matrix (0.5 s doubling up to 2 s). A profile, not a test resource: test resources
   * apply to every test class.
   */
  public static class SlowPoll implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      String retry = "quarkus.operator-sdk.controllers.workerdeployment.retry.";
      return Map.of(
          "cfworkers.reconcile.poll-interval",
          POLL.toSeconds() + "s",
          retry + "interval.initial",
          "500",
          retry + "interval.max",
          "2000");
    }
  }

  /** The test acts as administrator; the operator runs under the chart's RBAC. */
  KubernetesClient client = OperatorRbac.adminClient();

  @InjectFakeCloudflare FakeCloudflare fake;
  @Inject MeterRegistry meters;

  private final List<Tenant> tenants = new ArrayList<>();

  @AfterEach
  void stopRollouts() {
    fake.clearFaults();
    for (Tenant t : tenants) {
      client.resources(WorkerDeployment.class).inNamespace(t.namespace).delete();
    }
  }

  @Test
  void threeStepRolloutCreatesOneDeploymentPerStepAndEndsRolledOut() {
    Tenant t = deployedTenant();
    WorkerDeployment started = rollOut(t, step(10, "1s"), step(50, "1s"), step(80, "1s"));

    WorkerDeployment done = awaitRolledOut(t, started.getMetadata().getGeneration());
    assertEquals(
        List.of(
            split(t.v1, 100),
            split(t.v1, 90, t.v2, 10),
            split(t.v1, 50, t.v2, 50),
            split(t.v1, 20, t.v2, 80),
            split(t.v2, 100)),
        splitsOldestFirst(t),
        "one deployment per step, then the full promotion");
    assertEquals(5, t.posts().size(), "one create call each");
    RolloutStatus r = done.getStatus().getRollout();
    assertEquals(RolloutStatus.COMPLETED, r.getPhase());
    assertEquals(t.v1, r.getStableVersionId());
    assertEquals(t.v2, r.getCanaryVersionId());
    assertEquals(3, r.getStep());
    assertEquals(100.0, r.getWeight());
    assertEquals("False", condition(done, "Reconciling").getStatus());
    assertNull(done.getStatus().getPendingDeployment());
    // Events are recorded after the status write: wait for them rather than read them once.
    List<String> expected =
        List.of(
            RolloutReasons.STARTED,
            RolloutReasons.STEP_STARTED,
            RolloutReasons.STEP_LIVE,
            RolloutReasons.PAUSED,
            RolloutReasons.COMPLETED);
    t.awaitOn("app").until(() -> t.eventReasons("app").containsAll(expected));

    // Nothing more: a completed rollout creates nothing at the next observations.
    t.touch("app", "cfworkers.io/note", "after");
    Tenant.idle(Duration.ofSeconds(2));
    assertEquals(5, t.deployments().size());
  }

  @Test
  void promoteAndAbortAreHandledWithinSecondsNotAtThePoll() {
    Tenant t = deployedTenant();
    rollOut(t, step(20, null), step(60, null));
    WorkerDeployment waiting = awaitWaiting(t, 1);
    assertNull(waiting.getStatus().getRollout().getPausedUntil(), "no timer: waits for a human");
    assertEquals(split(t.v1, 80, t.v2, 20), t.live().versions());

    Instant asked = Instant.now();
    t.touch("app", RolloutAnnotations.PROMOTE, "1");
    waiting = awaitWaitingWithin(t, 2, PROMPTLY);
    System.out.printf(
        "RolloutIT: promote handled in %d ms%n", Duration.between(asked, Instant.now()).toMillis());
    assertEquals(split(t.v1, 40, t.v2, 60), t.live().versions());
    assertEquals("1", waiting.getStatus().getRollout().getLastHandledPromote());
    t.awaitOn("app").atMost(PROMPTLY).until(() -> stepGauge(t) == 2.0);
    double abortedBefore = abortedManually();

    asked = Instant.now();
    t.touch("app", RolloutAnnotations.ABORT, "1");
    t.awaitOn("app")
        .atMost(PROMPTLY)
        .until(
            () ->
                Tenant.isStalled(t.get("app"), RolloutReasons.ABORTED)
                    && t.live().versions().equals(split(t.v1, 100)));
    System.out.printf(
        "RolloutIT: abort handled in %d ms%n", Duration.between(asked, Instant.now()).toMillis());
    WorkerDeployment aborted = t.get("app");
    assertEquals(RolloutStatus.ABORTED, aborted.getStatus().getRollout().getPhase());
    assertEquals(RolloutStatus.ABORT_MANUAL, aborted.getStatus().getRollout().getAbortReason());
    assertEquals("False", condition(aborted, "Ready").getStatus());
    t.awaitOn("app").until(() -> t.eventReasons("app").contains(RolloutReasons.ABORTED));
    // Metrics: the abort counted by reason, the step gauge at 0, the Stalled condition at 1.
    t.awaitOn("app")
        .atMost(PROMPTLY)
        .until(
            () ->
                stepGauge(t) == 0.0
                    && abortedManually() == abortedBefore + 1
                    && conditionGauge(t, "Stalled", "True") == 1.0);

    // Stays aborted: a promote is ignored, nothing is created.
    t.touch("app", RolloutAnnotations.PROMOTE, "2");
    t.awaitOn("app")
        .atMost(PROMPTLY)
        .until(() -> "2".equals(t.get("app").getStatus().getRollout().getLastHandledPromote()));
    assertTrue(Tenant.isStalled(t.get("app"), RolloutReasons.ABORTED));
    assertEquals(
        List.of(
            split(t.v1, 100),
            split(t.v1, 80, t.v2, 20),
            split(t.v1, 40, t.v2, 60),
            split(t.v1, 100)),
        splitsOldestFirst(t));

    // Retry: step 1 again, from the same stable version.
    t.touch("app", RolloutAnnotations.RETRY, "1");
    awaitWaitingWithin(t, 1, PROMPTLY);
    assertEquals(split(t.v1, 80, t.v2, 20), t.live().versions());
    assertEquals(5, t.deployments().size());
  }

  @Test
  void createFaultsDuringStepsStillGiveOneDeploymentPerStep() {
    Tenant t = deployedTenant();
    String posts = "/scripts/" + t.script + "/deployments";
    // In order, one per create call: the answer lost after it was applied; refused with 429;
    // refused
    // with 503; applied but answered after the operator's 2 s request timeout.
    fake.inject(Fault.dropAfterApply().on("POST", posts));
    fake.inject(Fault.status(429).retryAfter(Duration.ofSeconds(1)).on("POST", posts));
    fake.inject(Fault.status(503).on("POST", posts));
    fake.inject(Fault.delay(Duration.ofMillis(3500)).on("POST", posts));
    WorkerDeployment started = rollOut(t, step(10, "1s"), step(50, "1s"), step(80, null));

    awaitWaiting(t, 3);
    t.touch("app", RolloutAnnotations.PROMOTE, "go");
    awaitRolledOut(t, started.getMetadata().getGeneration());
    assertEquals(
        List.of(
            split(t.v1, 100),
            split(t.v1, 90, t.v2, 10),
            split(t.v1, 50, t.v2, 50),
            split(t.v1, 20, t.v2, 80),
            split(t.v2, 100)),
        splitsOldestFirst(t),
        "every step deployed exactly once despite the faults");
    List<Integer> statuses = t.posts().stream().map(r -> r.status()).toList();
    System.out.println("RolloutIT: create calls answered " + statuses);
    assertTrue(statuses.contains(0), "a create's answer was lost: " + statuses);
    assertTrue(statuses.contains(429) && statuses.contains(503), statuses.toString());
  }

  @Test
  void holdObservesOnlyThenResumesWhenRemoved() {
    Tenant t = deployedTenant();
    t.touch("app", RolloutAnnotations.HOLD, "INC-42 checkout errors");
    WorkerDeployment held =
        t.awaitCondition("app", "Ready", c -> Reasons.HELD.equals(c.getReason()));
    assertTrue(condition(held, "Ready").getMessage().contains("INC-42 checkout errors"));

    // A new target while held: nothing is deployed.
    rollOut(t, step(50, null));
    held =
        t.awaitCondition(
            "app",
            "Ready",
            c ->
                "False".equals(c.getStatus())
                    && Reasons.HELD.equals(c.getReason())
                    && c.getObservedGeneration() == 2);
    assertEquals("False", condition(held, "Reconciling").getStatus());
    assertEquals("False", condition(held, "Stalled").getStatus());
    assertTrue(condition(held, "Ready").getMessage().contains("INC-42 checkout errors"));

    // On-call rolls back with wrangler meanwhile: the operator reports it and does not restore.
    Deployment rollback =
        fake.seedDeployment(t.account, t.script, split(t.v1, 100), "wrangler", t.email, "rollback");
    t.touch("app", RolloutAnnotations.HOLD, "INC-42 rolled back with wrangler");
    t.awaitOn("app")
        .atMost(PROMPTLY)
        .until(() -> rollback.id().equals(t.get("app").getStatus().getDeploymentId()));
    Tenant.idle(Duration.ofSeconds(2));
    assertEquals(1, t.posts().size(), "nothing created while held");
    t.awaitOn("app").until(() -> t.eventReasons("app").contains(Reasons.HELD));

    // Removing the hold resumes: the rollout starts from the version live now.
    removeAnnotation(t, RolloutAnnotations.HOLD);
    WorkerDeployment resumed = awaitWaitingWithin(t, 1, PROMPTLY);
    assertEquals(t.v1, resumed.getStatus().getRollout().getStableVersionId());
    assertEquals(split(t.v1, 50, t.v2, 50), t.live().versions());
    assertEquals(2, t.posts().size());
    t.awaitOn("app").until(() -> t.eventReasons("app").contains(Reasons.HOLD_RELEASED));
  }

  // --- helpers --------------------------------------------------------------------------------

  /** The step gauge of the resource "app" in a scrape of /q/metrics, or -1 without a series. */
  private double stepGauge(Tenant t) throws Exception {
    return PrometheusText.series(PrometheusText.scrape(), RolloutMetrics.STEP_PROMETHEUS_NAME)
        .getOrDefault(Map.of("name", "app", "namespace", t.namespace), -1.0);
  }

  private double abortedManually() {
    var counter = meters.find("cfworkers.rollouts.aborted").tag("reason", "Manual").counter();
    return counter == null ? 0 : counter.count();
  }

  /** The condition series as Prometheus sees it: scraped from /q/metrics over HTTP and parsed. */
  private double conditionGauge(Tenant t, String type, String status) throws Exception {
    Double value =
        PrometheusText.series(PrometheusText.scrape(), ConditionMetrics.PROMETHEUS_NAME)
            .get(Map.of("namespace", t.namespace, "name", "app", "type", type, "status", status));
    return value == null ? -1 : value;
  }

  /** A tenant with resource "app" deployed at v1@100: one deployment. */
  private Tenant deployedTenant() {
    Tenant t = Tenant.create(client, fake);
    tenants.add(t);
    t.createSecret(t.token);
    t.create("app", t.v1, 100);
    t.awaitReady("app", Reasons.DEPLOYED);
    return t;
  }

  /** Changes the spec to v2@100 with these rollout steps. */
  private static WorkerDeployment rollOut(Tenant t, RolloutStep... steps) {
    // As kubectl apply: retried when the operator wrote status in between (409).
    for (int attempt = 1; ; attempt++) {
      try {
        return t.edit(
            "app",
            wd -> {
              wd.getSpec().setVersions(Resources.split(t.v2, 100));
              wd.getSpec().setRollout(new RolloutSpec(List.of(steps), null));
            });
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
  }

  static RolloutStep step(double weight, String pause) {
    return new RolloutStep(weight, new RolloutPause(pause));
  }

  static List<DeploymentVersion> split(Object... pairs) {
    List<DeploymentVersion> out = new ArrayList<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.add(new DeploymentVersion((String) pairs[i], ((Number) pairs[i + 1]).doubleValue()));
    }
    return out;
  }

  static List<List<DeploymentVersion>> splitsOldestFirst(Tenant t) {
    List<List<DeploymentVersion>> out = new ArrayList<>();
    t.deployments().forEach(d -> out.add(0, d.versions()));
    return out;
  }

  private WorkerDeployment awaitRolledOut(Tenant t, long generation) {
    return t.awaitConfirmed(
        "app",
        wd -> {
          var ready = condition(wd, "Ready");
          return ready != null
              && "True".equals(ready.getStatus())
              && RolloutReasons.ROLLED_OUT.equals(ready.getReason())
              && ready.getObservedGeneration() == generation;
        });
  }

  private static WorkerDeployment awaitWaiting(Tenant t, int step) {
    return awaitWaitingWithin(t, step, Tenant.CONVERGE);
  }

  /** Waits until the rollout waits for a promote at {@code step}, its split live. */
  private static WorkerDeployment awaitWaitingWithin(Tenant t, int step, Duration within) {
    t.awaitOn("app")
        .atMost(within)
        .until(
            () -> {
              WorkerDeployment wd = t.get("app");
              var reconciling = condition(wd, "Reconciling");
              RolloutStatus r = wd.getStatus() == null ? null : wd.getStatus().getRollout();
              return reconciling != null
                  && RolloutReasons.WAITING_FOR_PROMOTION.equals(reconciling.getReason())
                  && r != null
                  && r.getStep() == step
                  && RolloutStatus.PAUSED.equals(r.getPhase());
            });
    return t.get("app");
  }

  /** As {@code kubectl annotate name key-}: the annotation is gone, retried on a conflict. */
  private void removeAnnotation(Tenant t, String annotation) {
    for (int attempt = 1; ; attempt++) {
      try {
        t.edit("app", wd -> wd.getMetadata().getAnnotations().remove(annotation));
        return;
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409 || attempt == 5) {
          throw e;
        }
      }
    }
  }

  private void patchAnnotation(Tenant t, String annotation, String json) {
    client
        .resources(WorkerDeployment.class)
        .inNamespace(t.namespace)
        .withName("app")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"" + annotation + "\":" + json + "}}}");
  }
}
