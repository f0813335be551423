package io.cfworkers.operator.sandbox;

import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.rbac.ChartRbac;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;

/**
 * The sandbox: an in-memory Kubernetes API that kubectl can use ({@link SandboxApiServer}), the
 * fake Cloudflare API seeded with a demo account ({@link DemoAccount}), and the packaged operator
 * connected to both ({@link OperatorProcess}), in one process. Run it with {@code ./mvnw -Psandbox
 * package} (see docs/sandbox.md); {@link #main} prints what to run next and stops everything on
 * Ctrl-C.
 *
 * <p>With {@code CLOUDFLARE_API_BASE_URL} set, no fake is started and the operator talks to that
 * URL: a real Cloudflare account (or a proxy) driven from kubectl without a cluster.
 */
public final class Sandbox implements AutoCloseable {
  /** The namespace the examples use; created up front, as is {@code default}. */
  public static final String EXAMPLES_NAMESPACE = "shop";

  /** The only address anything the sandbox starts listens on. */
  static final String LOOPBACK = "127.0.0.1";

  /**
   * The commands the sandbox prints for a first session with the fake Cloudflare API, after {@code
   * export KUBECONFIG=…}; the README's sandbox section shows the same (ReadmeTest checks).
   */
  public static final List<String> FIRST_SESSION =
      List.of(
          "kubectl apply -f examples/cloudflare-api-token-secret.yaml"
              + " -f examples/workerdeployment-single.yaml",
          "kubectl wait --for=condition=Ready wd/checkout-api -n shop",
          "kubectl get wd -n shop",
          "kubectl apply -f examples/workerdeployment-canary.yaml",
          "kubectl describe wd checkout-api -n shop");

