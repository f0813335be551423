package io.cfworkers.operator.rollout;

import static io.cfworkers.operator.api.v1alpha1.RolloutStatus.PAUSED;

import io.cfworkers.operator.api.v1alpha1.AnalysisStatus;
import io.cfworkers.operator.api.v1alpha1.RolloutPause;
import io.cfworkers.operator.api.v1alpha1.RolloutSpec;
import io.cfworkers.operator.api.v1alpha1.RolloutStatus;
import io.cfworkers.operator.api.v1alpha1.RolloutStep;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/** Versions, splits, specs and statuses the rollout tests share. Ids read as their role. */
final class RolloutFixtures {
  private RolloutFixtures() {}

  static final String STABLE = "aaaaaaaa-0000-4000-8000-000000000001";
  static final String CANARY = "cccccccc-0000-4000-8000-000000000002";
  static final String NEWER = "dddddddd-0000-4000-8000-000000000003";
  static final String OTHER = "eeeeeeee-0000-4000-8000-000000000004";

  static final Instant T0 = Instant.parse("2026-11-29T10:00:00Z");

  static Instant at(String offset) {
    return T0.plus(RolloutDurations.parse(offset, "offset"));
  }

  static String ts(String offset) {
    return at(offset).toString();
  }

  static Duration d(String text) {
    return RolloutDurations.parse(text, "duration");
  }

  /** "aaaaaaaa", 90, "cccccccc", 10 → the live split of those versions. */
  static List<VersionTraffic> split(Object... prefixAndPercentage) {
    List<VersionTraffic> split = new ArrayList<>();
    for (int i = 0; i < prefixAndPercentage.length; i += 2) {
      split.add(
          new VersionTraffic(
              id((String) prefixAndPercentage[i]),
              ((Number) prefixAndPercentage[i + 1]).doubleValue()));
    }
    return split;
  }

  static String id(String prefix) {
    return List.of(STABLE, CANARY, NEWER, OTHER).stream()
        .filter(v -> v.startsWith(prefix))
        .findFirst()
        .orElseThrow();
  }

  static RolloutStep step(double weight, String duration) {
    return new RolloutStep(weight, new RolloutPause(duration));
  }

  static RolloutStep stepWithoutPause(double weight) {
    return new RolloutStep(weight, null);
  }

  static RolloutSpec rollout(String deadline, RolloutStep... steps) {
    return new RolloutSpec(new ArrayList<>(Arrays.asList(steps)), deadline);
  }

  /** 10% for 10m, then 50% until promoted; progressDeadline 30m. */
  static RolloutSpec twoSteps() {
    return rollout("30m", step(10, "10m"), step(50, null));
  }

  /** A status of the rollout of CANARY from STABLE over {@code steps} steps. */
  static RolloutStatus status(String phase, int step, int steps, Consumer<RolloutStatus> more) {
    RolloutStatus s = new RolloutStatus();
    s.setPhase(phase);
    s.setStableVersionId(STABLE);
    s.setCanaryVersionId(CANARY);
    s.setStep(step);
    s.setSteps(steps);
    more.accept(s);
    return s;
  }

  /** Step 1 of 2 live since T0, paused until T0+10m. */
  static RolloutStatus pausedAtStep1() {
    return status(
        PAUSED,
        1,
        2,
        s -> {
          s.setWeight(10.0);
          s.setStepStartedAt(ts("0s"));
          s.setPausedUntil(ts("10m"));
        });
  }

  /** Step 2 of 2 live since T0+11m, waiting for a promote. */
  static RolloutStatus waitingAtStep2() {
    return status(
        PAUSED,
        2,
        2,
        s -> {
          s.setWeight(50.0);
          s.setStepStartedAt(ts("11m"));
        });
  }

  /** Mutable input for one planner table row; defaults: twoSteps() from STABLE at 100%, at T0. */
  static final class In {
    RolloutSpec spec = twoSteps();
    String target = CANARY;
    List<VersionTraffic> live = split("aaaaaaaa", 100);
    RolloutStatus previous;
    Map<String, String> annotations = new HashMap<>();
    boolean suspended;
    Instant now = T0;

    /** The split Cloudflare serves; none at all (no deployment yet) when empty. */
    In live(Object... split) {
      live = split.length == 0 ? null : split(split);
      return this;
    }

    In previous(RolloutStatus s) {
      previous = s;
      return this;
    }

    /** The previous status's analysis record. */
    In analysis(AnalysisStatus a) {
      previous.setAnalysis(a);
      return this;
    }

    In annotate(String key, String value) {
      annotations.put(key, value);
      return this;
    }

    In now(String offset) {
      now = at(offset);
      return this;
    }

    In spec(RolloutSpec s) {
      spec = s;
      return this;
    }

    In target(String t) {
      target = t;
      return this;
    }

    In suspended() {
      suspended = true;
      return this;
    }

    RolloutInput input() {
      return new RolloutInput(spec, target, live, previous, annotations, suspended, now);
    }
  }

  static In in() {
    return new In();
  }
}
