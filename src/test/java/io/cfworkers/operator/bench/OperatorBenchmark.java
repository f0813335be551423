package io.cfworkers.operator.bench;

import static io.cfworkers.operator.support.operator.Resources.SECRET_NAME;
import static io.cfworkers.operator.support.operator.Resources.split;
import static io.cfworkers.operator.support.operator.Resources.tokenSecret;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.cloudflare.RecordedRequest;
import io.cfworkers.operator.support.jvm.ImageJvmOptions;
import io.cfworkers.operator.support.operator.Resources;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Measures the real operator (the packaged application, as a child process) against the fabric8
 * mock API server and the fake Cloudflare API, and writes the figures as Markdown. Not a test: it
 * asserts nothing and is only run by the {@code bench} Maven profile (see docs/benchmark.md).
 *
 * <p>Every duration of the operator and the fake (rate-limit window and block, the operator's
 * budget period, poll interval, settle time) is divided by {@code bench.time-scale}; request counts
 * are not. The per-call latency of the fake is not scaled: it stands for network time.
 */
public final class OperatorBenchmark {
  private static final String ACCOUNT = "0123456789abcdef0123456789abcdef";
  private static final String TOKEN = "bench-token";
  private static final Duration CLOUDFLARE_WINDOW = Duration.ofMinutes(5);
  private static final int CLOUDFLARE_REQUESTS = 1200;

  private final Params p;
  private final StringBuilder md = new StringBuilder();

  private OperatorBenchmark(Params p) {
    this.p = p;
  }

  public static void main(String[] args) throws Exception {
    Params p = Params.fromSystemProperties();
    OperatorBenchmark bench = new OperatorBenchmark(p);
    try {
      bench.run();
    } catch (Exception | Error e) {
      e.printStackTrace();
      System.exit(1);
    }
    // The mock API server's and the informers' threads would keep this JVM alive.
    System.exit(0);
  }

  // ------------------------------------------------------------------ parameters

  record Params(
      Path jar,
      Path output,
      Path logs,
      List<Integer> sizes,
      double timeScale,
      Duration latency,
      int changes,
      int warmup,
      int callsResources,
      Integer budget,
      int slices,
      Duration pollInterval,
      Duration largePollInterval,
      Integer threads,
      List<String> operatorJvmArgs,
      List<String> scenarios,
      String label,
      int unrelatedSecrets,
      int secretKib,
      int secretsResources,
      List<String> secretsJvmArgs,
      int runs,
      double outsideShare,
      int outsideSize,
      int tokensSize,
      int steadySize,
      int steadyChanges,
      Duration steadyPace,
      Duration steadyDelay,
      boolean secretLast) {

    static Params fromSystemProperties() {
      return new Params(
          Path.of(prop("bench.jar", "target/quarkus-app/quarkus-run.jar")),
          Path.of(prop("bench.output", "bench/results.md")),
          Path.of(prop("bench.logs", "target/bench")),
          Arrays.stream(prop("bench.sizes", "100,1000,5000").split(","))
              .map(String::trim)
              .filter(s -> !s.isEmpty())
              .map(Integer::parseInt)
              .toList(),
          Double.parseDouble(prop("bench.time-scale", "10")),
          Duration.ofMillis(Long.parseLong(prop("bench.latency-ms", "100"))),
          Integer.parseInt(prop("bench.changes", "500")),
          Integer.parseInt(prop("bench.warmup", "50")),
          Integer.parseInt(prop("bench.calls-resources", "50")),
          prop("bench.budget", "").isEmpty() ? null : Integer.valueOf(prop("bench.budget", "")),
          Integer.parseInt(prop("bench.slices", "100")),
          Duration.parse("PT" + prop("bench.poll-interval", "5m").toUpperCase(Locale.ROOT)),
          prop("bench.large-poll-interval", "60m").equals("none")
              ? null
              : Duration.parse(
                  "PT" + prop("bench.large-poll-interval", "60m").toUpperCase(Locale.ROOT)),
          prop("bench.threads", "").isEmpty() ? null : Integer.valueOf(prop("bench.threads", "")),
          Arrays.stream(prop("bench.operator-jvm-args", defaultJvmArgs()).split("\\s+"))
              .filter(s -> !s.isBlank())
              .toList(),
          Arrays.stream(
                  prop(
                          "bench.scenarios",
                          "startup,calls,scale,outside,tokens,steady,overhead,secrets")
                      .split(","))
              .map(String::trim)
              .toList(),
          prop("bench.label", "this commit"),
          Integer.parseInt(prop("bench.secrets", "10000")),
          Integer.parseInt(prop("bench.secret-kib", "64")),
          Integer.parseInt(prop("bench.secrets-resources", "100")),
          Arrays.stream(
                  prop(
                          "bench.secrets-jvm-args",
                          defaultJvmArgs() + "|" + defaultJvmArgs() + " -Xmx2g")
                      .split("\\|"))
              .map(String::trim)
              .filter(s -> !s.isEmpty())
              .toList(),
          Integer.parseInt(prop("bench.runs", "1")),
          Double.parseDouble(prop("bench.outside-share", "0.3")),
          Integer.parseInt(prop("bench.outside-size", "1000")),
          Integer.parseInt(prop("bench.tokens-size", "1000")),
          Integer.parseInt(prop("bench.steady-size", "5000")),
          Integer.parseInt(prop("bench.steady-changes", "100")),
          Duration.parse("PT" + prop("bench.steady-pace", "0.5s").toUpperCase(Locale.ROOT)),
          Duration.parse("PT" + prop("bench.steady-delay", "10s").toUpperCase(Locale.ROOT)),
          prop("bench.start", "secret").equals("secret"));
    }

    /**
     * The image's JVM options (application.properties, the chart's default too), after {@code
     * -XX:MaxRAM=512m}, which sizes the JVM as the chart's 512Mi memory limit would.
     */
    static String defaultJvmArgs() {
      return "-XX:MaxRAM=512m " + ImageJvmOptions.asString();
    }

    private static String prop(String name, String dflt) {
      String v = System.getProperty(name);
      return v == null || v.isBlank() ? dflt : v.trim();
    }

    Duration scaled(Duration d) {
      return Duration.ofNanos((long) (d.toNanos() / timeScale));
    }

    Duration window() {
      return scaled(CLOUDFLARE_WINDOW);
    }

    /** The operator's budget per period: as set, or the operator's default (Cloudflare's). */
    int budgetOrDefault() {
      return budget == null ? CLOUDFLARE_REQUESTS : budget;
    }

    /** Permits the operator's limiter really hands out per period (whole slices only). */
    int effectiveBudget() {
      int n = Math.min(slices, budgetOrDefault());
      return (budgetOrDefault() / n) * n;
    }
  }

  /** The operator's settings for one run, as system properties of its JVM. */
  private Map<String, String> operatorConfig(Duration pollInterval) {
    Map<String, String> c = new LinkedHashMap<>();
    if (p.budget != null) {
      c.put("cfworkers.cloudflare.rate-limit.requests", Integer.toString(p.budget));
    }
    c.put("cfworkers.cloudflare.rate-limit.period", seconds(p.window()));
    c.put("cfworkers.cloudflare.rate-limit.slices", Integer.toString(p.slices));
    c.put("cfworkers.reconcile.poll-interval", seconds(p.scaled(pollInterval)));
    c.put("cfworkers.reconcile.settle-time", seconds(p.scaled(Duration.ofSeconds(60))));
    // The operator refuses a settle time shorter than twice the request timeout: scaled alike.
    c.put("cfworkers.cloudflare.request-timeout", seconds(p.scaled(Duration.ofSeconds(30))));
    if (p.threads != null) {
      c.put("quarkus.operator-sdk.concurrent-reconciliation-threads", Integer.toString(p.threads));
    }
    c.put("quarkus.log.category.\"io.fabric8.mockwebserver\".level", "WARN");
    // One line per Cloudflare reading (what the operator believes is left), to compare with the
    // fake's request log (requests-*.tsv) when a run gets a 429.
    c.put(
        "quarkus.log.category.\"io.cfworkers.operator.cloudflare.CredentialRateLimiter\".level",
        "DEBUG");
    return c;
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.3fs", d.toNanos() / 1e9);
  }

