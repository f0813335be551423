package io.cfworkers.operator.bench;

import io.cfworkers.operator.support.cloudflare.FakeCloudflare;
import io.cfworkers.operator.support.jvm.ImageJvmOptions;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.quarkus.test.kubernetes.client.KubernetesServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The operator as it ships: the packaged Quarkus application ({@code quarkus-run.jar}) started as a
 * child JVM, pointed at a fabric8 mock API server (CRUD mode) and a {@link FakeCloudflare}, both
 * running in this (the benchmark's) JVM. Footprint figures are therefore the operator's alone.
 */
final class OperatorProcess implements AutoCloseable {
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  final KubernetesServer kube;
  final KubernetesClient client;
  final FakeCloudflare fake;
  final Process process;
  final Duration startToReady;

  /**
   * CPU time (user + system) the operator used from its start until ready: unlike {@link
   * #startToReady} it hardly depends on what else runs on the machine.
   */
  final Duration cpuToReady;

  private final int httpPort;
  private final List<String> jvmArgs;

  /** The JVM running the operator, whose jcmd asks it for memory reports. */
  private final OperatorJvm jvm;

  private OperatorProcess(
      KubernetesServer kube,
      FakeCloudflare fake,
      Process process,
      Duration startToReady,
      Duration cpuToReady,
      int httpPort,
      List<String> jvmArgs,
      OperatorJvm jvm) {
    this.kube = kube;
    // The mock API server shares a loaded 2-core machine with the operator: at 5,000 resources a
    // create can take more than the client's default 10 s, which used to end the whole run.
    this.client =
        new KubernetesClientBuilder()
            .withConfig(
                new ConfigBuilder(kube.getClient().getConfiguration())
                    .withRequestTimeout((int) Duration.ofMinutes(1).toMillis())
                    .build())
            .build();
    this.fake = fake;
    this.process = process;
    this.startToReady = startToReady;
    this.cpuToReady = cpuToReady;
    this.httpPort = httpPort;
    this.jvmArgs = List.copyOf(jvmArgs);
    this.jvm = jvm;
  }

  /**
   * Starts the mock API server, the fake, then the operator with {@code config} as system
   * properties, and waits until its readiness endpoint answers UP (informers synced).
   */
  static OperatorProcess start(
      Path jar, List<String> jvmArgs, Map<String, String> config, Path logFile) {
    KubernetesServer kube =
        new KubernetesServer(false, true, InetAddress.getLoopbackAddress(), 0, List.of());
    kube.before();
    FakeCloudflare fake = FakeCloudflare.start();
    int port = freePort();
    Map<String, String> props = new LinkedHashMap<>();
    String master = kube.getClient().getConfiguration().getMasterUrl();
    props.put("kubernetes.master", master);
    props.put("quarkus.kubernetes-client.api-server-url", master);
    props.put("kubernetes.trust.certificates", "true");
    props.put("quarkus.kubernetes-client.trust-certs", "true");
    props.put("kubernetes.auth.tryKubeConfig", "false");
    props.put("kubernetes.auth.tryServiceAccount", "false");
    props.put("kubernetes.namespace", "default");
    props.put("http2.disable", "true");
    props.put("quarkus.http.port", Integer.toString(port));
    props.put("cfworkers.cloudflare.base-url", fake.baseUrl());
    props.putAll(config);
    List<String> command = new ArrayList<>();
    OperatorJvm jvm = OperatorJvm.configured();
    command.add(jvm.tool("java").toString());
    command.addAll(jvmArgs);
    command.addAll(ImageJvmOptions.entrypointOptions());
    if (Files.isRegularFile(jvm.archive(jar))) {
      // The training run's archive (AppCdsTraining). The JVM checks the class path the archive was
      // made with (quarkus-run.jar, relative), so the jar runs from its directory.
      command.add(jvm.useArchive(jar));
    }
    props.forEach((k, v) -> command.add("-D" + k + "=" + v));
    command.add("-jar");
    command.add(jar.getFileName().toString());
    try {
      Files.createDirectories(logFile.getParent());
      long t0 = System.nanoTime();
      ProcessBuilder builder =
          new ProcessBuilder(command)
              .directory(jar.toAbsolutePath().getParent().toFile())
              .redirectErrorStream(true)
              .redirectOutput(logFile.toFile());
      // The image's environment (MALLOC_ARENA_MAX); its JVM options are in jvmArgs.
      builder.environment().putAll(ImageJvmOptions.otherEnvironment());
      Process process = builder.start();
      Runtime.getRuntime().addShutdownHook(new Thread(process::destroyForcibly));
      awaitReady(process, port, Duration.ofMinutes(3));
      Duration startToReady = Duration.ofNanos(System.nanoTime() - t0);
      Duration cpuToReady = cpuTime(process.pid());
      return new OperatorProcess(kube, fake, process, startToReady, cpuToReady, port, jvmArgs, jvm);
    } catch (IOException e) {
      fake.close();
      kube.after();
      throw new UncheckedIOException(e);
    }
  }

  private static void awaitReady(Process process, int port, Duration timeout) {
    URI ready = URI.create("http://127.0.0.1:" + port + "/q/health/ready");
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (!process.isAlive()) {
        throw new IllegalStateException("operator exited with " + process.exitValue());
      }
      try {
        HttpResponse<String> r =
            HTTP.send(
                HttpRequest.newBuilder(ready).timeout(Duration.ofSeconds(2)).build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
      sleep(Duration.ofMillis(25));
    }
    throw new IllegalStateException("operator not ready within " + timeout);
  }

  /** Resident set size of the operator process, from /proc/PID/status (VmRSS), in bytes. */
  long rssBytes() {
    return procStatusKb("VmRSS:") * 1024;
  }

  /** Peak resident set size (VmHWM), in bytes. */
  long peakRssBytes() {
    return procStatusKb("VmHWM:") * 1024;
  }

  private long procStatusKb(String field) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/" + process.pid() + "/status"))) {
        if (line.startsWith(field)) {
          return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]);
        }
      }
      return -1;
    } catch (IOException e) {
      return -1;
    }
  }

  /** User + system CPU time the operator process has used so far, from /proc/PID/stat. */
  Duration cpuTime() {
    return cpuTime(process.pid());
  }

  private static Duration cpuTime(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // Fields 14 and 15 of stat (utime, stime), counted after "pid (comm) ": indexes 11, 12.
      long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      return Duration.ofMillis(ticks * 1000 / 100);
    } catch (IOException | RuntimeException e) {
      return Duration.ZERO;
    }
  }

  /** The operator's /q/metrics lines of {@code metric} (without comments), joined by "; ". */
  String metricLines(String metric) {
    return scrape()
        .map(
            body ->
                String.join(
                    "; ",
                    body.lines()
                        .filter(
                            line -> line.startsWith(metric + "{") || line.startsWith(metric + " "))
                        .toList()))
        .orElse("");
  }

  /** JVM heap in use (sum of the heap pools), from the operator's own /q/metrics; -1 if unread. */
  long heapUsedBytes() {
    return scrape()
        .map(
            body ->
                (long)
                    body.lines()
                        .filter(
                            line ->
                                line.startsWith("jvm_memory_used_bytes{")
                                    && line.contains("area=\"heap\""))
                        .mapToDouble(
                            line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                        .sum())
        .orElse(-1L);
  }

  /** The operator's /q/metrics, or empty when it does not answer (a figure is then left out). */
  private Optional<String> scrape() {
    try {
      return Optional.of(
          HTTP.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/q/metrics"))
                      .timeout(Duration.ofSeconds(10))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .body());
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    }
  }

  /**
   * Where the operator's memory is: writes {@code jcmd VM.native_memory summary} (when the operator
   * runs with {@code -XX:NativeMemoryTracking}) and the top of the heap's class histogram to {@code
   * file}, for reading by hand (docs/benchmark.md, "Footprint").
   */
  void memoryReport(Path file) {
    StringBuilder out = new StringBuilder();
    if (jvmArgs.stream().anyMatch(a -> a.startsWith("-XX:NativeMemoryTracking="))) {
      out.append(jcmd("VM.native_memory", "summary"));
    }
    String histogram = jcmd("GC.class_histogram");
    histogram.lines().limit(45).forEach(l -> out.append(l).append('\n'));
    if (Boolean.parseBoolean(System.getProperty("bench.heap-dump", ""))) {
      // The live objects only (the dump starts with a full collection), next to the report.
      String name = file.getFileName().toString().replaceFirst("\\.txt$", "") + ".hprof";
      out.append(jcmd("GC.heap_dump", file.toAbsolutePath().resolveSibling(name).toString()));
    }
    try {
      Files.createDirectories(file.getParent());
      Files.writeString(file, out);
    } catch (IOException e) {
      System.out.println("memory report not written: " + e);
    }
  }

  private String jcmd(String... command) {
    List<String> args = new ArrayList<>();
    args.add(jvm.tool("jcmd").toString());
    args.add(Long.toString(process.pid()));
    args.addAll(List.of(command));
    try {
      Process jcmd = new ProcessBuilder(args).redirectErrorStream(true).start();
      String text = new String(jcmd.getInputStream().readAllBytes());
      jcmd.waitFor(60, TimeUnit.SECONDS);
      return text;
    } catch (IOException e) {
      return "jcmd " + String.join(" ", command) + " failed: " + e + "\n";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "";
    }
  }

  /** Asks the operator JVM for a full collection (jcmd GC.run), so heap shows the live set. */
  void fullGc() {
    try {
      Process jcmd =
          new ProcessBuilder(jvm.tool("jcmd").toString(), Long.toString(process.pid()), "GC.run")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      jcmd.waitFor(60, TimeUnit.SECONDS);
      sleep(Duration.ofSeconds(1));
    } catch (IOException e) {
      // reported as a heap figure taken without the collection
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(20, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    fake.close();
    client.close();
    try {
      kube.after();
    } catch (RuntimeException e) {
      // The mock server cannot close while a request is stuck; the next run starts a new one.
      System.out.println("mock API server did not close cleanly: " + e);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static void sleep(Duration d) {
    try {
      Thread.sleep(d.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
