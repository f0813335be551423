package io.cfworkers.operator.api.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cfworkers.operator.api.crd.PrinterColumnOrder;
import io.fabric8.crdv2.generator.CRDGenerator;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The committed CRD is exactly what fabric8's CRD generator makes of the Java model. The model is
 * the single source of truth; {@code crds/} holds its generated copy for kubectl and Helm.
 *
 * <p>To regenerate after changing the model: {@code ./mvnw -B -q test -Dtest=CrdIsUpToDateTest
 * -Dcrd.update=true}.
 */
class CrdIsUpToDateTest {
  static final String FILE_NAME = "workerdeployments.cfworkers.io-v1.yml";
  static final Path COMMITTED = Path.of("crds", FILE_NAME);
  static final String REGENERATE = "./mvnw -B -q test -Dtest=CrdIsUpToDateTest -Dcrd.update=true";

  /** Where the operator SDK's own generator writes at build time (quarkus-maven-plugin build). */
  static final Path OPERATOR_SDK_OUTPUT = Path.of("target", "kubernetes", FILE_NAME);

  @Test
  void committedCrdIsExactlyWhatTheGeneratorMakesOfTheModel(@TempDir Path dir) throws IOException {
    String generated = generate(dir);
    if (Boolean.getBoolean("crd.update")) {
      Files.createDirectories(COMMITTED.getParent());
      Files.writeString(COMMITTED, generated, StandardCharsets.UTF_8);
    }
    assertTrue(Files.exists(COMMITTED), COMMITTED + " is missing; create it with: " + REGENERATE);
    assertEquals(
        generated,
        Files.readString(COMMITTED, StandardCharsets.UTF_8),
        COMMITTED
            + " is stale (the Java model in api/v1alpha1 changed); regenerate it with: "
            + REGENERATE);
  }

  @Test
  void operatorSdkBuildGeneratesTheSameCrd() throws IOException {
    assumeTrue(
        Files.exists(OPERATOR_SDK_OUTPUT),
        "no operator SDK build output in target/kubernetes yet (written by ./mvnw package, or"
            + " by @QuarkusTest once a reconciler owns the resource)");
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    assertEquals(
        yaml.readTree(COMMITTED.toFile()),
        yaml.readTree(OPERATOR_SDK_OUTPUT.toFile()),
        OPERATOR_SDK_OUTPUT
            + " (the operator SDK's generator, run by ./mvnw package and by @QuarkusTest) differs"
            + " from "
            + COMMITTED
            + "; if it is left over from an older build, rebuild with ./mvnw -B package");
  }

  static String generate(Path dir) throws IOException {
    new CRDGenerator()
        .inOutputDir(dir.toFile())
        .forCRDVersions("v1")
        .withPostProcessor(new PrinterColumnOrder())
        .customResourceClasses(WorkerDeployment.class)
        .generate();
    return Files.readString(dir.resolve(FILE_NAME), StandardCharsets.UTF_8);
  }
}
