package io.cfworkers.operator.reconcile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.cloudflare.Deployment;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SplitDiffTest {
  private static final String A = "182bd5e5-6e1a-4fe4-a799-aa6d9a6ab26e";
  private static final String B = "7a3c0b4e-1f2d-4c5b-9e8f-0a1b2c3d4e5f";
  private static final String C = "0f5c9d1e-2a3b-4c5d-8e9f-a0b1c2d3e4f5";

  static Stream<Arguments> cases() {
    return Stream.of(
        Arguments.of(
            "no live deployment", spec(A, 100), null, SplitDiff.Outcome.NO_LIVE_DEPLOYMENT),
        Arguments.of("same single version", spec(A, 100), live(A, 100), SplitDiff.Outcome.IN_SYNC),
        Arguments.of(
            "same split, same order",
            spec(A, 90, B, 10),
            live(A, 90, B, 10),
            SplitDiff.Outcome.IN_SYNC),
        Arguments.of(
            "same split, other order",
            spec(B, 10, A, 90),
            live(A, 90, B, 10),
            SplitDiff.Outcome.IN_SYNC),
        Arguments.of(
            "version id in other case",
            spec(A.toUpperCase(), 100),
            live(A, 100),
            SplitDiff.Outcome.IN_SYNC),
        Arguments.of(
            "percentage within tolerance",
            spec(A, 33.33, B, 66.67),
            live(A, 33.33000001, B, 66.66999999),
            SplitDiff.Outcome.IN_SYNC),
        Arguments.of(
            "percentages differ by 0.01",
            spec(A, 90, B, 10),
            live(A, 89.99, B, 10.01),
            SplitDiff.Outcome.DIFFERS),
        Arguments.of("other version", spec(A, 100), live(C, 100), SplitDiff.Outcome.DIFFERS),
        Arguments.of("canary added", spec(A, 90, B, 10), live(A, 100), SplitDiff.Outcome.DIFFERS),
        Arguments.of("canary removed", spec(A, 100), live(A, 90, B, 10), SplitDiff.Outcome.DIFFERS),
        Arguments.of(
            "weights swapped", spec(A, 10, B, 90), live(A, 90, B, 10), SplitDiff.Outcome.DIFFERS),
        Arguments.of(
            "one version replaced",
            spec(A, 90, C, 10),
            live(A, 90, B, 10),
            SplitDiff.Outcome.DIFFERS));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void comparesDeclaredSplitWithLive(
      String reason, List<VersionTraffic> desired, Deployment live, SplitDiff.Outcome expected) {
    assertEquals(expected, SplitDiff.compare(desired, Optional.ofNullable(live)));
  }

  static List<VersionTraffic> spec(Object... pairs) {
    List<VersionTraffic> out = new java.util.ArrayList<>();
    for (int i = 0; i < pairs.length; i += 2) {
      out.add(new VersionTraffic((String) pairs[i], ((Number) pairs[i + 1]).doubleValue()));
    }
    return out;
  }

  static Deployment live(Object... pairs) {
    List<DeploymentVersion> versions = new java.util.ArrayList<>();
    for (int i = 0; i < pairs.length; i += 2) {
      versions.add(new DeploymentVersion((String) pairs[i], ((Number) pairs[i + 1]).doubleValue()));
    }
    return new Deployment(
        "d1",
        Instant.parse("2026-11-28T12:00:00Z"),
        "wrangler",
        "percentage",
        versions,
        null,
        null,
        "a@b.c");
  }
}
