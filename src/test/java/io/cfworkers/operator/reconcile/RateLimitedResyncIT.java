package io.cfworkers.operator.reconcile;

import static io.cfworkers.operator.support.operator.Resources.tokenSecret;
import static io.cfworkers.operator.support.operator.Resources.workerDeployment;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.cloudflare.Credential;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.cloudflare.Fault;
import io.cfworkers.operator.support.operator.FakeCloudflareResource;
import io.cfworkers.operator.support.operator.FakeCloudflareResource.InjectFakeCloudflare;
import io.cfworkers.operator.support.operator.OperatorRbac;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A resync that is rate limited observed nothing, so it must not change what the resource reports:
 * with many resources on one token most resyncs wait for the budget, and each one turning a healthy
 * resource not Ready (and writing its status) was what the benchmark showed at 1,000 resources.
 */
@QuarkusTest
@WithKubernetesTestServer(crud = true, setup = OperatorRbac.ClusterWide.class)
@QuarkusTestResource(value = FakeCloudflareResource.class, restrictToAnnotatedClass = true)
class RateLimitedResyncIT {
  private static final Duration CONVERGE = Duration.ofSeconds(30);

  /** The test acts as administrator; the operator runs under the chart's RBAC. */
  KubernetesClient client = OperatorRbac.adminClient();

  @InjectFakeCloudflare FakeCloudflare fake;

  @Test
  void readyResourceStaysReadyAndUnwrittenWhenAResyncIsRateLimited() {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    String namespace = "rl-" + suffix;
    String account = ("acc" + suffix + "0000000000000000000000").substring(0, 32);
    String script = "limited-" + suffix;
    String token = "tok-" + UUID.randomUUID();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    fake.addToken(token, "ops@example.com", account);
    fake.addScript(account, script);
    String v1 = fake.addVersion(account, script);
    client.resource(tokenSecret(namespace, token)).create();
    client.resource(workerDeployment(namespace, "steady", account, script, v1, 100)).create();
    // Ready at once from the create's answer; the next poll confirms it and drops the intent
    // record (a status write). From then on the status is steady.
    await()
        .atMost(CONVERGE)
        .until(
            () -> {
              WorkerDeployment wd = get(namespace);
              return isReady(wd) && wd.getStatus().getPendingDeployment() == null;
            });
    String resourceVersion = get(namespace).getMetadata().getResourceVersion();

    fake.inject(
        Fault.status(429)
            .retryAfter(Duration.ofSeconds(3))
            .on("GET", "/" + script + "/deployments"));
    String tokenId = Credential.apiToken(token).id();
    await()
        .atMost(CONVERGE)
        .until(
            () ->
                fake.requests().stream()
                    .anyMatch(r -> tokenId.equals(r.credentialId()) && r.status() == 429));
    // The throttled resync, then the one after Retry-After, both leave the status as it was.
    long getsAfter429 = gets(tokenId);
    await()
        .atMost(CONVERGE)
        .pollInterval(Duration.ofMillis(100))
        .until(
            () -> {
              WorkerDeployment wd = get(namespace);
              assertEquals(true, isReady(wd), "Ready throughout");
              assertEquals(resourceVersion, wd.getMetadata().getResourceVersion(), "no write");
              return gets(tokenId) > getsAfter429;
            });
    assertEquals(
        1,
        fake.requests().stream()
            .filter(r -> r.method().equals("POST") && tokenId.equals(r.credentialId()))
            .count(),
        "one POST");
  }

  private long gets(String tokenId) {
    return fake.requests().stream()
        .filter(r -> r.method().equals("GET") && tokenId.equals(r.credentialId()))
        .filter(r -> r.status() == 200)
        .count();
  }

  private WorkerDeployment get(String namespace) {
    return client.resources(WorkerDeployment.class).inNamespace(namespace).withName("steady").get();
  }

  private static boolean isReady(WorkerDeployment wd) {
    if (wd == null || wd.getStatus() == null) {
      return false;
    }
    Condition ready = Conditions.find(wd.getStatus().getConditions(), "Ready").orElse(null);
    return ready != null
        && "True".equals(ready.getStatus())
        && wd.getMetadata().getGeneration().equals(wd.getStatus().getObservedGeneration());
  }
}
