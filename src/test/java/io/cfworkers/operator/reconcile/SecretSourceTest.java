package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The Secret data is read from the API server once per resourceVersion the cache shows. */
@EnableKubernetesMockClient(crud = true)
class SecretSourceTest {
  private static final ResourceID ID = new ResourceID("cloudflare-api", "shop");

  KubernetesClient client;
  KubernetesMockServer server;

  private Secret put(String token) {
    return client
        .secrets()
        .inNamespace("shop")
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName("cloudflare-api")
                .withNamespace("shop")
                .addToAnnotations(
                    "kubectl.kubernetes.io/last-applied-configuration", "{\"data\":\"copy\"}")
                .endMetadata()
                .addToData("token", token)
                .build())
        .createOr(r -> r.update());
  }

  @Test
  void readsEachVersionOnceAndAgainWhenTheSecretChanges() {
    SecretSource source = new SecretSource();
    String v1 = put("b25l").getMetadata().getResourceVersion();
    int before = server.getRequestCount();

    assertEquals(Map.of("token", "b25l"), source.read(ID, Optional.of(v1), client).get().getData());
    assertEquals(before + 1, server.getRequestCount(), "one GET");
    assertEquals(Map.of("token", "b25l"), source.read(ID, Optional.of(v1), client).get().getData());
    assertEquals(before + 1, server.getRequestCount(), "the same version is not read again");

    String v2 = put("dHdv").getMetadata().getResourceVersion();
    int afterUpdate = server.getRequestCount();
    assertEquals(Map.of("token", "dHdv"), source.read(ID, Optional.of(v2), client).get().getData());
    assertEquals(afterUpdate + 1, server.getRequestCount(), "a new version is read");
  }

  @Test
  void aSecretTheCacheDoesNotHoldIsMissingAndForgotten() {
    SecretSource source = new SecretSource();
    String v1 = put("b25l").getMetadata().getResourceVersion();
    source.read(ID, Optional.of(v1), client);
    assertEquals(1, source.keptInFull());
    int before = server.getRequestCount();

    assertEquals(Optional.empty(), source.read(ID, Optional.empty(), client));
    assertEquals(before, server.getRequestCount(), "no GET for a Secret the cache does not hold");
    assertEquals(0, source.keptInFull());
  }

  @Test
  void aSecretDeletedBeforeItIsReadIsMissing() {
    SecretSource source = new SecretSource();
    String v1 = put("b25l").getMetadata().getResourceVersion();
    client.secrets().inNamespace("shop").withName("cloudflare-api").delete();

    assertEquals(Optional.empty(), source.read(ID, Optional.of(v1), client));
    assertEquals(0, source.keptInFull());
  }

  @Test
  void keepsDataButNoAnnotationsAndTheCacheKeepsNoData() {
    Secret full = put("b25l");
    Secret kept =
        new SecretSource()
            .read(ID, Optional.of(full.getMetadata().getResourceVersion()), client)
            .get();
    assertTrue(
        kept.getMetadata().getAnnotations() == null
            || kept.getMetadata().getAnnotations().isEmpty(),
        "annotations can repeat the data");
    assertEquals(full.getMetadata().getResourceVersion(), kept.getMetadata().getResourceVersion());

    Secret cached = SecretSource.metadataOnly(full);
    assertTrue(cached.getData() == null || cached.getData().isEmpty(), "no data in the cache");
    assertEquals("cloudflare-api", cached.getMetadata().getName());
    assertEquals("shop", cached.getMetadata().getNamespace());
    assertEquals(
        full.getMetadata().getResourceVersion(), cached.getMetadata().getResourceVersion());
  }
}
