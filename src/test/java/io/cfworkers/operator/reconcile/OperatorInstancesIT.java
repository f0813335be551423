package io.cfworkers.operator.reconcile;

import static io.cfworkers.operator.support.operator.Tenant.condition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.cloudflare.Credential;
import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.cloudflare.DeploymentRequest;
import io.cfworkers.operator.cloudflare.ScriptRef;
import io.cfworkers.operator.cloudflare.WorkerVersion;
import io.cfworkers.operator.cloudflare.WorkersDeploymentsApi;
import io.cfworkers.operator.config.OperatorConfig;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.cloudflare.RecordedRequest;
import io.cfworkers.operator.support.operator.FakeCloudflareResource;
import io.cfworkers.operator.support.operator.FakeCloudflareResource.InjectFakeCloudflare;
import io.cfworkers.operator.support.operator.StatusWriteLocking;
import io.cfworkers.operator.support.operator.Tenant;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import io.javaoperatorsdk.operator.processing.retry.GenericRetry;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import io.quarkus.test.kubernetes.client.KubernetesTestServer;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import jakarta.inject.Inject;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Several operator instances, each a JOSDK Operator in this process with its own Kubernetes client
 * and its own reconciler (the production class, built from the application's beans), against one
 * mock API server and one fake Cloudflare API. The Quarkus application's own controller watches
 * only a namespace no test uses, so it never takes part.
 *
 * <p>The mock API server is made to refuse stale status writes with 409, as a real one does ({@link
 * StatusWriteLocking}); the intent record relies on exactly that.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true)
@QuarkusTestResource(value = FakeCloudflareResource.class, restrictToAnnotatedClass = true)
@TestProfile(OperatorInstancesIT.IdleApplicationController.class)
class OperatorInstancesIT {

