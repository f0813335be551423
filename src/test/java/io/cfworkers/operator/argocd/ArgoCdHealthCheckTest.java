package io.cfworkers.operator.argocd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.luaj.vm2.LuaValue;

/**
 * Runs the chart's Argo CD health script in a real Lua interpreter against the fixtures listed in
 * health_test.yaml, the way Argo CD's own resource customization tests do: the resource is the
 * global {@code obj}, the script returns {status, message}.
 */
class ArgoCdHealthCheckTest {
  static final Path SCRIPT = Path.of("helm", "worker-deployment-operator", "argocd", "health.lua");
  private static final Path FIXTURES = Path.of("src", "test", "resources", "argocd", "health");
  private static final Set<String> ARGO_CD_STATUSES =
      Set.of("Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown");

  static Stream<Arguments> healthTests() throws IOException {
    Map<String, List<Map<String, Object>>> file =
        Serialization.unmarshal(Files.readString(FIXTURES.resolve("health_test.yaml")), Map.class);
    return file.get("tests").stream()
        .map(
            test -> {
              @SuppressWarnings("unchecked")
              Map<String, String> expected = (Map<String, String>) test.get("healthStatus");
              return Arguments.of(
                  test.get("inputPath"), expected.get("status"), expected.get("message"));
            });
  }

  @ParameterizedTest(name = "{0} is {1}")
  @MethodSource("healthTests")
  void reportsHealthOfFixture(String inputPath, String status, String message) throws IOException {
    Object resource =
        Serialization.unmarshal(Files.readString(FIXTURES.resolve(inputPath)), Map.class);

    LuaValue health = run(resource);

    assertEquals(status, health.get("status").tojstring(), inputPath);
    assertEquals(message, health.get("message").tojstring(), inputPath);
  }

  @Test
  void everyFixtureIsCoveredByATestCase() throws IOException {
    Set<String> listed =
        healthTests().map(a -> (String) a.get()[0]).collect(java.util.stream.Collectors.toSet());
    try (Stream<Path> files = Files.list(FIXTURES.resolve("testdata"))) {
      files.forEach(
          f -> assertTrue(listed.contains("testdata/" + f.getFileName()), "unlisted fixture " + f));
    }
  }

  @Test
  void returnsOnlyStatusesArgoCdKnows() throws IOException {
    for (Arguments test : healthTests().toList()) {
      assertTrue(ARGO_CD_STATUSES.contains((String) test.get()[1]), test.get()[1].toString());
    }
  }

  /** Argo CD's sandbox for scripts from argocd-cm (see {@link ArgoCdLua}). */
  private static LuaValue run(Object resource) throws IOException {
    return ArgoCdLua.run(SCRIPT, resource, Clock.systemUTC());
  }
}
