package io.cfworkers.operator.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The README shows what the repository really has, and CI runs the test command it gives. */
class ReadmeTest {
  private static final Path README = Path.of("README.md");

  private static String readme() throws IOException {
    return Files.readString(README);
  }

  private static List<String> fencedBlocks(String text, String language) {
    Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(text);
    return m.results().map(r -> r.group(1)).toList();
  }

  @Test
  void exampleResourceIsTheCanaryExampleFile() throws IOException {
    String example = Files.readString(Path.of("examples/workerdeployment-canary.yaml"));
    String withoutLeadingComments = example.replaceFirst("(?s)^(#[^\\n]*\\n)+", "");
    List<String> yaml = fencedBlocks(readme(), "yaml");
    assertTrue(
        yaml.contains(withoutLeadingComments),
        "README's example must be examples/workerdeployment-canary.yaml (without its leading"
            + " comment lines)");
  }

  @Test
  void ciRunsExactlyTheTestCommandTheReadmeGives() throws IOException {
    String firstBlock = fencedBlocks(readme(), "sh").get(0);
    String testCommand =
        firstBlock
            .lines()
            .dropWhile(l -> !l.startsWith("# Run the tests"))
            .skip(1)
            .findFirst()
            .orElseThrow();
    assertEquals("./mvnw -B verify", testCommand);
    List<String> ciCommands =
        Files.readAllLines(Path.of(".ci/run")).stream()
            .filter(
                l ->
                    !l.isBlank()
                        && !l.startsWith("#")
                        && !l.startsWith("set ")
                        && !l.startsWith("cd "))
            .toList();
    assertEquals(List.of(testCommand), ciCommands);
  }

  @Test
  void everyLinkedFileExists() throws IOException {
    Matcher links = Pattern.compile("\\]\\(([^)#]+)\\)").matcher(readme());
    links
        .results()
        .map(r -> r.group(1))
        .filter(target -> !target.startsWith("http"))
        .forEach(target -> assertTrue(Files.exists(Path.of(target)), "README links " + target));
    for (String path :
        List.of(
            "crds/workerdeployments.cfworkers.io-v1.yml",
            "examples/cloudflare-api-token-secret.yaml",
            "examples/workerdeployment-single.yaml",
            "helm/worker-deployment-operator/argocd/health.lua")) {
      assertTrue(readme().contains(path), "README names " + path);
      assertTrue(Files.exists(Path.of(path)), path + " exists");
    }
  }
}
