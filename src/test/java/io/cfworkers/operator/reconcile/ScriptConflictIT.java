package io.cfworkers.operator.reconcile;

import static io.cfworkers.operator.support.operator.Resources.split;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.operator.FakeCloudflareResource;
import io.cfworkers.operator.support.operator.FakeCloudflareResource.InjectFakeCloudflare;
import io.cfworkers.operator.support.operator.Tenant;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A resource blocked by {@code ScriptConflict} is released within seconds when the resource that
 * owns the script is deleted, e.g. when a resource is renamed by applying a copy under the new name
 * and deleting the old one. A blocked resource is not polled, so without that release it would wait
 * for the framework's maximum reconciliation interval (hours).
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = FakeCloudflareResource.class, restrictToAnnotatedClass = true)
class ScriptConflictIT {
  /** Far below any timed reconciliation of a stalled resource; above the poll interval. */
  private static final Duration RELEASE = Duration.ofSeconds(10);

  @Inject KubernetesClient client;
  @InjectFakeCloudflare FakeCloudflare fake;

  private Tenant tenant;

  @BeforeEach
  void newTenant() {
    tenant = Tenant.create(client, fake);
    tenant.createSecret(tenant.token);
  }

  @Test
  void renameByCopyAdoptsTheLiveDeploymentOnceTheOriginalIsDeleted() {
    tenant.create("checkout", tenant.v1, 90, tenant.v2, 10);
    WorkerDeployment original = tenant.awaitReady("checkout", "Deployed");
    tenant.create("storefront", tenant.v1, 90, tenant.v2, 10);
    WorkerDeployment blocked = tenant.awaitStalled("storefront", "ScriptConflict");
    assertTrue(
        Tenant.condition(blocked, "Stalled").getMessage().contains(tenant.namespace + "/checkout"),
        "names the owner");

    delete("checkout");

    WorkerDeployment renamed = awaitReleased("storefront");
    Deployment live = fake.liveDeployment(tenant.account, tenant.script).orElseThrow();
    assertEquals("Adopted", Tenant.condition(renamed, "Ready").getReason());
    assertEquals(live.id(), renamed.getStatus().getDeploymentId());
    assertEquals(original.getStatus().getDeploymentId(), live.id(), "still the original's");
    assertEquals(1, tenant.deployments().size(), "no deployment created for the rename");
    assertEquals(1, tenant.posts().size());
    assertEquals("False", Tenant.condition(renamed, "Stalled").getStatus());
  }

  @Test
  void ofTwoBlockedCopiesTheOlderTakesOverAndTheOtherNamesIt() {
    tenant.create("checkout", tenant.v1, 100);
    tenant.awaitReady("checkout", "Deployed");
    tenant.create("copy-a", tenant.v1, 100);
    tenant.awaitStalled("copy-a", "ScriptConflict");
    tenant.create("copy-b", tenant.v1, 100);
    tenant.awaitStalled("copy-b", "ScriptConflict");

    delete("checkout");

    awaitReleased("copy-a");
    tenant
        .awaitOn("copy-b")
        .atMost(RELEASE)
        .until(
            () -> {
              Condition stalled = Tenant.condition(tenant.get("copy-b"), "Stalled");
              return Tenant.isStalled(tenant.get("copy-b"), "ScriptConflict")
                  && stalled.getMessage().contains(tenant.namespace + "/copy-a");
            });
    assertEquals(1, tenant.deployments().size());
    assertTrue(
        SplitDiff.sameSplit(
            split(tenant.v1, 100),
            fake.liveDeployment(tenant.account, tenant.script).orElseThrow().versions()));
  }

  /**
   * The deletion that releases a blocked resource also takes the deleted resource's series off
   * {@code /q/metrics}: both come from the same event (ScriptOwners).
   */
  @Test
  void aDeletedResourceLeavesNoConditionSeries() throws Exception {
    tenant.create("checkout", tenant.v1, 100);
    tenant.awaitReady("checkout", "Deployed");
    tenant.awaitOn("checkout").atMost(RELEASE).until(() -> readySeries("checkout") == 1.0);

    delete("checkout");

    tenant.awaitOn("checkout").atMost(RELEASE).until(() -> readySeries("checkout") == -1.0);
  }

  /** The Ready=True series of this resource in a scrape of /q/metrics, or -1 without one. */
  private double readySeries(String name) throws Exception {
    return PrometheusText.series(PrometheusText.scrape(), ConditionMetrics.PROMETHEUS_NAME)
        .getOrDefault(
            Map.of("namespace", tenant.namespace, "name", name, "type", "Ready", "status", "True"),
            -1.0);
  }

  private void delete(String name) {
    client.resources(WorkerDeployment.class).inNamespace(tenant.namespace).withName(name).delete();
  }

  /** Ready=True at its generation within {@link #RELEASE} of the owner's deletion. */
  private WorkerDeployment awaitReleased(String name) {
    tenant
        .awaitOn(name)
        .atMost(RELEASE)
        .until(
            () -> {
              WorkerDeployment wd = tenant.get(name);
              Condition ready = Tenant.condition(wd, "Ready");
              return ready != null
                  && "True".equals(ready.getStatus())
                  && wd.getMetadata().getGeneration().equals(ready.getObservedGeneration());
            });
    return tenant.get(name);
  }
}
