package io.cfworkers.operator.reconcile;

import static io.cfworkers.operator.support.operator.Resources.split;
import static io.cfworkers.operator.support.operator.Resources.tokenSecret;
import static io.cfworkers.operator.support.operator.Resources.workerDeployment;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.cloudflare.Fault;
import io.cfworkers.operator.support.cloudflare.RecordedRequest;
import io.cfworkers.operator.support.operator.CapturedLogs;
import io.cfworkers.operator.support.operator.FakeCloudflareResource;
import io.cfworkers.operator.support.operator.FakeCloudflareResource.InjectFakeCloudflare;
import io.cfworkers.operator.support.operator.OperatorRbac;
import io.cfworkers.operator.support.operator.Resources;
import io.cfworkers.operator.support.operator.Tenant;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The operator end to end: the real Quarkus application against the mock Kubernetes API server
 * (CRUD mode) and the fake Cloudflare API. Each test uses its own namespace, account and script.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRbac.ClusterWide.class)
@QuarkusTestResource(value = FakeCloudflareResource.class, restrictToAnnotatedClass = true)
class WorkerDeploymentReconcilerIT {
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  /** The test acts as administrator; the operator runs under the chart's RBAC. */
  KubernetesClient client = OperatorRbac.adminClient();

  @KubernetesTestServer KubernetesServer apiServer;
  @InjectFakeCloudflare FakeCloudflare fake;

  private final CapturedLogs logs = CapturedLogs.install();

  private Tenant tenant;
  private String namespace;
  private String account;
  private String script;
  private String token;
  private String email;
  private String v1;
  private String v2;

  @BeforeEach
  void newTenant() {
    tenant = Tenant.create(client, fake);
    namespace = tenant.namespace;
    account = tenant.account;
    script = tenant.script;
    token = tenant.token;
    email = tenant.email;
    v1 = tenant.v1;
    v2 = tenant.v2;
  }

  @Test
  void createsExactlyOneDeploymentAndReportsIt() {
    createSecret(token);
    WorkerDeployment wd = create("checkout", v1, 100);

    WorkerDeployment ready = awaitReady("checkout", "Deployed");
    Deployment live = fake.liveDeployment(account, script).orElseThrow();
    assertEquals(1, posts());
    assertEquals(live.id(), ready.getStatus().getDeploymentId());
    assertEquals(email, ready.getStatus().getAuthorEmail());
    assertEquals("api", ready.getStatus().getSource());
    assertEquals(live.createdOn().toString(), ready.getStatus().getCreatedOn());
    assertEquals(split(v1, 100), ready.getStatus().getVersions());
    assertEquals(v1.substring(0, 8) + "@100", ready.getStatus().getVersionSummary());
    assertEquals(wd.getMetadata().getGeneration(), ready.getStatus().getObservedGeneration());
    assertEquals(null, ready.getStatus().getPendingDeployment());
    assertTrue(eventReasons("checkout").contains("Deployed"), "a Deployed event");

    // Resyncs observe (GET) and never create again; touching the Secret reconciles once more.
    long gets = gets();
    client
        .secrets()
        .inNamespace(namespace)
        .withName("cloudflare-api")
        .edit(
            s -> {
              s.getMetadata().setLabels(java.util.Map.of("touched", "yes"));
              return s;
            });
    await().atMost(CONVERGE).until(() -> gets() >= gets + 2);
    assertEquals(1, posts());
    assertEquals(1, fake.deployments(account, script).size());
  }

  @Test
  void createsOneDeploymentPerSpecChange() {
    createSecret(token);
    create("split", v1, 100);
    awaitReady("split", "Deployed");
    assertEquals(1, posts());

    Object[][] steps = {{v1, 90, v2, 10}, {v1, 50, v2, 50}, {v2, 100}};
    int expectedPosts = 1;
    for (Object[] step : steps) {
      WorkerDeployment changed = changeSplit("split", step);
      expectedPosts++;
      WorkerDeployment ready = awaitReadyAt("split", changed.getMetadata().getGeneration());
      assertTrue(
          SplitDiff.sameSplit(split(step), toDeploymentVersions(ready)),
          "status shows the new split " + ready.getStatus().getVersions());
      assertEquals(expectedPosts, posts(), "one POST per change");
      assertEquals(
          fake.liveDeployment(account, script).orElseThrow().id(),
          ready.getStatus().getDeploymentId());
      assertTrue(
          SplitDiff.sameSplit(split(step), fake.liveDeployment(account, script).get().versions()));
    }
    await()
        .pollDelay(Duration.ofSeconds(FakeCloudflareResource.POLL_SECONDS * 2L))
        .until(() -> true);
    assertEquals(expectedPosts, posts(), "no POST on resync");
  }

