package io.cfworkers.operator.docs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.sandbox.Sandbox;
import io.cfworkers.operator.support.jvm.ImageJvmOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
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

  /** The commands of a block, without comments and blank lines. */
  private static List<String> commands(String block) {
    return block
        .lines()
        .map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .toList();
  }

  /** The text of the README section whose heading starts with {@code heading}, up to the next. */
  private static String section(String text, String heading) {
    int start = text.indexOf("\n" + heading);
    assertTrue(start >= 0, "README has a section " + heading);
    int end = text.indexOf("\n## ", start + 1);
    return text.substring(start, end < 0 ? text.length() : end);
  }

  @Test
  void opensWithTheSandboxCommandAndTheTestCommand() throws IOException {
    String opening = fencedBlocks(readme(), "sh").get(0);

    assertEquals(List.of("./mvnw -Psandbox package", "./mvnw -B verify"), commands(opening));
    assertTrue(
        readme().indexOf("```sh") < readme().indexOf("\n## "),
        "the commands come before the first section");
    String pom = Files.readString(Path.of("pom.xml"));
    assertTrue(pom.contains("<id>sandbox</id>"), "pom.xml has the sandbox profile");
    assertTrue(
        pom.contains("<argument>io.cfworkers.operator.sandbox.Sandbox</argument>"),
        "the sandbox profile runs the sandbox");
    assertTrue(
        Files.readString(Path.of("docs/sandbox.md")).contains("./mvnw -Psandbox package"),
        "docs/sandbox.md gives the same command");
  }

  @Test
  void sectionsComeInTheOrderAReaderNeedsThem() throws IOException {
    String text = readme();
    List<String> headings =
        List.of(
            "## What it is, and what it is not",
            "## From CI to Git",
            "## Try it without a cluster: the sandbox",
            "## Install");
    int previous = -1;
    for (String heading : headings) {
      int at = text.indexOf("\n" + heading);
      assertTrue(at > previous, heading + " comes after the previous section");
      previous = at;
    }
  }

  @Test
  void sandboxSectionShowsWhatTheSandboxPrints() throws IOException {
    String sandboxSection = section(readme(), "## Try it without a cluster: the sandbox");
    List<String> blocks = fencedBlocks(sandboxSection, "sh");
    assertEquals("./mvnw -Psandbox package", commands(blocks.get(0)).get(0));

    List<String> session = commands(blocks.get(1));
    String kubeconfigDefault =
        Files.readString(Path.of("pom.xml"))
            .replaceFirst(
                "(?s).*<sandbox.kubeconfig>\\$\\{project.build.directory}/([^<]+)</sandbox.kubeconfig>.*",
                "target/$1");
    assertEquals("export KUBECONFIG=$PWD/" + kubeconfigDefault, session.get(0));
    List<String> printed = new ArrayList<>(Sandbox.FIRST_SESSION);
    for (String command : session.subList(1, session.size())) {
      assertTrue(printed.contains(command), "the sandbox prints " + command);
    }
    for (String file : session.stream().flatMap(l -> Stream.of(l.split(" "))).toList()) {
      if (file.startsWith("examples/")) {
        assertTrue(Files.exists(Path.of(file)), file + " exists");
      }
    }
    for (String variable :
        List.of("CLOUDFLARE_API_BASE_URL", "CLOUDFLARE_API_TOKEN", "CLOUDFLARE_ACCOUNT_ID")) {
      assertTrue(sandboxSection.contains(variable), "the sandbox section names " + variable);
    }
    assertTrue(sandboxSection.contains("127.0.0.1"), "the sandbox section says where it listens");
  }

  /** Every file a user reads for installing: the README, docs/, the chart's NOTES. */
  private static List<Path> userDocs() throws IOException {
    List<Path> files = new ArrayList<>(List.of(README));
    try (Stream<Path> docs = Files.list(Path.of("docs"))) {
      docs.filter(p -> p.toString().endsWith(".md")).sorted().forEach(files::add);
    }
    files.add(Path.of("helm/worker-deployment-operator/templates/NOTES.txt"));
    files.add(Path.of("examples/cloudflare-api-token-secret.yaml"));
    return files;
  }

  @Test
  void oneCrdApplyCommandEverywhere() throws IOException {
    String command = "kubectl apply --server-side -f crds/workerdeployments.cfworkers.io-v1.yml";
    assertTrue(readme().contains(command), "the README gives " + command);
    for (Path file : userDocs()) {
      for (String line : Files.readAllLines(file)) {
        if (line.contains("kubectl apply") && line.contains("crds/")) {
          assertEquals(command, line.strip(), file + " applies the CRD with another command");
        }
      }
    }
  }

  @Test
  void tokenPermissionIsStatedLeastPrivilegeFirstEverywhere() throws IOException {
    for (Path file : userDocs()) {
      String text = Files.readString(file).replaceAll("\\s+", " ");
      int legacy = text.indexOf("Workers Scripts");
      if (legacy >= 0) {
        int editor = text.indexOf("\"Editor\"");
        assertTrue(
            editor >= 0 && editor < legacy,
            file + " names the Workers \"Editor\" role before \"Workers Scripts\"");
      }
    }
  }

  /** The README states the JVM options the image really has (application.properties). */
  @Test
  void statesTheImagesJvmOptions() throws IOException {
    String text = readme().replaceAll("\\s+", " ");
    assertTrue(
        text.contains("`" + ImageJvmOptions.asString() + "`"),
        () -> "README does not give the image's JDK_JAVA_OPTIONS: " + ImageJvmOptions.asString());
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
