package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentSpec;
import io.cfworkers.operator.cloudflare.DeploymentRequest;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import java.util.ArrayList;
import java.util.List;

/**
 * The split the operator works towards in this reconciliation, computed once per reconciliation and
 * passed to everything that needs it. Today it is the spec's {@code versions}; a progressive
 * rollout produces the split of its current step instead. Pure value.
 *
 * @param versions the split, in the order it is sent
 * @param step the rollout step (1-based) this split belongs to, or null outside a rollout
 */
public record DesiredSplit(List<VersionTraffic> versions, Integer step) {
  public DesiredSplit {
    List<VersionTraffic> copy = new ArrayList<>();
    versions.forEach(v -> copy.add(new VersionTraffic(v.getVersionId(), v.getPercentage())));
    versions = List.copyOf(copy);
  }

  /** The spec's own split, outside any rollout. */
  public static DesiredSplit fromSpec(WorkerDeploymentSpec spec) {
    return new DesiredSplit(spec.getVersions(), null);
  }

  /** The create request for this split, with the spec's message (none when empty). */
  public DeploymentRequest request(String message) {
    List<DeploymentVersion> wire =
        versions.stream()
            .map(v -> new DeploymentVersion(v.getVersionId(), v.getPercentage()))
            .toList();
    return new DeploymentRequest(wire, message == null || message.isEmpty() ? null : message);
  }

  /** The split in short, e.g. {@code 182bd5e5@90,7a3c0b4e@10}. */
  public String summary() {
    return DesiredDeployment.summary(versions);
  }
}
