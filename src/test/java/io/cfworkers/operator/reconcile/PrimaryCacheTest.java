package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentStatus;
import io.cfworkers.operator.rollout.RolloutAnnotations;
import io.cfworkers.operator.support.operator.Resources;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntryBuilder;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.Constants;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the controller's cache keeps of a resource: everything but managedFields and kubectl's
 * last-applied copy, so nothing the reconciler or the update filter reads is lost.
 */
class PrimaryCacheTest {

  /** A resource as read from a real cluster after kubectl apply and a status write. */
  private static WorkerDeployment asRead() {
    WorkerDeployment wd =
        Resources.workerDeployment("shop", "checkout", "acc", "checkout", "v1", 90, "v2", 10);
    ObjectMeta m = wd.getMetadata();
    m.setUid("0b6a3c9e-1d2f-4e5a-8b7c-9d0e1f2a3b4c");
    m.setResourceVersion("4711");
    m.setGeneration(3L);
    m.setCreationTimestamp("2026-11-29T18:00:00Z");
    m.setLabels(Map.of("team", "payments"));
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(PrimaryCache.LAST_APPLIED, Serialization.asJson(wd.getSpec()));
    annotations.put(RolloutAnnotations.HOLD, "INC-42");
    annotations.put(RolloutAnnotations.PROMOTE, "1");
    annotations.put("example.com/owner", "checkout-team");
    m.setAnnotations(annotations);
    m.setManagedFields(
        List.of(
            new ManagedFieldsEntryBuilder()
                .withManager("kubectl-client-side-apply")
                .withOperation("Update")
                .build(),
            new ManagedFieldsEntryBuilder()
                .withManager("fabric8-kubernetes-client")
                .withOperation("Update")
                .withSubresource("status")
                .build()));
    wd.setStatus(new WorkerDeploymentStatus());
    wd.getStatus().setDeploymentId("dep-1");
    wd.getStatus().setObservedGeneration(3L);
    return wd;
  }

  @Test
  void dropsManagedFieldsAndTheLastAppliedCopyAndKeepsEverythingElse() {
    WorkerDeployment read = asRead();
    Map<String, Object> expected = Serialization.unmarshal(Serialization.asJson(read), Map.class);
    @SuppressWarnings("unchecked")
    Map<String, Object> metadata = (Map<String, Object>) expected.get("metadata");
    metadata.remove("managedFields");
    @SuppressWarnings("unchecked")
    Map<String, Object> annotations = (Map<String, Object>) metadata.get("annotations");
    annotations.remove(PrimaryCache.LAST_APPLIED);

    WorkerDeployment cached = PrimaryCache.prune(read);

    assertEquals(expected, Serialization.unmarshal(Serialization.asJson(cached), Map.class));
    assertNull(cached.getMetadata().getManagedFields());
    assertFalse(cached.getMetadata().getAnnotations().containsKey(PrimaryCache.LAST_APPLIED));
  }

  @Test
  void whatTheReconcilerReadsIsStillThere() {
    WorkerDeployment cached = PrimaryCache.prune(asRead());

    assertEquals("INC-42", WorkerDeploymentReconciler.hold(cached));
    assertEquals("1", cached.getMetadata().getAnnotations().get(RolloutAnnotations.PROMOTE));
    assertEquals(3L, cached.getMetadata().getGeneration());
    assertEquals("4711", cached.getMetadata().getResourceVersion());
    assertEquals("2026-11-29T18:00:00Z", cached.getMetadata().getCreationTimestamp());
    assertEquals("0b6a3c9e-1d2f-4e5a-8b7c-9d0e1f2a3b4c", cached.getMetadata().getUid());
    assertEquals(Serialization.asJson(asRead().getSpec()), Serialization.asJson(cached.getSpec()));
    assertEquals(asRead().getStatus(), cached.getStatus());
  }

  @Test
  void theUpdateFilterSeesARequestAgainstACachedOlderVersion() {
    WorkerDeployment older = PrimaryCache.prune(asRead());
    WorkerDeployment newer = asRead();
    newer.getMetadata().getAnnotations().put(RolloutAnnotations.ABORT, "1");
    assertTrue(new RequestFilter().accept(newer, older), "a new cfworkers.io/ annotation");

    WorkerDeployment statusOnly = asRead();
    statusOnly.getMetadata().setResourceVersion("4712");
    statusOnly.getMetadata().getManagedFields().get(1).setTime("2026-11-29T18:05:00Z");
    assertFalse(new RequestFilter().accept(statusOnly, older), "a status write");
  }

  @Test
  void theStorePrunesWhatItIsGivenAndKeepsItsIdentity() {
    PrimaryCache store = new PrimaryCache();
    WorkerDeployment read =
        Serialization.unmarshal(Serialization.asJson(asRead()), WorkerDeployment.class);
    assertNotSame("shop", read.getMetadata().getNamespace(), "read: a copy of its own");

    store.put(store.getKey(read), read);

    WorkerDeployment cached = store.get("shop/checkout");
    assertNull(cached.getMetadata().getManagedFields());
    assertSame("checkout", cached.getMetadata().getName(), "the shared (interned) instance");
    assertSame("shop", cached.getMetadata().getNamespace(), "the shared (interned) instance");
    assertEquals("4711", cached.getMetadata().getResourceVersion());
    assertEquals(
        Set.of(RolloutAnnotations.HOLD, RolloutAnnotations.PROMOTE, "example.com/owner"),
        cached.getMetadata().getAnnotations().keySet());
  }

  @Test
  void aResourceWithoutEitherIsLeftAsItIs() {
    WorkerDeployment plain =
        Resources.workerDeployment("shop", "checkout", "acc", "checkout", "v1", 100);
    String before = Serialization.asJson(plain);

    assertSame(plain, PrimaryCache.prune(plain));
    assertEquals(before, Serialization.asJson(plain));
  }

  static Stream<Arguments> namespaces() {
    return Stream.of(
        Arguments.of("all namespaces", Set.of(Constants.WATCH_ALL_NAMESPACES), true),
        Arguments.of(
            "the operator's own namespace", Set.of(Constants.WATCH_CURRENT_NAMESPACE), true),
        Arguments.of("one namespace", Set.of("shop"), true),
        Arguments.of("two namespaces: one informer each", Set.of("shop", "payments"), false));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("namespaces")
  void oneStoreOnlyWhereTheControllerHasOneInformer(
      String why, Set<String> namespaces, boolean fits) {
    assertEquals(fits, PrimaryCache.fits(namespaces));
  }
}
