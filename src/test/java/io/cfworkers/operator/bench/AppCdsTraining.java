package io.cfworkers.operator.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Builds the class archive the benchmark's operator starts with, by a training run: the packaged
 * operator is started against the mock API server and the fake Cloudflare (as {@link
 * OperatorProcess} does for every measured run), left to become ready, and stopped. The JVM writes,
 * at its exit, every class the start-up loaded: besides what Quarkus's own archive holds (static
 * initialisation only), the fabric8 client, Jackson, Vert.x/Netty and the informers' classes
 * (docs/benchmark.md, "Start-up"). On the JDK the operator runs on ({@link OperatorJvm}): before
 * JDK 25 a dynamic AppCDS archive ({@code -XX:ArchiveClassesAtExit}, {@code app-cds.jsa}, linked
 * classes only), from JDK 25 an AOT cache ({@code -XX:AOTCacheOutput}, {@code app.aot}, linked or
 * not).
 *
 * <p>The archive is written next to {@code quarkus-run.jar}, replacing one made before. It fits
 * only the JVM build that made it and this jar; with any other the JVM says so and starts without
 * it.
 */
public final class AppCdsTraining {
  /** How long the JVM may take to write the archive once asked to stop. */
  private static final Duration DUMP_TIMEOUT = Duration.ofMinutes(3);

  private AppCdsTraining() {}

  public static void main(String[] args) {
    try {
      Path jar = Path.of(System.getProperty("bench.jar", "target/quarkus-app/quarkus-run.jar"));
      Path logs = Path.of(System.getProperty("bench.logs", "target/bench"));
      String jvmArgs = System.getProperty("bench.operator-jvm-args", "");
      train(
          jar,
          jvmArgs.isBlank() ? OperatorBenchmark.Params.defaultJvmArgs() : jvmArgs.strip(),
          logs.resolve("operator-appcds-training.log"));
      System.exit(0);
    } catch (Exception | Error e) {
      e.printStackTrace();
      System.exit(1);
    }
  }

  /**
   * Runs the training and returns the archive. Any archive already next to the jar is removed
   * first: a dynamic archive is made on top of the JDK's own, not on top of another one.
   */
  static Path train(Path jar, String jvmArgs, Path logFile) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(jar + " missing: run the package phase first");
    }
    OperatorJvm jvm = OperatorJvm.configured();
    Path archive = jvm.archive(jar);
    Files.deleteIfExists(archive);
    List<String> args = new ArrayList<>(List.of(jvmArgs.split("\\s+")));
    args.addAll(jvm.writeArchive(jar));
    long t0 = System.nanoTime();
    try (OperatorProcess op = OperatorProcess.start(jar, args, Map.of(), logFile)) {
      System.out.printf(
          "training run ready in %d ms (%d ms CPU); stopping it so that it writes %s%n",
          op.startToReady.toMillis(), op.cpuToReady.toMillis(), archive.getFileName());
      // A normal exit (SIGTERM, Quarkus's shutdown) writes the archive; that takes a while.
      op.process.destroy();
      if (!op.process.waitFor(DUMP_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
        throw new IllegalStateException(
            "training run did not exit within " + DUMP_TIMEOUT + ": no archive written");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
    if (!Files.isRegularFile(archive)) {
      throw new IllegalStateException(
          "training run exited but wrote no " + archive + " (see " + logFile + ")");
    }
    System.out.printf(
        "wrote %s (%d MiB) in %d s%n",
        archive, Files.size(archive) >> 20, Duration.ofNanos(System.nanoTime() - t0).toSeconds());
    return archive;
  }
}
