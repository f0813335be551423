package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.cfworkers.operator.api.v1alpha1.PendingDeployment;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentStatus;
import io.cfworkers.operator.support.operator.Resources;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Two resources read separately share one instance of each repeated string, values unchanged. */
class SharedStringsTest {

  /** A resource as the informer reads it: every string a fresh copy. */
  private static WorkerDeployment read(String name) {
    WorkerDeployment wd =
        Resources.workerDeployment("shop", name, "acc-1", name, "v-1", 90, "v-2", 10);
    wd.getMetadata().setCreationTimestamp("2026-11-29T18:00:00Z");
    WorkerDeploymentStatus status = new WorkerDeploymentStatus();
    status.setSource("api");
    status.setAuthorEmail("ops@example.com");
    status.setVersions(Resources.split("v-1", 90, "v-2", 10));
    status.setMessage("deployed " + name);
    PendingDeployment pending = new PendingDeployment();
    pending.setSecretVersion("15002");
    pending.setVersions(List.of(new VersionTraffic("v-1", 90.0)));
    status.setPendingDeployment(pending);
    status.setConditions(
        List.of(
            new ConditionBuilder()
                .withType("Ready")
                .withStatus("True")
                .withReason("Deployed")
                .withMessage("Cloudflare serves " + name)
                .withLastTransitionTime("2026-11-29T18:00:01Z")
                .build()));
    wd.setStatus(status);
    return Serialization.unmarshal(Serialization.asJson(wd), WorkerDeployment.class);
  }

  private static final List<Function<WorkerDeployment, String>> REPEATED =
      List.of(
          wd -> wd.getMetadata().getNamespace(),
          wd -> wd.getMetadata().getCreationTimestamp(),
          wd -> wd.getSpec().getAccountId(),
          wd -> wd.getSpec().getStrategy(),
          wd -> wd.getSpec().getAuth().getApiTokenSecretRef().getName(),
          wd -> wd.getSpec().getAuth().getApiTokenSecretRef().getKey(),
          wd -> wd.getSpec().getVersions().get(0).getVersionId(),
          wd -> wd.getStatus().getVersions().get(1).getVersionId(),
          wd -> wd.getStatus().getSource(),
          wd -> wd.getStatus().getAuthorEmail(),
          wd -> wd.getStatus().getPendingDeployment().getSecretVersion(),
          wd -> wd.getStatus().getPendingDeployment().getVersions().get(0).getVersionId(),
          wd -> wd.getStatus().getConditions().get(0).getType(),
          wd -> wd.getStatus().getConditions().get(0).getStatus(),
          wd -> wd.getStatus().getConditions().get(0).getReason(),
          wd -> wd.getStatus().getConditions().get(0).getLastTransitionTime());

  @Test
  void repeatedValuesBecomeOneInstance() {
    WorkerDeployment a = read("checkout");
    WorkerDeployment b = read("search");
    for (Function<WorkerDeployment, String> field : REPEATED) {
      assertNotSame(field.apply(a), field.apply(b), "read separately");
    }

    SharedStrings.share(a);
    SharedStrings.share(b);

    for (Function<WorkerDeployment, String> field : REPEATED) {
      assertSame(field.apply(a), field.apply(b), field.apply(a));
    }
    assertSame(
        a.getSpec().getVersions().get(0).getVersionId(),
        b.getStatus().getPendingDeployment().getVersions().get(0).getVersionId(),
        "spec, status and the pending record share a version id");
  }

  @Test
  void sharingChangesNoValue() {
    WorkerDeployment wd = read("checkout");
    String before = Serialization.asJson(wd);

    assertSame(wd, SharedStrings.share(wd));

    assertEquals(before, Serialization.asJson(wd));
  }

  @Test
  void aResourceWithoutSpecOrStatusIsFine() {
    WorkerDeployment wd = new WorkerDeployment();
    wd.setSpec(null);
    wd.setStatus(null);
    SharedStrings.share(wd);
    assertNull(wd.getStatus());
    assertNull(SharedStrings.of(null));
  }
}
