package io.cfworkers.operator.sandbox;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The packaged operator ({@code target/quarkus-app/quarkus-run.jar}, built by {@code ./mvnw
 * package}) running as a child process: exactly what the container image runs, configured through
 * environment variables. Its output goes, line by line, to a consumer.
 */
final class OperatorProcess implements AutoCloseable {
  static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar");
  private static final Duration STOP_GRACE = Duration.ofSeconds(10);

  /**
   * How many output lines a failure to start quotes: the last ones, and the error and "Caused by"
   * lines, which a stack trace pushes out of the last ones.
   */
  private static final int QUOTED_LINES = 20;

  private final Process process;
  private final CountDownLatch started = new CountDownLatch(1);
  private final Deque<String> lastLines = new ArrayDeque<>();
  private final Deque<String> errorLines = new ArrayDeque<>();

  private OperatorProcess(Process process) {
    this.process = process;
  }

  /**
   * Starts the operator and waits until Quarkus reports it started.
   *
   * @param environment variables added to (or replacing) this process's environment
   * @throws IllegalStateException when the jar is missing, or the operator exits or does not start
   *     within {@code startTimeout}
   */
  static OperatorProcess start(
      Path projectDir,
      Map<String, String> environment,
      Consumer<String> output,
      Duration startTimeout) {
    Path jar = projectDir.resolve(JAR);
    if (!Files.isRegularFile(jar)) {
      throw new IllegalStateException(
          jar
              + " is missing: build the operator first (./mvnw package, or ./mvnw -Psandbox package)");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder =
        new ProcessBuilder(List.of(java, "-jar", jar.toString()))
            .directory(projectDir.toFile())
            .redirectErrorStream(true);
    builder.environment().putAll(environment);
    Process process;
    try {
      process = builder.start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the operator", e);
    }
    OperatorProcess operator = new OperatorProcess(process);
    Thread pump =
        new Thread(
            () -> {
              try (BufferedReader reader =
                  new BufferedReader(
                      new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = reader.readLine()) != null) {
                  output.accept(line);
                  operator.remember(line);
                  // Quarkus's start line: "... (powered by Quarkus x) started in 1.234s. ..."
                  if (line.contains("started in")) {
                    operator.started.countDown();
                  }
                }
              } catch (IOException e) {
                // the process ended
              }
            },
            "operator-output");
    pump.setDaemon(true);
    pump.start();
    Instant deadline = Instant.now().plus(startTimeout);
    try {
      while (!operator.started.await(200, TimeUnit.MILLISECONDS)) {
        if (!process.isAlive()) {
          pump.join(1000);
          throw new IllegalStateException(
              "the operator exited with status "
                  + process.exitValue()
                  + " while starting; its last lines:\n"
                  + operator.lastLines());
        }
        if (Instant.now().isAfter(deadline)) {
          operator.close();
          throw new IllegalStateException("the operator did not start within " + startTimeout);
        }
      }
    } catch (InterruptedException e) {
      operator.close();
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while the operator was starting", e);
    }
    return operator;
  }

  private void remember(String line) {
    synchronized (lastLines) {
      keep(lastLines, line);
      if (line.contains(" ERROR ") || line.startsWith("Caused by:")) {
        keep(errorLines, line);
      }
    }
  }

  private static void keep(Deque<String> lines, String line) {
    if (lines.size() == QUOTED_LINES) {
      lines.removeFirst();
    }
    lines.addLast(line);
  }

  private String lastLines() {
    synchronized (lastLines) {
      return String.join("\n", errorLines) + "\n...\n" + String.join("\n", lastLines);
    }
  }

  long pid() {
    return process.pid();
  }

  boolean isAlive() {
    return process.isAlive();
  }

  /** Stops the operator: SIGTERM, then a kill after a grace period. Idempotent. */
  @Override
  public void close() {
    if (!process.isAlive()) {
      return;
    }
    process.destroy();
    try {
      if (!process.waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly().waitFor(STOP_GRACE.toMillis(), TimeUnit.MILLISECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }
}
