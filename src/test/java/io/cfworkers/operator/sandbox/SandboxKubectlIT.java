package io.cfworkers.operator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The sandbox as a user drives it: the real {@code kubectl} found on the PATH against the sandbox's
 * Kubernetes API, the packaged operator (so this runs after {@code package}, under failsafe) and
 * the fake Cloudflare API seeded from the examples. Skipped, with a message, when there is no
 * kubectl.
 */
class SandboxKubectlIT {
  private static final Path PROJECT = Path.of("").toAbsolutePath();
  private static final Duration POLL = Duration.ofSeconds(2);

  private static Kubectl kubectl;
  private static Sandbox sandbox;
  private static final List<String> operatorLog = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void startSandbox() throws IOException {
    Optional<Path> binary = Kubectl.onPath();
    assumeTrue(
        binary.isPresent(),
        "kubectl is not on the PATH: the sandbox's kubectl scenarios are skipped");
    Path work = Files.createDirectories(PROJECT.resolve("target/sandbox-it"));
    sandbox =
        Sandbox.start(
            new Sandbox.Settings(PROJECT, 0, 0, work.resolve("kubeconfig"), Optional.empty(), POLL),
            operatorLog::add);
    kubectl = new Kubectl(binary.get(), sandbox.kubeconfig(), work, PROJECT);
  }

  @AfterAll
  static void stopSandbox() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  void kubectlAppliesTheExamplesAndTheOperatorDeploysEachSplitChange() {
    DemoAccount demo = sandbox.demo().orElseThrow();
    FakeCloudflare fake = sandbox.fake().orElseThrow();

    Kubectl.Result applied =
        kubectl(
            "apply",
            "-f",
            "examples/cloudflare-api-token-secret.yaml",
            "-f",
            "examples/workerdeployment-single.yaml");
    applied.assertOk();
    assertTrue(applied.out().contains("secret/cloudflare-api created"), applied.out());
    assertTrue(
        applied.out().contains("workerdeployment.cfworkers.io/checkout-api created"),
        applied.out());
    assertEquals(
        "REPLACE-WITH-YOUR-CLOUDFLARE-API-TOKEN",
        new String(
            java.util.Base64.getDecoder()
                .decode(
                    kubectl(
                            "get",
                            "secret",
                            "cloudflare-api",
                            "-n",
                            "shop",
                            "-o",
                            "jsonpath={.data.token}")
                        .assertOk()
                        .out()
                        .trim()),
            StandardCharsets.UTF_8),
        "the Secret's stringData is stored as base64 data");

    kubectl("wait", "--for=condition=Ready", "wd/checkout-api", "-n", "shop", "--timeout=60s")
        .assertOk();
    String adopted = deploymentId();
    assertEquals(
        demo.initialDeploymentId(),
        adopted,
        "the example's split is what the demo script serves already: adopted, not redeployed");
    assertEquals(1, fake.deployments(demo.accountId(), demo.scriptName()).size());

    kubectl("apply", "-f", "examples/workerdeployment-canary.yaml")
        .assertOk()
        .assertOutContains("workerdeployment.cfworkers.io/checkout-api configured");
    awaitReadyAtGeneration(2);
    String canary = deploymentId();
    Deployment live = fake.liveDeployment(demo.accountId(), demo.scriptName()).orElseThrow();
    assertEquals(live.id(), canary, "status.deploymentId is the deployment Cloudflare serves");
    assertNotEquals(adopted, canary, "the canary is a new deployment");
    assertEquals(
        List.of(
            new DeploymentVersion(demo.versionIds().get(0), 90),
            new DeploymentVersion(demo.versionIds().get(1), 10)),
        live.versions());

    kubectl(
            "patch",
            "wd",
            "checkout-api",
            "-n",
            "shop",
            "--type",
            "merge",
            "-p",
            "{\"spec\":{\"versions\":[{\"versionId\":\""
                + demo.versionIds().get(1)
                + "\",\"percentage\":100}]}}")
        .assertOk()
        .assertOutContains("workerdeployment.cfworkers.io/checkout-api patched");
    awaitReadyAtGeneration(3);
    String promoted = deploymentId();
    live = fake.liveDeployment(demo.accountId(), demo.scriptName()).orElseThrow();
    assertEquals(live.id(), promoted);
    assertNotEquals(canary, promoted);
    assertEquals(List.of(new DeploymentVersion(demo.versionIds().get(1), 100)), live.versions());
    assertEquals(3, fake.deployments(demo.accountId(), demo.scriptName()).size());

    Kubectl.Result table = kubectl("get", "wd", "-n", "shop", "-o", "wide").assertOk();
    List<String> lines = table.out().lines().toList();
    assertTrue(
        lines
            .get(0)
            .matches(
                "NAME\\s+SCRIPT\\s+DECLARED\\s+VERSIONS\\s+READY\\s+REASON\\s+STEP\\s+PHASE\\s+ANALYSIS\\s+DEPLOYMENT\\s+AGE"),
        table.out());
    assertTrue(
        lines
            .get(1)
            .matches(
                "checkout-api\\s+checkout-api\\s+100\\s+"
                    + demo.versionIds().get(1).substring(0, 8)
                    // STEP, PHASE and ANALYSIS: empty without a rollout
                    + "@100\\s+True\\s+Deployed\\s+"
                    + promoted
                    + "\\s+\\d+s"),
        table.out());

    Kubectl.Result described = kubectl("describe", "wd", "checkout-api", "-n", "shop").assertOk();
    described.assertOutContains("Adopted").assertOutContains("Created deployment " + canary);
    described.assertOutContains("Deployed");

    kubectl("delete", "wd", "checkout-api", "-n", "shop")
        .assertOk()
        .assertOutContains("workerdeployment.cfworkers.io \"checkout-api\" deleted");
    Kubectl.Result gone = kubectl("get", "wd", "checkout-api", "-n", "shop");
    assertNotEquals(0, gone.exit());
    assertTrue(
        gone.err().contains("workerdeployments.cfworkers.io \"checkout-api\" not found"),
        gone.err());
    sleep(POLL.multipliedBy(2));
    assertEquals(
        promoted,
        fake.liveDeployment(demo.accountId(), demo.scriptName()).orElseThrow().id(),
        "deleting the resource leaves Cloudflare serving the last deployment");
    assertEquals(3, fake.deployments(demo.accountId(), demo.scriptName()).size());
  }

