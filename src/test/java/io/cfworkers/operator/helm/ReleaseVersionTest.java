package io.cfworkers.operator.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Element;

/**
 * One version everywhere: the project version (pom.xml), the chart's version and appVersion, and
 * the image tag the build produces agree, and the chart's default image is the image the build
 * pushes. The packaged chart (what {@code ./mvnw package} writes) renders that image.
 */
class ReleaseVersionTest {
  private static final String DIGEST =
      "sha256:4f1c2b7a9d3e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8";

  @TempDir Path dir;

  static String projectVersion() throws Exception {
    Element project =
        DocumentBuilderFactory.newInstance()
            .newDocumentBuilder()
            .parse(Path.of("pom.xml").toFile())
            .getDocumentElement();
    for (var node = project.getFirstChild(); node != null; node = node.getNextSibling()) {
      if (node instanceof Element e && e.getTagName().equals("version")) {
        return e.getTextContent().strip();
      }
    }
    throw new AssertionError("pom.xml has no project version");
  }

  private static Map<?, ?> yaml(Path file) throws IOException {
    return Serialization.unmarshal(Files.readString(file), Map.class);
  }

  /** The image {@code -Dquarkus.container-image.build=true} produces, from the build's config. */
  private static String builtImage(String projectVersion) throws IOException {
    Properties config = new Properties();
    try (Reader in =
        Files.newBufferedReader(Path.of("src/main/resources/application.properties"))) {
      config.load(in);
    }
    return config.getProperty("quarkus.container-image.registry")
        + "/"
        + config.getProperty("quarkus.container-image.group")
        + "/"
        + config.getProperty("quarkus.container-image.name")
        + ":"
        + config.getProperty("quarkus.container-image.tag", projectVersion);
  }

  private static String image(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
  }

  @Test
  void chartVersionAppVersionAndImageTagAreTheProjectVersion() throws Exception {
    String version = projectVersion();
    Map<?, ?> chart = yaml(RenderedChart.CHART.resolve("Chart.yaml"));

    assertEquals(version, String.valueOf(chart.get("version")), "Chart.yaml version");
    assertEquals(version, String.valueOf(chart.get("appVersion")), "Chart.yaml appVersion");
    assertTrue(
        builtImage(version).endsWith(":" + version),
        "the build tags the image with the project version: " + builtImage(version));
  }

  @Test
  void chartDefaultImageIsTheImageTheBuildPushes() throws Exception {
    String built = builtImage(projectVersion());
    Map<?, ?> image = (Map<?, ?>) yaml(RenderedChart.CHART.resolve("values.yaml")).get("image");

    assertEquals(built.substring(0, built.lastIndexOf(':')), image.get("repository"));
    assertEquals(built, image(RenderedChart.render().single(Deployment.class)));
  }

  @Test
  void imageDigestPinsTheImageAndOverridesTheTag() {
    Deployment deployment =
        RenderedChart.render(Map.of("image.digest", DIGEST, "image.tag", "9.9.9"))
            .single(Deployment.class);

    assertEquals("ghcr.io/cfworkers/worker-deployment-operator@" + DIGEST, image(deployment));
  }

  @Test
  void aDigestThatIsNotSha256IsRefusedByTheSchema() {
    IllegalStateException failure =
        assertThrows(
            IllegalStateException.class,
            () -> RenderedChart.template(Map.of("image.digest", "latest")));

    assertTrue(
        failure.getMessage().contains("image.digest: Does not match pattern"),
        failure.getMessage());
  }

  @Test
  void packagedChartIsNamedAfterTheVersionAndRendersTheBuiltImage() throws Exception {
    String version = projectVersion();

    PackageChart.main(new String[] {RenderedChart.CHART.toString(), dir.toString(), version});

    Path archive = dir.resolve("worker-deployment-operator-" + version + ".tgz");
    assertTrue(Files.isRegularFile(archive), "helm package wrote " + archive);
    String rendered = new Helm(archive).template().withName("wdo").call();
    assertTrue(rendered.contains("image: \"" + builtImage(version) + "\""), rendered);
  }

  @Test
  void packagingRefusesAChartWhoseVersionIsNotTheProjectVersion() throws Exception {
    Path copy = dir.resolve("chart");
    try (Stream<Path> files = Files.walk(RenderedChart.CHART)) {
      for (Path source : files.sorted(Comparator.naturalOrder()).toList()) {
        Path target = copy.resolve(RenderedChart.CHART.relativize(source).toString());
        if (Files.isDirectory(source)) {
          Files.createDirectories(target);
        } else {
          Files.copy(source, target);
        }
      }
    }

    IllegalStateException failure =
        assertThrows(
            IllegalStateException.class,
            () -> PackageChart.main(new String[] {copy.toString(), dir.toString(), "9.9.9"}));

    assertTrue(
        failure.getMessage().contains("Chart.yaml version is " + projectVersion()),
        failure.getMessage());
    assertTrue(failure.getMessage().contains("project version (pom.xml) is 9.9.9"));
  }
}
