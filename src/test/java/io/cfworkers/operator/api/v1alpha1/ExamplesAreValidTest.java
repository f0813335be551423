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

  static Stream<Path> rolloutExamples() {
    return Stream.of(
        EXAMPLES.resolve("workerdeployment-rollout.yaml"),
        EXAMPLES.resolve("workerdeployment-rollout-next.yaml"));
  }

  /**
   * The rollout examples show a timed pause then a wait for a promote, on the script of the other
   * examples; and the CRD's rollout rules do apply to them: the same file with its steps' weights
   * swapped, or a second version, is refused.
   */
  @ParameterizedTest(name = "{0}")
  @MethodSource("rolloutExamples")
  void aRolloutExampleHasATimedPauseThenAPromoteAndTheRolloutRulesApply(Path file)
      throws IOException {
    String text = Files.readString(file);
    Map<String, Object> example = Manifest.parseAll(text).get(0);
    Map<String, Object> canary =
        Manifest.parseAll(Files.readString(EXAMPLES.resolve("workerdeployment-canary.yaml")))
            .get(0);
    assertEquals(canary.get("metadata"), example.get("metadata"), "the same resource");
    Map<?, ?> spec = (Map<?, ?>) example.get("spec");
    Map<?, ?> canarySpec = (Map<?, ?>) canary.get("spec");
    assertEquals(canarySpec.get("accountId"), spec.get("accountId"));
    assertEquals(canarySpec.get("scriptName"), spec.get("scriptName"));
    List<?> versions = (List<?>) spec.get("versions");
    assertEquals(1, versions.size(), "one target");
    assertEquals(100, ((Map<?, ?>) versions.get(0)).get("percentage"));
    List<?> steps = (List<?>) ((Map<?, ?>) spec.get("rollout")).get("steps");
    assertEquals(
        List.of(
            Map.of("weight", 10, "pause", Map.of("duration", "20s")),
            Map.of("weight", 50, "pause", Map.of())),
        steps);

    Map<String, Object> swapped =
        Manifest.parseAll(
                text.replace("- weight: 10", "- weight: 60")
                    .replace("- weight: 50", "- weight: 10"))
            .get(0);
    assertTrue(
        CRD.validate(swapped).stream()
            .anyMatch(e -> e.contains("weights must be strictly increasing")),
        () -> CRD.validate(swapped).toString());
    Map<String, Object> twoVersions =
        Manifest.parseAll(
                text.replace(
                    "      percentage: 100\n",
                    "      percentage: 90\n"
                        + "    - versionId: 182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e\n"
                        + "      percentage: 10\n"))
            .get(0);
    assertTrue(
        CRD.validate(twoVersions).stream().anyMatch(e -> e.contains("spec.rollout")),
        () -> CRD.validate(twoVersions).toString());
  }
}
