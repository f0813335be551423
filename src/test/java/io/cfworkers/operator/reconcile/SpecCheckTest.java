package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cfworkers.operator.api.v1alpha1.AnalysisSpec;
import io.cfworkers.operator.api.v1alpha1.CloudflareAuth;
import io.cfworkers.operator.api.v1alpha1.RolloutPause;
import io.cfworkers.operator.api.v1alpha1.RolloutSpec;
import io.cfworkers.operator.api.v1alpha1.RolloutStep;
import io.cfworkers.operator.api.v1alpha1.SecretKeyRef;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The operator's own second check of the rules the CRD enforces at admission. */
class SpecCheckTest {
  private static final String A = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";
  private static final String B = "7a3c0b4e-1f2d-4c5b-9e8f-0a1b2c3d4e5f";

  private static WorkerDeploymentSpec valid() {
    WorkerDeploymentSpec spec = new WorkerDeploymentSpec();
    spec.setAccountId("023e105f4ecef8ad9ca31a8372d0c353");
    spec.setScriptName("checkout-api");
    CloudflareAuth auth = new CloudflareAuth();
    auth.setApiTokenSecretRef(new SecretKeyRef("cloudflare-api", "token"));
    spec.setAuth(auth);
    spec.setVersions(SplitDiffTest.spec(A, 90, B, 10));
    return spec;
  }