  @Test
  void adoptsAMatchingLiveDeploymentWithoutPosting() {
    Deployment byWrangler =
        fake.seedDeployment(
            account,
            script,
            List.of(new DeploymentVersion(v1, 90), new DeploymentVersion(v2, 10)),
            "wrangler",
            "dev@example.com",
            "by hand");
    createSecret(token);
    create("adopt", v2, 10, v1, 90);

    WorkerDeployment ready = awaitReady("adopt", "Adopted");
    assertEquals(byWrangler.id(), ready.getStatus().getDeploymentId());
    assertEquals("wrangler", ready.getStatus().getSource());
    assertEquals("dev@example.com", ready.getStatus().getAuthorEmail());
    assertEquals("by hand", ready.getStatus().getMessage());
    assertEquals(0, posts());
    assertTrue(eventReasons("adopt").contains("Adopted"));
  }

  @Test
  void correctsDriftWithOnePostAndAnEvent() {
    createSecret(token);
    create("drift", v1, 100);
    awaitReady("drift", "Deployed");

    fake.seedDeployment(
        account,
        script,
        List.of(new DeploymentVersion(v2, 100)),
        "wrangler",
        "dev@example.com",
        "rollback");

    WorkerDeployment corrected = awaitReady("drift", "DriftCorrected");
    assertEquals(2, posts());
    assertEquals(3, fake.deployments(account, script).size());
    assertTrue(
        SplitDiff.sameSplit(split(v1, 100), fake.liveDeployment(account, script).get().versions()));
    assertEquals(
        fake.liveDeployment(account, script).get().id(), corrected.getStatus().getDeploymentId());
    assertTrue(eventReasons("drift").contains("DriftCorrected"));
  }

  @Test
  void suspendedResourceReportsDriftAndNeverPosts() {
    createSecret(token);
    create("paused", v1, 100);
    awaitReady("paused", "Deployed");
    edit("paused", wd -> wd.getSpec().setSuspend(true));
    Deployment manual =
        fake.seedDeployment(
            account,
            script,
            List.of(new DeploymentVersion(v2, 100)),
            "dash",
            "dev@example.com",
            null);

    await()
        .atMost(CONVERGE)
        .until(() -> "Suspended".equals(condition(get("paused"), "Ready").getReason()));
    WorkerDeployment paused = get("paused");
    assertEquals("False", condition(paused, "Ready").getStatus());
    assertEquals("False", condition(paused, "Stalled").getStatus());
    assertEquals(manual.id(), paused.getStatus().getDeploymentId());
    assertTrue(eventReasons("paused").contains("DriftDetected"));
    await()
        .pollDelay(Duration.ofSeconds(FakeCloudflareResource.POLL_SECONDS * 2L))
        .until(() -> true);
    assertEquals(1, posts(), "nothing created while suspended");

    edit("paused", wd -> wd.getSpec().setSuspend(false));
    awaitReady("paused", "Deployed");
    assertEquals(2, posts());
  }

  @Test
  void missingSecretStallsWithoutCallingCloudflareThenConverges() {
    create("nosecret", v1, 100);
    awaitOn("nosecret").until(() -> isStalled(get("nosecret"), "CredentialsNotFound"));
    assertTrue(
        condition(get("nosecret"), "Stalled").getMessage().contains(namespace + "/cloudflare-api"),
        "the message names the Secret");
    assertEquals(0, requestsFor(token).size(), "no API call without credentials");

    createSecret(token);
    awaitReady("nosecret", "Deployed");
    assertEquals(1, posts());
  }

