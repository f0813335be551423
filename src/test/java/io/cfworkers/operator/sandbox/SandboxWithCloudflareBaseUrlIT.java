package io.cfworkers.operator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * With a Cloudflare base URL (what {@code CLOUDFLARE_API_BASE_URL} sets), the sandbox starts no
 * fake and its operator talks to that URL, with the credentials a user puts in a Secret through
 * kubectl, as docs/sandbox.md shows. "That URL" is a separate fake here, standing in for
 * Cloudflare.
 */
class SandboxWithCloudflareBaseUrlIT {
  private static final Path PROJECT = Path.of("").toAbsolutePath();

  @Test
  void theOperatorDeploysToTheGivenCloudflareApiWithTheTokenFromKubectl() throws Exception {
    Optional<Path> kubectl = Kubectl.onPath();
    assumeTrue(
        kubectl.isPresent(),
        "kubectl is not on the PATH: the sandbox's kubectl scenarios are skipped");
    String account = "0a1b2c3d4e5f60718293a4b5c6d7e8f9";
    String script = "my-worker";
    String token = "user-token-" + System.nanoTime();
    Path work = Files.createDirectories(PROJECT.resolve("target/sandbox-it-external"));
    try (FakeCloudflare cloudflare = FakeCloudflare.start()) {
      cloudflare.addToken(token, "me@example.com", account);
      String version = cloudflare.addVersion(account, script);
      try (Sandbox sandbox =
          Sandbox.start(
              new Sandbox.Settings(
                  PROJECT,
                  0,
                  0,
                  work.resolve("kubeconfig"),
                  Optional.of(cloudflare.baseUrl()),
                  Duration.ofSeconds(2)),
              line -> {})) {
        assertTrue(sandbox.fake().isEmpty(), "no built-in fake is started");
        Kubectl k = new Kubectl(kubectl.get(), sandbox.kubeconfig(), work, PROJECT);

        k.run(
                "-n",
                "shop",
                "create",
                "secret",
                "generic",
                "cloudflare-api",
                "--from-literal=token=" + token)
            .assertOk();
        Path manifest = work.resolve("my-worker.yaml");
        Files.writeString(
            manifest,
            Files.readString(PROJECT.resolve("examples/workerdeployment-single.yaml"))
                .replace("023e105f4ecef8ad9ca31a8372d0c353", account)
                .replace("scriptName: checkout-api", "scriptName: " + script)
                .replace("182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e", version));
        k.run("apply", "-f", manifest.toString()).assertOk();
        k.run("wait", "--for=condition=Ready", "wd/checkout-api", "-n", "shop", "--timeout=60s")
            .assertOk();

        Deployment live = cloudflare.liveDeployment(account, script).orElseThrow();
        assertEquals(List.of(new DeploymentVersion(version, 100)), live.versions());
        assertEquals(
            live.id(),
            k.run(
                    "get",
                    "wd",
                    "checkout-api",
                    "-n",
                    "shop",
                    "-o",
                    "jsonpath={.status.deploymentId}")
                .assertOk()
                .out()
                .trim());
        assertEquals(1, cloudflare.count("POST", "/deployments"), "one deployment created");
      }
    }
  }
}