  /** The operator's Cloudflare request timeout in the sandbox. */
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);

  /** The namespace the operator's RBAC is rendered for, as if installed there by Helm. */
  public static final String OPERATOR_NAMESPACE = "cfworkers-system";

  /**
   * What to start.
   *
   * @param projectDir the repository root (examples/, crds/, target/quarkus-app/)
   * @param kubePort port of the Kubernetes API for kubectl, 0 for a free one
   * @param cloudflarePort port of the fake Cloudflare API, 0 for a free one
   * @param kubeconfig where to write the kubeconfig for kubectl
   * @param cloudflareBaseUrl a Cloudflare API to use instead of the fake, or empty
   * @param pollInterval how often the operator re-reads Cloudflare
   */
  public record Settings(
      Path projectDir,
      int kubePort,
      int cloudflarePort,
      Path kubeconfig,
      Optional<String> cloudflareBaseUrl,
      Duration pollInterval) {

    /** From system properties {@code sandbox.*} and the environment, with defaults. */
    public static Settings fromSystem() {
      Path projectDir =
          Path.of(System.getProperty("sandbox.project-dir", "")).toAbsolutePath().normalize();
      return new Settings(
          projectDir,
          Integer.getInteger("sandbox.kube-port", 0),
          Integer.getInteger("sandbox.cloudflare-port", 0),
          Path.of(
                  System.getProperty(
                      "sandbox.kubeconfig",
                      projectDir.resolve("target/sandbox/kubeconfig").toString()))
              .toAbsolutePath()
              .normalize(),
          Optional.ofNullable(System.getenv("CLOUDFLARE_API_BASE_URL")).filter(s -> !s.isBlank()),
          Duration.parse("PT" + System.getProperty("sandbox.poll-interval", "10s").toUpperCase()));
    }
  }

  private final Settings settings;
  private final SandboxApiServer api;
  private final FakeCloudflare fake;
  private final DemoAccount demo;
  private final OperatorProcess operator;

  private Sandbox(
      Settings settings,
      SandboxApiServer api,
      FakeCloudflare fake,
      DemoAccount demo,
      OperatorProcess operator) {
    this.settings = settings;
    this.api = api;
    this.fake = fake;
    this.demo = demo;
    this.operator = operator;
  }

  /**
   * Starts everything and returns once the operator runs. {@code operatorOutput} receives the
   * operator's log lines.
   */
  public static Sandbox start(Settings settings, Consumer<String> operatorOutput) {
    SandboxApiServer api = null;
    FakeCloudflare fake = null;
    try {
      api =
          SandboxApiServer.start(
              settings.kubePort(),
              settings.projectDir().resolve("crds/workerdeployments.cfworkers.io-v1.yml"),
              EXAMPLES_NAMESPACE);
      DemoAccount demo = null;
      String cloudflareUrl;
      if (settings.cloudflareBaseUrl().isPresent()) {
        cloudflareUrl = settings.cloudflareBaseUrl().get();
      } else {
        fake = FakeCloudflare.start(settings.cloudflarePort());
        demo = DemoAccount.seed(fake, settings.projectDir());
        cloudflareUrl = fake.baseUrl();
      }
      writeKubeconfig(settings.kubeconfig(), api.url(), "sandbox");
      // The operator acts as the chart's ServiceAccount, with exactly the rules the chart grants.
      String operatorToken = "sandbox-operator-" + UUID.randomUUID();
      api.authorizer()
          .authorize(
              operatorToken,
              "system:serviceaccount:" + OPERATOR_NAMESPACE + ":" + ChartRbac.FULLNAME,
              ChartRbac.render(settings.projectDir(), OPERATOR_NAMESPACE, Map.of()));
      Path operatorKubeconfig = settings.kubeconfig().resolveSibling("operator-kubeconfig");
      writeKubeconfig(operatorKubeconfig, api.backendUrl(), operatorToken);

      Map<String, String> env = new LinkedHashMap<>();
      // The operator's fabric8 client uses the mock server directly: it watches over WebSockets.
      env.put("KUBECONFIG", operatorKubeconfig.toString());
      env.put("CLOUDFLARE_API_BASE_URL", cloudflareUrl);
      env.put("CFWORKERS_RECONCILE_POLL_INTERVAL", seconds(settings.pollInterval()));
      // Shorter than the operator's defaults (30 s, 60 s), so that a lost answer settles within a
      // demo; the settle time must be at least twice the request timeout or the operator refuses
      // to start.
      env.put("CFWORKERS_CLOUDFLARE_REQUEST_TIMEOUT", seconds(REQUEST_TIMEOUT));
      env.put("CFWORKERS_RECONCILE_SETTLE_TIME", seconds(settleTime(settings.pollInterval())));
      // The operator's HTTP server (health, metrics) listens on loopback only, like everything
      // else the sandbox starts: Quarkus's own default would be every interface.
      env.put("QUARKUS_HTTP_HOST", LOOPBACK);
      env.put("QUARKUS_HTTP_PORT", "0");
      env.put("QUARKUS_LOG_CONSOLE_FORMAT", "%d{HH:mm:ss} %-5p [%c{1.}] %s%e%n");
      OperatorProcess operator =
          OperatorProcess.start(settings.projectDir(), env, operatorOutput, Duration.ofSeconds(90));
      return new Sandbox(settings, api, fake, demo, operator);
    } catch (RuntimeException e) {
      if (fake != null) {
        fake.close();
      }
      if (api != null) {
        api.close();
      }
      throw e;
    }
  }

  public SandboxApiServer api() {
    return api;
  }

  /** The fake Cloudflare API; empty when the operator uses {@code CLOUDFLARE_API_BASE_URL}. */
  public Optional<FakeCloudflare> fake() {
    return Optional.ofNullable(fake);
  }

  /** The demo data in the fake; empty with {@code CLOUDFLARE_API_BASE_URL}. */
  public Optional<DemoAccount> demo() {
    return Optional.ofNullable(demo);
  }

  public Path kubeconfig() {
    return settings.kubeconfig();
  }

  public boolean operatorAlive() {
    return operator.isAlive();
  }

  /** Stops the operator, then the servers. Idempotent. */
  @Override
  public void close() {
    operator.close();
    if (fake != null) {
      fake.close();
    }
    api.close();
  }

  static void writeKubeconfig(Path file, String serverUrl, String token) {
    String yaml =
        """
        # Written by the worker-deployment-operator sandbox; valid while the sandbox runs.
        apiVersion: v1
        kind: Config
        clusters:
        - name: sandbox
          cluster:
            server: %s
        users:
        - name: sandbox
          user:
            token: %s
        contexts:
        - name: sandbox
          context:
            cluster: sandbox
            user: sandbox
            namespace: default
        current-context: sandbox
        """
            .formatted(serverUrl, token);
    try {
      Files.createDirectories(file.toAbsolutePath().getParent());
      Files.writeString(file, yaml);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** The poll interval, but at least twice {@link #REQUEST_TIMEOUT}, as the operator requires. */
  static Duration settleTime(Duration pollInterval) {
    Duration least = REQUEST_TIMEOUT.multipliedBy(2);
    return pollInterval.compareTo(least) < 0 ? least : pollInterval;
  }

  private static String seconds(Duration d) {
    return Math.max(1, d.toSeconds()) + "s";
  }

  /**
   * The environment that points wrangler at the fake Cloudflare API: its URL, the demo token it
   * accepts, the demo account (so wrangler does not look the account up). Empty when the sandbox
   * runs against {@code CLOUDFLARE_API_BASE_URL}.
   */
  Map<String, String> wranglerEnvironment() {
    Map<String, String> env = new LinkedHashMap<>();
    if (fake != null) {
      env.put("CLOUDFLARE_API_BASE_URL", fake.baseUrl());
      env.put("CLOUDFLARE_API_TOKEN", demo.token());
      env.put("CLOUDFLARE_ACCOUNT_ID", demo.accountId());
    }
    return env;
  }

  /** What to run next, for a person at a terminal. */
  String instructions() {
    String kubeconfig = settings.kubeconfig().toString();
    StringBuilder out = new StringBuilder();
    out.append("\nThe sandbox is running.\n\n");
    out.append("  Kubernetes API  ")
        .append(api.url())
        .append("  (in memory, context \"sandbox\")\n");
    out.append("  kubeconfig      ").append(kubeconfig).append('\n');
    if (fake != null) {
      out.append("  Cloudflare API  ").append(fake.baseUrl()).append("  (fake)\n");
      out.append("    account       ").append(demo.accountId()).append('\n');
      out.append("    script        ")
          .append(demo.scriptName())
          .append("  (live: deployment ")
          .append(demo.initialDeploymentId())
          .append(", ")
          .append(demo.versionIds().get(0), 0, 8)
          .append("@100, made with wrangler)\n");
      for (int i = 0; i < demo.versionIds().size(); i++) {
        out.append(i == 0 ? "    versions      " : "                  ")
            .append(demo.versionIds().get(i))
            .append("  #")
            .append(i + 1)
            .append("  tag ")
            .append(demo.versionTags().get(i))
            .append('\n');
      }
      out.append("    analytics     ")
          .append(String.format(java.util.Locale.ROOT, "%.0f", DemoAccount.TRAFFIC_PER_MINUTE))
          .append(" requests/min, split by the live deployment; #3 fails ")
          .append(
              String.format(java.util.Locale.ROOT, "%.0f", DemoAccount.THIRD_VERSION_ERROR_RATE))
          .append("% of them, #1 and #2 ")
          .append(DemoAccount.HEALTHY_ERROR_RATE)
          .append("%\n");
      out.append("    token         ")
          .append(demo.token())
          .append("  (the placeholder in examples/cloudflare-api-token-secret.yaml)\n");
    } else {
      out.append("  Cloudflare API  ")
          .append(settings.cloudflareBaseUrl().orElseThrow())
          .append("  (CLOUDFLARE_API_BASE_URL; no fake started)\n");
    }
    out.append("  Operator        pid ")
        .append(operator.pid())
        .append(", re-reads Cloudflare every ")
        .append(seconds(settings.pollInterval()))
        .append("; its log lines start with [operator]\n\n");
    out.append("In another terminal:\n\n");
    out.append("  export KUBECONFIG=").append(kubeconfig).append('\n');
    if (fake != null) {
      for (String command : FIRST_SESSION) {
        out.append("  ").append(command);
        if (command.contains("workerdeployment-canary")) {
          out.append("    # 90/10: the operator creates a deployment");
        }
        out.append('\n');
      }
      out.append("\nwrangler (and other Cloudflare tools) can read the fake too:\n\n");
      for (Map.Entry<String, String> variable : wranglerEnvironment().entrySet()) {
        out.append("  export ")
            .append(variable.getKey())
            .append('=')
            .append(variable.getValue())
            .append('\n');
      }
      out.append("  npx wrangler deployments list --name ").append(demo.scriptName()).append('\n');
      out.append("  npx wrangler versions list --name ").append(demo.scriptName()).append("\n\n");
    } else {
      out.append(
          "  kubectl -n shop create secret generic cloudflare-api"
              + " --from-literal=token=\"$CLOUDFLARE_API_TOKEN\"\n");
      out.append(
          "  kubectl apply -f my-workerdeployment.yaml"
              + "    # your accountId, scriptName and version ids, namespace shop\n");
      out.append("  kubectl get wd -n shop\n\n");
    }
    out.append("Ctrl-C stops the sandbox.\n");
    return out.toString();
  }

  /** Starts the sandbox, prints what to do next, and runs until interrupted (Ctrl-C). */
  public static void main(String[] args) throws InterruptedException {
    PrintStream console = System.out;
    Settings settings = Settings.fromSystem();
    Sandbox sandbox;
    try {
      sandbox = start(settings, line -> console.println("[operator] " + line));
    } catch (RuntimeException e) {
      System.err.println("The sandbox did not start: " + e.getMessage());
      System.exit(1);
      return;
    }
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  console.println("\nStopping the sandbox ...");
                  sandbox.close();
                  console.println("Stopped.");
                  stopped.countDown();
                },
                "sandbox-shutdown"));
    console.println(sandbox.instructions());
    stopped.await();
  }
}