  @Test
  void kubectlShowsTheFieldAndTheRuleOfARejectedManifestAndNothingIsStored() throws IOException {
    Path manifest = PROJECT.resolve("target/sandbox-it/bad-split.yaml");
    Files.writeString(
        manifest,
        Files.readString(PROJECT.resolve("examples/workerdeployment-canary.yaml"))
            .replace("name: checkout-api\n", "name: bad-split\n")
            .replace("percentage: 10\n", "percentage: 20\n"));

    Kubectl.Result rejected = kubectl("apply", "-f", manifest.toString());
    assertNotEquals(0, rejected.exit(), "kubectl fails");
    assertTrue(
        rejected
            .err()
            .contains(
                "The WorkerDeployment \"bad-split\" is invalid: spec.versions: Invalid value:"
                    + " \"array\": percentages must add up to 100 (±0.001), they add up to 110"),
        rejected.err());
    Kubectl.Result absent = kubectl("get", "wd", "bad-split", "-n", "shop");
    assertNotEquals(0, absent.exit(), "a rejected create stores nothing: " + absent.out());
  }

  @Test
  void kubectlCannotChangeAnImmutableFieldOrAddAnUnknownOne() throws IOException {
    Path manifest = PROJECT.resolve("target/sandbox-it/immutable.yaml");
    String base =
        Files.readString(PROJECT.resolve("examples/workerdeployment-single.yaml"))
            .replace("name: checkout-api\n", "name: immutable\n")
            .replace("  versions:", "  suspend: true\n  versions:");
    Files.writeString(manifest, base);
    kubectl("apply", "-f", manifest.toString()).assertOk();

    Files.writeString(
        manifest, base.replace("scriptName: checkout-api ", "scriptName: another-script "));
    Kubectl.Result renamed = kubectl("apply", "-f", manifest.toString());
    assertNotEquals(0, renamed.exit());
    assertTrue(
        renamed.err().contains("spec.scriptName: Invalid value: \"string\": is immutable"),
        renamed.err());

    Files.writeString(
        manifest, base.replace("  suspend: true\n", "  suspend: true\n  replicas: 3\n"));
    Kubectl.Result unknown = kubectl("apply", "-f", manifest.toString());
    assertNotEquals(0, unknown.exit());
    assertTrue(
        unknown.err().contains("strict decoding error: unknown field \"spec.replicas\""),
        unknown.err());

    assertEquals(
        "checkout-api",
        kubectl("get", "wd", "immutable", "-n", "shop", "-o", "jsonpath={.spec.scriptName}")
            .assertOk()
            .out());
    kubectl("delete", "-f", manifest.toString(), "--wait=true").assertOk();
  }

  // ------------------------------------------------------------------ helpers

  private static String deploymentId() {
    return kubectl(
            "get", "wd", "checkout-api", "-n", "shop", "-o", "jsonpath={.status.deploymentId}")
        .assertOk()
        .out()
        .trim();
  }

  private static void awaitReadyAtGeneration(int generation) {
    kubectl(
            "wait",
            "--for=jsonpath={.status.observedGeneration}=" + generation,
            "wd/checkout-api",
            "-n",
            "shop",
            "--timeout=60s")
        .assertOk();
    kubectl("wait", "--for=condition=Ready", "wd/checkout-api", "-n", "shop", "--timeout=60s")
        .assertOk();
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