  @Test
  void refusedTokenStallsThenRotationConverges() {
    createSecret("tok-wrong-" + UUID.randomUUID());
    create("badtoken", v1, 100);
    awaitOn("badtoken").until(() -> isStalled(get("badtoken"), "AuthenticationFailed"));
    assertTrue(condition(get("badtoken"), "Stalled").getMessage().contains("9106"));
    assertTrue(eventReasons("badtoken").contains("AuthenticationFailed"));

    client.secrets().inNamespace(namespace).resource(tokenSecret(namespace, token)).update();
    awaitReady("badtoken", "Deployed");
    assertEquals(1, posts());
  }

  @Test
  void unknownVersionStallsWithCloudflaresCodeAndMessage() {
    createSecret(token);
    String unknown = UUID.randomUUID().toString();
    create("unknownversion", unknown, 100);
    awaitOn("unknownversion").until(() -> isStalled(get("unknownversion"), "VersionNotFound"));
    String message = condition(get("unknownversion"), "Stalled").getMessage();
    assertTrue(message.contains("10224") && message.contains(unknown), message);
    assertTrue(fake.deployments(account, script).isEmpty());
    long attempts = posts();
    await()
        .pollDelay(Duration.ofSeconds(FakeCloudflareResource.POLL_SECONDS * 2L))
        .until(() -> true);
    assertEquals(attempts, posts(), "a rejected create is not repeated until the spec changes");

    changeSplit("unknownversion", v1, 100);
    awaitReady("unknownversion", "Deployed");
  }

  @Test
  void missingScriptStallsWithCode10007() {
    createSecret(token);
    WorkerDeployment wd =
        workerDeployment(namespace, "noscript", account, "no-such-script", v1, 100);
    client.resource(wd).create();
    awaitOn("noscript").until(() -> isStalled(get("noscript"), "ScriptNotFound"));
    assertTrue(condition(get("noscript"), "Stalled").getMessage().contains("10007"));
    assertEquals(0, posts());
  }

  @Test
  void secretChangeNeedsForceThenConverges() {
    createSecret(token);
    create("rollback", v2, 100);
    awaitReady("rollback", "Deployed");
    fake.changeSecret(account, script, "DB_PASSWORD");
    fake.seedDeployment(
        account,
        script,
        List.of(new DeploymentVersion(fake.addVersion(account, script), 100)),
        "wrangler",
        "dev@example.com",
        null);

    // Rolling back to v1, which ran before the secret changed.
    changeSplit("rollback", v1, 100);
    awaitOn("rollback").until(() -> isStalled(get("rollback"), "SecretChangedForceRequired"));
    String message = condition(get("rollback"), "Stalled").getMessage();
    assertTrue(
        message.contains("10220")
            && message.contains("DB_PASSWORD")
            && message.contains("force: true"),
        message);

    edit("rollback", r -> r.getSpec().setForce(true));
    awaitReady("rollback", "Deployed");
    assertTrue(
        SplitDiff.sameSplit(split(v1, 100), fake.liveDeployment(account, script).get().versions()));
    assertTrue(
        fake.requests().stream()
            .anyMatch(
                r ->
                    "POST".equals(r.method())
                        && r.query() != null
                        && r.query().contains("force=true")));
  }

  @Test
  void rateLimitedCallWaitsForRetryAfterThenConverges() {
    createSecret(token);
    fake.inject(Fault.status(429).retryAfter(Duration.ofSeconds(4)).on("GET", "/deployments"));
    create("limited", v1, 100);
    await()
        .atMost(CONVERGE)
        .until(
            () -> {
              var reconciling = condition(get("limited"), "Reconciling");
              return reconciling != null && "RateLimited".equals(reconciling.getReason());
            });
    assertEquals("True", condition(get("limited"), "Reconciling").getStatus());
    int afterLimit = requestsFor(token).size();
    await().pollDelay(Duration.ofSeconds(2)).until(() -> true);
    assertEquals(
        afterLimit, requestsFor(token).size(), "no call with the token before Retry-After");

    awaitReady("limited", "Deployed");
    assertEquals(1, posts());
  }

