package io.cfworkers.operator.reconcile;

import io.cfworkers.operator.api.v1alpha1.VersionTraffic;
import io.cfworkers.operator.api.v1alpha1.WorkerDeploymentSpec;
import io.cfworkers.operator.cloudflare.DeploymentRequest;
import io.cfworkers.operator.cloudflare.DeploymentVersion;
import io.cfworkers.operator.cloudflare.ScriptRef;
import java.util.List;

/** Builds what the operator asks Cloudflare for, from the spec alone. Pure. */
public final class DesiredDeployment {
  private DesiredDeployment() {}

  public static ScriptRef script(WorkerDeploymentSpec spec) {
    return new ScriptRef(spec.getAccountId(), spec.getScriptName());
  }

  /** The create request for the spec's split and message, versions in the spec's order. */
  public static DeploymentRequest request(WorkerDeploymentSpec spec) {
    return request(spec, spec.getVersions());
  }

  /** The create request for {@code split} (by version id) and the spec's message. */
  public static DeploymentRequest request(WorkerDeploymentSpec spec, List<VersionTraffic> split) {
    List<DeploymentVersion> versions =
        split.stream()
            .map(v -> new DeploymentVersion(v.getVersionId(), v.getPercentage()))
            .toList();
    String message = spec.getMessage();
    return new DeploymentRequest(versions, message == null || message.isEmpty() ? null : message);
  }

  /** The split in short, e.g. {@code 182bd5e5@90,7a3c0b4e@10}: for columns, events and logs. */
  public static String summary(List<VersionTraffic> versions) {
    if (versions == null || versions.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    for (VersionTraffic v : versions) {
      if (out.length() > 0) {
        out.append(',');
      }
      String id = v.getVersionId() == null ? "?" : v.getVersionId();
      out.append(id, 0, Math.min(8, id.length())).append('@').append(percent(v.getPercentage()));
    }
    return out.toString();
  }

  /** A percentage as people write it: {@code 90}, {@code 33.33}. */
  static String percent(Double p) {
    if (p == null) {
      return "?";
    }
    if (p == Math.rint(p)) {
      return Long.toString(p.longValue());
    }
    return java.math.BigDecimal.valueOf(p).stripTrailingZeros().toPlainString();
  }
}
