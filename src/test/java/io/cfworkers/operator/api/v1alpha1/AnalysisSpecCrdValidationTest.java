package io.cfworkers.operator.api.v1alpha1;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.cfworkers.operator.support.crd.CrdValidator;
import io.cfworkers.operator.support.crd.CrdValidator.Admission;
import io.cfworkers.operator.support.crd.CrdValidator.FieldValidation;
import io.cfworkers.operator.support.crd.Manifest;
import io.fabric8.crdv2.generator.CRDGenerator;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The schema and CEL rules fabric8 generates from {@link AnalysisSpec}, admitted the way the
 * apiserver would. {@code spec.rollout.analysis} is not part of the WorkerDeployment CRD yet, so
 * the spec is generated here inside a test-only resource, under the same field name; the rules and
 * their messages are exactly those the WorkerDeployment CRD will carry.
 */
class AnalysisSpecCrdValidationTest {
  static CrdValidator crd;

  @Group("test.cfworkers.io")
  @Version("v1")
  public static class AnalysisProbe extends CustomResource<ProbeSpec, Void> implements Namespaced {}

  public static class ProbeSpec {
    private AnalysisSpec analysis;

    public AnalysisSpec getAnalysis() {
      return analysis;
    }

    public void setAnalysis(AnalysisSpec analysis) {
      this.analysis = analysis;
    }
  }