  @Test
  void lostCreateResponseLeavesExactlyOneNewDeployment() {
    createSecret(token);
    fake.inject(Fault.dropAfterApply().on("POST", "/deployments"));
    create("lost", v1, 90, v2, 10);

    WorkerDeployment ready = awaitReady("lost", "Deployed");
    assertEquals(1, fake.deployments(account, script).size(), "exactly one deployment");
    assertEquals(1, posts(), "the create call was not repeated");
    assertEquals(
        fake.liveDeployment(account, script).get().id(), ready.getStatus().getDeploymentId());
  }

  @Test
  void tokenNeverAppearsInLogsEventsOrStatus() {
    createSecret(token);
    create("secretive", v1, 100);
    awaitReady("secretive", "Deployed");
    fake.inject(Fault.status(503).on("GET", "/deployments"));
    changeSplit("secretive", v1, 50, v2, 50);
    awaitReadyAt("secretive", get("secretive").getMetadata().getGeneration());

    assertFalse(Serialization.asYaml(get("secretive")).contains(token), "status");
    client
        .v1()
        .events()
        .inNamespace(namespace)
        .list()
        .getItems()
        .forEach(
            e -> assertFalse(Serialization.asYaml(e).contains(token), "event " + e.getReason()));
    List<String> lines = logs.lines();
    assertFalse(lines.isEmpty(), "logs were captured");
    lines.forEach(l -> assertFalse(l.contains(token), "log line: " + l));
    assertTrue(
        lines.stream().anyMatch(l -> l.contains("DEBUG") || l.contains("FINE")),
        "DEBUG captured too");
  }

  @Test
  void resyncWithNothingChangedWritesNothing() throws InterruptedException {
    createSecret(token);
    create("quiet", v1, 100);
    WorkerDeployment ready = awaitReady("quiet", "Deployed");
    drainApiServerRequests();
    long gets = gets();

    await().atMost(CONVERGE).until(() -> gets() >= gets + 2);
    assertEquals(
        List.of(),
        apiServerWritesUnder("/workerdeployments/quiet"),
        "no write on a resync that found nothing new");
    assertEquals(
        ready.getMetadata().getResourceVersion(), get("quiet").getMetadata().getResourceVersion());
    assertEquals(
        condition(ready, "Ready").getLastTransitionTime(),
        condition(get("quiet"), "Ready").getLastTransitionTime());
  }

  @Test
  void secondResourceForTheSameScriptStallsInsteadOfFighting() {
    createSecret(token);
    create("first", v1, 100);
    awaitReady("first", "Deployed");
    create("second", v2, 100);

    awaitOn("second").until(() -> isStalled(get("second"), "ScriptConflict"));
    assertTrue(condition(get("second"), "Stalled").getMessage().contains(namespace + "/first"));
    await()
        .pollDelay(Duration.ofSeconds(FakeCloudflareResource.POLL_SECONDS * 2L))
        .until(() -> true);
    assertEquals(1, posts(), "the second resource never deploys");
    assertTrue(
        SplitDiff.sameSplit(split(v1, 100), fake.liveDeployment(account, script).get().versions()));
    assertEquals("True", condition(get("first"), "Ready").getStatus());
  }

