package io.cfworkers.operator.helm;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.Helm;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * values.schema.json makes Helm refuse bad values before anything reaches the cluster, naming the
 * offending key. Each case is a values file a user could pass with {@code -f}.
 */
class HelmValuesSchemaTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          negative replicas            | replicas: -1                                 | replicas: Must be greater than or equal to 0
          numeric image tag            | image: {tag: 42}                             | image.tag: Invalid type. Expected: string, given: integer
          unknown top-level key        | replica: 2                                   | (root): Additional property replica is not allowed
          misspelt nested key          | leaderElection: {enable: false}              | leaderElection: Additional property enable is not allowed
          watchNamespaces not a list   | watchNamespaces: team-a                      | watchNamespaces: Invalid type. Expected: array, given: string
          invalid namespace name       | watchNamespaces: [Team_A]                    | watchNamespaces.0: Does not match pattern
          duplicate namespace          | watchNamespaces: [team-a, team-a]            | watchNamespaces: array items[0,1] must be unique
          unknown pull policy          | image: {pullPolicy: Sometimes}               | image.pullPolicy: image.pullPolicy must be one of the following: "Always", "IfNotPresent", "Never"
          poll interval not a duration | reconcile: {pollInterval: five minutes}      | reconcile.pollInterval: Does not match pattern
          zero request budget          | cloudflare: {rateLimit: {requests: 0}}       | cloudflare.rateLimit.requests: Must be greater than or equal to 1
          base URL without scheme      | cloudflare: {apiBaseUrl: api.cloudflare.com} | cloudflare.apiBaseUrl: Does not match pattern
          unknown log level            | log: {level: LOUD}                           | log.level: log.level must be one of the following
          leader election as a string  | leaderElection: {enabled: "yes"}             | leaderElection.enabled: Invalid type. Expected: boolean, given: string
          metrics Service exposed      | service: {type: LoadBalancer}                | service.type: service.type must be one of the following: "ClusterIP"
          zero reconciler threads      | reconcile: {threads: 0}                      | reconcile.threads: Must be greater than or equal to 1
          settle time not a duration   | reconcile: {settleTime: a minute}            | reconcile.settleTime: Does not match pattern
          zero budget slices           | cloudflare: {rateLimit: {slices: 0}}         | cloudflare.rateLimit.slices: Must be greater than or equal to 1
          JVM option without a dash    | jvm: {options: "-Xss256k UseSerialGC"}      | jvm.options: Does not match pattern
          spread without a key         | topologySpreadConstraints: [{maxSkew: 1, whenUnsatisfiable: ScheduleAnyway}] | topologySpreadConstraints.0: topologyKey is required
          """)
  void rejectsBadValuesNamingTheKey(String reason, String values, String expectedMessage)
      throws IOException {
    Path file = Files.writeString(dir.resolve("values.yaml"), values + "\n");

    IllegalStateException failure =
        assertThrows(IllegalStateException.class, () -> template(file), reason);

    assertTrue(
        failure.getMessage().contains("values don't meet the specifications of the schema"),
        failure.getMessage());
    assertTrue(failure.getMessage().contains(expectedMessage), failure.getMessage());
  }

  @Test
  void acceptsWellFormedValuesOfEveryKind() throws IOException {
    Path file =
        Files.writeString(
            dir.resolve("values.yaml"),
            """
            replicas: 3
            image: {tag: "1.2.3"}
            watchNamespaces: [team-a, team-b]
            cloudflare:
              apiBaseUrl: https://api.cloudflare.com/client/v4
              requestTimeout: PT30S
              rateLimit: {requests: 600, period: 5m}
            reconcile: {pollInterval: 90s}
            log: {level: DEBUG, operatorLevel: TRACE}
            podDisruptionBudget: {enabled: true, minAvailable: 50%}
            """);

    String rendered = template(file);

    assertTrue(rendered.contains("replicas: 3"), rendered);
    assertTrue(rendered.contains("minAvailable: 50%"), rendered);
  }

  private static String template(Path valuesFile) {
    return new Helm(RenderedChart.CHART)
        .template()
        .withName(RenderedChart.RELEASE)
        .withNamespace(RenderedChart.NAMESPACE)
        .withValuesFile(valuesFile)
        .call();
  }
}
