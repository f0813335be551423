package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.cloudflare.Credential;
import io.cfworkers.operator.cloudflare.CredentialRateLimiter;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.cloudflare.RecordedRequest;
import io.cfworkers.operator.support.operator.FakeCloudflareResource;
import io.cfworkers.operator.support.operator.FakeCloudflareResource.InjectFakeCloudflare;
import io.cfworkers.operator.support.operator.OperatorRbac;
import io.cfworkers.operator.support.operator.Tenant;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Changes queued for one token's budget give their reconciler threads back: with one pair of calls
 * per 1 s slice, six changes pending at once are spread over six slices; those further out than the
 * in-thread wait (one slice) are reserved and their resources rescheduled for their slice, without
 * a status write while they wait (the gauge {@value CredentialRateLimiter#RESERVED_METRIC} shows
 * them), and each lands later with one GET and one POST.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRbac.ClusterWide.class)
@QuarkusTestResource(value = FakeCloudflareResource.class, restrictToAnnotatedClass = true)
@TestProfile(BudgetQueueIT.OnePairPerSecond.class)
class BudgetQueueIT {
  static final int RESOURCES = 6;

  /** 8 requests per 4 s in 4 slices: one pair (a read and its create) per 1 s slice. */
  public static class OnePairPerSecond implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "cfworkers.cloudflare.rate-limit.requests", "8",
          "cfworkers.cloudflare.rate-limit.period", "4s",
          "cfworkers.cloudflare.rate-limit.slices", "4");
    }
  }

  KubernetesClient client = OperatorRbac.adminClient();

  @InjectFakeCloudflare FakeCloudflare fake;

  @Test
  void changesQueuedForTheBudgetWaitWithoutStatusWritesAndLandOneSliceApart() throws Exception {
    Tenant t = Tenant.create(client, fake);
    List<String> scripts = new ArrayList<>();
    for (int i = 0; i < RESOURCES; i++) {
      String script = "queued-" + i;
      fake.addScript(t.account, script);
      String v1 = fake.addVersion(t.account, script);
      scripts.add(script);
      t.createOn("app-" + i, script, v1, 100);
    }
    // Without their Secret they wait as Stalled/CredentialsNotFound, making no call.
    for (int i = 0; i < RESOURCES; i++) {
      t.awaitStalled("app-" + i, Reasons.CREDENTIALS_NOT_FOUND);
    }

    Map<String, AtomicInteger> statusWrites = new ConcurrentHashMap<>();
    Map<String, Boolean> readySeen = new ConcurrentHashMap<>();
    try (Watch watch = watchStatusWrites(t, statusWrites, readySeen)) {
      // All six changes are pending at once.
      t.createSecret(t.token);
      String tokenId = Credential.apiToken(t.token).id();
      AtomicReference<Double> mostReserved = new AtomicReference<>(0.0);
      Awaitility.await()
          .atMost(Tenant.CONVERGE)
          .pollInterval(Duration.ofMillis(100))
          .until(
              () -> {
                Double reserved =
                    PrometheusText.series(
                            PrometheusText.scrape(), "cfworkers_budget_changes_reserved")
                        .get(Map.of("credential", tokenId));
                if (reserved != null) {
                  mostReserved.accumulateAndGet(reserved, Math::max);
                }
                return readySeen.size() == RESOURCES;
              });

      assertTrue(
          mostReserved.get() >= 2, "changes seen waiting with reserved budget: " + mostReserved);
      for (int i = 0; i < RESOURCES; i++) {
        // The intent record, then Ready on the create's answer: nothing while it waited.
        assertEquals(2, statusWrites.get("app-" + i).get(), "status writes of app-" + i);
      }
    }
    List<Long> reads = new ArrayList<>();
    for (String script : scripts) {
      List<RecordedRequest> calls =
          fake.requests().stream().filter(r -> r.path().contains("/" + script + "/")).toList();
      RecordedRequest post =
          calls.stream().filter(r -> r.method().equals("POST")).findFirst().orElseThrow();
      List<RecordedRequest> getsBefore =
          calls.stream()
              .filter(r -> r.method().equals("GET") && r.receivedNanos() < post.receivedNanos())
              .toList();
      assertEquals(1, getsBefore.size(), "GETs before the create of " + script);
      assertEquals(1, calls.stream().filter(r -> r.method().equals("POST")).count());
      reads.add(getsBefore.get(0).receivedNanos());
    }
    reads.sort(null);
    List<Long> offsetsMillis = reads.stream().map(n -> (n - reads.get(0)) / 1_000_000).toList();
    // One pair per 1 s slice, six pairs in six slices: the last read goes at least four whole
    // slices after the first (the first may go at the end of its slice, the last at the start of
    // its own). Measured where the fake receives them, a loaded machine may delay the first by up
    // to a slice; sent at once, all six would arrive within a few hundred milliseconds.
    assertTrue(
        reads.get(RESOURCES - 1) - reads.get(0) >= Duration.ofSeconds(3).toNanos(),
        "reads of the changes at (ms after the first) " + offsetsMillis);
  }

  /** Counts, per resource, the writes that changed its status, and when it first was Ready. */
  private Watch watchStatusWrites(
      Tenant t, Map<String, AtomicInteger> writes, Map<String, Boolean> readySeen) {
    Map<String, Object> lastStatus = new ConcurrentHashMap<>();
    for (WorkerDeployment wd :
        client.resources(WorkerDeployment.class).inNamespace(t.namespace).list().getItems()) {
      lastStatus.put(wd.getMetadata().getName(), Objects.requireNonNull(wd.getStatus()));
    }
    return client
        .resources(WorkerDeployment.class)
        .inNamespace(t.namespace)
        .watch(
            new Watcher<>() {
              @Override
              public void eventReceived(Action action, WorkerDeployment wd) {
                String name = wd.getMetadata().getName();
                if (action != Action.MODIFIED
                    || readySeen.containsKey(name)
                    || wd.getStatus() == null
                    || wd.getStatus().equals(lastStatus.get(name))) {
                  return;
                }
                lastStatus.put(name, wd.getStatus());
                writes.computeIfAbsent(name, n -> new AtomicInteger()).incrementAndGet();
                var ready = Tenant.condition(wd, "Ready");
                if (ready != null && "True".equals(ready.getStatus())) {
                  readySeen.put(name, true);
                }
              }

              @Override
              public void onClose(WatcherException cause) {}
            });
  }
}