  private OperatorProcess startOperator(String name, Duration pollInterval, Duration latency) {
    return startOperator(name, p.operatorJvmArgs, pollInterval, latency);
  }

  private OperatorProcess startOperator(
      String name, List<String> jvmArgs, Duration pollInterval, Duration latency) {
    log("starting operator for " + name);
    OperatorProcess op =
        OperatorProcess.start(
            p.jar,
            jvmArgs,
            operatorConfig(pollInterval),
            p.logs.resolve("operator-" + name + ".log"));
    op.fake.setLatency(latency);
    op.fake.rateLimit(CLOUDFLARE_REQUESTS, p.window(), p.window());
    op.fake.addToken(TOKEN, "bench@example.com", ACCOUNT);
    log(
        "operator ready in "
            + op.startToReady.toMillis()
            + " ms, "
            + op.cpuToReady.toMillis()
            + " ms CPU (pid "
            + op.process.pid()
            + ")");
    return op;
  }

  // ------------------------------------------------------------------ run

  /** One scenario of the benchmark. */
  @FunctionalInterface
  private interface Scenario {
    void run() throws Exception;
  }

  private void run() throws Exception {
    if (!Files.isRegularFile(p.jar)) {
      throw new IllegalStateException(p.jar + " missing: run the package phase first");
    }
    header();
    // In this order; each scenario's figures are written as soon as it ends.
    Map<String, Scenario> scenarios = new LinkedHashMap<>();
    scenarios.put("startup", this::startup);
    scenarios.put("calls", this::callsPerChange);
    scenarios.put("scale", this::convergence);
    scenarios.put("outside", this::outsideClient);
    scenarios.put("tokens", this::twoTokens);
    scenarios.put("steady", this::steadyState);
    scenarios.put("overhead", this::overhead);
    scenarios.put("secrets", this::unrelatedSecrets);
    for (Map.Entry<String, Scenario> scenario : scenarios.entrySet()) {
      if (p.scenarios.contains(scenario.getKey())) {
        scenario.getValue().run();
        flush();
      }
    }
    log("wrote " + p.output);
  }

  /** Writes what is measured so far, so an interrupted run still leaves its figures. */
  private void flush() throws IOException {
    Files.createDirectories(p.output.toAbsolutePath().getParent());
    Files.writeString(p.output, md.toString());
  }

