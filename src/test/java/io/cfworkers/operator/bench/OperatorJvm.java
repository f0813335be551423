package io.cfworkers.operator.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The JVM the benchmark runs the packaged operator with, and the class archive that JVM starts
 * from. By default the benchmark's own JVM; {@code bench.operator-java-home} names another (the
 * image's JDK, say), so the operator is measured on the runtime it ships with while the mock API
 * server and the fake stay on the benchmark's.
 *
 * <p>The archive is made by a training run ({@link AppCdsTraining}) and fits only the JVM build
 * that made it: on JDK 25 and later an AOT cache ({@code app.aot}, JEP 483/514/515: classes loaded
 * and linked, and method profiles), before that a dynamic AppCDS archive ({@code app-cds.jsa},
 * loaded classes only).
 */
record OperatorJvm(Path home, int feature) {
  private static final Pattern JAVA_VERSION = Pattern.compile("JAVA_VERSION=\"(\\d+)");

  /** The JVM {@code bench.operator-java-home} names, or the benchmark's own. */
  static OperatorJvm configured() {
    String home = System.getProperty("bench.operator-java-home", "");
    return of(Path.of(home.isBlank() ? System.getProperty("java.home") : home.strip()));
  }

  /** Reads the feature version from the JDK's {@code release} file. */
  static OperatorJvm of(Path home) {
    Path release = home.resolve("release");
    try {
      Matcher m = JAVA_VERSION.matcher(Files.readString(release));
      if (!m.find()) {
        throw new IllegalStateException(release + " has no JAVA_VERSION line");
      }
      return new OperatorJvm(home, Integer.parseInt(m.group(1)));
    } catch (IOException e) {
      throw new UncheckedIOException(
          "bench.operator-java-home: " + home + " is not a JDK (no readable release file)", e);
    }
  }

  Path tool(String name) {
    return home.resolve("bin").resolve(name);
  }

  /** An AOT cache (JDK 25: one training run writes it) rather than a dynamic CDS archive. */
  boolean aotCache() {
    return feature >= 25;
  }

  /** The archive next to {@code quarkus-run.jar}. */
  Path archive(Path jar) {
    return jar.toAbsolutePath().resolveSibling(aotCache() ? "app.aot" : "app-cds.jsa");
  }

  /**
   * The option that starts the operator from its archive. Relative: the archive records the class
   * path it was made with (quarkus-run.jar), so the operator runs from the jar's folder.
   */
  String useArchive(Path jar) {
    String name = archive(jar).getFileName().toString();
    return aotCache() ? "-XX:AOTCache=" + name : "-XX:SharedArchiveFile=" + name;
  }

  /** The options of the training run that writes the archive at exit. */
  List<String> writeArchive(Path jar) {
    String name = archive(jar).getFileName().toString();
    return aotCache()
        ? List.of("-XX:AOTCacheOutput=" + name)
        : List.of("-XX:ArchiveClassesAtExit=" + name);
  }

  @Override
  public String toString() {
    return "JDK " + feature + " (" + home.getFileName() + ")";
  }
}
