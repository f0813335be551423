package io.cfworkers.operator.reconcile;

import static io.cfworkers.operator.support.operator.Tenant.condition;
import static io.cfworkers.operator.support.operator.Tenant.idle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.cloudflare.Fault;
import io.cfworkers.operator.support.operator.CapturedLogs;
import io.cfworkers.operator.support.operator.FakeCloudflareResource;
import io.cfworkers.operator.support.operator.FakeCloudflareResource.InjectFakeCloudflare;
import io.cfworkers.operator.support.operator.Tenant;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Cloudflare answers with headers and then stalls the body. The JDK client's request timeout alone
 * stops at the headers, so without a bound on the whole exchange the reconciler thread would wait
 * forever and the resource would never be reconciled again. Each case ends converged, with exactly
 * one deployment per spec change, while the stalled answers are still being held back by the fake.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = FakeCloudflareResource.class, restrictToAnnotatedClass = true)
@TestProfile(StalledBodyIT.ShortRetries.class)
class StalledBodyIT {
  /** Far past the operator's 2 s request timeout and past the time a case needs to converge. */
  private static final Duration STALL = Tenant.CONVERGE.multipliedBy(2);

  /** The retry back-off shortened to 0.5 s doubling up to 2 s, so that retries fit in a test. */
  public static class ShortRetries implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      String retry = "quarkus.operator-sdk.controllers.workerdeployment.retry.";
      return Map.of(retry + "interval.initial", "500", retry + "interval.max", "2000");
    }
  }

  @Inject KubernetesClient client;
  @InjectFakeCloudflare FakeCloudflare fake;

  private final CapturedLogs logs = CapturedLogs.install();
  private final List<Tenant> tenants = new ArrayList<>();

  @AfterEach
  void stopPolling() {
    fake.clearFaults();
    for (Tenant t : tenants) {
      client.resources(WorkerDeployment.class).inNamespace(t.namespace).delete();
    }
  }

  /** A tenant with its Secret and resource "app" deployed at v1@100: one deployment, one POST. */
  private Tenant deployedTenant() {
    Tenant t = Tenant.create(client, fake);
    tenants.add(t);
    t.createSecret(t.token);
    t.create("app", t.v1, 100);
    t.awaitReady("app", "Deployed");
    assertEquals(1, t.deployments().size());
    assertEquals(1, t.posts().size());
    return t;
  }

  @Test
  void createWhoseAnswerStallsAfterItLandedIsConfirmedNotRepeated() {
    Tenant t = deployedTenant();
    fake.inject(Fault.stallBodyAfterApply(STALL).on("POST", deploymentsOf(t)));
    WorkerDeployment changed = t.changeSplit("app", t.v1, 90, t.v2, 10);

    WorkerDeployment ready = t.awaitReadyAt("app", changed.getMetadata().getGeneration());

    assertConverged(t, 2);
    assertEquals(2, t.posts().size(), "the stalled create was not sent again");
    assertTrue(
        condition(ready, "Ready").getMessage().contains(t.live().id()),
        "the deployment whose answer stalled is the one confirmed");
    assertTrue(
        logs.lines().stream()
            .anyMatch(l -> l.contains(t.namespace) && l.contains("no complete answer")),
        "the operator saw its create call give up on the stalled body");
    idle(Duration.ofSeconds(FakeCloudflareResource.POLL_SECONDS * 2L));
    assertEquals(2, t.posts().size(), "polls after the confirmation create nothing");
    assertEquals(2, t.deployments().size());
  }

  @Test
  void observationWhoseAnswerStallsIsRetriedAndTheResourceConverges() {
    Tenant t = deployedTenant();
    fake.inject(Fault.stallBodyAfterApply(STALL).on("GET", deploymentsOf(t)));
    WorkerDeployment changed = t.changeSplit("app", t.v1, 50, t.v2, 50);

    t.awaitReadyAt("app", changed.getMetadata().getGeneration());

    assertConverged(t, 2);
    assertEquals(2, t.posts().size());
  }

  private static void assertConverged(Tenant t, int specChanges) {
    WorkerDeployment wd = t.get("app");
    Deployment live = t.live();
    assertTrue(
        SplitDiff.sameSplit(wd.getSpec().getVersions(), live.versions()),
        "Cloudflare serves the spec: " + live.versions());
    assertEquals(live.id(), wd.getStatus().getDeploymentId(), "status names the live deployment");
    assertEquals(wd.getMetadata().getGeneration(), wd.getStatus().getObservedGeneration());
    assertNull(wd.getStatus().getPendingDeployment(), "nothing pending");
    assertEquals(specChanges, t.deployments().size(), "one deployment per spec change");
  }

  private static String deploymentsOf(Tenant t) {
    return "/scripts/" + t.script + "/deployments";
  }
}
