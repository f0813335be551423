package io.cfworkers.operator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The session of docs/sandbox.md, driven by the real {@code kubectl} against the sandbox: the tags
 * example, then {@code examples/workerdeployment-rollout.yaml} stepped through and promoted with
 * {@code kubectl annotate}, then {@code examples/workerdeployment-rollout-next.yaml} aborted back
 * to the stable version, then {@code examples/workerdeployment-rollout-analysis.yaml} completing a
 * healthy version by itself and, pointed at a failing one, aborting by itself. The rollout
 * examples' 20-second timed pause is shortened to {@link #PAUSE} in a copy; nothing else is
 * changed. The tests drive one script in order, as a user would. Skipped, with a message, when
 * there is no kubectl.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SandboxRolloutIT {
  private static final Path PROJECT = Path.of("").toAbsolutePath();
  private static final Duration POLL = Duration.ofSeconds(2);
  private static final String EXAMPLE_PAUSE = "pause: {duration: 20s}";

  /** The timed pause in the test's copy: long enough to be seen, short enough to wait for. */
  private static final Duration PAUSE = Duration.ofSeconds(8);

  private static final Duration WAIT = Duration.ofSeconds(60);

  /** The analysis example's first measurement is a minute (its window) after the step went live. */
  private static final Duration ANALYSIS_WAIT = Duration.ofSeconds(150);

  private static Kubectl kubectl;
  private static Sandbox sandbox;
  private static Path work;
  private static final List<String> operatorLog = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void startSandbox() throws IOException {
    Optional<Path> binary = Kubectl.onPath();
    assumeTrue(
        binary.isPresent(),
        "kubectl is not on the PATH: the sandbox's rollout scenarios are skipped");
    work = Files.createDirectories(PROJECT.resolve("target/sandbox-rollout-it"));
    sandbox =
        Sandbox.start(
            new Sandbox.Settings(PROJECT, 0, 0, work.resolve("kubeconfig"), Optional.empty(), POLL),
            operatorLog::add);
    kubectl = new Kubectl(binary.get(), sandbox.kubeconfig(), work, PROJECT);
    kubectl("apply", "-f", "examples/cloudflare-api-token-secret.yaml")
        .assertOk()
        .assertOutContains("secret/cloudflare-api created");
  }

  @AfterAll
  static void stopSandbox() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  @Order(1)
  void theTagsExampleDeploysTheVersionsItsTagsNameUnmodified() {
    DemoAccount demo = sandbox.demo().orElseThrow();
    FakeCloudflare fake = sandbox.fake().orElseThrow();
    String second = demo.versionIds().get(1);
    String third = demo.versionIds().get(2);

    kubectl("apply", "-f", "examples/workerdeployment-tags.yaml")
        .assertOk()
        .assertOutContains("workerdeployment.cfworkers.io/checkout-api created");
    kubectl("wait", "--for=condition=Ready", "wd/checkout-api", "-n", "shop", "--timeout=60s")
        .assertOk();

    Map<String, Object> status = status();
    assertEquals(
        List.of(
            Map.of("versionId", second, "versionTag", demo.versionTags().get(1)),
            Map.of("versionId", third, "versionTag", demo.versionTags().get(2))),
        Json.at(status, "tagResolution.tags"),
        "status shows the id each tag resolved to");
    Deployment live = fake.liveDeployment(demo.accountId(), demo.scriptName()).orElseThrow();
    assertEquals(live.id(), status.get("deploymentId"));
    assertEquals(Map.of(second, 90.0, third, 10.0), split(live));

    // As in docs/sandbox.md: the session deletes the resource; Cloudflare keeps serving.
    kubectl("delete", "wd", "checkout-api", "-n", "shop").assertOk();
  }

  @Test
  @Order(2)
  void aRolloutStepsThroughItsPausesAndCompletesOnPromote() throws IOException {
    DemoAccount demo = sandbox.demo().orElseThrow();
    FakeCloudflare fake = sandbox.fake().orElseThrow();
    String target = demo.versionIds().get(3);
    String stable = servingMost(fake, demo);
    int before = fake.deployments(demo.accountId(), demo.scriptName()).size();

    // Created, after the tags scenario deleted the resource (configured if that one failed).
    kubectl("apply", "-f", shortPause("examples/workerdeployment-rollout.yaml").toString())
        .assertOk()
        .assertOutContains("workerdeployment.cfworkers.io/checkout-api ");

    Map<String, Object> step1 =
        awaitStatus(
            "step 1 live, in its timed pause",
            s -> "Paused".equals(rollout(s, "phase")) && Integer.valueOf(1).equals(step(s)));
    assertEquals("RolloutPaused", readyReason(step1));
    assertEquals(stable, rollout(step1, "stableVersionId"));
    assertEquals(target, rollout(step1, "canaryVersionId"));
    assertEquals(2, rollout(step1, "steps"));
    assertEquals(10.0, number(rollout(step1, "weight")));
    Instant step1Live = Instant.parse((String) rollout(step1, "stepStartedAt"));
    Instant pausedUntil = Instant.parse((String) rollout(step1, "pausedUntil"));
    assertEquals(PAUSE, Duration.between(step1Live, pausedUntil), "the step's pause, from live");
    assertEquals(
        Map.of(stable, 90.0, target, 10.0),
        split(fake.liveDeployment(demo.accountId(), demo.scriptName()).orElseThrow()));

    Map<String, Object> step2 =
        awaitStatus(
            "step 2 live, waiting for a promote",
            s -> "WaitingForPromotion".equals(readyReason(s)));
    assertEquals("Paused", rollout(step2, "phase"));
    assertEquals(2, step(step2));
    assertEquals(50.0, number(rollout(step2, "weight")));
    assertNull(rollout(step2, "pausedUntil"), "an indefinite pause has no end");
    Instant step2Live = Instant.parse((String) rollout(step2, "stepStartedAt"));
    assertFalse(step2Live.isBefore(pausedUntil), "step 2 starts after step 1's pause ends");
    assertEquals("False", conditionStatus(step2, "Ready"));

    // Nothing moves without the promote: it waits past a poll or two.
    sleep(POLL.multipliedBy(2));
    assertEquals("WaitingForPromotion", readyReason(status()));
    assertEquals(
        Map.of(stable, 50.0, target, 50.0),
        split(fake.liveDeployment(demo.accountId(), demo.scriptName()).orElseThrow()));

    kubectl(
            "annotate",
            "wd",
            "checkout-api",
            "-n",
            "shop",
            "cfworkers.io/promote=first",
            "--overwrite")
        .assertOk()
        .assertOutContains("workerdeployment.cfworkers.io/checkout-api annotated");
    kubectl("wait", "--for=condition=Ready", "wd/checkout-api", "-n", "shop", "--timeout=60s")
        .assertOk();

    Map<String, Object> done = status();
    assertEquals("RolledOut", readyReason(done));
    assertEquals("Completed", rollout(done, "phase"));
    assertEquals("first", rollout(done, "lastHandledPromote"));
    Deployment live = fake.liveDeployment(demo.accountId(), demo.scriptName()).orElseThrow();
    assertEquals(live.id(), done.get("deploymentId"));
    assertEquals(Map.of(target, 100.0), split(live));
    assertEquals(
        List.of(
            Map.of(stable, 90.0, target, 10.0),
            Map.of(stable, 50.0, target, 50.0),
            Map.of(target, 100.0)),
        createdSince(fake, demo, before),
        "exactly one deployment per step, then one at 100%");
  }

  @Test
  @Order(3)
  void anAbortedRolloutSendsAllTrafficBackToTheStableVersion() throws IOException {
    DemoAccount demo = sandbox.demo().orElseThrow();
    FakeCloudflare fake = sandbox.fake().orElseThrow();
    String target = demo.versionIds().get(4);
    String stable = servingMost(fake, demo);
    int before = fake.deployments(demo.accountId(), demo.scriptName()).size();

    kubectl("apply", "-f", shortPause("examples/workerdeployment-rollout-next.yaml").toString())
        .assertOk()
        .assertOutContains("workerdeployment.cfworkers.io/checkout-api configured");
    awaitStatus(
        "the next rollout's step 2 live, waiting for a promote",
        s ->
            target.equals(rollout(s, "canaryVersionId"))
                && "WaitingForPromotion".equals(readyReason(s)));

    kubectl(
            "annotate",
            "wd",
            "checkout-api",
            "-n",
            "shop",
            "cfworkers.io/abort=bad-release",
            "--overwrite")
        .assertOk()
        .assertOutContains("workerdeployment.cfworkers.io/checkout-api annotated");
    kubectl("wait", "--for=condition=Stalled", "wd/checkout-api", "-n", "shop", "--timeout=60s")
        .assertOk();

    Map<String, Object> aborted =
        awaitStatus(
            "stable@100 live after the abort",
            s -> "Aborted".equals(rollout(s, "phase")) && Double.valueOf(0).equals(weight(s)));
    assertEquals("RolloutAborted", readyReason(aborted));
    assertEquals("Manual", rollout(aborted, "abortReason"));
    assertEquals("bad-release", rollout(aborted, "lastHandledAbort"));
    assertEquals("False", conditionStatus(aborted, "Ready"));
    assertEquals("False", conditionStatus(aborted, "Reconciling"));
    Deployment live = fake.liveDeployment(demo.accountId(), demo.scriptName()).orElseThrow();
    assertEquals(Map.of(stable, 100.0), split(live));
    assertEquals(live.id(), aborted.get("deploymentId"));
    assertEquals(
        List.of(
            Map.of(stable, 90.0, target, 10.0),
            Map.of(stable, 50.0, target, 50.0),
            Map.of(stable, 100.0)),
        createdSince(fake, demo, before),
        "one deployment per step, then one back to the stable version");

    // It stays aborted: no new attempt at the bad release at the next polls.
    sleep(POLL.multipliedBy(2));
    assertEquals("RolloutAborted", readyReason(status()));
    assertEquals(before + 3, fake.deployments(demo.accountId(), demo.scriptName()).size());
  }

  @Test
  @Order(4)
  void theAnalysisExampleCompletesWithAHealthyVersionOnItsOwn() {
    DemoAccount demo = sandbox.demo().orElseThrow();
    FakeCloudflare fake = sandbox.fake().orElseThrow();
    String healthy = demo.versionIds().get(1);
    String stable = servingMost(fake, demo);
    int before = fake.deployments(demo.accountId(), demo.scriptName()).size();

    kubectl("apply", "-f", "examples/workerdeployment-rollout-analysis.yaml")
        .assertOk()
        .assertOutContains("workerdeployment.cfworkers.io/checkout-api configured");
    // No promote: the measurement and the end of the pause move it.
    kubectl("wait", "--for=condition=Ready", "wd/checkout-api", "-n", "shop", "--timeout=150s")
        .assertOk();

    Map<String, Object> done =
        awaitStatus(
            "the analysed rollout completed",
            s ->
                healthy.equals(rollout(s, "canaryVersionId")) && "RolledOut".equals(readyReason(s)),
            ANALYSIS_WAIT);
    assertEquals("Successful", rollout(done, "analysis.lastMeasurement.result"));
    assertTrue(
        number(rollout(done, "analysis.lastMeasurement.canaryRequests")) >= 50, done.toString());
    assertEquals(
        List.of(Map.of(stable, 80.0, healthy, 20.0), Map.of(healthy, 100.0)),
        createdSince(fake, demo, before),
        "one deployment for the step, one for the promotion");
    kubectl("get", "wd", "checkout-api", "-n", "shop", "-o", "wide")
        .assertOk()
        .assertOutContains("ANALYSIS")
        .assertOutContains("Successful");
  }

  @Test
  @Order(5)
  void theAnalysisExamplePointedAtAFailingVersionAbortsByItself() {
    DemoAccount demo = sandbox.demo().orElseThrow();
    FakeCloudflare fake = sandbox.fake().orElseThrow();
    String failing = demo.versionIds().get(2);
    String stable = servingMost(fake, demo);
    int before = fake.deployments(demo.accountId(), demo.scriptName()).size();

    kubectl(
            "patch",
            "wd",
            "checkout-api",
            "-n",
            "shop",
            "--type",
            "merge",
            "-p",
            "{\"spec\":{\"versions\":[{\"versionId\":\"" + failing + "\",\"percentage\":100}]}}")
        .assertOk()
        .assertOutContains("workerdeployment.cfworkers.io/checkout-api patched");
    kubectl("wait", "--for=condition=Stalled", "wd/checkout-api", "-n", "shop", "--timeout=150s")
        .assertOk();

    Map<String, Object> aborted =
        awaitStatus(
            "aborted by analysis, stable@100 live",
            s -> "Aborted".equals(rollout(s, "phase")) && Double.valueOf(0).equals(weight(s)),
            ANALYSIS_WAIT);
    assertEquals("AnalysisFailed", rollout(aborted, "abortReason"));
    assertEquals("AnalysisFailed", readyReason(aborted));
    assertEquals("Failed", rollout(aborted, "analysis.lastMeasurement.result"));
    double rate = number(rollout(aborted, "analysis.lastMeasurement.canaryErrorRate"));
    assertTrue(rate > 4 && rate < 12, "the canary's error rate: " + rate);
    assertEquals(
        List.of(Map.of(stable, 80.0, failing, 20.0), Map.of(stable, 100.0)),
        createdSince(fake, demo, before),
        "the step, then one deployment back to the stable version");
  }

  // ------------------------------------------------------------------ helpers

  /** A copy of the example whose timed pause lasts {@link #PAUSE}; the rest as in the file. */
  private static Path shortPause(String example) throws IOException {
    String text = Files.readString(PROJECT.resolve(example));
    assertTrue(text.contains(EXAMPLE_PAUSE), example + " has a 20-second timed pause");
    Path copy = work.resolve(Path.of(example).getFileName());
    Files.writeString(
        copy, text.replace(EXAMPLE_PAUSE, "pause: {duration: " + PAUSE.toSeconds() + "s}"));
    return copy;
  }

  /** {@code status} as {@code kubectl get -o jsonpath} prints it, parsed. */
  private static Map<String, Object> status() {
    String out =
        kubectl("get", "wd", "checkout-api", "-n", "shop", "-o", "jsonpath={.status}")
            .assertOk()
            .out()
            .trim();
    return out.isEmpty() ? Map.of() : Json.parse(out);
  }

  private static Map<String, Object> awaitStatus(
      String what, Predicate<Map<String, Object>> reached) {
    return awaitStatus(what, reached, WAIT);
  }

  private static Map<String, Object> awaitStatus(
      String what, Predicate<Map<String, Object>> reached, Duration wait) {
    Instant deadline = Instant.now().plus(wait);
    Map<String, Object> last = Map.of();
    while (Instant.now().isBefore(deadline)) {
      last = status();
      if (reached.test(last)) {
        return last;
      }
      sleep(Duration.ofMillis(500));
    }
    throw new AssertionError(
        "not reached within "
            + wait.toSeconds()
            + " s: "
            + what
            + "\nlast status: "
            + last
            + "\noperator log (tail):\n"
            + String.join("\n", tail(operatorLog, 40)));
  }

  private static Object rollout(Map<String, Object> status, String field) {
    return Json.at(status, "rollout." + field);
  }

  private static Object step(Map<String, Object> status) {
    return rollout(status, "step");
  }

  private static Double weight(Map<String, Object> status) {
    Object w = rollout(status, "weight");
    return w == null ? null : number(w);
  }

  private static double number(Object value) {
    return ((Number) value).doubleValue();
  }

  private static Map<String, Object> condition(Map<String, Object> status, String type) {
    if (status.get("conditions") instanceof List<?> conditions) {
      for (Object c : conditions) {
        if (type.equals(Json.map(c).get("type"))) {
          return Json.map(c);
        }
      }
    }
    return Map.of();
  }

  private static String readyReason(Map<String, Object> status) {
    return (String) condition(status, "Ready").get("reason");
  }

  private static String conditionStatus(Map<String, Object> status, String type) {
    return (String) condition(status, type).get("status");
  }

  /** The version serving the most traffic now: the stable version of a rollout starting now. */
  private static String servingMost(FakeCloudflare fake, DemoAccount demo) {
    return fake
        .liveDeployment(demo.accountId(), demo.scriptName())
        .orElseThrow()
        .versions()
        .stream()
        .max(
            (a, b) ->
                a.percentage() != b.percentage()
                    ? Double.compare(a.percentage(), b.percentage())
                    : b.versionId().compareTo(a.versionId()))
        .orElseThrow()
        .versionId();
  }

  /** The splits of the deployments created after the first {@code before}, oldest first. */
  private static List<Map<String, Double>> createdSince(
      FakeCloudflare fake, DemoAccount demo, int before) {
    List<Deployment> newestFirst = fake.deployments(demo.accountId(), demo.scriptName());
    List<Map<String, Double>> created = new ArrayList<>();
    for (int i = newestFirst.size() - before - 1; i >= 0; i--) {
      created.add(split(newestFirst.get(i)));
    }
    return created;
  }

  private static Map<String, Double> split(Deployment deployment) {
    Map<String, Double> split = new LinkedHashMap<>();
    for (DeploymentVersion v : deployment.versions()) {
      split.put(v.versionId(), v.percentage());
    }
    return split;
  }

  private static List<String> tail(List<String> lines, int n) {
    synchronized (lines) {
      return List.copyOf(lines.subList(Math.max(0, lines.size() - n), lines.size()));
    }
  }

  private static Kubectl.Result kubectl(String... args) {
    return kubectl.run(args);
  }

  private static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