  /**
   * The application's own controller confined to a namespace no test uses. A profile, not a test
   * resource: test resources apply to every test class.
   */
  public static class IdleApplicationController implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "quarkus.operator-sdk.controllers.workerdeployment.namespaces", "nobody-uses-this");
    }
  }

  @Inject KubernetesClient client;
  @KubernetesTestServer KubernetesServer mockServer;
  @InjectFakeCloudflare FakeCloudflare fake;

  @Inject WorkersDeploymentsApi cloudflare;
  @Inject EventRecorder events;
  @Inject OperatorConfig config;
  @Inject Clock clock;
  @Inject MeterRegistry meters;

  private final List<Instance> instances = new ArrayList<>();
  private StatusWriteLocking locking;

  @BeforeEach
  void realisticStatusWrites() {
    locking = StatusWriteLocking.install(mockServer);
  }

  @AfterEach
  void stopInstances() {
    instances.forEach(Instance::stop);
    fake.clearFaults();
    fake.setLatency(Duration.ZERO);
  }

  // --- 7. the operator stops right after the create call --------------------------------------

  @Test
  void instanceStoppedRightAfterTheCreateIsFollowedByOneThatConfirmsItWithoutCreating() {
    Tenant t = Tenant.create(client, fake);
    t.createSecret(t.token);
    Instance first = start("first", t.namespace, Crash.AFTER_CREATE, false);
    WorkerDeployment wd = t.create("app", t.v1, 90, t.v2, 10);

    t.awaitOn("app").until(first.crashed::get);
    first.stop();
    WorkerDeployment left = t.get("app");
    assertNotNull(left.getStatus().getPendingDeployment(), "the intent record survived the crash");
    assertEquals(1, t.deployments().size(), "the create call landed");
    assertNull(left.getStatus().getDeploymentId(), "but was never reported");

    Instance second = start("second", t.namespace, Crash.NEVER, false);
    WorkerDeployment ready = t.awaitReadyAt("app", wd.getMetadata().getGeneration());
    assertEquals(t.live().id(), ready.getStatus().getDeploymentId());
    assertEquals("Deployed", condition(ready, "Ready").getReason());
    assertEquals(1, t.deployments().size(), "one deployment");
    assertEquals(List.of(200), statuses(t.posts()), "one create call, by the first instance");
    assertEquals(0, second.creates.get(), "the second instance never created");
    assertTrue(second.observations.get() > 0, "it observed instead");
  }

  @Test
  void instanceStoppedBetweenIntentAndCreateLetsTheNextCreateOnceAfterTheSettleTime() {
    Tenant t = Tenant.create(client, fake);
    t.createSecret(t.token);
    Instance first = start("first", t.namespace, Crash.BEFORE_CREATE, false);
    WorkerDeployment wd = t.create("app", t.v1, 100);

    t.awaitOn("app").until(first.crashed::get);
    first.stop();
    WorkerDeployment left = t.get("app");
    assertNotNull(left.getStatus().getPendingDeployment(), "the intent record was written");
    Instant intent = Instant.parse(left.getStatus().getPendingDeployment().getStartedAt());
    assertEquals(List.of(), t.posts(), "the create call was never sent");

    Instance second = start("second", t.namespace, Crash.NEVER, false);
    t.awaitReadyAt("app", wd.getMetadata().getGeneration());
    assertEquals(1, t.deployments().size());
    assertEquals(List.of(200), statuses(t.posts()), "one create call, by the second instance");
    assertEquals(1, second.creates.get());
    Duration waited = Duration.between(intent, second.firstCreateAt.get());
    Duration window = WorkerDeploymentReconciler.inFlightWindow(config);
    assertTrue(
        waited.compareTo(window) >= 0,
        "a possibly in-flight call was given the permit wait, the request timeout and the settle"
            + " time first: waited "
            + waited);
  }

  // --- 9. two instances at once ------------------------------------------------------------------

  @Test
  void withLeaderElectionOnlyTheLeaderActs() {
    Tenant t = Tenant.create(client, fake);
    t.createSecret(t.token);
    allowLeases();
    Instance a = start("a", t.namespace, Crash.NEVER, true);
    Instance b = start("b", t.namespace, Crash.NEVER, true);
    WorkerDeployment wd = t.create("app", t.v1, 100);
    t.awaitReadyAt("app", wd.getMetadata().getGeneration());
    WorkerDeployment changed = t.changeSplit("app", t.v1, 50, t.v2, 50);
    t.awaitReadyAt("app", changed.getMetadata().getGeneration());

    assertEquals(2, t.deployments().size());
    assertEquals(List.of(200, 200), statuses(t.posts()));
    assertTrue(
        (a.observations.get() == 0) != (b.observations.get() == 0),
        "exactly one instance called Cloudflare: a="
            + a.observations.get()
            + ", b="
            + b.observations.get());
  }

  @Test
  void withoutLeaderElectionTwoRacingInstancesMakeOneDeploymentPerChange() {
    Tenant t = Tenant.create(client, fake);
    t.createSecret(t.token);
    Instance a = start("a", t.namespace, Crash.NEVER, false);
    Instance b = start("b", t.namespace, Crash.NEVER, false);
    // Slow observations keep both instances between "observed" and "record intent" together, so
    // both try to write the intent record from the same resourceVersion.
    fake.setLatency(Duration.ofMillis(500));
    int conflictsBefore = locking.conflicts();

    WorkerDeployment wd = t.create("app", t.v1, 100);
    t.awaitReadyAt("app", wd.getMetadata().getGeneration());
    Object[][] steps = {{t.v1, 90, t.v2, 10}, {t.v1, 50, t.v2, 50}, {t.v2, 100}};
    for (Object[] step : steps) {
      WorkerDeployment changed = t.changeSplit("app", step);
      t.awaitReadyAt("app", changed.getMetadata().getGeneration());
    }

    assertEquals(4, t.deployments().size(), "one deployment per spec change");
    assertEquals(List.of(200, 200, 200, 200), statuses(t.posts()), "one create call per change");
    assertTrue(a.observations.get() > 0 && b.observations.get() > 0, "both instances acted");
    assertTrue(
        locking.conflicts() > conflictsBefore,
        "the instances did race: a status write was refused as stale");
    assertTrue(SplitDiff.sameSplit(t.get("app").getSpec().getVersions(), t.live().versions()));
  }

  // --- the harness -------------------------------------------------------------------------------

  /**
   * Before electing, JOSDK asks the API server (SelfSubjectRulesReview) whether it may use Leases;
   * the mock server cannot answer that, so the answer a permitted service account gets is given.
   */
  private void allowLeases() {
    mockServer
        .expect()
        .post()
        .withPath("/apis/authorization.k8s.io/v1/selfsubjectrulesreviews")
        .andReturn(
            201,
            new SelfSubjectRulesReviewBuilder()
                .withNewStatus()
                .addNewResourceRule()
                .withApiGroups("coordination.k8s.io")
                .withResources("leases")
                .withVerbs("get", "list", "watch", "create", "update", "patch")
                .endResourceRule()
                .withIncomplete(false)
                .endStatus()
                .build())
        .always();
  }

  private enum Crash {
    NEVER,
    BEFORE_CREATE,
    AFTER_CREATE
  }

  private Instance start(String name, String namespace, Crash crash, boolean leaderElection) {
    Instance instance = new Instance(name, namespace, crash, leaderElection);
    instances.add(instance);
    return instance;
  }

  /** One operator process: its own client, its own reconciler and JOSDK runtime. */
  private final class Instance implements WorkersDeploymentsApi {
    final AtomicInteger observations = new AtomicInteger();
    final AtomicInteger creates = new AtomicInteger();
    final AtomicBoolean crashed = new AtomicBoolean();
    final java.util.concurrent.atomic.AtomicReference<Instant> firstCreateAt =
        new java.util.concurrent.atomic.AtomicReference<>();
    private final Crash crash;
    private final KubernetesClient kubernetes;
    private final Operator operator;

    Instance(String name, String namespace, Crash crash, boolean leaderElection) {
      this.crash = crash;
      this.kubernetes =
          new KubernetesClientBuilder()
              .withConfig(
                  new ConfigBuilder(Config.empty())
                      .withMasterUrl(client.getMasterUrl().toString())
                      .withTrustCerts(true)
                      .withNamespace(namespace)
                      .build())
              .build();
      this.operator =
          new Operator(
              o -> {
                o.withKubernetesClient(kubernetes)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withCloseClientOnStop(true)
                    .withReconciliationTerminationTimeout(Duration.ofMillis(200));
                if (leaderElection) {
                  o.withLeaderElectionConfiguration(
                      LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                              "cfworkers-" + namespace)
                          .withLeaseNamespace(namespace)
                          .withIdentity(name)
                          // Stopping a leader in a test must not end the JVM.
                          .buildForTest(false));
                }
              });
      WorkerDeploymentReconciler reconciler =
          new WorkerDeploymentReconciler(this, events, config, clock, meters);
      operator.register(
          reconciler,
          c ->
              c.settingNamespace(namespace)
                  .withRetry(
                      crash == Crash.NEVER
                          ? new GenericRetry()
                              .setInitialInterval(500)
                              .setMaxInterval(2000)
                              .setMaxAttempts(-1)
                          : GenericRetry.noRetry()));
      operator.start();
    }

    void stop() {
      try {
        operator.stop();
      } catch (RuntimeException e) {
        // already stopped
      }
    }

    @Override
    public List<Deployment> listDeployments(ScriptRef script, Credential credential) {
      observations.incrementAndGet();
      return cloudflare.listDeployments(script, credential);
    }

    @Override
    public Deployment createDeployment(
        ScriptRef script, Credential credential, DeploymentRequest request, boolean force) {
      if (crash == Crash.BEFORE_CREATE) {
        crashed.set(true);
        throw new IllegalStateException("instance died before its create call");
      }
      creates.incrementAndGet();
      firstCreateAt.compareAndSet(null, clock.instant());
      Deployment created = cloudflare.createDeployment(script, credential, request, force);
      if (crash == Crash.AFTER_CREATE) {
        crashed.set(true);
        throw new IllegalStateException("instance died right after its create call");
      }
      return created;
    }

    @Override
    public Optional<Deployment> getDeployment(
        ScriptRef script, Credential credential, String deploymentId) {
      return cloudflare.getDeployment(script, credential, deploymentId);
    }

    @Override
    public void deleteDeployment(ScriptRef script, Credential credential, String deploymentId) {
      cloudflare.deleteDeployment(script, credential, deploymentId);
    }

    @Override
    public List<WorkerVersion> listVersions(ScriptRef script, Credential credential) {
      return cloudflare.listVersions(script, credential);
    }

    @Override
    public Optional<WorkerVersion> getVersion(
        ScriptRef script, Credential credential, String versionId) {
      return cloudflare.getVersion(script, credential, versionId);
    }
  }

  private static List<Integer> statuses(List<RecordedRequest> requests) {
    return requests.stream().map(RecordedRequest::status).toList();
  }
}
