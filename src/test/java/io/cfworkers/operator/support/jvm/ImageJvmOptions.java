package io.cfworkers.operator.support.jvm;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The JVM options the container image runs the operator with: the image's {@code JDK_JAVA_OPTIONS},
 * set in application.properties. The chart's {@code jvm.options} default and the benchmark's {@code
 * bench.operator-jvm-args} default are these (HelmChartTest checks the chart, the benchmark reads
 * them from here), so the figures in docs/benchmark.md are the shipped settings'.
 */
public final class ImageJvmOptions {
  /** The image environment variable the java launcher reads its options from. */
  public static final String VARIABLE = "JDK_JAVA_OPTIONS";

  private static final String ENV_PREFIX = "quarkus.jib.environment-variables.";
  static final String PROPERTY = ENV_PREFIX + VARIABLE;

  private ImageJvmOptions() {}

  /** The options as one string, as the image's environment variable holds them. */
  public static String asString() {
    String value = applicationProperties().getProperty(PROPERTY);
    if (value == null || value.isBlank()) {
      throw new IllegalStateException("application.properties lacks " + PROPERTY);
    }
    return value.strip();
  }

  /** The options one by one. */
  public static List<String> asList() {
    return Arrays.stream(asString().split("\\s+")).toList();
  }

  /**
   * The other environment variables of the image that shape the process (MALLOC_ARENA_MAX), which
   * the benchmark gives the operator too.
   */
  public static Map<String, String> otherEnvironment() {
    Properties config = applicationProperties();
    Map<String, String> env = new TreeMap<>();
    for (String key : config.stringPropertyNames()) {
      if (key.startsWith(ENV_PREFIX) && !key.equals(PROPERTY)) {
        env.put(key.substring(ENV_PREFIX.length()), config.getProperty(key).strip());
      }
    }
    return env;
  }

  /** The image's entrypoint (quarkus.jib.jvm-entrypoint), comma-separated. */
  public static String entrypoint() {
    return applicationProperties().getProperty("quarkus.jib.jvm-entrypoint", "");
  }

  /** The options the entrypoint itself passes, between {@code java} and {@code -jar}. */
  public static List<String> entrypointOptions() {
    List<String> tokens = Arrays.asList(entrypoint().split(","));
    int jar = tokens.indexOf("-jar");
    return jar < 1 ? List.of() : tokens.subList(1, jar);
  }

  private static Properties applicationProperties() {
    Properties config = new Properties();
    try (Reader in =
        Files.newBufferedReader(Path.of("src", "main", "resources", "application.properties"))) {
      config.load(in);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return config;
  }
}
