package io.cfworkers.operator.reconcile;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.ResolvedVersionTag;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.cloudflare.VersionSeed;
import io.cfworkers.operator.support.operator.FakeCloudflareResource;
import io.cfworkers.operator.support.operator.FakeCloudflareResource.InjectFakeCloudflare;
import io.cfworkers.operator.support.operator.Resources;
import io.cfworkers.operator.support.operator.Tenant;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Deploying by version tag against the fake Cloudflare API, with the tests' 2-second poll: a tag
 * resolves with one listing of the deployable versions per generation change and per poll, and a
 * version uploaded later with the tag is deployed at the next poll without a change to the spec.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = FakeCloudflareResource.class, restrictToAnnotatedClass = true)
class VersionTagIT {
  private static final Duration POLL = Duration.ofSeconds(FakeCloudflareResource.POLL_SECONDS);

  @Inject KubernetesClient client;
  @InjectFakeCloudflare FakeCloudflare fake;

  @Test
  void deploysByTagAndListsVersionsOncePerChangeAndPerPollNotPerReconciliation() {
    Tenant t = tenant();
    String release11 = upload(t, "release-2026.11");
    createByTag(t, "web", "release-2026.11");

    WorkerDeployment wd = t.awaitReady("web", Reasons.DEPLOYED);
    assertEquals(List.of(new DeploymentVersion(release11, 100)), t.live().versions());
    assertEquals(List.of(new VersionTraffic(release11, 100.0)), wd.getStatus().getVersions());
    assertEquals(
        List.of(new ResolvedVersionTag("release-2026.11", release11)),
        wd.getStatus().getTagResolution().getTags());
    assertEquals(1L, wd.getStatus().getTagResolution().getGeneration());

    // A change of the tag: one deployment of the version it names.
    String release12 = upload(t, "release-2026.12");
    t.edit("web", w -> w.getSpec().getVersions().get(0).setVersionTag("release-2026.12"));
    wd = t.awaitReadyAt("web", 2);
    assertEquals(List.of(new DeploymentVersion(release12, 100)), t.live().versions());
    assertEquals(2, t.posts().size(), "one deployment per change");
    assertEquals(2L, wd.getStatus().getTagResolution().getGeneration());

    // Resyncs: each poll lists the versions once, beside its one observation.
    long versions = versionListings(t);
    long observations = t.gets().size();
    Tenant.idle(POLL.multipliedBy(4));
    long polledVersions = versionListings(t) - versions;
    long polledObservations = t.gets().size() - observations;
    System.out.printf(
        "VersionTagIT: over 4 poll intervals %d observations, %d version listings%n",
        polledObservations, polledVersions);
    assertTrue(polledVersions >= 2, "the polls checked the tag: " + polledVersions);
    assertEquals(polledObservations, polledVersions, "one listing per poll, no more");
    assertEquals(2, t.posts().size(), "an unchanged resolution deploys nothing");

    // Reconciliations that are not polls (here: the Secret changes) reuse the resolution.
    versions = versionListings(t);
    observations = t.gets().size();
    for (int i = 0; i < 4; i++) {
      long before = t.gets().size();
      touchSecret(t, i);
      await().atMost(Tenant.CONVERGE).until(() -> t.gets().size() > before);
    }
    long touchedVersions = versionListings(t) - versions;
    long touchedObservations = t.gets().size() - observations;
    System.out.printf(
        "VersionTagIT: 4 Secret changes caused %d observations, %d version listings%n",
        touchedObservations, touchedVersions);
    assertTrue(
        touchedVersions < touchedObservations,
        touchedVersions + " listings for " + touchedObservations + " observations");
    assertEquals(2, t.posts().size());
  }

