package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cfworkers.operator.api.v1alpha1.WorkerDeployment;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentStatus;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which updates start a reconciliation: spec, deletion and cfworkers.io/ annotations only. */
class RequestFilterTest {
  static Stream<Arguments> updates() {
    return Stream.of(
        Arguments.of("a new generation (spec changed)", wd(1, Map.of()), wd(2, Map.of()), true),
        Arguments.of(
            "a status write (the operator's own): ignored",
            wd(1, Map.of()),
            withStatus(wd(1, Map.of())),
            false),
        Arguments.of(
            "a promote request", wd(1, Map.of()), wd(1, Map.of("cfworkers.io/promote", "1")), true),
        Arguments.of(
            "a new value of the same request",
            wd(1, Map.of("cfworkers.io/promote", "1")),
            wd(1, Map.of("cfworkers.io/promote", "2")),
            true),
        Arguments.of(
            "the hold removed", wd(1, Map.of("cfworkers.io/hold", "INC-1")), wd(1, Map.of()), true),
        Arguments.of(
            "another tool's annotation: ignored",
            wd(1, Map.of()),
            wd(1, Map.of("argocd.argoproj.io/tracking-id", "x")),
            false),
        Arguments.of(
            "an unchanged request beside another tool's change: ignored",
            wd(1, Map.of("cfworkers.io/promote", "1")),
            wd(1, Map.of("cfworkers.io/promote", "1", "kubectl.kubernetes.io/x", "y")),
            false),
        Arguments.of("marked for deletion", wd(1, Map.of()), deleting(wd(1, Map.of())), true));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("updates")
  void accepts(String why, WorkerDeployment older, WorkerDeployment newer, boolean reconciles) {
    assertEquals(reconciles, new RequestFilter().accept(newer, older));
  }

  static WorkerDeployment wd(long generation, Map<String, String> annotations) {
    WorkerDeployment wd = new WorkerDeployment();
    wd.setMetadata(
        new ObjectMetaBuilder()
            .withName("app")
            .withNamespace("ns")
            .withGeneration(generation)
            .withAnnotations(annotations)
            .build());
    return wd;
  }

  static WorkerDeployment withStatus(WorkerDeployment wd) {
    WorkerDeploymentStatus s = new WorkerDeploymentStatus();
    s.setDeploymentId("d-1");
    wd.setStatus(s);
    return wd;
  }

  static WorkerDeployment deleting(WorkerDeployment wd) {
    wd.getMetadata().setDeletionTimestamp("2026-11-29T12:00:00Z");
    return wd;
  }
}
