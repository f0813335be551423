package io.cfworkers.operator.support.operator;

import static org.awaitility.Awaitility.await;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.cloudflare.Credential;
import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.reconcile.Conditions;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.cloudflare.RecordedRequest;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.awaitility.core.ConditionEvaluationListener;
import org.awaitility.core.ConditionFactory;
import org.awaitility.core.EvaluatedCondition;
import org.awaitility.core.TimeoutEvent;

/**
 * One test's world: its own namespace, Cloudflare account, token, script and two uploaded versions,
 * with the helpers operator tests use to act on WorkerDeployments and to read what the fake saw.
 * Every request count is for this tenant's account only, so tests sharing a fake do not interfere.
 */
public final class Tenant {
  public static final Duration CONVERGE = Duration.ofSeconds(40);

  private boolean touchToConfirm = true;

  private final KubernetesClient client;
  private final FakeCloudflare fake;
  public final String namespace;
  public final String account;
  public final String script;
  public final String token;
  public final String email;
  public final String v1;
  public final String v2;

  private Tenant(KubernetesClient client, FakeCloudflare fake) {
    this.client = client;
    this.fake = fake;
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    namespace = "t-" + suffix;
    account = ("acc" + suffix + "0000000000000000000000").substring(0, 32);
    script = "checkout-" + suffix;
    token = "tok-" + UUID.randomUUID();
    email = "ops-" + suffix + "@example.com";
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(namespace).endMetadata().build())
        .create();
    fake.addAccount(account);
    fake.addToken(token, email, account);
    fake.addScript(account, script);
    v1 = fake.addVersion(account, script);
    v2 = fake.addVersion(account, script);
  }

  /** Creates the namespace and the Cloudflare side (account, token, script, two versions). */
  public static Tenant create(KubernetesClient client, FakeCloudflare fake) {
    return new Tenant(client, fake);
  }

  public void createSecret(String value) {
    client
        .secrets()
        .inNamespace(namespace)
        .resource(Resources.tokenSecret(namespace, value))
        .create();
  }

  public void replaceSecret(String value) {
    client
        .secrets()
        .inNamespace(namespace)
        .resource(Resources.tokenSecret(namespace, value))
        .update();
  }

  public WorkerDeployment create(String name, Object... split) {
    return createOn(name, script, split);
  }

  public WorkerDeployment createOn(String name, String scriptName, Object... split) {
    return client
        .resource(Resources.workerDeployment(namespace, name, account, scriptName, split))
        .create();
  }

  public WorkerDeployment changeSplit(String name, Object... split) {
    return edit(name, wd -> wd.getSpec().setVersions(Resources.split(split)));
  }

  public WorkerDeployment edit(String name, Consumer<WorkerDeployment> change) {
    return client
        .resources(WorkerDeployment.class)
        .inNamespace(namespace)
        .withName(name)
        .edit(
            wd -> {
              change.accept(wd);
              return wd;
            });
  }

  public WorkerDeployment get(String name) {
    return client.resources(WorkerDeployment.class).inNamespace(namespace).withName(name).get();
  }

  /** Waits until Ready is True for the resource's current generation, with this reason. */
  public WorkerDeployment awaitReady(String name, String reason) {
    return awaitConfirmed(
        name,
        wd -> {
          Condition ready = condition(wd, "Ready");
          return ready != null
              && "True".equals(ready.getStatus())
              && reason.equals(ready.getReason())
              && wd.getMetadata().getGeneration().equals(ready.getObservedGeneration());
        });
  }

  /** Waits until Ready is True for this generation, with no create call pending. */
  public WorkerDeployment awaitReadyAt(String name, long generation) {
    return awaitConfirmed(
        name,
        wd -> {
          Condition ready = condition(wd, "Ready");
          return ready != null
              && "True".equals(ready.getStatus())
              && ready.getObservedGeneration() == generation;
        });
  }

  /**
   * Waits until {@code done} holds and no create is pending confirmation. The operator trusts
   * Cloudflare's answer to a create and confirms it at the resource's next poll (which drops {@code
   * status.pendingDeployment}); rather than wait out the poll interval, this touches the resource
   * so that the same read happens now. It is the read the poll would make, so counts of calls are
   * those of a poll.
   */
  public WorkerDeployment awaitConfirmed(String name, Predicate<WorkerDeployment> done) {
    awaitOn(name).until(() -> done.test(get(name)));
    WorkerDeployment wd = get(name);
    if (touchToConfirm && wd.getStatus() != null && wd.getStatus().getPendingDeployment() != null) {
      touch(name, "cfworkers.io/test-poll", UUID.randomUUID().toString());
    }
    awaitOn(name)
        .until(
            () -> {
              WorkerDeployment now = get(name);
              return done.test(now) && now.getStatus().getPendingDeployment() == null;
            });
    return get(name);
  }

  /**
   * From now on, lets the operator's own polls confirm creates instead of touching the resource:
   * for tests that count writes to the resource.
   */
  public void confirmByPollsOnly() {
    touchToConfirm = false;
  }

  /** Sets an annotation under {@code cfworkers.io/}, which makes the operator reconcile now. */
  public void touch(String name, String annotation, String value) {
    client
        .resources(WorkerDeployment.class)
        .inNamespace(namespace)
        .withName(name)
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"metadata\":{\"annotations\":{\"" + annotation + "\":\"" + value + "\"}}}");
  }

  public WorkerDeployment awaitStalled(String name, String reason) {
    awaitOn(name).until(() -> isStalled(get(name), reason));
    return get(name);
  }

  public WorkerDeployment awaitCondition(String name, String type, Predicate<Condition> predicate) {
    awaitOn(name)
        .until(
            () -> {
              Condition c = condition(get(name), type);
              return c != null && predicate.test(c);
            });
    return get(name);
  }

  /** Waits up to {@link #CONVERGE}; a timeout prints the resource as it was. */
  public ConditionFactory awaitOn(String name) {
    return await()
        .atMost(CONVERGE)
        .pollInterval(Duration.ofMillis(100))
        .conditionEvaluationListener(
            new ConditionEvaluationListener<Object>() {
              @Override
              public void conditionEvaluated(EvaluatedCondition<Object> condition) {}

              @Override
              public void onTimeout(TimeoutEvent event) {
                System.err.println(
                    "Timed out waiting on "
                        + namespace
                        + "/"
                        + name
                        + ":\n"
                        + Serialization.asYaml(get(name)));
              }
            });
  }

  /** Lets {@code d} pass, to show that nothing more happens in that time. */
  public static void idle(Duration d) {
    await().pollDelay(d).atMost(d.plusSeconds(5)).until(() -> true);
  }

  public static Condition condition(WorkerDeployment wd, String type) {
    if (wd == null || wd.getStatus() == null) {
      return null;
    }
    return Conditions.find(wd.getStatus().getConditions(), type).orElse(null);
  }

  public static boolean isStalled(WorkerDeployment wd, String reason) {
    Condition stalled = condition(wd, "Stalled");
    return stalled != null
        && "True".equals(stalled.getStatus())
        && reason.equals(stalled.getReason());
  }

  public List<String> eventReasons(String name) {
    return events(name).stream().map(Event::getReason).toList();
  }

  public List<Event> events(String name) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  /** Every request made to this tenant's account, whatever the credential. */
  public List<RecordedRequest> requests() {
    String prefix = FakeCloudflare.API_PREFIX + "/accounts/" + account + "/";
    return fake.requests().stream().filter(r -> r.path().startsWith(prefix)).toList();
  }

  public List<RecordedRequest> requestsWith(String secret) {
    String id = Credential.apiToken(secret).id();
    return fake.requests().stream().filter(r -> id.equals(r.credentialId())).toList();
  }

  /** The create calls for this tenant's script, in arrival order. */
  public List<RecordedRequest> posts() {
    return postsFor(script);
  }

  public List<RecordedRequest> postsFor(String scriptName) {
    String path = scriptPath(scriptName) + "/deployments";
    return requests().stream()
        .filter(r -> "POST".equals(r.method()) && r.path().equals(path))
        .toList();
  }

  /** The observations (GET deployments) of this tenant's script. */
  public List<RecordedRequest> gets() {
    String path = scriptPath(script) + "/deployments";
    return requests().stream()
        .filter(r -> "GET".equals(r.method()) && r.path().equals(path))
        .toList();
  }

  /** The script's deployments at Cloudflare, newest first. */
  public List<Deployment> deployments() {
    return fake.deployments(account, script);
  }

  public List<Deployment> deploymentsOf(String scriptName) {
    return fake.deployments(account, scriptName);
  }

  public Deployment live() {
    return fake.liveDeployment(account, script).orElseThrow();
  }

  private String scriptPath(String scriptName) {
    return FakeCloudflare.API_PREFIX + "/accounts/" + account + "/workers/scripts/" + scriptName;
  }
}
