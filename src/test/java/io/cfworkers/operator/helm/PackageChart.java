package io.cfworkers.operator.helm;

import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Packages the Helm chart with real Helm (helm-java), as {@code helm package} does: run by {@code
 * ./mvnw package}, it writes {@code <destination>/<chart>-<version>.tgz}. It refuses to package a
 * chart whose {@code version} or {@code appVersion} differs from the project version, so the
 * published chart always points at the image the same build produces.
 *
 * <p>Arguments: the chart directory, the destination directory, the project version.
 */
public final class PackageChart {
  private PackageChart() {}

  public static void main(String[] args) throws IOException {
    if (args.length != 3) {
      throw new IllegalArgumentException("usage: PackageChart <chart dir> <destination> <version>");
    }
    Path chart = Path.of(args[0]);
    Path destination = Path.of(args[1]);
    String projectVersion = args[2];
    String chartYaml = Files.readString(chart.resolve("Chart.yaml"));
    for (String field : new String[] {"version", "appVersion"}) {
      String value = field(chartYaml, field);
      if (!projectVersion.equals(value)) {
        throw new IllegalStateException(
            "Chart.yaml "
                + field
                + " is "
                + value
                + " but the project version (pom.xml) is "
                + projectVersion
                + ": they must be equal, see docs/releasing.md");
      }
    }
    Files.createDirectories(destination);
    new Helm(chart).packageIt().withDestination(destination).call();
    Path archive = destination.resolve(field(chartYaml, "name") + "-" + projectVersion + ".tgz");
    if (!Files.isRegularFile(archive)) {
      throw new IllegalStateException("helm package did not write " + archive);
    }
    System.out.println("Packaged the Helm chart: " + archive);
  }

  /** A top-level scalar of Chart.yaml, quotes removed; null when absent. */
  static String field(String chartYaml, String name) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(name) + ":\\s*\"?([^\"\\s#]+)\"?")
            .matcher(chartYaml);
    return m.find() ? m.group(1) : null;
  }
}
