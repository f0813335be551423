package io.cfworkers.operator.api.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.support.crd.CrdValidator;
import io.cfworkers.operator.support.crd.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every WorkerDeployment in examples/ passes the committed CRD's schema and CEL rules. */
class ExamplesAreValidTest {
  static final Path EXAMPLES = Path.of("examples");
  static final CrdValidator CRD = CrdValidator.fromCrdFile(CrdIsUpToDateTest.COMMITTED);

  static Stream<Path> exampleFiles() throws IOException {
    try (Stream<Path> files = Files.list(EXAMPLES)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList().stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("exampleFiles")
  void everyWorkerDeploymentInTheExampleIsAdmitted(Path file) throws IOException {
    for (Map<String, Object> document : Manifest.parseAll(Files.readString(file))) {
      if ("WorkerDeployment".equals(document.get("kind"))) {
        assertEquals(
            "cfworkers.io/" + WorkerDeployment.VERSION,
            document.get("apiVersion"),
            file + ": apiVersion");
        assertEquals(List.of(), CRD.validate(document), file + " is rejected by the CRD");
      }
    }
  }

  @Test
  void examplesIncludeSingleAndCanaryDeploymentsAndTheirSecret() throws IOException {
    List<Path> files = exampleFiles().toList();
    assertTrue(files.contains(EXAMPLES.resolve("workerdeployment-single.yaml")), files::toString);
    assertTrue(files.contains(EXAMPLES.resolve("workerdeployment-canary.yaml")), files::toString);
    assertTrue(files.contains(EXAMPLES.resolve("workerdeployment-tags.yaml")), files::toString);
    Map<String, Object> secret =
        Manifest.parseAll(Files.readString(EXAMPLES.resolve("cloudflare-api-token-secret.yaml")))
            .get(0);
    assertEquals("Secret", secret.get("kind"));
    // The Secret the examples reference, in their namespace, with the key they name.
    assertEquals(Map.of("name", "cloudflare-api", "namespace", "shop"), secret.get("metadata"));
    assertTrue(((Map<?, ?>) secret.get("stringData")).containsKey("token"));
  }
}