  @Test
  void tagOfNoDeployableVersionStallsUntilAnUploadCarriesIt() {
    Tenant t = tenant();
    createByTag(t, "web", "release-2027.01");

    WorkerDeployment wd = t.awaitStalled("web", Reasons.VERSION_NOT_FOUND);
    assertEquals(
        "spec.versions[0].versionTag: no deployable version tagged release-2027.01 (the last 100"
            + " uploaded); upload one with `wrangler versions upload --tag release-2027.01` or"
            + " name the version by versionId",
        Tenant.condition(wd, "Stalled").getMessage());
    assertEquals(null, wd.getStatus().getTagResolution());
    assertEquals(List.of(), t.posts());
    assertTrue(t.eventReasons("web").contains(Reasons.VERSION_NOT_FOUND));

    // CI uploads it after the manifest was applied: deployed at the next poll, spec unchanged.
    String uploaded = upload(t, "release-2027.01");
    wd = t.awaitReadyAt("web", 1);
    assertEquals(List.of(new DeploymentVersion(uploaded, 100)), t.live().versions());
    assertEquals("False", Tenant.condition(wd, "Stalled").getStatus());
    assertEquals(1, t.posts().size());
  }

  @Test
  void tagOnSeveralVersionsStallsListingTheirIdsNewestFirstAndKeepsWhatServes() {
    Tenant t = tenant();
    String first = upload(t, "rc");
    createByTag(t, "web", "rc");
    t.awaitReady("web", Reasons.DEPLOYED);

    // A second upload with the same tag (a re-upload, a secret change): no longer unambiguous.
    String second = upload(t, "rc");
    WorkerDeployment wd = t.awaitStalled("web", Reasons.AMBIGUOUS_VERSION_TAG);
    assertEquals(
        "spec.versions[0].versionTag: 2 deployable versions are tagged rc (newest first: "
            + second
            + ", "
            + first
            + "); deploy by versionId",
        Tenant.condition(wd, "Stalled").getMessage());
    Tenant.idle(POLL.multipliedBy(2));
    assertEquals(1, t.posts().size(), "nothing deployed");
    assertEquals(List.of(new DeploymentVersion(first, 100)), t.live().versions());
  }

  @Test
  void tagMovedToANewerUploadIsDeployedAtTheNextPollWithoutASpecChange() {
    Tenant t = tenant();
    String old = upload(t, "main");
    createByTag(t, "web", "main");
    t.awaitReady("web", Reasons.DEPLOYED);

    // 99 other uploads keep the old version deployable; the 100th carries the tag and pushes the
    // old one out of the deployable window, so the tag now names only the new upload.
    for (int i = 0; i < 99; i++) {
      fake.addVersion(t.account, t.script);
    }
    String newer = upload(t, "main");
    await()
        .atMost(Tenant.CONVERGE)
        .until(() -> t.live().versions().equals(List.of(new DeploymentVersion(newer, 100))));
    WorkerDeployment wd = t.awaitReadyAt("web", 1);
    assertEquals(
        List.of(new ResolvedVersionTag("main", newer)),
        wd.getStatus().getTagResolution().getTags());
    assertEquals(2, t.posts().size(), "one deployment for the new resolution");
    assertTrue(!old.equals(newer));
  }

  private Tenant tenant() {
    Tenant t = Tenant.create(client, fake);
    t.createSecret(t.token);
    return t;
  }

  private String upload(Tenant t, String tag) {
    return fake.addVersion(t.account, t.script, VersionSeed.defaults().withTag(tag));
  }

  private void createByTag(Tenant t, String name, String tag) {
    WorkerDeployment wd = Resources.workerDeployment(t.namespace, name, t.account, t.script);
    wd.getSpec().setVersions(List.of(VersionTraffic.tagged(tag, 100.0)));
    client.resource(wd).create();
  }

  private void touchSecret(Tenant t, int n) {
    client
        .secrets()
        .inNamespace(t.namespace)
        .withName(Resources.SECRET_NAME)
        .edit(
            s -> {
              s.getMetadata().setAnnotations(java.util.Map.of("touched", Integer.toString(n)));
              return s;
            });
  }

  /** The listings of the script's versions, whatever their query. */
  private static long versionListings(Tenant t) {
    String path =
        FakeCloudflare.API_PREFIX
            + "/accounts/"
            + t.account
            + "/workers/scripts/"
            + t.script
            + "/versions";
    return t.requests().stream()
        .filter(r -> "GET".equals(r.method()) && r.path().equals(path))
        .count();
  }
}
