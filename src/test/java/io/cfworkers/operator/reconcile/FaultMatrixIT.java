package io.cfworkers.operator.reconcile;

import static io.cfworkers.operator.support.operator.Tenant.condition;
import static io.cfworkers.operator.support.operator.Tenant.idle;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.cloudflare.Credential;
import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.cloudflare.Fault;
import io.cfworkers.operator.support.cloudflare.RecordedRequest;
import io.cfworkers.operator.support.operator.CapturedLogs;
import io.cfworkers.operator.support.operator.FakeCloudflareResource;
import io.cfworkers.operator.support.operator.FakeCloudflareResource.InjectFakeCloudflare;
import io.cfworkers.operator.support.operator.MockWatches;
import io.cfworkers.operator.support.operator.OperatorRbac;
import io.cfworkers.operator.support.operator.Resources;
import io.cfworkers.operator.support.operator.Tenant;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The fault matrix: the real operator against the mock API server and the fake Cloudflare API, with
 * one fault per test. Every case ends with the resource converged to its spec and exactly one new
 * deployment at Cloudflare per spec change, counted from the fake's state and its request log.
 * Faults are armed on the tenant's own script path, so other tenants' polls never consume them.
 *
 * <p>The last test checks, over everything this class captured (DEBUG logs with stack traces,
 * events, status, the metrics endpoint), that no token used by any case ever appears.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRbac.ClusterWide.class)