  @BeforeAll
  static void generate() throws IOException {
    Path dir = Files.createTempDirectory("analysis-crd");
    new CRDGenerator()
        .inOutputDir(dir.toFile())
        .forCRDVersions("v1")
        .customResourceClasses(AnalysisProbe.class)
        .generate();
    try (Stream<Path> files = Files.list(dir)) {
      Path file = files.filter(f -> f.toString().endsWith("-v1.yml")).findFirst().orElseThrow();
      crd = CrdValidator.fromCrdFile(file);
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  static final Manifest EMPTY =
      Manifest.parse(
          """
          apiVersion: test.cfworkers.io/v1
          kind: AnalysisProbe
          metadata: {name: probe, namespace: shop}
          spec:
            analysis: {}
          """);

  static final Manifest FULL =
      EMPTY.with(
          "spec.analysis",
          Map.of(
              "interval",
              "30s",
              "window",
              "10m",
              "delay",
              "2m30s",
              "minRequests",
              1,
              "maxErrorRate",
              0.5,
              "failureLimit",
              2,
              "analyticsTokenSecretRef",
              Map.of("name", "cf-analytics", "key", "token")));

  @Test
  void anEmptyAnalysisGetsTheDocumentedDefaults() {
    Admission admission = crd.admit(null, EMPTY.toMap(), FieldValidation.STRICT);
    assertEquals(List.of(), admission.errors());
    @SuppressWarnings("unchecked")
    Map<String, Object> analysis =
        (Map<String, Object>)
            ((Map<String, Object>) admission.stored().get("spec")).get("analysis");
    assertEquals("1m", analysis.get("interval"));
    assertEquals("5m", analysis.get("window"));
    assertEquals("3m", analysis.get("delay"));
    assertEquals(100, ((Number) analysis.get("minRequests")).intValue());
    assertEquals(1.0, ((Number) analysis.get("maxErrorRate")).doubleValue());
    assertEquals(0, ((Number) analysis.get("failureLimit")).intValue());
  }

  static Stream<Arguments> goodManifests() {
    return Stream.of(
        Arguments.of("every field set", FULL),
        Arguments.of("interval exactly 30s", EMPTY.with("spec.analysis.interval", "30s")),
        Arguments.of("interval 1h", EMPTY.with("spec.analysis.interval", "1h")),
        Arguments.of("interval as 1m30s", EMPTY.with("spec.analysis.interval", "1m30s")),
        Arguments.of("interval as fraction 0.5m", EMPTY.with("spec.analysis.interval", "0.5m")),
        Arguments.of("window 1m", EMPTY.with("spec.analysis.window", "1m")),
        Arguments.of("window 60m", EMPTY.with("spec.analysis.window", "60m")),
        Arguments.of("delay 0s", EMPTY.with("spec.analysis.delay", "0s")),
        Arguments.of("delay in milliseconds", EMPTY.with("spec.analysis.delay", "90000ms")),
        Arguments.of("maxErrorRate 0", EMPTY.with("spec.analysis.maxErrorRate", 0)),
        Arguments.of("maxErrorRate 100", EMPTY.with("spec.analysis.maxErrorRate", 100)),
        Arguments.of("failureLimit 100", EMPTY.with("spec.analysis.failureLimit", 100)));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("goodManifests")
  void admits(String reason, Manifest manifest) {
    assertEquals(List.of(), crd.validate(manifest.toMap()));
  }

  static final String INTERVAL_RULE =
      "must be a duration from 30s to 1h, e.g. 1m or 1m30s (units" + " h, m, s, ms)";
  static final String WINDOW_RULE = "must be a duration from 1m to 1h, e.g. 5m (units h, m, s, ms)";
  static final String DELAY_RULE = "must be a duration from 0s to 1h, e.g. 3m (units h, m, s, ms)";

  static Stream<Arguments> badManifests() {
    return Stream.of(
        Arguments.of(
            "interval below 30s", EMPTY.with("spec.analysis.interval", "20s"), INTERVAL_RULE),
        Arguments.of(
            "interval above 1h", EMPTY.with("spec.analysis.interval", "61m"), INTERVAL_RULE),
        Arguments.of("interval in days", EMPTY.with("spec.analysis.interval", "1d"), INTERVAL_RULE),
        Arguments.of(
            "interval without a unit", EMPTY.with("spec.analysis.interval", "60"), INTERVAL_RULE),
        Arguments.of(
            "interval as ISO-8601", EMPTY.with("spec.analysis.interval", "PT1M"), INTERVAL_RULE),
        Arguments.of("window below 1m", EMPTY.with("spec.analysis.window", "30s"), WINDOW_RULE),
        Arguments.of("window above 1h", EMPTY.with("spec.analysis.window", "2h"), WINDOW_RULE),
        Arguments.of("negative delay", EMPTY.with("spec.analysis.delay", "-1m"), DELAY_RULE),
        Arguments.of("delay above 1h", EMPTY.with("spec.analysis.delay", "1h1s"), DELAY_RULE),
        Arguments.of("delay not a duration", EMPTY.with("spec.analysis.delay", "soon"), DELAY_RULE),
        Arguments.of(
            "minRequests 0",
            EMPTY.with("spec.analysis.minRequests", 0),
            "spec.analysis.minRequests in body should be greater than or equal to 1"),
        Arguments.of(
            "maxErrorRate above 100",
            EMPTY.with("spec.analysis.maxErrorRate", 100.5),
            "spec.analysis.maxErrorRate in body should be less than or equal to 100"),
        Arguments.of(
            "negative maxErrorRate",
            EMPTY.with("spec.analysis.maxErrorRate", -1),
            "spec.analysis.maxErrorRate in body should be greater than or equal to 0"),
        Arguments.of(
            "negative failureLimit",
            EMPTY.with("spec.analysis.failureLimit", -1),
            "spec.analysis.failureLimit in body should be greater than or equal to 0"),
        Arguments.of(
            "failureLimit above 100",
            EMPTY.with("spec.analysis.failureLimit", 101),
            "spec.analysis.failureLimit in body should be less than or equal to 100"),
        Arguments.of(
            "analytics token reference without a key",
            EMPTY.with("spec.analysis.analyticsTokenSecretRef", Map.of("name", "cf-analytics")),
            "spec.analysis.analyticsTokenSecretRef.key: Required value"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badManifests")
  void rejectsWithAMessageNamingTheFieldAndTheRule(
      String reason, Manifest manifest, String expected) {
    List<String> errors = crd.validate(manifest.toMap());
    assertTrue(
        errors.stream().anyMatch(e -> e.contains(expected)),
        () -> "expected an error containing <" + expected + "> but got " + errors);
  }
}