  static Stream<Arguments> cases() {
    return Stream.of(
        row("valid canary", s -> {}),
        row(
            "empty account id",
            s -> s.setAccountId(""),
            "spec.accountId: required, at most 32 characters"),
        row(
            "33-character account id",
            s -> s.setAccountId("0".repeat(33)),
            "spec.accountId: required, at most 32 characters"),
        row("missing script", s -> s.setScriptName(null), "spec.scriptName: required"),
        row(
            "other strategy",
            s -> s.setStrategy("blue-green"),
            "spec.strategy: must be \"percentage\""),
        row("no auth", s -> s.setAuth(null), "spec.auth: required"),
        row(
            "both auth methods",
            s -> {
              s.getAuth().setEmail("ops@example.com");
              s.getAuth().setApiKeySecretRef(new SecretKeyRef("k", "key"));
            },
            "spec.auth: exactly one of apiTokenSecretRef, or email together with apiKeySecretRef"),
        row(
            "email without key",
            s -> {
              s.getAuth().setApiTokenSecretRef(null);
              s.getAuth().setEmail("ops@example.com");
            },
            "spec.auth: email and apiKeySecretRef must be set together"),
        row(
            "no versions",
            s -> s.setVersions(List.of()),
            "spec.versions: must have 1 or 2 entries"),
        row(
            "three versions",
            s ->
                s.setVersions(
                    SplitDiffTest.spec(A, 50, B, 25, "0f5c9d1e-2a3b-4c5d-8e9f-a0b1c2d3e4f5", 25)),
            "spec.versions: must have 1 or 2 entries"),
        row(
            "uppercase id",
            s -> s.setVersions(SplitDiffTest.spec(A.toUpperCase(), 100)),
            "spec.versions[0].versionId: must be a lowercase UUID"),
        row(
            "duplicate ids",
            s -> s.setVersions(SplitDiffTest.spec(A, 50, A, 50)),
            "spec.versions[1].versionId: versions must be distinct"),
        row(
            "percentage 0",
            s -> s.setVersions(SplitDiffTest.spec(A, 0, B, 100)),
            "spec.versions[0].percentage: must be a number in [0.01, 100]"),
        row(
            "sum 99.9",
            s -> s.setVersions(SplitDiffTest.spec(A, 90, B, 9.9)),
            "spec.versions: percentages must add up to 100 (±0.001)"),
        row("sum within tolerance", s -> s.setVersions(SplitDiffTest.spec(A, 90, B, 10.0005))),
        row("by tag", s -> s.setVersions(List.of(VersionTraffic.tagged("release-2026.11", 100.0)))),
        row(
            "one by id, one by tag",
            s ->
                s.setVersions(
                    List.of(new VersionTraffic(A, 90.0), VersionTraffic.tagged("canary", 10.0)))),
        row(
            "tag of exactly 100 bytes (50 two-byte characters)",
            s -> s.setVersions(List.of(VersionTraffic.tagged("é".repeat(50), 100.0)))),
        row(
            "both id and tag",
            s -> {
              VersionTraffic both = new VersionTraffic(A, 100.0);
              both.setVersionTag("release-2026.11");
              s.setVersions(List.of(both));
            },
            "spec.versions[0]: exactly one of versionId or versionTag"),
        row(
            "neither id nor tag",
            s -> s.setVersions(List.of(new VersionTraffic(null, 100.0))),
            "spec.versions[0]: exactly one of versionId or versionTag"),
        row(
            "empty tag",
            s -> s.setVersions(List.of(VersionTraffic.tagged("", 100.0))),
            "spec.versions[0].versionTag: must not be empty"),
        row(
            "tag of 101 bytes",
            s -> s.setVersions(List.of(VersionTraffic.tagged("t".repeat(101), 100.0))),
            "spec.versions[0].versionTag: at most 100 bytes of UTF-8"),
        row(
            "tag of 51 two-byte characters is 102 bytes",
            s -> s.setVersions(List.of(VersionTraffic.tagged("é".repeat(51), 100.0))),
            "spec.versions[0].versionTag: at most 100 bytes of UTF-8"),
        row(
            "the same tag twice",
            s ->
                s.setVersions(
                    List.of(VersionTraffic.tagged("rc", 50.0), VersionTraffic.tagged("rc", 50.0))),
            "spec.versions[1].versionTag: versions must be distinct"),
        row(
            "null entry",
            s -> s.setVersions(new ArrayList<>(Arrays.asList(new VersionTraffic(A, 100.0), null))),
            "spec.versions[1]: must be an object with versionId and percentage"),
        // rollout
        row("valid rollout", s -> rollout(s, "30m", step(10, "10m"), step(50, null))),
        row(
            "valid rollout without pauses or deadline",
            s -> rollout(s, null, new RolloutStep(0.01, null), new RolloutStep(99.99, null))),
        row(
            "rollout with two versions",
            s -> {
              rollout(s, null, step(10, "1m"));
              s.setVersions(SplitDiffTest.spec(A, 90, B, 10));
            },
            "spec.rollout requires spec.versions to hold exactly one version at percentage 100:"
                + " the version to roll out"),
        row(
            "rollout with its version at 99.9995",
            s -> {
              rollout(s, null, step(10, "1m"));
              s.setVersions(SplitDiffTest.spec(A, 99.9995));
            },
            "spec.rollout requires spec.versions to hold exactly one version at percentage 100:"
                + " the version to roll out"),
        row(
            "rollout with no steps",
            s -> rollout(s, null),
            "spec.rollout.steps: must have 1 to 10 steps"),
        row(
            "rollout with eleven steps",
            s ->
                rollout(
                    s,
                    null,
                    IntStream.rangeClosed(1, 11)
                        .mapToObj(i -> step(i * 5, null))
                        .toArray(RolloutStep[]::new)),
            "spec.rollout.steps: must have 1 to 10 steps"),
        row(
            "rollout weights decreasing",
            s -> rollout(s, null, step(50, "1m"), step(10, "1m")),
            "spec.rollout.steps: weights must be strictly increasing"),
        row(
            "rollout weights equal",
            s -> rollout(s, null, step(10, "1m"), step(10, "1m")),
            "spec.rollout.steps: weights must be strictly increasing"),
        row(
            "rollout weight 100",
            s -> rollout(s, null, step(10, "1m"), step(100, null)),
            "spec.rollout.steps[1].weight: must be a number in [0.01, 99.99]"),
        row(
            "rollout weight missing",
            s -> rollout(s, null, new RolloutStep(null, new RolloutPause())),
            "spec.rollout.steps[0].weight: must be a number in [0.01, 99.99]"),
        row(
            "pause duration in days",
            s -> rollout(s, null, step(10, "1d")),
            "spec.rollout.steps[0].pause.duration: must be a duration such as 20s, 10m or 1h30m"
                + " (units h, m, s, ms)"),
        row(
            "progressDeadline without a unit",
            s -> rollout(s, "600", step(10, "1m")),
            "spec.rollout.progressDeadline: must be a duration such as 20s, 10m or 1h30m (units h,"
                + " m, s, ms)"),
        row(
            "valid rollout with analysis defaults",
            s -> {
              rollout(s, null, step(10, "1m"));
              s.getRollout().setAnalysis(new AnalysisSpec());
            }),
        row(
            "analysis interval below 30s",
            s -> {
              AnalysisSpec a = new AnalysisSpec();
              a.setInterval("10s");
              rollout(s, null, step(10, "1m"));
              s.getRollout().setAnalysis(a);
            },
            "spec.rollout.analysis.interval must be at least 30s, not 10s"),
        row(
            "analysis window not a duration",
            s -> {
              AnalysisSpec a = new AnalysisSpec();
              a.setWindow("5 minutes");
              rollout(s, null, step(10, "1m"));
              s.getRollout().setAnalysis(a);
            },
            "spec.rollout.analysis.window must be a duration such as 30s, 5m or 1m30s (units h, m,"
                + " s, ms), not \"5 minutes\""));
  }

  private static RolloutStep step(double weight, String duration) {
    return new RolloutStep(weight, new RolloutPause(duration));
  }

  private static void rollout(WorkerDeploymentSpec spec, String deadline, RolloutStep... steps) {
    spec.setVersions(SplitDiffTest.spec(B, 100));
    spec.setRollout(new RolloutSpec(new ArrayList<>(Arrays.asList(steps)), deadline));
  }

  private static Arguments row(
      String reason, Consumer<WorkerDeploymentSpec> change, String... problems) {
    WorkerDeploymentSpec spec = valid();
    change.accept(spec);
    return Arguments.of(reason, spec, List.of(problems));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void namesTheFieldAndTheRuleOfEveryProblem(
      String reason, WorkerDeploymentSpec spec, List<String> expected) {
    assertEquals(expected, SpecCheck.problems(spec));
  }
}