  private void header() {
    md.append("# Operator benchmark results\n\n");
    md.append(
        "Written by `OperatorBenchmark` (see docs/benchmark.md for how to run and read it).\n\n");
    md.append("| | |\n|---|---|\n");
    row(
        "Date",
        ZonedDateTime.now()
            .truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
            .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME));
    row("Machine", machine());
    row(
        "Load at start (1/5/15 min)",
        readOrEmpty("/proc/loadavg").trim().split(" ", 4).length >= 3
            ? String.join(" / ", Arrays.copyOf(readOrEmpty("/proc/loadavg").trim().split(" "), 3))
            : "?");
    OperatorJvm operatorJvm = OperatorJvm.configured();
    row(
        "JVM",
        System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.runtime.version")
            + (operatorJvm.home().equals(Path.of(System.getProperty("java.home")))
                ? " (operator and benchmark)"
                : " (benchmark); operator: " + operatorJvm + " (`bench.operator-java-home`)"));
    row(
        "Operator",
        "packaged application (`quarkus-run.jar`) as a child process; build: " + p.label);
    row("Operator JVM options", "`" + String.join(" ", p.operatorJvmArgs) + "`");
    row(
        "Operator environment",
        ImageJvmOptions.otherEnvironment().entrySet().stream()
                .map(e -> "`" + e.getKey() + "=" + e.getValue() + "`")
                .collect(java.util.stream.Collectors.joining(" "))
            + " (the image's)");
    Path archive = operatorJvm.archive(p.jar);
    row(
        "Class archive",
        Files.isRegularFile(archive)
            ? "`"
                + archive.getFileName()
                + "` next to the jar, used (`"
                + operatorJvm.useArchive(p.jar)
                + "`)"
            : "none (the `bench` profile's training run makes one: docs/benchmark.md,"
                + " \"Start-up\")");
    row(
        "Time scale",
        p.timeScale
            + "× — every window, budget period, poll interval and settle time below is divided"
            + " by "
            + p.timeScale
            + "; request counts are not");
    row(
        "Cloudflare limit (fake)",
        CLOUDFLARE_REQUESTS
            + " requests / "
            + human(p.window())
            + " sliding window per token, "
            + human(p.window())
            + " block (= 1200 / 5 min scaled)");
    row(
        "Operator budget",
        "`cfworkers.cloudflare.rate-limit.requests`="
            + (p.budget == null ? p.budgetOrDefault() + " (default)" : p.budget)
            + " per `period`="
            + human(p.window())
            + " in `slices`="
            + p.slices
            + " (hands out "
            + p.effectiveBudget() / Math.min(p.slices, p.budgetOrDefault())
            + " calls every "
            + human(p.window().dividedBy(Math.min(p.slices, p.budgetOrDefault())))
            + ")");
    row(
        "Poll interval",
        "`cfworkers.reconcile.poll-interval`="
            + human(p.pollInterval)
            + " → "
            + human(p.scaled(p.pollInterval))
            + " scaled, jitter 0.1 (default)");
    row(
        "Reconciler threads",
        p.threads == null
            ? "`quarkus.operator-sdk.concurrent-reconciliation-threads` not set: the operator's"
                + " default (application.properties)"
            : "`quarkus.operator-sdk.concurrent-reconciliation-threads`=" + p.threads);
    row(
        "Poll budget share",
        "`cfworkers.reconcile.poll-budget-share`=0.5 (default): polls stretched to fit half the"
            + " budget");
    row("Runs per size", Integer.toString(p.runs));
    row("Fake per-call latency", p.latency.toMillis() + " ms (0 ms for reconcile overhead)");
    row("Resources share", "one API token (one Secret), one account, one script per resource");
    md.append(
        "\nThe machine is shared: other builds ran concurrently, so CPU-bound figures (latency,"
            + " start time) are pessimistic and vary between runs.\n\n");
  }

  private String machine() {
    String mem = "?";
    for (String line : readOrEmpty("/proc/meminfo").split("\n")) {
      if (line.startsWith("MemTotal:")) {
        long kb = Long.parseLong(line.replaceAll("[^0-9]", ""));
        mem = String.format(Locale.ROOT, "%.1f GiB", kb / 1024.0 / 1024.0);
      }
    }
    String cpu = "?";
    for (String line : readOrEmpty("/proc/cpuinfo").split("\n")) {
      if (line.startsWith("model name")) {
        cpu = line.substring(line.indexOf(':') + 1).trim();
        break;
      }
    }
    return Runtime.getRuntime().availableProcessors()
        + " cores ("
        + cpu
        + "), "
        + mem
        + " RAM, "
        + System.getProperty("os.name")
        + " "
        + System.getProperty("os.version");
  }

  // ------------------------------------------------------------------ calls per change

  private void callsPerChange() throws Exception {
    int k = p.callsResources;
    // A long poll interval, so that no timed resync falls into a measured step; the resync step
    // triggers one reconciliation of every resource by touching their shared Secret, which runs
    // exactly what a timed resync runs.
    try (OperatorProcess op = startOperator("calls", Duration.ofHours(10), p.latency);
        StatusTracker tracker = new StatusTracker(op.client)) {
      KubernetesClient client = op.client;
      FakeCloudflare fake = op.fake;
      String ns = "calls";
      namespace(client, ns);
      client.resource(tokenSecret(ns, TOKEN)).create();
      List<String> names = new ArrayList<>();
      Map<String, String[]> versions = new HashMap<>();
      for (int i = 0; i < k; i++) {
        String name = "calls-" + i;
        names.add(name);
        versions.put(
            name, new String[] {fake.addVersion(ACCOUNT, name), fake.addVersion(ACCOUNT, name)});
      }
      List<Step> steps = new ArrayList<>();

      int mark = fake.requests().size();
      long writes = tracker.totalWrites();
      for (String name : names) {
        client
            .resource(workerDeployment(ns, name, ACCOUNT, name, versions.get(name)[0], 100))
            .create();
      }
      awaitAll(tracker, ns, names, 1);
      settle();
      steps.add(step("create", fake, mark, k, tracker.totalWrites() - writes));

      mark = fake.requests().size();
      writes = tracker.totalWrites();
      for (String name : names) {
        edit(
            client,
            ns,
            name,
            wd ->
                wd.getSpec()
                    .setVersions(split(versions.get(name)[0], 90, versions.get(name)[1], 10)));
      }
      awaitAll(tracker, ns, names, 2);
      settle();
      steps.add(step("split change (100 → 90/10)", fake, mark, k, tracker.totalWrites() - writes));

      mark = fake.requests().size();
      writes = tracker.totalWrites();
      client
          .secrets()
          .inNamespace(ns)
          .withName(SECRET_NAME)
          .edit(
              s -> {
                s.getMetadata().setLabels(Map.of("touched", "1"));
                return s;
              });
      long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
      while (fake.requests().size() - mark < k && System.nanoTime() < deadline) {
        OperatorProcess.sleep(Duration.ofMillis(50));
      }
      settle();
      steps.add(step("no-op resync", fake, mark, k, tracker.totalWrites() - writes));

      List<String> adopted = new ArrayList<>();
      for (int i = 0; i < k; i++) {
        String name = "adopt-" + i;
        adopted.add(name);
        String v1 = fake.addVersion(ACCOUNT, name);
        String v2 = fake.addVersion(ACCOUNT, name);
        versions.put(name, new String[] {v1, v2});
        fake.seedDeployment(
            ACCOUNT,
            name,
            List.of(new DeploymentVersion(v1, 50), new DeploymentVersion(v2, 50)),
            "wrangler",
            "dev@example.com",
            "made by wrangler");
      }
      mark = fake.requests().size();
      writes = tracker.totalWrites();
      for (String name : adopted) {
        String[] v = versions.get(name);
        client.resource(workerDeployment(ns, name, ACCOUNT, name, v[1], 50, v[0], 50)).create();
      }
      awaitAll(tracker, ns, adopted, 1);
      settle();
      steps.add(
          step(
              "adopt (live split already matches)", fake, mark, k, tracker.totalWrites() - writes));

      md.append("## Calls per change\n\n");
      md.append(
          k
              + " resources, each its own script; counts are per resource, read from the fake's"
              + " request log (mean, and the maximum over resources). Target: 1 GET + 1 POST per"
              + " change, 1 GET per resync (wrangler `versions deploy` makes 4–7 calls with one"
              + " POST). \"Status writes\" are updates of the WorkerDeployment's status seen by a"
              + " watch (writes that left the generation unchanged). The resync step touches"
              + " the shared Secret, which makes every resource reconcile once exactly as a timed"
              + " resync does.\n\n");
      md.append(
          "| Change | GET / resource | POST / resource | other calls | max calls on one resource"
              + " | 429s | status writes / resource |\n");
      md.append("|---|---|---|---|---|---|---|\n");
      for (Step s : steps) {
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %.2f | %.2f | %d | %d | %d | %.2f |%n",
                s.name,
                s.gets / (double) k,
                s.posts / (double) k,
                s.other,
                s.maxPerResource,
                s.limited,
                s.writes / (double) k));
      }
      md.append('\n');
    }
  }

  private record Step(
      String name,
      long gets,
      long posts,
      long other,
      long maxPerResource,
      long limited,
      long writes) {}

  private Step step(String name, FakeCloudflare fake, int mark, int k, long writes) {
    List<RecordedRequest> log = fake.requests();
    List<RecordedRequest> window = log.subList(mark, log.size());
    long gets = 0;
    long posts = 0;
    long other = 0;
    long limited = 0;
    Map<String, Long> perScript = new HashMap<>();
    for (RecordedRequest r : window) {
      boolean deployments = r.path().endsWith("/deployments");
      if (deployments && r.method().equals("GET")) {
        gets++;
      } else if (deployments && r.method().equals("POST")) {
        posts++;
      } else {
        other++;
      }
      if (r.status() == 429) {
        limited++;
      }
      perScript.merge(script(r.path()), 1L, Long::sum);
    }
    long max = perScript.values().stream().mapToLong(Long::longValue).max().orElse(0);
    log(name + ": GET " + gets + " POST " + posts + " other " + other + " writes " + writes);
    return new Step(name, gets, posts, other, max, limited, writes);
  }

  /**
   * Every call the fake received in a run, one line each, for finding the cause of a 429: the
   * wall-clock time in ms (comparable with the operator log's timestamps), ms since the run's
   * start, who sent it (the outside client or the operator), method and status.
   */
  private static void writeRequestLog(Path file, List<RecordedRequest> requests, long t0) {
    long epochMillisAtT0 = System.currentTimeMillis() - (System.nanoTime() - t0) / 1_000_000L;
    StringBuilder out = new StringBuilder("epoch_ms\tsince_start_ms\tclient\tmethod\tstatus\n");
    for (RecordedRequest r : requests) {
      long since = (r.receivedNanos() - t0) / 1_000_000L;
      out.append(epochMillisAtT0 + since)
          .append('\t')
          .append(since)
          .append('\t')
          .append(script(r.path()).equals(OutsideClient.SCRIPT) ? "outside" : "operator")
          .append('\t')
          .append(r.method())
          .append('\t')
          .append(r.status())
          .append('\n');
    }
    write(file, out);
  }

  private static void write(Path file, CharSequence text) {
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String script(String path) {
    int i = path.indexOf("/scripts/");
    if (i < 0) {
      return path;
    }
    String rest = path.substring(i + "/scripts/".length());
    int slash = rest.indexOf('/');
    return slash < 0 ? rest : rest.substring(0, slash);
  }

  /** Lets calls that follow Ready (there should be none) reach the fake before counting. */
  private static void settle() {
    OperatorProcess.sleep(Duration.ofSeconds(2));
  }

  // ------------------------------------------------------------------ convergence at scale

  /**
   * One convergence run: {@code n} resources spread evenly over {@code tokens} tokens (one
   * namespace and Secret per token), optionally with an outside client spending {@code
   * outsideShare} of the first token's limit, and optionally followed by spec changes during steady
   * state.
   */
  record Run(
      String label, int n, Duration pollInterval, int tokens, double outsideShare, int changes) {}

  private void convergence() throws Exception {
    md.append("## Convergence at scale\n\n");
    md.append(
        "N resources sharing one token, the fake enforcing the limit. "
            + (p.secretLast
                ? "The resources are created first (8 client threads; *all created*), naming a"
                    + " token Secret that does not exist yet, so each waits as"
                    + " Stalled/CredentialsNotFound without calling Cloudflare; the clock starts"
                    + " when the Secret is created, which makes all N changes pending at once"
                    + " whatever the machine's speed at creating objects, and status writes are"
                    + " counted from then on. "
                : "All created at once (8 client threads), the clock starting at the first"
                    + " create. ")
            + "*Floor* = calls needed (1 GET + 1 POST per resource) ÷"
            + " Cloudflare's rate ("
            + CLOUDFLARE_REQUESTS
            + " / "
            + human(p.window())
            + "); *budget used* = floor ÷ time to all Ready (target ≥ 0.95). *GET / change* ="
            + " GETs ÷ POSTs (target ≤ 1.02). The operator's own budget: "
            + p.effectiveBudget()
            + " / "
            + human(p.window())
            + ". Times are scaled (×"
            + p.timeScale
            + " for real time). \"Ready lost\" counts resources that went from Ready=True to not"
            + " Ready without a spec change. Footprint: the operator process after convergence"
            + " (RSS from /proc/PID/status VmRSS; heap from its /q/metrics, as found and after a"
            + " full GC via jcmd); start → ready is wall time from the process start to its"
            + " readiness endpoint answering UP, with the CPU time the process used until then,"
            + " which depends little on what else runs on the machine.\n\n");
    tableHead();
    List<String> notes = new ArrayList<>();
    int largest =
        Integer.getInteger(
            "bench.large-size", p.sizes.stream().mapToInt(Integer::intValue).max().orElse(0));
    for (int n : p.sizes) {
      for (int run = 1; run <= p.runs; run++) {
        // The steady-state changes follow the last run of their size, saving a convergence.
        boolean steady = p.scenarios.contains("steady") && n == p.steadySize && run == p.runs;
        converge(
            new Run("run " + run, n, p.pollInterval, 1, 0, steady ? p.steadyChanges : 0), notes);
        flush();
      }
    }
    if (p.largePollInterval != null && largest > 0) {
      converge(new Run("", largest, p.largePollInterval, 1, 0, 0), notes);
    }
    md.append('\n');
    for (String note : notes) {
      md.append("- ").append(note).append('\n');
    }
    md.append('\n');
  }

  private void tableHead() {
    md.append(
        "| run | N | poll interval | all created | all Ready | floor | budget used | GET | POST |"
            + " GET / change | 429s | status writes / resource | Ready lost | not Ready at end |"
            + " operator CPU | start → ready | RSS | peak RSS | heap used | heap after GC |\n");
    md.append(
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  }

  /** An outside client of the first token spends part of its limit while the operator converges. */
  private void outsideClient() throws Exception {
    double share = p.outsideShare;
    md.append("## Another client on the same token\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "While N resources converge on one token, a second client (standing for wrangler in"
                + " CI or the dashboard) sends GETs with the same token at %.0f%% of Cloudflare's"
                + " limit (%.0f per %s), evenly spaced, from the first create until all are Ready."
                + " The operator sees it only through Cloudflare's `Ratelimit` header. *Floor* is"
                + " computed on what is left (%.0f%% of the limit), so *budget used* 1.0 means the"
                + " operator used all of it. GET, POST and 429s in the table are the operator's;"
                + " the outside client's are in the notes.%n%n",
            share * 100,
            share * CLOUDFLARE_REQUESTS,
            human(p.window()),
            (1 - share) * 100));
    tableHead();
    List<String> notes = new ArrayList<>();
    converge(
        new Run(
            "outside " + Math.round(share * 100) + "%", p.outsideSize, p.pollInterval, 1, share, 0),
        notes);
    md.append('\n');
    for (String note : notes) {
      md.append("- ").append(note).append('\n');
    }
    md.append('\n');
  }

  /** The same N resources over two tokens: each token's budget is used on its own. */
  private void twoTokens() throws Exception {
    md.append("## Two tokens\n\n");
    md.append(
        "N resources split evenly over two tokens (each an account-owned token with its own"
            + " Cloudflare limit; one namespace and Secret per token). *Floor* is computed on both"
            + " limits together. The notes give each token's calls and the time until its own"
            + " resources were all Ready.\n\n");
    tableHead();
    List<String> notes = new ArrayList<>();
    converge(new Run("2 tokens", p.tokensSize, p.pollInterval, 2, 0, 0), notes);
    md.append('\n');
    for (String note : notes) {
      md.append("- ").append(note).append('\n');
    }
    md.append('\n');
  }

  /** Notes of the steady-state changes when they followed a run of the scale scenario. */
  private final List<String> steadyNotes = new ArrayList<>();

  /** N resources at default settings, then spec changes while polls run. */
  private void steadyState() throws Exception {
    md.append("## Changes during steady state\n\n");
    md.append(
        "N resources on one token converge at default settings; then, while their polls run"
            + " (stretched to fit `poll-budget-share` of the budget), one resource's split changes"
            + " every "
            + human(p.steadyPace)
            + " (scaled). For each change: the time from the update call to the create (POST)"
            + " arriving at the fake. One budget slice is "
            + human(p.window().dividedBy(Math.min(p.slices, p.budgetOrDefault())))
            + " scaled.\n\n");
    List<String> notes = steadyNotes;
    if (notes.isEmpty()) {
      tableHead();
      converge(new Run("steady", p.steadySize, p.pollInterval, 1, 0, p.steadyChanges), notes);
      md.append('\n');
    } else {
      md.append(
          "These changes followed the last N = "
              + String.format(Locale.ROOT, "%,d", p.steadySize)
              + " run of the convergence table above (same operator process).\n\n");
    }
    for (String note : notes) {
      md.append("- ").append(note).append('\n');
    }
    md.append('\n');
  }

  private static String token(int t) {
    return t == 0 ? TOKEN : TOKEN + "-" + t;
  }

  private void converge(Run run, List<String> notes) throws Exception {
    int n = run.n();
    Duration pollInterval = run.pollInterval();
    String name =
        "scale-"
            + n
            + "-poll-"
            + pollInterval.toMinutes()
            + "m-"
            + run.label().replaceAll("[^A-Za-z0-9]+", "-");
    try (OperatorProcess op = startOperator(name, pollInterval, p.latency);
        StatusTracker tracker = new StatusTracker(op.client)) {
      KubernetesClient client = op.client;
      FakeCloudflare fake = op.fake;
      List<String> namespaces = new ArrayList<>();
      for (int t = 0; t < run.tokens(); t++) {
        String ns = run.tokens() == 1 ? "scale" : "scale-" + (char) ('a' + t);
        namespaces.add(ns);
        if (t > 0) {
          fake.addToken(token(t), "bench@example.com", ACCOUNT);
        }
        namespace(client, ns);
        if (!p.secretLast) {
          client.resource(tokenSecret(ns, token(t))).create();
        }
      }
      List<String[]> versions = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        versions.add(
            new String[] {fake.addVersion(ACCOUNT, "w" + i), fake.addVersion(ACCOUNT, "w" + i)});
      }
      OutsideClient outside =
          run.outsideShare() > 0
              ? new OutsideClient(
                  fake.baseUrl(),
                  TOKEN,
                  Duration.ofNanos(
                      (long) (p.window().toNanos() / (run.outsideShare() * CLOUDFLARE_REQUESTS))))
              : null;
      Duration cpu0 = op.cpuTime();
      long t0 = System.nanoTime();
      long created0 = t0;
      if (outside != null && !p.secretLast) {
        outside.start();
      }
      ExecutorService pool = Executors.newFixedThreadPool(8);
      List<Future<?>> creates = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int idx = i;
        String ns = namespaces.get(i % run.tokens());
        creates.add(
            pool.submit(
                () ->
                    client
                        .resource(
                            workerDeployment(
                                ns,
                                "w" + idx,
                                ACCOUNT,
                                "w" + idx,
                                versions.get(idx)[0],
                                90,
                                versions.get(idx)[1],
                                10))
                        .create()));
      }
      for (Future<?> f : creates) {
        f.get();
      }
      pool.shutdown();
      Duration created = Duration.ofNanos(System.nanoTime() - created0);
      log(name + ": " + n + " created in " + created.toMillis() + " ms");
      long writes0 = 0;
      if (p.secretLast) {
        // Every resource waits for its token (Stalled/CredentialsNotFound, no Cloudflare call);
        // the clock starts when the tokens' Secrets appear, so how fast this machine creates N
        // objects in the mock API server does not count.
        long waitUntil = System.nanoTime() + Duration.ofMinutes(10).toNanos();
        while (tracker.readyReasons().getOrDefault("False/CredentialsNotFound", 0L) < n
            && System.nanoTime() < waitUntil) {
          OperatorProcess.sleep(Duration.ofMillis(200));
        }
        OperatorProcess.sleep(Duration.ofSeconds(2));
        writes0 = tracker.totalWrites();
        fake.clearRequests();
        cpu0 = op.cpuTime();
        t0 = System.nanoTime();
        if (outside != null) {
          outside.start();
        }
        for (int t = 0; t < run.tokens(); t++) {
          client.resource(tokenSecret(namespaces.get(t), token(t))).create();
        }
        log(name + ": tokens' Secrets created");
      }

      double limit = CLOUDFLARE_REQUESTS * run.tokens() * (1 - run.outsideShare());
      Duration floor = Duration.ofNanos((long) (2.0 * n / limit * p.window().toNanos()));
      Duration floorOperator =
          Duration.ofNanos(
              (long)
                  (2.0
                      * n
                      / Math.min(limit, p.effectiveBudget() * run.tokens())
                      * p.window().toNanos()));
      Duration timeout =
          floorOperator
              .multipliedBy(2)
              .plus(p.scaled(pollInterval).multipliedBy(2))
              .plusSeconds(30);
      Duration allReady = null;
      // Counted from the last create: on a loaded machine the mock API server alone can take longer
      // to accept 5,000 creates than the operator's whole timeout.
      long deadline = System.nanoTime() + timeout.toNanos();
      int maxReady = 0;
      long lastLog = System.nanoTime();
      while (System.nanoTime() < deadline) {
        int ready = tracker.readyCount();
        maxReady = Math.max(maxReady, ready);
        if (ready >= n) {
          allReady = Duration.ofNanos(System.nanoTime() - t0);
          break;
        }
        if (System.nanoTime() - lastLog > Duration.ofSeconds(15).toNanos()) {
          lastLog = System.nanoTime();
          log(
              name
                  + ": "
                  + ready
                  + "/"
                  + n
                  + " Ready after "
                  + (lastLog - t0) / 1_000_000_000
                  + " s");
        }
        OperatorProcess.sleep(Duration.ofMillis(20));
      }
      if (outside != null) {
        outside.stop();
      }
      Duration cpu = op.cpuTime().minus(cpu0);
      List<RecordedRequest> all = fake.requests();
      writeRequestLog(p.logs.resolve("requests-" + name + ".tsv"), all, t0);
      List<RecordedRequest> log =
          all.stream().filter(r -> !script(r.path()).equals(OutsideClient.SCRIPT)).toList();
      long gets = log.stream().filter(r -> r.method().equals("GET")).count();
      long posts = log.stream().filter(r -> r.method().equals("POST")).count();
      long limited = log.stream().filter(r -> r.status() == 429).count();
      long lastCreate =
          log.stream()
              .filter(r -> r.method().equals("POST") && r.status() == 200)
              .mapToLong(RecordedRequest::receivedNanos)
              .max()
              .orElse(t0);
      long deployedScripts =
          log.stream()
              .filter(r -> r.method().equals("POST") && r.status() == 200)
              .map(r -> script(r.path()))
              .distinct()
              .count();
      int notReady = n - tracker.readyCount();
      long writesAtReady = tracker.totalWrites() - writes0;
      long rss = op.rssBytes();
      long peak = op.peakRssBytes();
      long heap = op.heapUsedBytes();
      String gauge = op.metricLines("cfworkers_poll_interval_effective_seconds");
      op.memoryReport(p.logs.resolve("memory-" + name + ".txt"));
      op.fullGc();
      long heapAfterGc = op.heapUsedBytes();
      double used = allReady == null ? Double.NaN : floor.toNanos() / (double) allReady.toNanos();
      md.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %s (%s scaled) | %s | %s | %s | %s | %,d | %,d | %.3f | %,d | %.2f | %,d"
                  + " | %,d | %.0f s | %.1f s (CPU %.1f s) | %s | %s | %s | %s |%n",
              run.label(),
              n,
              human(pollInterval),
              human(p.scaled(pollInterval)),
              human(created),
              allReady == null
                  ? "not within "
                      + human(timeout)
                      + (p.secretLast
                          ? " of the tokens' Secrets (max "
                          : " of the last create (max ")
                      + maxReady
                      + " Ready at once)"
                  : human(allReady),
              human(floor),
              allReady == null ? "—" : String.format(Locale.ROOT, "%.2f", used),
              gets,
              posts,
              posts == 0 ? Double.NaN : gets / (double) posts,
              limited,
              writesAtReady / (double) n,
              tracker.readyLost(),
              notReady,
              cpu.toMillis() / 1000.0,
              op.startToReady.toMillis() / 1000.0,
              op.cpuToReady.toMillis() / 1000.0,
              mib(rss),
              mib(peak),
              mib(heap),
              mib(heapAfterGc)));
      notes.add(
          String.format(
              Locale.ROOT,
              "%s, N=%,d, poll %s: every script deployed (%,d of %,d) %s after the first create;"
                  + " Ready reasons at the end: %s; effective poll interval (operator metric,"
                  + " scaled seconds): %s.",
              run.label(),
              n,
              human(pollInterval),
              deployedScripts,
              n,
              human(Duration.ofNanos(lastCreate - t0)),
              tracker.readyReasons(),
              gauge.isEmpty() ? "not reported" : gauge));
      if (outside != null) {
        List<RecordedRequest> theirs =
            all.stream().filter(r -> script(r.path()).equals(OutsideClient.SCRIPT)).toList();
        notes.add(
            String.format(
                Locale.ROOT,
                "%s: the outside client sent %,d requests (%,d answered 429) in %s, i.e. %.2f of"
                    + " the limit over that time; the operator sent %,d.",
                run.label(),
                theirs.size(),
                theirs.stream().filter(r -> r.status() == 429).count(),
                human(Duration.ofNanos(System.nanoTime() - t0)),
                theirs.size()
                    / (CLOUDFLARE_REQUESTS
                        * (System.nanoTime() - t0)
                        / (double) p.window().toNanos()),
                log.size()));
      }
      if (run.tokens() > 1) {
        for (int t = 0; t < run.tokens(); t++) {
          String id = io.cfworkers.operator.cloudflare.Credential.apiToken(token(t)).id();
          List<RecordedRequest> mine =
              log.stream().filter(r -> id.equals(r.credentialId())).toList();
          String ns = namespaces.get(t);
          int resources = (n - t + run.tokens() - 1) / run.tokens();
          Long ready = tracker.lastReadyAt(ns, 1, resources);
          Duration tokenFloor =
              Duration.ofNanos(
                  (long) (2.0 * resources / CLOUDFLARE_REQUESTS * p.window().toNanos()));
          notes.add(
              String.format(
                  Locale.ROOT,
                  "%s, token %d (namespace %s, %,d resources): GET %,d, POST %,d, 429s %,d; all"
                      + " its resources Ready after %s against its own floor of %s (budget used"
                      + " %s).",
                  run.label(),
                  t + 1,
                  ns,
                  resources,
                  mine.stream().filter(r -> r.method().equals("GET")).count(),
                  mine.stream().filter(r -> r.method().equals("POST")).count(),
                  mine.stream().filter(r -> r.status() == 429).count(),
                  ready == null ? "never" : human(Duration.ofNanos(ready - t0)),
                  human(tokenFloor),
                  ready == null
                      ? "—"
                      : String.format(
                          Locale.ROOT, "%.2f", tokenFloor.toNanos() / (double) (ready - t0))));
        }
      }
      if (run.changes() > 0 && allReady != null) {
        steadyChanges(run, op, tracker, versions, namespaces.get(0), steadyNotes);
      }
      log(name + ": done " + (allReady == null ? "without convergence" : human(allReady)));
    }
  }

  /**
   * Changes one resource's split at a time while the converged resources are polled, and measures
   * the time from the update call to the POST arriving at the fake.
   */
  private void steadyChanges(
      Run run,
      OperatorProcess op,
      StatusTracker tracker,
      List<String[]> versions,
      String ns,
      List<String> notes) {
    FakeCloudflare fake = op.fake;
    int n = run.n();
    // Wait until the polls of the first-created resources are under way.
    OperatorProcess.sleep(p.steadyDelay);
    int mark = fake.requests().size();
    long phase0 = System.nanoTime();
    long[] start = new long[run.changes()];
    String[] scripts = new String[run.changes()];
    java.util.Random random = new java.util.Random(42);
    java.util.Set<Integer> used = new java.util.HashSet<>();
    for (int c = 0; c < run.changes(); c++) {
      int i;
      do {
        i = random.nextInt(n);
      } while (!used.add(i));
      String[] v = versions.get(i);
      long begin = System.nanoTime();
      edit(op.client, ns, "w" + i, wd -> wd.getSpec().setVersions(split(v[0], 50, v[1], 50)));
      start[c] = begin;
      scripts[c] = "w" + i;
      long wait = begin + p.steadyPace.toNanos() - System.nanoTime();
      if (wait > 0) {
        OperatorProcess.sleep(Duration.ofNanos(wait));
      }
    }
    // Let the last changes land.
    OperatorProcess.sleep(Duration.ofSeconds(5));
    long phaseEnd = System.nanoTime();
    List<RecordedRequest> log = fake.requests();
    List<RecordedRequest> phase = log.subList(mark, log.size());
    List<Long> latencies = new ArrayList<>();
    // Update → the change's first call (its GET): the change takes both its permits before that
    // call, so any wait for budget is in here; after it come only the GET's latency and the
    // intent record's status write.
    List<Long> toFirstCall = new ArrayList<>();
    int missing = 0;
    for (int c = 0; c < run.changes(); c++) {
      long from = start[c];
      String script = scripts[c];
      long post = firstArrival(phase, "POST", script, from);
      if (post < 0) {
        missing++;
      } else {
        latencies.add(post - from);
      }
      long get = firstArrival(phase, "GET", script, from);
      if (get >= 0 && (post < 0 || get <= post)) {
        toFirstCall.add(get - from);
      }
    }
    java.util.Collections.sort(toFirstCall);
    Duration slice = p.window().dividedBy(Math.min(p.slices, p.budgetOrDefault()));
    writeChangeLog(
        p.logs.resolve("steady-changes-" + run.label().replace(' ', '-') + ".tsv"),
        phase,
        start,
        scripts,
        phase0,
        slice);
    writeRequestLog(
        p.logs.resolve("requests-steady-" + run.label().replace(' ', '-') + ".tsv"), phase, phase0);
    java.util.Collections.sort(latencies);
    long withinSlice = latencies.stream().filter(l -> l <= slice.toNanos()).count();
    long firstCallWithinSlice = toFirstCall.stream().filter(l -> l <= slice.toNanos()).count();
    // The change's GET takes the fake's latency before its POST can be sent: not budget time.
    long withinSliceAndRead =
        latencies.stream().filter(l -> l <= slice.plus(p.latency).toNanos()).count();
    java.util.Set<String> changed = new java.util.HashSet<>(java.util.Arrays.asList(scripts));
    long polls =
        phase.stream()
            .filter(r -> r.method().equals("GET") && !changed.contains(script(r.path())))
            .count();
    long limited = phase.stream().filter(r -> r.status() == 429).count();
    double seconds = (phaseEnd - phase0) / 1e9;
    double pollShare =
        polls / (CLOUDFLARE_REQUESTS * (phaseEnd - phase0) / (double) p.window().toNanos());
    notes.add(
        String.format(
            Locale.ROOT,
            "%s: %d changes, one every %s, starting %s after all were Ready: update → POST at"
                + " Cloudflare p50 %s, p95 %s, max %s (scaled; ×%.0f for real time, except the"
                + " fake's latency); %d of %d within one budget slice (%s), %d within one slice"
                + " plus the change's read (%s latency), %d never created; update → the"
                + " change's first call (its GET, sent once both its permits are taken: any wait"
                + " for budget is before it) p50 %s, p95 %s, max %s, %d of %d within one slice;"
                + " 429s during the phase: %d. Polls of"
                + " unchanged resources during the %.0f s phase: %,d GETs = %.2f of Cloudflare's"
                + " limit (poll-budget-share 0.5).",
            run.label(),
            run.changes(),
            human(p.steadyPace),
            human(p.steadyDelay),
            ms(percentile(latencies, 0.50)),
            ms(percentile(latencies, 0.95)),
            ms(latencies.isEmpty() ? -1 : latencies.get(latencies.size() - 1)),
            p.timeScale,
            withinSlice,
            run.changes(),
            ms(slice.toNanos()),
            withinSliceAndRead,
            ms(p.latency.toNanos()),
            missing,
            ms(percentile(toFirstCall, 0.50)),
            ms(percentile(toFirstCall, 0.95)),
            ms(toFirstCall.isEmpty() ? -1 : toFirstCall.get(toFirstCall.size() - 1)),
            firstCallWithinSlice,
            run.changes(),
            limited,
            seconds,
            polls,
            pollShare));
  }

  /**
   * One line per steady-state change, for finding why one took longer than a slice: ms since the
   * phase's start of the update call, of its GET and POST arriving at the fake, update → POST, and
   * how many calls of the operator arrived in the slice before its GET and before its POST (a slice
   * full of polls makes a change wait for the next).
   */
  private static void writeChangeLog(
      Path file,
      List<RecordedRequest> phase,
      long[] start,
      String[] scripts,
      long phase0,
      Duration slice) {
    StringBuilder out =
        new StringBuilder(
            "script\tupdate_ms\tget_ms\tpost_ms\tupdate_to_post_ms\tcalls_slice_before_get"
                + "\tcalls_slice_before_post\n");
    for (int c = 0; c < start.length; c++) {
      long from = start[c];
      String script = scripts[c];
      long get = firstArrival(phase, "GET", script, from);
      long post = firstArrival(phase, "POST", script, from);
      out.append(script)
          .append('\t')
          .append((from - phase0) / 1_000_000L)
          .append('\t')
          .append(get < 0 ? "-" : String.valueOf((get - phase0) / 1_000_000L))
          .append('\t')
          .append(post < 0 ? "-" : String.valueOf((post - phase0) / 1_000_000L))
          .append('\t')
          .append(post < 0 ? "-" : String.valueOf((post - from) / 1_000_000L))
          .append('\t')
          .append(get < 0 ? "-" : String.valueOf(arrivedWithin(phase, get - slice.toNanos(), get)))
          .append('\t')
          .append(
              post < 0 ? "-" : String.valueOf(arrivedWithin(phase, post - slice.toNanos(), post)))
          .append('\n');
    }
    write(file, out);
  }

  private static long firstArrival(
      List<RecordedRequest> requests, String method, String script, long from) {
    return requests.stream()
        .filter(
            r ->
                r.method().equals(method)
                    && script(r.path()).equals(script)
                    && r.receivedNanos() >= from)
        .mapToLong(RecordedRequest::receivedNanos)
        .min()
        .orElse(-1);
  }

  private static long arrivedWithin(List<RecordedRequest> requests, long from, long to) {
    return requests.stream()
        .filter(r -> r.receivedNanos() >= from && r.receivedNanos() < to)
        .filter(r -> !script(r.path()).equals(OutsideClient.SCRIPT))
        .count();
  }

  private static long percentile(List<Long> sorted, double q) {
    if (sorted.isEmpty()) {
      return -1;
    }
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.ceil(q * sorted.size()) - 1));
  }

  private static String ms(long nanos) {
    return nanos < 0 ? "—" : String.format(Locale.ROOT, "%.0f ms", nanos / 1e6);
  }

  // ------------------------------------------------------------------ reconcile overhead

  private void overhead() throws Exception {
    int resources = 10;
    try (OperatorProcess op = startOperator("overhead", p.pollInterval, Duration.ZERO);
        StatusTracker tracker = new StatusTracker(op.client)) {
      KubernetesClient client = op.client;
      FakeCloudflare fake = op.fake;
      String ns = "overhead";
      namespace(client, ns);
      client.resource(tokenSecret(ns, TOKEN)).create();
      List<String[]> versions = new ArrayList<>();
      for (int i = 0; i < resources; i++) {
        String name = "o" + i;
        versions.add(new String[] {fake.addVersion(ACCOUNT, name), fake.addVersion(ACCOUNT, name)});
        client
            .resource(workerDeployment(ns, name, ACCOUNT, name, versions.get(i)[0], 100))
            .create();
      }
      for (int i = 0; i < resources; i++) {
        tracker.awaitReadyAt(ns + "/o" + i, 1, Duration.ofMinutes(2));
      }
      // Paced so that 2 calls per change stay inside the operator's budget: this measures the
      // operator's own latency, not the budget's.
      Duration pace = Duration.ofNanos(p.window().toNanos() * 3 / p.effectiveBudget());
      int total = p.warmup + p.changes;
      long[] start = new long[total];
      long[] ready = new long[total];
      String[] scripts = new String[total];
      int[] step = new int[resources];
      for (int c = 0; c < total; c++) {
        int i = c % resources;
        String name = "o" + i;
        String[] v = versions.get(i);
        Object[] next =
            switch (step[i]++ % 3) {
              case 0 -> new Object[] {v[0], 90, v[1], 10};
              case 1 -> new Object[] {v[0], 50, v[1], 50};
              default -> new Object[] {v[0], 100};
            };
        long begin = System.nanoTime();
        WorkerDeployment changed =
            edit(client, ns, name, wd -> wd.getSpec().setVersions(split(next)));
        start[c] = begin;
        scripts[c] = name;
        ready[c] =
            tracker.awaitReadyAt(
                ns + "/" + name, changed.getMetadata().getGeneration(), Duration.ofMinutes(1));
        long wait = begin + pace.toNanos() - System.nanoTime();
        if (wait > 0) {
          OperatorProcess.sleep(Duration.ofNanos(wait));
        }
      }
      List<RecordedRequest> log = fake.requests();
      List<Long> toPost = new ArrayList<>();
      List<Long> toReady = new ArrayList<>();
      int missing = 0;
      for (int c = p.warmup; c < total; c++) {
        long from = start[c];
        long to = ready[c];
        String script = scripts[c];
        long post =
            log.stream()
                .filter(
                    r ->
                        r.method().equals("POST")
                            && script(r.path()).equals(script)
                            && r.receivedNanos() >= from
                            && r.receivedNanos() <= to)
                .mapToLong(RecordedRequest::receivedNanos)
                .min()
                .orElse(-1);
        if (post < 0) {
          missing++;
        } else {
          toPost.add(post - from);
        }
        toReady.add(to - from);
      }
      long limited = log.stream().filter(r -> r.status() == 429).count();
      md.append("## Reconcile overhead\n\n");
      md.append(
          String.format(
              Locale.ROOT,
              "%d spec changes (after %d warm-up changes) round-robin over %d resources, one at a"
                  + " time, fake latency 0 ms, paced to one change per %d ms to stay inside the"
                  + " budget. Measured from just before the client's update call to the POST"
                  + " reaching the fake, and to a watch seeing Ready=True at the new generation."
                  + " Includes the mock API server and watch delivery on a shared 2-core machine."
                  + " %d changes had no POST in between (%d 429s).%n%n",
              p.changes,
              p.warmup,
              resources,
              pace.toMillis(),
              missing,
              limited));
      md.append("| from spec change to | p50 | p95 | p99 | max |\n|---|---|---|---|---|\n");
      md.append(percentiles("POST reaches Cloudflare", toPost));
      md.append(percentiles("Ready=True in status", toReady));
      md.append('\n');
    }
  }

  private static String percentiles(String name, List<Long> nanos) {
    if (nanos.isEmpty()) {
      return "| " + name + " | — | — | — | — |\n";
    }
    long[] s = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    return String.format(
        Locale.ROOT,
        "| %s | %.1f ms | %.1f ms | %.1f ms | %.1f ms |%n",
        name,
        pct(s, 50) / 1e6,
        pct(s, 95) / 1e6,
        pct(s, 99) / 1e6,
        s[s.length - 1] / 1e6);
  }

  private static long pct(long[] sorted, int q) {
    int idx = (int) Math.ceil(q / 100.0 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(sorted.length - 1, idx))];
  }

  // ------------------------------------------------------------------ start-up

  /**
   * Start → ready of the packaged operator, {@code bench.startup-runs} times (default 5) with no
   * resources: process start until {@code /q/health/ready} answers UP, wall and CPU (user + system
   * of the operator process), one row per start and the mean. One start before them warms the
   * benchmark's own JVM, which serves the mock API server and the fake: its row is shown, not
   * counted (a cluster's API server is not cold when an operator starts).
   */
  private void startup() {
    int runs = Integer.parseInt(Params.prop("bench.startup-runs", "5"));
    md.append("## Start-up\n\n");
    md.append(
        "The operator started "
            + (runs == 1 ? "once" : runs + " times")
            + " with no resources, each against a new mock API server; from process start"
            + " to `/q/health/ready` UP. CPU is the operator's user + system time until then (it"
            + " depends much less than the wall time on what else runs on the machine). A"
            + " start before them (*warm-up*, not in the mean) warms the benchmark's own JVM,"
            + " which serves the mock API server and the fake: without it the first start also"
            + " waits for that JVM to compile its request handling.\n\n");
    md.append("| start | wall | CPU | load (1 min) |\n|---|---|---|---|\n");
    long wall = 0;
    long cpu = 0;
    for (int i = 0; i <= runs; i++) {
      String load = readOrEmpty("/proc/loadavg").trim().split(" ")[0];
      try (OperatorProcess op = startOperator("startup-" + i, p.pollInterval, Duration.ZERO)) {
        if (i > 0) {
          wall += op.startToReady.toMillis();
          cpu += op.cpuToReady.toMillis();
        }
        md.append(
            String.format(
                Locale.ROOT,
                "| %s | %.2f s | %.2f s | %s |%n",
                i == 0 ? "warm-up" : Integer.toString(i),
                op.startToReady.toMillis() / 1e3,
                op.cpuToReady.toMillis() / 1e3,
                load));
      }
    }
    md.append(
        String.format(
            Locale.ROOT, "| mean | %.2f s | %.2f s | |%n%n", wall / 1e3 / runs, cpu / 1e3 / runs));
  }

  // ------------------------------------------------------------------ unrelated Secrets

  /**
   * The operator's footprint in a namespace full of Secrets it has no use for (Helm release
   * history, TLS Secrets, service account tokens): N resources share one token Secret, then {@code
   * bench.secrets} other Secrets of {@code bench.secret-kib} KiB each are created, then the token
   * is rotated. Run once per JVM option set of {@code bench.secrets-jvm-args}.
   */
  private void unrelatedSecrets() throws Exception {
    md.append("## Unrelated Secrets\n\n");
    md.append(
        String.format(
            Locale.ROOT,
            "%,d resources sharing one token Secret are created and become Ready; then %,d other"
                + " Secrets of %d KiB each (random bytes, %s of Secret data in all) are created in"
                + " the same namespace while the operator runs; then the token is rotated (the"
                + " Secret's data changes to a new token the fake accepts). *Rotation* is the time"
                + " from the Secret update to every resource having called Cloudflare with the new"
                + " token: it also shows the operator has consumed every Secret event before it."
                + " Footprint as in the convergence table, measured after the rotation: *before*"
                + " = with the %,d resources Ready, before any other Secret exists; *after* = with"
                + " all Secrets present. \"OOM\" counts `OutOfMemoryError` lines in the operator's"
                + " log.%n%n",
            p.secretsResources,
            p.unrelatedSecrets,
            p.secretKib,
            mib((long) p.unrelatedSecrets * p.secretKib * 1024),
            p.secretsResources));
    md.append(
        "| operator JVM options | Secrets created in | rotation | operator alive | OOM | RSS before"
            + " | heap after GC before | RSS after | peak RSS | heap used after | heap after GC"
            + " after |\n");
    md.append("|---|---|---|---|---|---|---|---|---|---|---|\n");
    flush();
    for (String jvm : p.secretsJvmArgs) {
      unrelatedSecrets(List.of(jvm.split("\\s+")));
      flush();
    }
    md.append('\n');
  }

  private void unrelatedSecrets(List<String> jvmArgs) throws Exception {
    int n = p.secretsResources;
    String name = "secrets-" + String.join("", jvmArgs).replaceAll("[^A-Za-z0-9]", "");
    try (OperatorProcess op = startOperator(name, jvmArgs, p.pollInterval, p.latency);
        StatusTracker tracker = new StatusTracker(op.client)) {
      KubernetesClient client = op.client;
      FakeCloudflare fake = op.fake;
      String ns = "secrets";
      namespace(client, ns);
      client.resource(tokenSecret(ns, TOKEN)).create();
      for (int i = 0; i < n; i++) {
        String script = "s" + i;
        client
            .resource(
                workerDeployment(
                    ns, script, ACCOUNT, script, fake.addVersion(ACCOUNT, script), 100))
            .create();
      }
      long readyDeadline = System.nanoTime() + Duration.ofMinutes(5).toNanos();
      while (tracker.readyCount() < n && System.nanoTime() < readyDeadline) {
        OperatorProcess.sleep(Duration.ofMillis(100));
      }
      log(name + ": " + tracker.readyCount() + "/" + n + " Ready");
      op.fullGc();
      long rssBefore = op.rssBytes();
      long heapBefore = op.heapUsedBytes();

      long t0 = System.nanoTime();
      ExecutorService pool = Executors.newFixedThreadPool(8);
      java.util.concurrent.atomic.AtomicInteger failed =
          new java.util.concurrent.atomic.AtomicInteger();
      java.util.concurrent.atomic.AtomicInteger done =
          new java.util.concurrent.atomic.AtomicInteger();
      List<Future<?>> creates = new ArrayList<>();
      int bytes = p.secretKib * 1024;
      for (int i = 0; i < p.unrelatedSecrets; i++) {
        int idx = i;
        creates.add(
            pool.submit(
                () -> {
                  // The mock API server sends watch events while it holds its lock: a client
                  // that stops reading its watch (an operator out of memory) stalls every
                  // request. Stop creating once that happens.
                  if (failed.get() >= 16) {
                    return;
                  }
                  byte[] blob = new byte[bytes];
                  java.util.concurrent.ThreadLocalRandom.current().nextBytes(blob);
                  try {
                    client
                        .resource(
                            new io.fabric8.kubernetes.api.model.SecretBuilder()
                                .withNewMetadata()
                                .withName("unrelated-" + idx)
                                .withNamespace(ns)
                                .endMetadata()
                                .addToData(
                                    "blob", java.util.Base64.getEncoder().encodeToString(blob))
                                .build())
                        .create();
                    done.incrementAndGet();
                  } catch (RuntimeException e) {
                    failed.incrementAndGet();
                  }
                }));
      }
      for (Future<?> f : creates) {
        f.get();
      }
      pool.shutdown();
      Duration created = Duration.ofNanos(System.nanoTime() - t0);
      String createdText =
          done.get() == p.unrelatedSecrets
              ? human(created)
              : String.format(
                  Locale.ROOT,
                  "only %,d of %,d: the mock API server stalled after %s",
                  done.get(),
                  p.unrelatedSecrets,
                  human(created));
      log(name + ": Secrets created: " + createdText);

      String rotated = TOKEN + "-rotated";
      fake.addToken(rotated, "bench@example.com", ACCOUNT);
      String rotatedId = io.cfworkers.operator.cloudflare.Credential.apiToken(rotated).id();
      long r0 = System.nanoTime();
      boolean updated = true;
      try {
        client
            .secrets()
            .inNamespace(ns)
            .withName(SECRET_NAME)
            .edit(
                s -> {
                  s.setData(tokenSecret(ns, rotated).getData());
                  return s;
                });
      } catch (RuntimeException e) {
        updated = false;
        log(name + ": the token Secret could not be updated: " + e.getMessage());
      }
      Duration timeout = Duration.ofMinutes(3);
      Duration rotation = null;
      while (updated && System.nanoTime() - r0 < timeout.toNanos() && op.process.isAlive()) {
        long scripts =
            fake.requests().stream()
                .filter(r -> rotatedId.equals(r.credentialId()))
                .map(r -> script(r.path()))
                .distinct()
                .count();
        if (scripts >= n) {
          rotation = Duration.ofNanos(System.nanoTime() - r0);
          break;
        }
        OperatorProcess.sleep(Duration.ofMillis(50));
      }
      log(name + ": rotation " + (rotation == null ? "not seen" : human(rotation)));
      boolean alive = op.process.isAlive();
      long rss = op.rssBytes();
      long peak = op.peakRssBytes();
      long heap = op.heapUsedBytes();
      op.memoryReport(p.logs.resolve("memory-" + name + ".txt"));
      op.fullGc();
      long heapAfterGc = op.heapUsedBytes();
      long oom = countOom(p.logs.resolve("operator-" + name + ".log"));
      md.append(
          String.format(
              Locale.ROOT,
              "| `%s` | %s | %s | %s | %,d | %s | %s | %s | %s | %s | %s |%n",
              String.join(" ", jvmArgs),
              createdText,
              !updated
                  ? "Secret update failed"
                  : rotation == null ? "not within " + human(timeout) : human(rotation),
              alive ? "yes" : "no",
              oom,
              mib(rssBefore),
              mib(heapBefore),
              mib(rss),
              mib(peak),
              mib(heap),
              mib(heapAfterGc)));
    }
  }

  private static long countOom(Path logFile) {
    try (var lines = Files.lines(logFile)) {
      return lines.filter(l -> l.contains("OutOfMemoryError")).count();
    } catch (IOException | UncheckedIOException e) {
      return -1;
    }
  }

  // ------------------------------------------------------------------ helpers

  private static void namespace(KubernetesClient client, String ns) {
    client
        .namespaces()
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .create();
  }

  /**
   * A WorkerDeployment as {@code kubectl apply} creates it on a real cluster: with kubectl's {@code
   * last-applied-configuration} annotation (a JSON copy of the applied object) and {@code
   * metadata.managedFields}, one entry for kubectl's fields and one for the operator's status
   * writes, which a real API server adds on the first status write (the mock API server adds
   * neither, so the benchmark sends them with the create). Their size is what an informer's cache
   * holds per resource on a real cluster unless it drops them.
   */
  static WorkerDeployment workerDeployment(
      String namespace, String name, String accountId, String script, Object... split) {
    WorkerDeployment wd = Resources.workerDeployment(namespace, name, accountId, script, split);
    Map<String, Object> applied = new LinkedHashMap<>();
    applied.put("apiVersion", wd.getApiVersion());
    applied.put("kind", wd.getKind());
    applied.put("metadata", Map.of("annotations", Map.of(), "name", name, "namespace", namespace));
    applied.put("spec", wd.getSpec());
    wd.getMetadata()
        .setAnnotations(
            Map.of(
                "kubectl.kubernetes.io/last-applied-configuration",
                Serialization.asJson(applied) + "\n"));
    String time = "2026-11-29T18:00:00Z";
    wd.getMetadata()
        .setManagedFields(
            List.of(
                managedFields(
                    "kubectl-client-side-apply",
                    null,
                    time,
                    "{\"f:metadata\":{\"f:annotations\":{\".\":{},"
                        + "\"f:kubectl.kubernetes.io/last-applied-configuration\":{}}},"
                        + "\"f:spec\":{\".\":{},\"f:accountId\":{},\"f:auth\":{\".\":{},"
                        + "\"f:apiTokenSecretRef\":{\".\":{},\"f:key\":{},\"f:name\":{}}},"
                        + "\"f:scriptName\":{},\"f:strategy\":{},\"f:versions\":{}}}"),
                managedFields(
                    "fabric8-kubernetes-client",
                    "status",
                    time,
                    "{\"f:status\":{\".\":{},\"f:conditions\":{},\"f:createdOn\":{},"
                        + "\"f:deploymentId\":{},\"f:message\":{},\"f:observedGeneration\":{},"
                        + "\"f:source\":{},\"f:versionSummary\":{},\"f:versions\":{}}}")));
    return wd;
  }

  private static ManagedFieldsEntry managedFields(
      String manager, String subresource, String time, String fieldsV1) {
    Map<String, Object> entry = new LinkedHashMap<>();
    entry.put("apiVersion", "cfworkers.io/v1alpha1");
    entry.put("fieldsType", "FieldsV1");
    entry.put("fieldsV1", Serialization.unmarshal(fieldsV1, Map.class));
    entry.put("manager", manager);
    entry.put("operation", "Update");
    if (subresource != null) {
      entry.put("subresource", subresource);
    }
    entry.put("time", time);
    return Serialization.unmarshal(Serialization.asJson(entry), ManagedFieldsEntry.class);
  }

  private static WorkerDeployment edit(
      KubernetesClient client, String ns, String name, Consumer<WorkerDeployment> change) {
    return client
        .resources(WorkerDeployment.class)
        .inNamespace(ns)
        .withName(name)
        .edit(
            wd -> {
              change.accept(wd);
              return wd;
            });
  }

  private static void awaitAll(StatusTracker tracker, String ns, List<String> names, long gen) {
    for (String name : names) {
      tracker.awaitReadyAt(ns + "/" + name, gen, Duration.ofMinutes(3));
    }
  }

  private void row(String k, String v) {
    md.append("| ").append(k).append(" | ").append(v).append(" |\n");
  }

  private static String human(Duration d) {
    double s = d.toNanos() / 1e9;
    if (s >= 3600) {
      return String.format(Locale.ROOT, "%.1f h", s / 3600);
    }
    if (s >= 120) {
      return String.format(Locale.ROOT, "%.1f min", s / 60);
    }
    return String.format(Locale.ROOT, "%.1f s", s);
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "?" : String.format(Locale.ROOT, "%.0f MiB", bytes / 1024.0 / 1024.0);
  }

  private static String readOrEmpty(String path) {
    try {
      return Files.readString(Path.of(path));
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
  }

  private static void log(String message) {
    long uptime = ManagementFactory.getRuntimeMXBean().getUptime();
    System.out.printf(Locale.ROOT, "[bench %6.1fs] %s%n", uptime / 1000.0, message);
  }
}
