package io.cfworkers.operator.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the sandbox starts and prints, without kubectl: every server it starts, the operator's own
 * HTTP server included, listens on 127.0.0.1 only; and the wrangler settings it prints reach the
 * fake Cloudflare API. Runs the packaged operator, so under failsafe after {@code package}.
 */
class SandboxStartupIT {
  private static final Path PROJECT = Path.of("").toAbsolutePath();

  private static Sandbox sandbox;
  private static final List<String> operatorLog = Collections.synchronizedList(new ArrayList<>());

  @BeforeAll
  static void startSandbox() throws IOException {
    Path work = Files.createDirectories(PROJECT.resolve("target/sandbox-startup-it"));
    sandbox =
        Sandbox.start(
            new Sandbox.Settings(
                PROJECT,
                0,
                0,
                work.resolve("kubeconfig"),
                Optional.empty(),
                Duration.ofSeconds(30)),
            operatorLog::add);
  }

  @AfterAll
  static void stopSandbox() {
    if (sandbox != null) {
      sandbox.close();
    }
  }

  @Test
  void everythingTheSandboxStartsListensOnLoopbackOnly() {
    List<String> listening = operatorLog.stream().filter(l -> l.contains("Listening on:")).toList();

    assertEquals(1, listening.size(), () -> "the operator's start line: " + operatorLog);
    assertTrue(
        listening.get(0).contains("Listening on: http://127.0.0.1:"),
        "the operator's HTTP server listens on loopback: " + listening.get(0));
    assertTrue(sandbox.api().url().startsWith("http://127.0.0.1:"), sandbox.api().url());
    assertTrue(sandbox.api().backendUrl().startsWith("http://127.0.0.1:"));
    assertTrue(sandbox.fake().orElseThrow().baseUrl().startsWith("http://127.0.0.1:"));
  }

  @Test
  void printsTheWranglerSettingsAndTheyReadTheDemoScriptFromTheFake() throws Exception {
    String printed = sandbox.instructions();
    DemoAccount demo = sandbox.demo().orElseThrow();
    Map<String, String> env = sandbox.wranglerEnvironment();

    assertEquals(
        List.of("CLOUDFLARE_API_BASE_URL", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID"),
        List.copyOf(env.keySet()));
    for (Map.Entry<String, String> variable : env.entrySet()) {
      assertTrue(
          printed.contains("  export " + variable.getKey() + "=" + variable.getValue() + "\n"),
          printed);
    }
    for (String command : Sandbox.FIRST_SESSION) {
      assertTrue(printed.contains("  " + command), printed);
    }

    // What wrangler does with those settings: read the script's deployments with the token.
    HttpResponse<String> deployments =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create(
                            env.get("CLOUDFLARE_API_BASE_URL")
                                + "/accounts/"
                                + env.get("CLOUDFLARE_ACCOUNT_ID")
                                + "/workers/scripts/"
                                + demo.scriptName()
                                + "/deployments"))
                    .header("Authorization", "Bearer " + env.get("CLOUDFLARE_API_TOKEN"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, deployments.statusCode(), deployments.body());
    assertTrue(deployments.body().contains(demo.initialDeploymentId()), deployments.body());
    assertFalse(printed.contains("0.0.0.0"), printed);
  }
}