@QuarkusTestResource(value = FakeCloudflareResource.class, restrictToAnnotatedClass = true)
@TestProfile(FaultMatrixIT.ShortRetries.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class FaultMatrixIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** Every secret value any case handed to the operator. */
  private static final Set<String> SECRETS = ConcurrentHashMap.newKeySet();

  /**
   * The test timings of {@link FakeCloudflareResource}, with the retry back-off shortened to 0.5 s
   * doubling up to 2 s (attempts stay unlimited, as in production), so that long outages fit in a
   * test. A profile, not a test resource: test resources apply to every test class.
   */
  public static class ShortRetries implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      String retry = "quarkus.operator-sdk.controllers.workerdeployment.retry.";
      return Map.of(retry + "interval.initial", "500", retry + "interval.max", "2000");
    }
  }

  /** The test acts as administrator; the operator runs under the chart's RBAC. */
  KubernetesClient client = OperatorRbac.adminClient();

  @KubernetesTestServer KubernetesServer mockServer;
  @InjectFakeCloudflare FakeCloudflare fake;

  private final CapturedLogs logs = CapturedLogs.install();
  private final List<Tenant> tenants = new ArrayList<>();

  private Tenant tenant() {
    Tenant t = Tenant.create(client, fake);
    tenants.add(t);
    SECRETS.add(t.token);
    return t;
  }

  /** A tenant with its Secret and resource "app" deployed at v1@100: one deployment, one POST. */
  private Tenant deployedTenant() {
    Tenant t = tenant();
    t.createSecret(t.token);
    t.create("app", t.v1, 100);
    t.awaitReady("app", "Deployed");
    assertEquals(1, t.deployments().size());
    assertEquals(1, t.posts().size());
    return t;
  }

  @AfterEach
  void noSecretInResourcesOrEventsThenStopPolling() {
    fake.clearFaults();
    fake.setLatency(Duration.ZERO);
    for (Tenant t : tenants) {
      String everything =
          Serialization.asYaml(
                  client.resources(WorkerDeployment.class).inNamespace(t.namespace).list())
              + Serialization.asYaml(client.v1().events().inNamespace(t.namespace).list());
      SECRETS.forEach(s -> assertFalse(everything.contains(s), "a token in status or events"));
      client.resources(WorkerDeployment.class).inNamespace(t.namespace).delete();
    }
  }

  // --- 1. 429 --------------------------------------------------------------------------------

  @Test
  @Order(1)
  void rateLimitedObservationWaitsForRetryAfterThenCreatesOnce() {
    Tenant t = deployedTenant();
    fake.inject(Fault.status(429).retryAfter(Duration.ofSeconds(4)).on("GET", deploymentsOf(t)));
    WorkerDeployment changed = t.changeSplit("app", t.v1, 90, t.v2, 10);

    t.awaitCondition("app", "Reconciling", c -> "RateLimited".equals(c.getReason()) && isTrue(c));
    int limitedAt = t.requests().size();
    idle(Duration.ofSeconds(2));
    assertEquals(limitedAt, t.requests().size(), "no call before Retry-After has passed");

    t.awaitReadyAt("app", changed.getMetadata().getGeneration());
    assertConverged(t, "app", 2);
    assertEquals(List.of(200, 200), statuses(t.posts()));
  }

  @Test
  @Order(2)
  void rateLimitedCreateIsNotAppliedAndIsSentOnceMoreAfterRetryAfter() {
    Tenant t = deployedTenant();
    fake.inject(Fault.status(429).retryAfter(Duration.ofSeconds(2)).on("POST", deploymentsOf(t)));
    WorkerDeployment changed = t.changeSplit("app", t.v1, 90, t.v2, 10);

    t.awaitCondition("app", "Reconciling", c -> "RateLimited".equals(c.getReason()) && isTrue(c));
    assertNull(t.get("app").getStatus().getPendingDeployment(), "the refused call is not pending");
    t.awaitReadyAt("app", changed.getMetadata().getGeneration());
    assertConverged(t, "app", 2);
    assertEquals(List.of(200, 429, 200), statuses(t.posts()));
  }

  // --- 2. 5xx --------------------------------------------------------------------------------

  @Test
  @Order(3)
  void unavailableObservationIsRetriedThenCreatesOnce() {
    Tenant t = deployedTenant();
    fake.inject(Fault.status(503).times(2).on("GET", deploymentsOf(t)));
    fake.inject(Fault.status(500).on("GET", deploymentsOf(t)));
    WorkerDeployment changed = t.changeSplit("app", t.v1, 50, t.v2, 50);

    t.awaitReadyAt("app", changed.getMetadata().getGeneration());
    assertConverged(t, "app", 2);
    assertEquals(List.of(200, 200), statuses(t.posts()));
    List<Integer> gets = statuses(t.gets());
    assertEquals(
        List.of(503, 503, 500),
        gets.stream().filter(s -> s >= 500).toList(),
        "every injected failure was seen: " + gets);
    List<String> about = logs.lines().stream().filter(l -> l.contains(t.namespace)).toList();
    assertEquals(
        3,
        about.stream()
            .filter(l -> l.startsWith("WARN") && l.contains("Cloudflare API unavailable"))
            .count(),
        "one WARN line per failure: " + about);
    assertTrue(
        logs.lines().stream().noneMatch(l -> l.contains("Uncaught error during event processing")),
        "the SDK does not repeat the failure with a stack trace");
  }

  @Test
  @Order(4)
  void createRefusedWith5xxIsNotAppliedAndIsSentOnceMore() {
    Tenant t = deployedTenant();
    fake.inject(Fault.status(503).on("POST", deploymentsOf(t)));
    fake.inject(Fault.status(500).on("POST", deploymentsOf(t)));
    WorkerDeployment changed = t.changeSplit("app", t.v2, 100);

    t.awaitReadyAt("app", changed.getMetadata().getGeneration());
    assertConverged(t, "app", 2);
    assertEquals(List.of(200, 503, 500, 200), statuses(t.posts()));
  }

  // --- 3. and 4. a create whose answer is lost or late ----------------------------------------

  @Test
  @Order(5)
  void createWhoseConnectionDropsAfterApplyIsConfirmedNotRepeated() {
    Tenant t = deployedTenant();
    fake.inject(Fault.dropAfterApply().on("POST", deploymentsOf(t)));
    WorkerDeployment changed = t.changeSplit("app", t.v1, 90, t.v2, 10);

    WorkerDeployment ready = t.awaitReadyAt("app", changed.getMetadata().getGeneration());
    assertConverged(t, "app", 2);
    assertEquals(List.of(200, 0), statuses(t.posts()), "the dropped create was not sent again");
    assertTrue(
        condition(ready, "Ready").getMessage().contains(t.live().id()),
        "the confirmed deployment is reported");
  }

  @Test
  @Order(6)
  void createAnsweredAfterTheClientTimeoutIsConfirmedNotRepeated() {
    Tenant t = deployedTenant();
    // Applied at once, answered after 3.5 s: past the operator's 2 s request timeout.
    fake.inject(Fault.delay(Duration.ofMillis(3500)).on("POST", deploymentsOf(t)));
    WorkerDeployment changed = t.changeSplit("app", t.v1, 90, t.v2, 10);

    t.awaitReadyAt("app", changed.getMetadata().getGeneration());
    assertConverged(t, "app", 2);
    assertEquals(2, t.posts().size(), "the late create was not sent again");
    assertTrue(
        logs.lines().stream()
            .anyMatch(
                l ->
                    l.contains(t.namespace)
                        && l.contains("Cloudflare API unavailable")
                        && l.contains("did not answer")),
        "the operator saw its create call time out");
    idle(Duration.ofSeconds(FakeCloudflareResource.POLL_SECONDS * 2L));
    assertEquals(2, t.posts().size());
  }

  // --- 5. slow API, one token for several resources ------------------------------------------

  @Test
  @Order(7)
  void slowApiWithSeveralResourcesSharingOneTokenCreatesOneDeploymentEach() {
    Tenant t = tenant();
    List<String> scripts = List.of(t.script, t.script + "-b", t.script + "-c");
    Map<String, String[]> versions = new HashMap<>();
    for (String s : scripts) {
      if (!s.equals(t.script)) {
        fake.addScript(t.account, s);
        versions.put(s, new String[] {fake.addVersion(t.account, s), null});
        versions.get(s)[1] = fake.addVersion(t.account, s);
      } else {
        versions.put(s, new String[] {t.v1, t.v2});
      }
    }
    t.createSecret(t.token);
    // Every call takes 1.5 s, three quarters of the operator's request timeout.
    fake.setLatency(Duration.ofMillis(1500));
    for (int i = 0; i < scripts.size(); i++) {
      t.createOn("app-" + i, scripts.get(i), versions.get(scripts.get(i))[0], 100);
    }
    for (int i = 0; i < scripts.size(); i++) {
      t.awaitReady("app-" + i, "Deployed");
    }
    for (int i = 0; i < scripts.size(); i++) {
      String[] v = versions.get(scripts.get(i));
      t.changeSplit("app-" + i, v[0], 70, v[1], 30);
    }
    for (int i = 0; i < scripts.size(); i++) {
      String name = "app-" + i;
      t.awaitReadyAt(name, t.get(name).getMetadata().getGeneration());
    }
    for (int i = 0; i < scripts.size(); i++) {
      String s = scripts.get(i);
      assertConverged(t, "app-" + i, s, 2);
      assertEquals(List.of(200, 200), statuses(t.postsFor(s)), "script " + s);
    }
    String shared = Credential.apiToken(t.token).id();
    assertTrue(t.requests().stream().allMatch(r -> shared.equals(r.credentialId())));
  }

  // --- 6. status write conflict after the create -----------------------------------------------

  @Test
  @Order(8)
  void statusConflictAfterTheCreateIsResolvedByObservationNotBySecondCreate() {
    Tenant t = deployedTenant();
    // Applied at once, answered after 1.5 s: within the timeout.
    fake.inject(Fault.delay(Duration.ofMillis(1500)).on("POST", deploymentsOf(t)));
    WorkerDeployment changed = t.changeSplit("app", t.v1, 90, t.v2, 10);
    t.awaitOn("app").until(() -> t.deployments().size() == 2);
    // The intent record is written; the create call has landed and its answer is on its way. The
    // next status write is refused as the API server refuses a write based on a stale
    // resourceVersion. (The mock API server ignores resourceVersion on /status writes, so the
    // conflict is armed by hand, once.)
    mockServer
        .expect()
        .put()
        .withPath(
            "/apis/cfworkers.io/v1alpha1/namespaces/"
                + t.namespace
                + "/workerdeployments/app/status")
        .andReturn(
            409,
            new StatusBuilder()
                .withStatus("Failure")
                .withReason("Conflict")
                .withCode(409)
                .withMessage(
                    "Operation cannot be fulfilled on workerdeployments.cfworkers.io \"app\": the"
                        + " object has been modified; please apply your changes to the latest"
                        + " version and try again")
                .build())
        .once();

    t.awaitReadyAt("app", changed.getMetadata().getGeneration());
    assertConverged(t, "app", 2);
    assertEquals(List.of(200, 200), statuses(t.posts()));
    assertTrue(
        logs.lines().stream()
            .anyMatch(
                l -> l.contains("will be retried") && l.contains(t.namespace) && l.contains("409")),
        "the final status write met a 409 Conflict");
    assertEquals(
        2,
        t.eventReasons("app").stream().filter("Deployed"::equals).count(),
        "each create reported once, the second only after a status write succeeded: "
            + t.eventReasons("app"));
  }

  // --- 10. the Secret deleted or rotated while a create is pending -----------------------------

  @Test
  @Order(9)
  void secretDeletedWhileACreateIsPendingStallsThenConfirmsTheCreate() {
    Tenant t = deployedTenant();
    fake.inject(Fault.delay(Duration.ofMillis(3500)).on("POST", deploymentsOf(t)));
    WorkerDeployment changed = t.changeSplit("app", t.v1, 90, t.v2, 10);
    t.awaitOn("app").until(() -> t.deployments().size() == 2);
    client.secrets().inNamespace(t.namespace).withName(Resources.SECRET_NAME).delete();

    WorkerDeployment stalled = t.awaitStalled("app", "CredentialsNotFound");
    assertTrue(
        condition(stalled, "Stalled")
            .getMessage()
            .contains(t.namespace + "/" + Resources.SECRET_NAME),
        "names the Secret");
    assertTrue(
        stalled.getStatus().getPendingDeployment() != null,
        "the pending create is remembered while the operator cannot look");

    t.createSecret(t.token);
    t.awaitReadyAt("app", changed.getMetadata().getGeneration());
    assertConverged(t, "app", 2);
    assertEquals(List.of(200, 200), statuses(t.posts()));
  }

  @Test
  @Order(10)
  void secretRotatedWhileACreateIsPendingConfirmsItWithTheNewToken() {
    Tenant t = deployedTenant();
    String rotated = "tok-rotated-" + UUID.randomUUID();
    SECRETS.add(rotated);
    fake.addToken(rotated, t.email, t.account);
    fake.inject(Fault.delay(Duration.ofMillis(3500)).on("POST", deploymentsOf(t)));
    WorkerDeployment changed = t.changeSplit("app", t.v1, 90, t.v2, 10);
    t.awaitOn("app").until(() -> t.deployments().size() == 2);
    t.replaceSecret(rotated);
    fake.removeToken(t.token);

    t.awaitReadyAt("app", changed.getMetadata().getGeneration());
    assertConverged(t, "app", 2);
    assertEquals(2, t.posts().size());
    assertEquals(2, t.requestsWith(t.token).stream().filter(r -> isPost(r)).count());
    assertEquals(0, t.requestsWith(rotated).stream().filter(r -> isPost(r)).count());
    assertFalse(t.requestsWith(rotated).isEmpty(), "the new token observed the outcome");
  }

  // --- 11. the spec changes while the previous generation's create is in flight ---------------

  @Test
  @Order(11)
  void specChangedWhileACreateIsInFlightCreatesEachGenerationOnce() {
    Tenant t = deployedTenant();
    // The create is held open 3.5 s before Cloudflare applies it: past the 2 s request timeout.
    fake.inject(Fault.holdBeforeApply(Duration.ofMillis(3500)).on("POST", deploymentsOf(t)));
    WorkerDeployment first = t.changeSplit("app", t.v1, 50, t.v2, 50);
    t.awaitOn("app").until(() -> t.posts().size() == 2);
    WorkerDeployment again = t.changeSplit("app", t.v2, 100);
    assertEquals(1, t.deployments().size(), "the spec changed while the create was held open");

    t.awaitReadyAt("app", again.getMetadata().getGeneration());
    assertConverged(t, "app", 3);
    assertEquals(List.of(200, 200, 200), statuses(t.posts()));
    List<Deployment> all = t.deployments();
    assertTrue(
        SplitDiff.sameSplit(Resources.split(t.v1, 50, t.v2, 50), all.get(1).versions()),
        "the held generation (" + first.getMetadata().getGeneration() + ") landed once");
    assertTrue(
        SplitDiff.sameSplit(Resources.split(t.v2, 100), all.get(0).versions()),
        "the new generation was created once, after the held one landed");
  }

  // --- 8. the watch connection drops and comes back while a change is pending ------------------

  @Test
  @Order(18)
  void watchDroppedWhileACreateIsPendingStillConvergesOnTheLatestSpec() throws Exception {
    Tenant t = deployedTenant();
    fake.inject(Fault.delay(Duration.ofMillis(3500)).on("POST", deploymentsOf(t)));
    t.changeSplit("app", t.v1, 90, t.v2, 10);
    t.awaitOn("app").until(() -> t.deployments().size() == 2);

    int dropped = MockWatches.dropAll(mockServer);
    assertTrue(dropped > 0, "the operator's watches were open and are now closed");
    // Made while the operator's watches are down: only a re-established watch brings it.
    WorkerDeployment again = t.changeSplit("app", t.v2, 100);

    t.awaitReadyAt("app", again.getMetadata().getGeneration());
    assertConverged(t, "app", 3);
    assertEquals(List.of(200, 200, 200), statuses(t.posts()));
    assertTrue(MockWatches.open(mockServer) > 0, "the watches were re-established");
  }

  // --- 12. an outage longer than any retry budget ----------------------------------------------

  @Test
  @Order(12)
  void outageLongerThanTheRetryBudgetIsReportedAndHealsWithoutAManualStep() {
    Tenant t = deployedTenant();
    fake.inject(Fault.status(503).times(100_000).on("GET", deploymentsOf(t)));
    WorkerDeployment changed = t.changeSplit("app", t.v1, 90, t.v2, 10);

    WorkerDeployment failing =
        t.awaitCondition(
            "app", "Reconciling", c -> "ApiUnavailable".equals(c.getReason()) && isTrue(c));
    assertTrue(
        condition(failing, "Reconciling").getMessage().contains("HTTP 503"),
        condition(failing, "Reconciling").getMessage());
    // JOSDK's default retry gives up after 5 attempts; the operator's does not.
    t.awaitOn("app").until(() -> failedGets(t) >= 8);
    assertEquals(1, t.posts().size(), "nothing is created blind");
    assertFalse(
        "True".equals(condition(t.get("app"), "Ready").getStatus())
            && condition(t.get("app"), "Ready").getObservedGeneration()
                == changed.getMetadata().getGeneration(),
        "not Ready for the new generation while Cloudflare is down");

    fake.clearFaults();
    t.awaitReadyAt("app", changed.getMetadata().getGeneration());
    assertConverged(t, "app", 2);
    assertEquals(List.of(200, 200), statuses(t.posts()));
  }

  // --- 13. Cloudflare keeps another split than the one created --------------------------------

  @Test
  @Order(19)
  void createServedWithAnotherSplitStallsInsteadOfCreatingAgain() {
    Tenant t = deployedTenant();
    // Cloudflare keeping two decimals where the spec has four: every create would differ again.
    fake.inject(Fault.roundPercentages(2).times(100).on("POST", deploymentsOf(t)));
    WorkerDeployment changed = t.changeSplit("app", t.v1, 66.6667, t.v2, 33.3333);

    WorkerDeployment stalled = t.awaitStalled("app", "DeploymentNotObserved");
    String message = condition(stalled, "Stalled").getMessage();
    assertTrue(
        message.contains("@66.6667") && message.contains("@66.67"), "both splits: " + message);
    assertEquals(
        changed.getMetadata().getGeneration(), stalled.getStatus().getObservedGeneration());
    idle(Duration.ofSeconds(FakeCloudflareResource.POLL_SECONDS * 3L));
    assertEquals(List.of(200, 200), statuses(t.posts()), "no second create for the generation");
    assertEquals(2, t.deployments().size());
    assertEquals(1, t.eventReasons("app").stream().filter("DeploymentNotObserved"::equals).count());

    // Someone else deploys: that drift is corrected once, and the guard holds again.
    fake.seedDeployment(
        t.account, t.script, List.of(new DeploymentVersion(t.v1, 100)), "wrangler", "x@y.z", null);
    t.awaitOn("app").until(() -> t.posts().size() == 3);
    idle(Duration.ofSeconds(FakeCloudflareResource.POLL_SECONDS * 3L));
    assertEquals(3, t.posts().size(), "one create for the drift, not one per poll");

    // A new spec releases the guard: one more create, and Cloudflare storing it exactly converges.
    fake.clearFaults();
    WorkerDeployment fixed = t.changeSplit("app", t.v2, 100);
    t.awaitReadyAt("app", fixed.getMetadata().getGeneration());
    assertEquals(List.of(200, 200, 200, 200), statuses(t.posts()));
    assertEquals(5, t.deployments().size(), "four creates and the one made by hand");
    WorkerDeployment ready = t.get("app");
    assertTrue(SplitDiff.sameSplit(ready.getSpec().getVersions(), t.live().versions()));
    assertEquals(t.live().id(), ready.getStatus().getDeploymentId());
    assertNull(ready.getStatus().getPendingDeployment(), "nothing pending");
  }

  // --- bad input only the operator can see -------------------------------------------------------

  @Test
  @Order(13)
  void missingSecretKeyStallsWithoutAnyCallAndLeavesTheLiveDeploymentAlone() {
    Tenant t = tenant();
    Deployment byHand =
        fake.seedDeployment(
            t.account,
            t.script,
            List.of(new DeploymentVersion(t.v2, 100)),
            "wrangler",
            "dev@example.com",
            null);
    client
        .secrets()
        .inNamespace(t.namespace)
        .resource(secret(t.namespace, Resources.SECRET_NAME, "tokn", t.token))
        .create();
    t.create("app", t.v1, 100);

    WorkerDeployment stalled = t.awaitStalled("app", "CredentialsNotFound");
    String message = condition(stalled, "Stalled").getMessage();
    assertEquals(
        "Secret "
            + t.namespace
            + "/cloudflare-api has no key \"token\" (spec.auth.apiTokenSecretRef.key)",
        message);
    idle(Duration.ofSeconds(FakeCloudflareResource.POLL_SECONDS * 2L));
    assertEquals(List.of(), t.requests(), "no call to Cloudflare at all");
    assertEquals(List.of(byHand), t.deployments(), "the live deployment is untouched");

    t.replaceSecret(t.token);
    t.awaitReady("app", "Deployed");
    assertEquals(List.of(200), statuses(t.posts()), "one create once the key exists");
    assertEquals(2, t.deployments().size());
    assertEquals(t.live().id(), t.get("app").getStatus().getDeploymentId());
  }

  @Test
  @Order(14)
  void unknownVersionStallsAndLeavesTheLiveDeploymentAlone() {
    Tenant t = deployedTenant();
    Deployment before = t.live();
    String unknown = UUID.randomUUID().toString();
    t.changeSplit("app", t.v1, 90, unknown, 10);

    WorkerDeployment stalled = t.awaitStalled("app", "VersionNotFound");
    String message = condition(stalled, "Stalled").getMessage();
    assertTrue(message.contains("10224") && message.contains(unknown), message);
    idle(Duration.ofSeconds(FakeCloudflareResource.POLL_SECONDS * 2L));
    // Only Cloudflare knows the script's versions: one create call, refused, not repeated.
    assertEquals(List.of(200, 404), statuses(t.posts()));
    assertEquals(List.of(before), t.deployments(), "the live deployment is untouched");
    assertEquals(before.id(), t.get("app").getStatus().getDeploymentId());
  }

  @Test
  @Order(15)
  void hostileMessageReachesCloudflareOnlyAsJsonEscapedData() throws Exception {
    Tenant t = tenant();
    t.createSecret(t.token);
    String hostile = "q\"uote' nl\n cr\r tab\t back\\slash </script><b>${x}</b> ü€🚀";
    assertTrue(hostile.getBytes(StandardCharsets.UTF_8).length <= 100, "within the CRD's limit");
    WorkerDeployment wd =
        Resources.workerDeployment(t.namespace, "app", t.account, t.script, t.v1, 100);
    wd.getSpec().setMessage(hostile);
    client.resource(wd).create();

    t.awaitReady("app", "Deployed");
    assertEquals(hostile, sentMessage(t.posts().get(0)));
    assertEquals(hostile, t.live().message());
    assertConverged(t, "app", 1);
  }

  @Test
  @Order(16)
  void overlongMessageIsCutOnACharacterBoundary() throws Exception {
    Tenant t = tenant();
    t.createSecret(t.token);
    // 49 two-byte characters (98 bytes), then a four-byte emoji straddling the 100-byte limit.
    // The CRD refuses this; the mock API server does not enforce it, which shows the operator's own
    // guard.
    String overlong = "ü".repeat(49) + "🚀 and a tail";
    WorkerDeployment wd =
        Resources.workerDeployment(t.namespace, "app", t.account, t.script, t.v1, 100);
    wd.getSpec().setMessage(overlong);
    client.resource(wd).create();

    t.awaitReady("app", "Deployed");
    assertEquals("ü".repeat(49), sentMessage(t.posts().get(0)));
    assertEquals("ü".repeat(49), t.live().message());
    assertConverged(t, "app", 1);
  }

  // --- security --------------------------------------------------------------------------------

  @Test
  @Order(17)
  void secretOfTheSameNameInAnotherNamespaceIsNeverUsed() {
    Tenant t = tenant();
    String elsewhere = "other-" + t.namespace;
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(elsewhere).endMetadata().build())
        .create();
    client
        .secrets()
        .inNamespace(elsewhere)
        .resource(Resources.tokenSecret(elsewhere, t.token))
        .create();
    t.create("app", t.v1, 100);

    WorkerDeployment stalled = t.awaitStalled("app", "CredentialsNotFound");
    assertEquals(
        "Secret " + t.namespace + "/cloudflare-api not found (spec.auth.apiTokenSecretRef.name)",
        condition(stalled, "Stalled").getMessage());
    idle(Duration.ofSeconds(FakeCloudflareResource.POLL_SECONDS * 2L));
    assertEquals(List.of(), t.requests(), "the other namespace's token was never used");
    assertEquals(List.of(), t.deployments());
  }

  @Test
  @Order(Integer.MAX_VALUE)
  void noTokenOfAnyCaseAppearsInLogsEventsStatusOrMetrics() throws Exception {
    assertTrue(SECRETS.size() >= 15, "the cases above ran first: " + SECRETS.size());
    List<String> lines = logs.lines();
    assertTrue(
        lines.stream().anyMatch(l -> l.startsWith("DEBUG") || l.startsWith("FINE")),
        "DEBUG lines were captured");
    assertTrue(
        lines.stream().anyMatch(l -> l.contains("CloudflareTransientException")),
        "exception messages were captured");

    String metrics = PrometheusText.scrape();
    assertTrue(metrics.contains("cfworkers_deployments_created"), "the operator's metrics");

    String events = Serialization.asYaml(client.v1().events().inAnyNamespace().list());
    String resources =
        Serialization.asYaml(client.resources(WorkerDeployment.class).inAnyNamespace().list());
    String requests = fake.requests().toString();
    for (String secret : SECRETS) {
      lines.forEach(l -> assertFalse(l.contains(secret), "log line: " + l));
      assertFalse(metrics.contains(secret), "metrics");
      assertFalse(events.contains(secret), "events");
      assertFalse(resources.contains(secret), "resources");
      assertFalse(requests.contains(secret), "request bodies and queries");
    }
  }

  // --- helpers ---------------------------------------------------------------------------------

  /**
   * The resource serves its spec at Cloudflare, its status says so for the current generation with
   * nothing pending, and the script has exactly {@code specChanges} deployments, each made by one
   * applied create call.
   */
  private void assertConverged(Tenant t, String name, int specChanges) {
    assertConverged(t, name, t.script, specChanges);
  }

  private void assertConverged(Tenant t, String name, String script, int specChanges) {
    WorkerDeployment wd = t.get(name);
    Deployment live = t.deploymentsOf(script).get(0);
    assertTrue(
        SplitDiff.sameSplit(wd.getSpec().getVersions(), live.versions()),
        "Cloudflare serves the spec: " + live.versions());
    assertEquals(live.id(), wd.getStatus().getDeploymentId(), "status names the live deployment");
    assertEquals(wd.getMetadata().getGeneration(), wd.getStatus().getObservedGeneration());
    assertEquals("True", condition(wd, "Ready").getStatus());
    assertNull(wd.getStatus().getPendingDeployment(), "nothing pending");
    assertEquals(specChanges, t.deploymentsOf(script).size(), "one deployment per spec change");
    long applied =
        t.postsFor(script).stream().filter(r -> r.status() == 200 || r.status() == 0).count();
    assertEquals(specChanges, applied, "one applied create call per spec change");
  }

  private static String deploymentsOf(Tenant t) {
    return "/scripts/" + t.script + "/deployments";
  }

  private static List<Integer> statuses(List<RecordedRequest> requests) {
    return requests.stream().map(RecordedRequest::status).toList();
  }

  private static long failedGets(Tenant t) {
    return t.gets().stream().filter(r -> r.status() == 503).count();
  }

  private static boolean isPost(RecordedRequest r) {
    return "POST".equals(r.method());
  }

  private static boolean isTrue(io.fabric8.kubernetes.api.model.Condition c) {
    return "True".equals(c.getStatus());
  }

  private static String sentMessage(RecordedRequest post) throws Exception {
    JsonNode body = JSON.readTree(post.body());
    JsonNode message = body.path("annotations").path("workers/message");
    assertTrue(message.isTextual(), "a JSON string: " + post.body());
    return message.textValue();
  }

  private static Secret secret(String namespace, String name, String key, String value) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .endMetadata()
        .addToData(key, Base64.getEncoder().encodeToString(value.getBytes(StandardCharsets.UTF_8)))
        .build();
  }
}
