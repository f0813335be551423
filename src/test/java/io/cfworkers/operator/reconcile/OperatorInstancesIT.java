package io.cfworkers.operator.reconcile;

import static io.cfworkers.operator.support.operator.Tenant.condition;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.RolloutPause;
import io.cfworkers.operator.api.v1alpha1.RolloutSpec;
import io.cfworkers.operator.api.v1alpha1.RolloutStatus;
import io.cfworkers.operator.api.v1alpha1.RolloutStep;
import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.cloudflare.Credential;
import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.cloudflare.DeploymentRequest;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.cloudflare.ScriptRef;
import io.cfworkers.operator.cloudflare.WorkerVersion;
import io.cfworkers.operator.cloudflare.WorkersAnalyticsApi;
import io.cfworkers.operator.cloudflare.WorkersDeploymentsApi;
import io.cfworkers.operator.config.OperatorConfig;
import io.cfworkers.operator.rollout.RolloutReasons;
import io.cfworkers.operator.runtime.LeaderState;
import io.cfworkers.operator.runtime.LeadershipHealth;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.cloudflare.RecordedRequest;
import io.cfworkers.operator.support.operator.FakeCloudflareResource;
import io.cfworkers.operator.support.operator.FakeCloudflareResource.InjectFakeCloudflare;
import io.cfworkers.operator.support.operator.OperatorRbac;
import io.cfworkers.operator.support.operator.Resources;
import io.cfworkers.operator.support.operator.StatusWriteLocking;
import io.cfworkers.operator.support.operator.Tenant;
import io.cfworkers.operator.support.rbac.ApiAuthorizer;
import io.cfworkers.operator.support.rbac.ChartRbac;
import io.cfworkers.operator.support.rbac.Grants;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
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
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Several operator instances, each a JOSDK Operator in this process with its own Kubernetes client
 * and its own reconciler (the production class, built from the application's beans), against one
 * mock API server and one fake Cloudflare API. The Quarkus application's own controller watches
 * only a namespace no test uses, so it never takes part.
 *
 * <p>The mock API server is made to refuse stale status writes with 409, as a real one does ({@link
 * StatusWriteLocking}); the intent record relies on exactly that.
 *
 * <p>Each instance runs as the chart's ServiceAccount under the rules {@code helm template} renders
 * with the test's namespace as release namespace and as the one watched namespace ({@link
 * ApiAuthorizer}); the Lease is the chart's, in that namespace. A request the chart does not allow
 * is answered 403. An instance that stops leading stops, as the operator process exits in a pod.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRbac.IdleNamespaceOnly.class)
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
          "quarkus.operator-sdk.controllers.workerdeployment.namespaces",
          OperatorRbac.IdleNamespaceOnly.NAMESPACE);
    }
  }

  /** The test acts as administrator; every instance runs under the chart's RBAC. */
  KubernetesClient client = OperatorRbac.adminClient();

  @KubernetesTestServer KubernetesServer mockServer;
  @InjectFakeCloudflare FakeCloudflare fake;

  @Inject WorkersDeploymentsApi cloudflare;
  @Inject WorkersAnalyticsApi analytics;
  @Inject EventRecorder events;
  @Inject OperatorConfig config;
  @Inject Clock clock;
  @Inject MeterRegistry meters;
  @Inject ConditionMetrics conditionMetrics;

  private static final Logger LOG = Logger.getLogger(OperatorInstancesIT.class);

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

  // --- a restart during a rollout's pause --------------------------------------------------------

  @Test
  void operatorRestartedDuringARolloutPauseContinuesWithTheSameClock() {
    Tenant t = Tenant.create(client, fake);
    t.createSecret(t.token);
    Instance first = start("first", t.namespace, Crash.NEVER, false);
    t.create("app", t.v1, 100);
    t.awaitReady("app", "Deployed");
    t.edit(
        "app",
        wd -> {
          wd.getSpec().setVersions(Resources.split(t.v2, 100));
          wd.getSpec()
              .setRollout(
                  new RolloutSpec(
                      List.of(new RolloutStep(50.0, new RolloutPause(PAUSE.toSeconds() + "s"))),
                      null));
        });
    t.awaitOn("app")
        .until(
            () -> {
              RolloutStatus r = t.get("app").getStatus().getRollout();
              return r != null && RolloutStatus.PAUSED.equals(r.getPhase());
            });
    RolloutStatus paused = t.get("app").getStatus().getRollout();
    Instant pausedUntil = Instant.parse(paused.getPausedUntil());
    assertEquals(
        Instant.parse(paused.getStepStartedAt()).plus(PAUSE), pausedUntil, "the pause's end");

    // Half-way through the pause the operator stops; a new process takes over.
    Duration untilHalfWay = Duration.between(Instant.now(), pausedUntil.minus(PAUSE.dividedBy(2)));
    Tenant.idle(untilHalfWay.isNegative() ? Duration.ZERO : untilHalfWay);
    first.stop();
    Instant restart = Instant.now();
    Instance second = start("second", t.namespace, Crash.NEVER, false);
    t.awaitOn("app").until(() -> second.observations.get() > 0);
    RolloutStatus seen = t.get("app").getStatus().getRollout();
    assertEquals(paused.getStepStartedAt(), seen.getStepStartedAt(), "the step's clock kept");
    assertEquals(paused.getPausedUntil(), seen.getPausedUntil());

    t.awaitReady("app", RolloutReasons.ROLLED_OUT);
    Deployment full = t.live();
    assertEquals(List.of(new DeploymentVersion(t.v2, 100)), full.versions());
    assertFalse(full.createdOn().isBefore(pausedUntil), "not before the pause's end");
    assertTrue(
        full.createdOn().isBefore(restart.plus(PAUSE)),
        "the pause ended at "
            + pausedUntil
            + ", not a whole pause after the restart at "
            + restart
            + ": "
            + full.createdOn());
    assertEquals(3, t.deployments().size(), "v1, the step, the promotion: one each");
    assertEquals(1, second.creates.get(), "the new process created only the promotion");
  }

  /** The rollout pause in the restart case: long enough to restart in its middle. */
  private static final Duration PAUSE = Duration.ofSeconds(8);

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

  // --- leader hand-over and the chart's Lease verbs ---------------------------------------------

  @Test
  void whenTheLeaderStopsTheOtherInstanceTakesTheLeaseAndReconciles() {
    Tenant t = Tenant.create(client, fake);
    t.createSecret(t.token);
    Instance a = start("a", t.namespace, Crash.NEVER, true);
    Instance b = start("b", t.namespace, Crash.NEVER, true);
    t.awaitOn("app").until(() -> a.leads() != b.leads());
    Instance leader = a.leads() ? a : b;
    Instance standby = leader == a ? b : a;

    WorkerDeployment wd = t.create("app", t.v1, 100);
    t.awaitReadyAt("app", wd.getMetadata().getGeneration());
    assertEquals(0, standby.observations.get(), "the standby does not act");
    LeadershipHealth.Verdict leading = leader.readiness.check();
    assertTrue(leading.up(), leading.reason());
    assertEquals(true, leading.data().get("leader"));
    LeadershipHealth.Verdict standingBy = standby.readiness.check();
    assertTrue(standingBy.up(), "a standby behind a live leader is ready: " + standingBy.reason());
    assertEquals(false, standingBy.data().get("leader"));
    assertEquals(leader.leadership.identity(), standingBy.data().get("holder"));

    leader.stop();
    t.awaitOn("app").until(standby::leads);
    assertEquals(standby.leadership.identity(), leaseHolder(t.namespace));
    WorkerDeployment changed = t.changeSplit("app", t.v1, 50, t.v2, 50);
    t.awaitReadyAt("app", changed.getMetadata().getGeneration());

    assertTrue(standby.observations.get() > 0, "the new leader reconciles");
    assertEquals(2, t.deployments().size(), "one deployment per change");
    assertEquals(List.of(200, 200), statuses(t.posts()));
    LeadershipHealth.Verdict after = standby.readiness.check();
    assertTrue(after.up(), after.reason());
    assertEquals(true, after.data().get("leader"));
    assertEquals(List.of(), denials(t), "the chart's rules allowed every request");
  }

  /**
   * The Lease verb the operator SDK's permission check cannot see: renewing and taking over are
   * JSON merge patches. Without it the first leader leads only until its renew deadline.
   */
  @Test
  void withoutPatchOnTheLeaseTheLeaderStepsDownAndNobodyCanTakeOverSoNothingIsReconciled() {
    Tenant t = Tenant.create(client, fake);
    t.createSecret(t.token);
    Grants missing = chartGrants(t.namespace).without("coordination.k8s.io", "leases", "patch");
    Instance a = start("a", t.namespace, Crash.NEVER, true, missing);
    Instance b = start("b", t.namespace, Crash.NEVER, true, missing);

    t.awaitOn("app").until(() -> a.exited.get() || b.exited.get());
    Instance survivor = a.exited.get() ? b : a;
    assertTrue(
        denials(t).stream()
            .anyMatch(
                d -> d.request().resource().equals("leases") && d.request().verb().equals("patch")),
        "the renewal was refused: " + denials(t));
    // The Lease expires; the survivor tries to take it over, with a patch too.
    Tenant.idle(LEASE_DURATION.plus(RETRY_PERIOD.multipliedBy(4)));
    assertFalse(survivor.leads(), "the other instance could not take over");
    assertFalse(survivor.exited.get());

    WorkerDeployment wd = t.create("app", t.v1, 100);
    Tenant.idle(Duration.ofSeconds(3 * FakeCloudflareResource.POLL_SECONDS));
    assertNull(
        condition(t.get("app"), "Ready"), "nothing reconciled " + wd.getMetadata().getName());
    assertEquals(List.of(), t.posts(), "no deployment created");
    assertEquals(0, a.observations.get() + b.observations.get(), "Cloudflare never called");
    LeadershipHealth.Verdict verdict = survivor.readiness.check();
    assertFalse(verdict.up(), "the survivor is not ready, so it shows: " + verdict.reason());
  }

  /** The verbs the operator SDK checks (SelfSubjectRulesReview) before it takes part. */
  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "'create: the Lease could never be made', create",
    "'get: the Lease could never be read', get",
    "'update: the SDK asks for it although the Lease lock patches', update"
  })
  void withoutALeaseVerbTheOperatorSdkChecksTheOperatorRefusesToStart(String reason, String verb) {
    Tenant t = Tenant.create(client, fake);
    Grants missing = chartGrants(t.namespace).without("coordination.k8s.io", "leases", verb);

    RuntimeException refused =
        assertThrows(
            RuntimeException.class, () -> start("a", t.namespace, Crash.NEVER, true, missing));
    assertTrue(
        messages(refused).contains("No permission to lease resource")
            && messages(refused).contains("missing required verbs: [" + verb + "]"),
        messages(refused));
  }

  private String leaseHolder(String namespace) {
    return client
        .leases()
        .inNamespace(namespace)
        .withName(ChartRbac.FULLNAME)
        .get()
        .getSpec()
        .getHolderIdentity();
  }

  private static List<ApiAuthorizer.Denial> denials(Tenant t) {
    return OperatorRbac.authorizer().denials().stream()
        .filter(d -> d.subject().contains(":" + t.namespace + ":"))
        .toList();
  }

  private static String messages(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = e; c != null; c = c.getCause() == c ? null : c.getCause()) {
      all.append(c.getMessage()).append(" / ");
    }
    return all.toString();
  }

  // --- the harness -------------------------------------------------------------------------------

  private enum Crash {
    NEVER,
    BEFORE_CREATE,
    AFTER_CREATE
  }

  /**
   * Lease timings short enough for tests; the chart's operator uses the SDK's 15 s / 10 s / 2 s.
   */
  static final Duration LEASE_DURATION = Duration.ofSeconds(4);

  static final Duration RENEW_DEADLINE = Duration.ofSeconds(3);
  static final Duration RETRY_PERIOD = Duration.ofMillis(500);

  /** The chart's rules for its ServiceAccount, released into and watching {@code namespace}. */
  private static Grants chartGrants(String namespace) {
    return ChartRbac.render(namespace, Map.of("watchNamespaces[0]", namespace));
  }

  private Instance start(String name, String namespace, Crash crash, boolean leaderElection) {
    return start(name, namespace, crash, leaderElection, chartGrants(namespace));
  }

  private Instance start(
      String name, String namespace, Crash crash, boolean leaderElection, Grants grants) {
    Instance instance = new Instance(name, namespace, crash, leaderElection, grants);
    instances.add(instance);
    instance.start();
    return instance;
  }

  /** One operator process: its own client, its own reconciler and JOSDK runtime. */
  private final class Instance implements WorkersDeploymentsApi {
    final AtomicInteger observations = new AtomicInteger();
    final AtomicInteger creates = new AtomicInteger();
    final AtomicBoolean crashed = new AtomicBoolean();
    final AtomicBoolean exited = new AtomicBoolean();
    final java.util.concurrent.atomic.AtomicReference<Instant> firstCreateAt =
        new java.util.concurrent.atomic.AtomicReference<>();
    final LeaderState leadership;
    final LeadershipHealth readiness;
    private final Crash crash;
    private final KubernetesClient kubernetes;
    private final Operator operator;

    Instance(String name, String namespace, Crash crash, boolean leaderElection, Grants grants) {
      this.crash = crash;
      String token = "sa-token-" + name + "-" + UUID.randomUUID();
      OperatorRbac.authorizer()
          .authorize(
              token, "system:serviceaccount:" + namespace + ":" + ChartRbac.FULLNAME, grants);
      this.kubernetes =
          new KubernetesClientBuilder()
              .withConfig(
                  new ConfigBuilder(Config.empty())
                      .withMasterUrl(client.getMasterUrl().toString())
                      .withTrustCerts(true)
                      .withNamespace(namespace)
                      .withOauthToken(token)
                      .build())
              .build();
      this.leadership =
          leaderElection
              ? LeaderState.elected(name, namespace, ChartRbac.FULLNAME)
              : LeaderState.alone();
      this.readiness = new LeadershipHealth(leadership, kubernetes, clock);
      LeaderCallbacks reported = leadership.callbacks();
      this.operator =
          new Operator(
              o -> {
                o.withKubernetesClient(kubernetes)
                    .withUseSSAToPatchPrimaryResource(false)
                    .withCloseClientOnStop(true)
                    .withReconciliationTerminationTimeout(Duration.ofMillis(200))
                    // The SDK's default handler exits the JVM when an informer stops with an
                    // error, as a pod would restart; here the test JVM must survive.
                    .withInformerStoppedHandler(
                        (informer, error) ->
                            LOG.warnf("instance %s: an informer stopped: %s", name, error));
                if (leaderElection) {
                  o.withLeaderElectionConfiguration(
                      LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(
                              ChartRbac.FULLNAME)
                          .withLeaseNamespace(namespace)
                          .withIdentity(name)
                          .withLeaseDuration(LEASE_DURATION)
                          .withRenewDeadline(RENEW_DEADLINE)
                          .withRetryPeriod(RETRY_PERIOD)
                          .withLeaderCallbacks(
                              new LeaderCallbacks(
                                  reported::onStartLeading,
                                  () -> {
                                    reported.onStopLeading();
                                    exitLikeTheProcess();
                                  },
                                  reported::onNewLeader))
                          // The JVM must survive; exitLikeTheProcess stops this instance instead.
                          .buildForTest(false));
                }
              });
      WorkerDeploymentReconciler reconciler =
          new WorkerDeploymentReconciler(
              this, analytics, events, config, clock, meters, conditionMetrics);
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
    }

    void start() {
      operator.start();
      leadership.operatorStarted();
    }

    /** What the operator does in a pod when it stops leading: the process exits. */
    private void exitLikeTheProcess() {
      if (exited.compareAndSet(false, true)) {
        Thread exit = new Thread(this::stop, "instance-exit");
        exit.setDaemon(true);
        exit.start();
      }
    }

    boolean leads() {
      return leadership.isLeading() && !exited.get();
    }

    void stop() {
      exited.set(true);
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