  @Test
  void operatorWritesOnlyStatusAndEvents() throws InterruptedException {
    // Every write to the resource is counted: no touches from the test.
    tenant.confirmByPollsOnly();
    createSecret(token);
    drainApiServerRequests();
    WorkerDeployment created = create("gitops", v1, 100);
    awaitReady("gitops", "Deployed");
    changeSplit("gitops", v1, 90, v2, 10);
    awaitReadyAt("gitops", 2);
    fake.seedDeployment(
        account, script, List.of(new DeploymentVersion(v2, 100)), "wrangler", "dev@x.io", null);
    awaitReady("gitops", "DriftCorrected");

    WorkerDeployment after = get("gitops");
    assertEquals(2L, after.getMetadata().getGeneration(), "only the test's two spec writes");
    assertEquals(
        Serialization.asYaml(Resources.split(v1, 90, v2, 10)),
        Serialization.asYaml(after.getSpec().getVersions()));
    assertEquals(
        created.getSpec().getAuth().getApiTokenSecretRef(),
        after.getSpec().getAuth().getApiTokenSecretRef());
    assertTrue(
        after.getMetadata().getFinalizers() == null
            || after.getMetadata().getFinalizers().isEmpty());
    List<String> writes = apiServerWritesUnder("/workerdeployments");
    // The test's own create and spec edit; everything else the operator wrote went to /status.
    assertEquals(1, writes.stream().filter(w -> w.equals("POST ")).count(), writes.toString());
    assertEquals(
        1,
        writes.stream().filter(w -> w.matches("(PUT|PATCH) /gitops")).count(),
        writes.toString());
    assertTrue(
        writes.stream()
            .allMatch(w -> w.equals("POST ") || w.matches("(PUT|PATCH) /gitops(/status)?")),
        writes.toString());
    assertTrue(writes.stream().filter(w -> w.endsWith("/status")).count() >= 3, writes.toString());
  }

  // --- helpers ------------------------------------------------------------------------------

  private void drainApiServerRequests() throws InterruptedException {
    apiServerWritesUnder("");
  }

  /**
   * Takes every request the mock API server received since the last call, and returns the writes
   * (any method but GET) to paths under {@code /apis/cfworkers.io/v1alpha1/namespaces/<ns>} +
   * {@code under}, as "METHOD rest-of-path".
   */
  private List<String> apiServerWritesUnder(String under) throws InterruptedException {
    String prefix = "/apis/cfworkers.io/v1alpha1/namespaces/" + namespace + under;
    List<String> writes = new java.util.ArrayList<>();
    var server = apiServer.getKubernetesMockServer();
    for (var r = server.takeRequest(1, java.util.concurrent.TimeUnit.SECONDS);
        r != null;
        r = server.takeRequest(100, java.util.concurrent.TimeUnit.MILLISECONDS)) {
      if (!"GET".equals(r.getMethod()) && r.getPath().startsWith(prefix)) {
        writes.add(r.getMethod() + " " + r.getPath().substring(prefix.length()));
      }
    }
    return writes;
  }

  private void createSecret(String value) {
    tenant.createSecret(value);
  }

  private WorkerDeployment create(String name, Object... split) {
    return tenant.create(name, split);
  }

  private WorkerDeployment changeSplit(String name, Object... split) {
    return tenant.changeSplit(name, split);
  }

  private WorkerDeployment edit(String name, java.util.function.Consumer<WorkerDeployment> change) {
    return tenant.edit(name, change);
  }

  private WorkerDeployment get(String name) {
    return tenant.get(name);
  }

  private WorkerDeployment awaitReady(String name, String reason) {
    return tenant.awaitReady(name, reason);
  }

  private WorkerDeployment awaitReadyAt(String name, long generation) {
    return tenant.awaitReadyAt(name, generation);
  }

  private org.awaitility.core.ConditionFactory awaitOn(String name) {
    return tenant.awaitOn(name);
  }

  private static Condition condition(WorkerDeployment wd, String type) {
    return Tenant.condition(wd, type);
  }

  private static boolean isStalled(WorkerDeployment wd, String reason) {
    return Tenant.isStalled(wd, reason);
  }

  private List<String> eventReasons(String name) {
    return tenant.eventReasons(name);
  }

  private List<RecordedRequest> requestsFor(String secret) {
    return tenant.requestsWith(secret);
  }

  private long posts() {
    return requestsFor(token).stream()
        .filter(r -> "POST".equals(r.method()) && r.path().endsWith("/deployments"))
        .count();
  }

  private long gets() {
    return requestsFor(token).stream()
        .filter(r -> "GET".equals(r.method()) && r.path().endsWith("/deployments"))
        .count();
  }

  private static List<DeploymentVersion> toDeploymentVersions(WorkerDeployment wd) {
    assertNotNull(wd.getStatus().getVersions());
    return wd.getStatus().getVersions().stream()
        .map(v -> new DeploymentVersion(v.getVersionId(), v.getPercentage()))
        .toList();
  }
}
