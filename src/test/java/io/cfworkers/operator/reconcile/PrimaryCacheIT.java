package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.rollout.RolloutAnnotations;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.operator.FakeCloudflareResource;
import io.cfworkers.operator.support.operator.FakeCloudflareResource.InjectFakeCloudflare;
import io.cfworkers.operator.support.operator.Resources;
import io.cfworkers.operator.support.operator.Tenant;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.processing.Controller;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * The running operator's cache of WorkerDeployments holds them without managedFields and kubectl's
 * last-applied copy, and the operator still acts on what it reads: it deploys the spec, and a
 * {@code cfworkers.io/hold} annotation added later (compared by the update filter against the
 * cached, pruned version) holds it.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = FakeCloudflareResource.class, restrictToAnnotatedClass = true)
class PrimaryCacheIT {
  @Inject KubernetesClient client;
  @Inject Operator operator;
  @InjectFakeCloudflare FakeCloudflare fake;

  @Test
  void theCacheKeepsWhatTheOperatorReadsAndNotManagedFields() {
    Tenant t = Tenant.create(client, fake);
    t.createSecret(t.token);
    WorkerDeployment applied =
        Resources.workerDeployment(t.namespace, "app", t.account, t.script, t.v1, 100);
    applied
        .getMetadata()
        .setAnnotations(
            Map.of(PrimaryCache.LAST_APPLIED, "{\"spec\":{}}", "example.com/owner", "team-a"));
    applied
        .getMetadata()
        .setManagedFields(
            List.of(
                new ManagedFieldsEntryBuilder()
                    .withManager("kubectl-client-side-apply")
                    .withOperation("Update")
                    .withApiVersion(applied.getApiVersion())
                    .build()));
    client.resource(applied).create();
    t.awaitReady("app", "Deployed");
    assertEquals(
        1, t.get("app").getMetadata().getManagedFields().size(), "the API server still has them");

    t.awaitOn("app").until(() -> cached(t).filter(PrimaryCacheIT::pruned).isPresent());
    assertEquals(
        "team-a", cached(t).orElseThrow().getMetadata().getAnnotations().get("example.com/owner"));

    t.touch("app", RolloutAnnotations.HOLD, "INC-7");
    t.awaitCondition("app", "Ready", c -> Reasons.HELD.equals(c.getReason()));
    t.awaitOn("app")
        .until(
            () ->
                cached(t)
                    .filter(PrimaryCacheIT::pruned)
                    .filter(wd -> "INC-7".equals(WorkerDeploymentReconciler.hold(wd)))
                    .isPresent());
    assertEquals(1, t.posts().size(), "one deployment, nothing while held");
  }

  private static boolean pruned(WorkerDeployment wd) {
    return wd.getMetadata().getManagedFields() == null
        && !wd.getMetadata().getAnnotations().containsKey(PrimaryCache.LAST_APPLIED);
  }

  @SuppressWarnings("unchecked")
  private Optional<WorkerDeployment> cached(Tenant t) {
    Controller<WorkerDeployment> controller =
        (Controller<WorkerDeployment>)
            operator.getRegisteredController(WorkerDeploymentReconciler.NAME).orElseThrow();
    return controller
        .getEventSourceManager()
        .getControllerEventSource()
        .get(new ResourceID("app", t.namespace));
  }
}
