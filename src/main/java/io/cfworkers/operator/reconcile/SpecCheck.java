package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.CloudflareAuth;
import io.cfworkers.operator.api.v1alpha1.RolloutSpec;
import io.cfworkers.operator.api.v1alpha1.RolloutStep;
import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentSpec;
import io.cfworkers.operator.rollout.RolloutDurations;
import io.cfworkers.operator.rollout.analysis.AnalysisSettings;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The operator's own check of the spec's rules, for resources that reached it without the CRD's
 * validation (an older CRD, a cluster that skipped it). The CRD enforces the same rules at
 * admission; this is the second line. Pure.
 */
public final class SpecCheck {

  /** The CRD's own pattern, so both lines of defence apply one rule. */
  private static final Pattern UUID = Pattern.compile(VersionTraffic.UUID_PATTERN);

  private SpecCheck() {}

  /** Every broken rule, each naming the field; empty when the spec is valid. */
  public static List<String> problems(WorkerDeploymentSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      problems.add("spec: required");
      return problems;
    }
    if (blank(spec.getAccountId()) || spec.getAccountId().length() > 32) {
      problems.add("spec.accountId: required, at most 32 characters");
    }
    if (blank(spec.getScriptName())) {
      problems.add("spec.scriptName: required");
    }
    if (spec.getStrategy() != null && !"percentage".equals(spec.getStrategy())) {
      problems.add("spec.strategy: must be \"percentage\"");
    }
    checkAuth(spec.getAuth(), problems);
    checkVersions(spec.getVersions(), problems);
    checkRollout(spec, problems);
    return problems;
  }

  private static void checkRollout(WorkerDeploymentSpec spec, List<String> problems) {
    RolloutSpec rollout = spec.getRollout();
    if (rollout == null) {
      return;
    }
    List<VersionTraffic> versions = spec.getVersions();
    if (versions == null
        || versions.size() != 1
        || versions.get(0) == null
        || versions.get(0).getPercentage() == null
        || versions.get(0).getPercentage() != 100) {
      problems.add(
          "spec.rollout requires spec.versions to hold exactly one version at percentage 100:"
              + " the version to roll out");
    }
    List<RolloutStep> steps = rollout.getSteps();
    if (steps == null || steps.isEmpty() || steps.size() > RolloutSpec.MAX_STEPS) {
      problems.add("spec.rollout.steps: must have 1 to " + RolloutSpec.MAX_STEPS + " steps");
      steps = steps == null ? List.of() : steps;
    }
    Double previous = null;
    boolean increasing = true;
    for (int i = 0; i < steps.size(); i++) {
      RolloutStep step = steps.get(i);
      String at = "spec.rollout.steps[" + i + "]";
      if (step == null) {
        problems.add(at + ": must be an object with weight and pause");
        continue;
      }
      Double weight = step.getWeight();
      if (weight == null || weight < RolloutStep.MIN_WEIGHT || weight > RolloutStep.MAX_WEIGHT) {
        problems.add(at + ".weight: must be a number in [0.01, 99.99]");
      } else {
        increasing &= previous == null || weight > previous;
        previous = weight;
      }
      if (step.getPause() != null
          && step.getPause().getDuration() != null
          && !RolloutDurations.isValid(step.getPause().getDuration())) {
        problems.add(
            at
                + ".pause.duration: must be a duration such as 20s, 10m or 1h30m (units h, m, s, ms)");
      }
    }
    if (!increasing) {
      problems.add("spec.rollout.steps: weights must be strictly increasing");
    }
    if (rollout.getProgressDeadline() != null
        && !RolloutDurations.isValid(rollout.getProgressDeadline())) {
      problems.add(
          "spec.rollout.progressDeadline: must be a duration such as 20s, 10m or 1h30m (units h,"
              + " m, s, ms)");
    }
    if (rollout.getAnalysis() != null) {
      try {
        AnalysisSettings.of(rollout.getAnalysis());
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
      }
    }
  }

  private static void checkAuth(CloudflareAuth auth, List<String> problems) {
    if (auth == null) {
      problems.add("spec.auth: required");
      return;
    }
    boolean token = auth.getApiTokenSecretRef() != null;
    boolean key = auth.getApiKeySecretRef() != null || !blank(auth.getEmail());
    if (token == key) {
      problems.add(
          "spec.auth: exactly one of apiTokenSecretRef, or email together with apiKeySecretRef");
    } else if (key && (auth.getApiKeySecretRef() == null || blank(auth.getEmail()))) {
      problems.add("spec.auth: email and apiKeySecretRef must be set together");
    }
  }

  private static void checkVersions(List<VersionTraffic> versions, List<String> problems) {
    if (versions == null || versions.isEmpty() || versions.size() > 2) {
      problems.add("spec.versions: must have 1 or 2 entries");
      return;
    }
    Set<String> seen = new HashSet<>();
    Set<String> seenTags = new HashSet<>();
    double sum = 0;
    boolean allPercentagesValid = true;
    for (int i = 0; i < versions.size(); i++) {
      VersionTraffic v = versions.get(i);
      String at = "spec.versions[" + i + "]";
      if (v == null) {
        problems.add(at + ": must be an object with versionId and percentage");
        allPercentagesValid = false;
        continue;
      }
      if ((v.getVersionId() == null) == (v.getVersionTag() == null)) {
        problems.add(at + ": exactly one of versionId or versionTag");
      } else if (v.getVersionId() != null) {
        if (!UUID.matcher(v.getVersionId()).matches()) {
          problems.add(at + ".versionId: must be a lowercase UUID");
        } else if (!seen.add(v.getVersionId().toLowerCase(java.util.Locale.ROOT))) {
          problems.add(at + ".versionId: versions must be distinct");
        }
      } else if (v.getVersionTag().isEmpty()) {
        problems.add(at + ".versionTag: must not be empty");
      } else if (v.getVersionTag().getBytes(StandardCharsets.UTF_8).length
          > VersionTraffic.TAG_MAX_BYTES) {
        problems.add(at + ".versionTag: at most 100 bytes of UTF-8");
      } else if (!seenTags.add(v.getVersionTag())) {
        problems.add(at + ".versionTag: versions must be distinct");
      }
      Double p = v.getPercentage();
      if (p == null || p < 0.01 || p > 100) {
        problems.add(at + ".percentage: must be a number in [0.01, 100]");
        allPercentagesValid = false;
      } else {
        sum += p;
      }
    }
    if (allPercentagesValid
        && Math.abs(sum - 100) > WorkerDeploymentSpec.PERCENTAGE_SUM_TOLERANCE) {
      problems.add("spec.versions: percentages must add up to 100 (±0.001)");
    }
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }
}
